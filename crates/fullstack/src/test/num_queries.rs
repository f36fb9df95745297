//! Django's `assertNumQueries`, over [`capture_queries`](crate::capture_queries).

use std::future::Future;
use std::panic::Location;

/// Runs `fut` and returns its output, panicking when it did not run exactly `expected` SQL
/// statements; the message lists the statements it ran, numbered, and where the assertion is.
/// Statements are counted in the current task, requests sent with a
/// [`TestClient`](micro::TestClient) included (the client calls the app in the same task).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), fullstack::Error> {
/// let db = fullstack::Database::connect("sqlite::memory:").await?;
/// let rows = fullstack::test::assert_num_queries(1, db.fetch_all("SELECT 1", vec![])).await?;
/// assert_eq!(rows.len(), 1);
/// # Ok(()) }
/// ```
///
/// # Panics
/// When the count differs.
#[track_caller]
pub fn assert_num_queries<F: Future>(expected: usize, fut: F) -> impl Future<Output = F::Output> {
    let caller = Location::caller();
    async move {
        let (output, queries) = crate::capture_queries(fut).await;
        if queries.len() != expected {
            panic!("{}", mismatch(expected, &queries, caller));
        }
        output
    }
}

fn mismatch(expected: usize, queries: &[String], caller: &Location<'_>) -> String {
    let mut message = format!(
        "{caller}: expected {expected} {}, {} {} run",
        plural(expected),
        queries.len(),
        if queries.len() == 1 { "was" } else { "were" }
    );
    for (i, sql) in queries.iter().enumerate() {
        message.push_str(&format!("\n  {}. {sql}", i + 1));
    }
    message
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "query" } else { "queries" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_right_count_passes_and_a_wrong_one_lists_the_statements() {
        let db = crate::Database::connect("sqlite::memory:").await.unwrap();
        assert_num_queries(2, async {
            db.execute("SELECT 1", vec![]).await.unwrap();
            db.execute("SELECT 2", vec![]).await.unwrap();
        })
        .await;
        let task = tokio::spawn(async move {
            assert_num_queries(1, async {
                db.execute("SELECT 1", vec![]).await.unwrap();
                db.execute("SELECT 2", vec![]).await.unwrap();
            })
            .await;
        });
        let panic = task.await.unwrap_err().into_panic();
        let message = panic.downcast_ref::<String>().unwrap();
        assert!(
            message.contains("expected 1 query, 2 were run"),
            "{message}"
        );
        assert!(
            message.contains("\n  1. SELECT 1\n  2. SELECT 2"),
            "{message}"
        );
        assert!(message.contains("num_queries.rs:"), "{message}");
    }
}
