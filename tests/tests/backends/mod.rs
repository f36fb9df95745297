//! Runs one test body on every database backend: SQLite always (a fresh file), PostgreSQL and
//! MySQL/MariaDB when `TEST_POSTGRES_URL` / `TEST_MYSQL_URL` name a server. A backend without a
//! URL is reported as not tested, never silently passed.

#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};

use fullstack::Database;

/// A database to test on, with a table-name prefix unique to the test so tests can share a
/// server while running in parallel.
pub(crate) struct TestDb {
    pub(crate) db: Database,
    pub(crate) name: &'static str,
    /// The URL `db` is connected to.
    pub(crate) url: String,
    prefix: String,
}

impl TestDb {
    /// A table name unique to this test run.
    pub(crate) fn table(&self, base: &str) -> String {
        format!("{}_{base}", self.prefix)
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(test: &str) -> String {
    format!(
        "t{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        test.chars()
            .filter(char::is_ascii_alphanumeric)
            .take(20)
            .collect::<String>()
    )
}

/// Runs `body` on each configured backend, in turn.
pub(crate) async fn on_every_backend<F, Fut>(test: &str, body: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let prefix = unique(test);
    let sqlite_path = std::env::temp_dir().join(format!("{prefix}.db"));
    let sqlite_url = format!("sqlite://{}?mode=rwc", sqlite_path.display());
    let mut targets = vec![("sqlite", Some(sqlite_url))];
    targets.push(("postgresql", std::env::var("TEST_POSTGRES_URL").ok()));
    targets.push(("mysql", std::env::var("TEST_MYSQL_URL").ok()));

    for (name, url) in targets {
        let Some(url) = url.filter(|u| !u.is_empty()) else {
            let var = if name == "mysql" {
                "TEST_MYSQL_URL"
            } else {
                "TEST_POSTGRES_URL"
            };
            eprintln!("{test}: {name} NOT TESTED (set {var} to test it)");
            continue;
        };
        let db = Database::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("{test}: cannot connect to {name} at {url}: {e}"));
        body(TestDb {
            db: db.clone(),
            name,
            url: url.clone(),
            prefix: prefix.clone(),
        })
        .await;
        db.close().await;
        eprintln!("{test}: {name} tested");
    }
    let _ = std::fs::remove_file(&sqlite_path);
    let _ = std::fs::remove_file(sqlite_path.with_extension("db-wal"));
    let _ = std::fs::remove_file(sqlite_path.with_extension("db-shm"));
}
