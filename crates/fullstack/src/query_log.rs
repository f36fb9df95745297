//! Counting the queries a piece of code runs, like Django's `assertNumQueries`: the ORM must not
//! hide extra round trips behind its convenience.

use std::future::Future;
use std::sync::{Arc, Mutex};

tokio::task_local! {
    static CAPTURE: Arc<Mutex<Vec<String>>>;
}

pub(crate) fn record(sql: &str) {
    let _ = CAPTURE.try_with(|log| {
        log.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(sql.to_owned());
    });
}

/// Runs `fut` and returns its output with the SQL of every statement it ran (in this task).
/// Transaction control (`BEGIN`, `SAVEPOINT`, `COMMIT`, `ROLLBACK`) is not listed.
///
/// ```no_run
/// # async fn demo(db: fullstack::Database) -> Result<(), fullstack::Error> {
/// let (_, queries) = fullstack::capture_queries(async {
///     db.fetch_all("SELECT 1", vec![]).await
/// }).await;
/// assert_eq!(queries.len(), 1);
/// # Ok(()) }
/// ```
pub async fn capture_queries<F: Future>(fut: F) -> (F::Output, Vec<String>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let output = CAPTURE.scope(log.clone(), fut).await;
    let queries = std::mem::take(&mut *log.lock().unwrap_or_else(|e| e.into_inner()));
    (output, queries)
}
