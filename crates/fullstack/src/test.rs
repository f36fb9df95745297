//! Testing tools, Django's `TestCase` for fullstack: a [`TestDatabase`] per test, created from
//! the project's migrations and dropped afterwards, a [`TestClient`](micro::TestClient) of the
//! project's web app on it, and [`assert_num_queries`].
//!
//! ```no_run
//! use fullstack::test::{TestDatabase, assert_num_queries};
//!
//! # fn project() -> fullstack::Project { fullstack::Project::new("mysite") }
//! #[tokio::test]
//! async fn the_index_lists_questions() -> Result<(), fullstack::Error> {
//!     let project = project();
//!     let db = TestDatabase::new(&project).await?; // test_mysite_<random>, migrated
//!     let client = db.client(&project)?;
//!     let res = assert_num_queries(1, client.get("/polls/")).await;
//!     assert_eq!(res.status(), 200);
//!     db.finish().await // dropped now; a panic before this drops it too
//! }
//! ```
//!
//! See `docs/fullstack/testing.md`.

mod name;
mod num_queries;
mod server;

use std::path::PathBuf;

pub use num_queries::assert_num_queries;

use crate::migrations::{Executor, Target};
use crate::{Backend, Database, Error, Project};

/// A database of its own for one test: created on the server of a URL (or as a temporary
/// SQLite file), brought to the project's migrations, and dropped at the end.
///
/// Its name is `test_<project>_<16 random hex digits>`, so parallel tests and parallel test
/// binaries sharing a server never meet. It derefs to the [`Database`] it hands out, and runs
/// querysets itself (`Question::objects().all(&db)`).
///
/// End it with [`finish`](Self::finish), which drops the database and reports a failure.
/// When the value is dropped without `finish` (the test panicked, or returned early with `?`),
/// its `Drop` drops the database anyway, from a thread of its own with a runtime of its own, so
/// a failing test leaks nothing; only a process that is killed or aborts does, and the leftovers
/// are the databases named `test_<project>_...`.
#[derive(Debug)]
pub struct TestDatabase {
    db: Database,
    name: String,
    /// What to remove at the end; `None` once removed.
    place: Option<Place>,
}

#[derive(Debug)]
enum Place {
    SqliteFile(PathBuf),
    Server { admin_url: String, backend: Backend },
}

impl TestDatabase {
    /// A test database on the server of the project's database URL (its
    /// [`resolved_database_url`](Project::resolved_database_url)), as Django puts `test_<name>`
    /// beside the configured database; for SQLite, a temporary file.
    ///
    /// # Errors
    /// As [`with_url`](Self::with_url).
    pub async fn new(project: &Project) -> Result<TestDatabase, Error> {
        Self::with_url(project, &project.resolved_database_url()).await
    }

    /// A test database on the server `url` names (`postgres://...`, `mysql://...`: the database
    /// in the URL is only connected to, to run `CREATE DATABASE` and, at the end, `DROP
    /// DATABASE`); for a `sqlite:` URL, a temporary file (not the URL's file). The project's
    /// pool settings and Rust data migrations apply.
    ///
    /// # Errors
    /// When the project's migrations cannot be read, the server refuses to create the database,
    /// or a migration fails (the database is dropped again then).
    pub async fn with_url(project: &Project, url: &str) -> Result<TestDatabase, Error> {
        let backend =
            Backend::from_url(url).ok_or_else(|| Error::UnsupportedUrl(url.to_owned()))?;
        let set = project.migrations()?;
        let name = name::unique(project.name());
        let (test_url, place) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.sqlite3"));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                (url, Place::SqliteFile(path))
            }
            Backend::Postgres | Backend::MySql => {
                server::create_database(url, backend, &name).await?;
                let place = Place::Server {
                    admin_url: url.to_owned(),
                    backend,
                };
                (name::url_with_database(url, &name), place)
            }
        };
        let connected = Database::connect_with(&test_url, project.pool_settings().clone()).await;
        let db = match connected {
            Ok(db) => db,
            Err(e) => {
                place.remove(&name).await;
                return Err(e);
            }
        };
        let test_db = TestDatabase {
            db,
            name,
            place: Some(place),
        };
        let migrated = Executor::new(&test_db.db, &set)
            .rust(project.rust_registry())
            .migrate(&Target::Latest)
            .await
            .map(|_| ());
        // As `migrate` does (Django's test runner too): the apps' post_migrate hooks, so the
        // auth app's permissions exist in a test database as in a real one.
        let migrated = match migrated {
            Ok(()) => post_migrate(project, &test_db.db).await,
            Err(e) => Err(e),
        };
        match migrated {
            Ok(()) => Ok(test_db),
            Err(e) => {
                let _ = test_db.finish().await;
                Err(e)
            }
        }
    }

    /// The database, migrated.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The database's name (`test_<project>_<random>`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A test client of the project's [web app](Project::web_app) on this database: the
    /// one-liner of a view test.
    ///
    /// # Errors
    /// When the project's configuration is refused ([`Error::Usage`] with micro's reason).
    pub fn client(&self, project: &Project) -> Result<micro::TestClient, Error> {
        let app = project
            .web_app(&self.db)
            .map_err(|e| Error::Usage(format!("the project's web app: {e}")))?;
        Ok(micro::TestClient::new(app))
    }

    /// Closes the connections and drops the database.
    ///
    /// # Errors
    /// When the server refuses the `DROP DATABASE` (the message names the database).
    pub async fn finish(mut self) -> Result<(), Error> {
        self.db.close().await;
        match self.place.take() {
            Some(place) => place.remove_checked(&self.name).await,
            None => Ok(()),
        }
    }
}

impl std::ops::Deref for TestDatabase {
    type Target = Database;

    fn deref(&self) -> &Database {
        &self.db
    }
}

impl Place {
    async fn remove_checked(self, name: &str) -> Result<(), Error> {
        match self {
            Place::SqliteFile(path) => {
                remove_sqlite_files(&path);
                Ok(())
            }
            Place::Server { admin_url, backend } => {
                server::drop_database(&admin_url, backend, name).await
            }
        }
    }

    /// Removes what it can, saying on stderr what it could not.
    async fn remove(self, name: &str) {
        if let Err(e) = self.remove_checked(name).await {
            warn_leak(name, &e);
        }
    }
}

fn remove_sqlite_files(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
    }
}

fn warn_leak(name: &str, e: &Error) {
    eprintln!("fullstack: the test database {name} could not be dropped: {e}; drop it by hand");
}

/// The test did not call `finish` (it panicked or returned early): drop the database from a
/// thread with a runtime of its own, since `Drop` cannot await and the test's runtime may be
/// a single thread that is busy running this very drop.
impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(place) = self.place.take() else {
            return;
        };
        if let Place::SqliteFile(path) = &place {
            remove_sqlite_files(path);
            return;
        }
        let name = self.name.clone();
        let dropped =
            std::thread::spawn(move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(place.remove(&name)),
                    Err(e) => warn_leak(&name, &Error::Usage(format!("no runtime: {e}"))),
                }
            })
            .join();
        if dropped.is_err() {
            warn_leak(&self.name, &Error::Usage("the drop thread panicked".into()));
        }
    }
}

/// Every app's post_migrate hooks, in the project's order.
async fn post_migrate(project: &Project, db: &Database) -> Result<(), Error> {
    for app in project.apps() {
        for hook in app.post_migrate_hooks() {
            hook(db, project).await?;
        }
    }
    Ok(())
}
