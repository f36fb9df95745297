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

/// Says once per test binary that a backend was skipped. Written to stderr directly, not with
/// `eprintln!`, because the test harness swallows the output of passing tests: a skipped backend
/// must be visible in a plain `cargo test` run.
fn announce_untested(name: &str, var: &str) {
    use std::io::Write;
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    if !said.iter().any(|n| n == name) {
        said.push(name.to_owned());
        let _ = writeln!(
            std::io::stderr(),
            "note: {name} NOT TESTED in this test binary: set {var} to a server URL to test it"
        );
    }
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
            announce_untested(name, var);
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

/// Runs `migrate` for `project` on the database at `url` (the project's `site` command line,
/// as a user would), failing the test with the command's error output.
pub(crate) async fn migrate(project: &fullstack::Project, url: &str) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = project
        .run_with(
            ["site", "migrate", "--database-url", url],
            &mut out,
            &mut err,
        )
        .await;
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
}

/// A database of its own for one test on one backend, for tests whose tables have static
/// names (models' tables, the auth app's): SQLite's file is fresh already; on PostgreSQL a new
/// schema (through `search_path`), on MySQL a new database. Parallel tests and earlier runs
/// keep apart this way.
pub(crate) struct Isolated {
    pub(crate) db: Database,
    /// The URL `db` is connected to (for commands such as `migrate`).
    pub(crate) url: String,
    admin: Database,
    drop: Option<String>,
}

impl Isolated {
    pub(crate) async fn new(t: &TestDb, base: &str) -> Isolated {
        use fullstack::Backend;
        let name = t.table(base);
        let (url, drop) = match t.db.backend() {
            Backend::Sqlite => (t.url.clone(), None),
            Backend::Postgres => {
                t.db.execute(&format!("CREATE SCHEMA \"{name}\""), vec![])
                    .await
                    .unwrap();
                let sep = if t.url.contains('?') { '&' } else { '?' };
                (
                    format!("{}{sep}options[search_path]={name}", t.url),
                    Some(format!("DROP SCHEMA \"{name}\" CASCADE")),
                )
            }
            Backend::MySql => {
                t.db.execute(&format!("CREATE DATABASE `{name}`"), vec![])
                    .await
                    .unwrap();
                let base = &t.url[..t.url.rfind('/').unwrap()];
                (
                    format!("{base}/{name}"),
                    Some(format!("DROP DATABASE `{name}`")),
                )
            }
        };
        let db = match drop {
            None => t.db.clone(),
            Some(_) => Database::connect(&url).await.unwrap(),
        };
        Isolated {
            db,
            url,
            admin: t.db.clone(),
            drop,
        }
    }

    pub(crate) async fn done(self) {
        if let Some(drop) = self.drop {
            self.db.close().await;
            self.admin.execute(&drop, vec![]).await.unwrap();
        }
    }
}
