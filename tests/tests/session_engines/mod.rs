//! Runs one session test on every engine: `db` on SQLite, PostgreSQL and MariaDB, `cache` on
//! Redis, `cached_db` and `signed_cookies`, each a project configured through its `SESSION_*`
//! settings and served on a real socket; [`Browser`] keeps the cookie across requests on one
//! keep-alive connection. A server without its `TEST_*_URL` is reported NOT TESTED in the
//! test's output.

#![allow(dead_code)]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use fullstack::sessions::{self, DatabaseStore, RedisStore, Session, SessionEngine, SessionStore};
use fullstack::{Database, Project, Settings};
use tokio::sync::Notify;

use crate::common::{Http1Conn, Reply, TestServer, empty, http1_connect};

/// A key good enough for `check --deploy`, used by every test site.
pub(crate) const SECRET_KEY: &str = "a-test-key-that-is-long-and-random-enough-0123456789-xyz";

/// One engine on one server.
pub(crate) struct Case {
    /// `db/sqlite`, `db/postgresql`, `db/mysql`, `cache/redis`, `cached_db/sqlite`,
    /// `signed_cookies`: for assertion messages.
    pub(crate) name: String,
    pub(crate) engine: SessionEngine,
    /// The project's database (the sessions table for `db` and `cached_db`).
    pub(crate) db: Database,
    pub(crate) db_url: String,
    /// The settings (TOML) this case's sites start from.
    pub(crate) toml: String,
}

/// Two rendezvous points for `/slow`, which loads its session, says so, and changes it only
/// when told: a test runs another request in between.
#[derive(Default)]
pub(crate) struct Gate {
    pub(crate) loaded: Notify,
    pub(crate) go: Notify,
}

/// The routes every site has.
pub(crate) fn routes(app: &mut micro::App, gate: Arc<Gate>) {
    app.state(gate);
    app.get("/count", |session: Session| async move {
        let n = session.get::<u32>("n").unwrap_or(0) + 1;
        session.insert("n", n)?;
        Ok::<_, micro::Error>(n.to_string())
    });
    app.get("/read", |session: Session| async move {
        format!("{:?}", session.get::<u32>("n"))
    });
    app.get("/untouched", || async { "no session here" });
    app.get("/login", |session: Session| async move {
        session.cycle_key();
        session.insert("user", "ada")?;
        Ok::<_, micro::Error>("in")
    });
    app.get("/logout", |session: Session| async move {
        session.flush();
        "out"
    });
    app.get("/fail", |session: Session| async move {
        session.insert("n", 999)?;
        Err::<&str, _>(micro::Error::new(
            500,
            "the handler failed after the change",
        ))
    });
    app.get("/short", |session: Session| async move {
        session.set_expiry(sessions::Expiry::Age(Duration::from_secs(1)));
        session.insert("n", 1)?;
        Ok::<_, micro::Error>("a second")
    });
    app.get("/browser", |session: Session| async move {
        session.set_expiry(sessions::Expiry::AtBrowserClose);
        session.insert("n", 1)?;
        Ok::<_, micro::Error>("until close")
    });
    app.get(
        "/big/<int:size>",
        |session: Session, micro::Path(size): micro::Path<usize>| async move {
            session.insert("big", "x".repeat(size))?;
            Ok::<_, micro::Error>("stored")
        },
    );
    app.get(
        "/slow",
        |session: Session, gate: micro::State<Arc<Gate>>| async move {
            let n = session.get::<u32>("n").unwrap_or(0);
            gate.loaded.notify_one();
            gate.go.notified().await;
            session.insert("n", n + 100)?;
            Ok::<_, micro::Error>("slow done")
        },
    );
}

/// A site of one case: its server, settings and gate.
pub(crate) struct Site {
    pub(crate) server: TestServer,
    pub(crate) settings: Settings,
    pub(crate) gate: Arc<Gate>,
}

impl Site {
    /// A browser on a new keep-alive connection, with no cookie yet.
    pub(crate) async fn browser(&self) -> Browser {
        Browser {
            conn: http1_connect(self.server.addr).await,
            cookie_name: self.settings.sessions.cookie_name.clone(),
            cookie: None,
            requests: 0,
        }
    }
}

/// A client that keeps the session cookie as a browser does, on one keep-alive connection.
pub(crate) struct Browser {
    conn: Http1Conn,
    cookie_name: String,
    /// The session cookie's value, as the last response left it.
    pub(crate) cookie: Option<String>,
    requests: u32,
}

impl Browser {
    /// GETs `path` with the cookie, and keeps what the response sets.
    pub(crate) async fn get(&mut self, path: &str) -> Reply {
        let mut req = self.conn.request("GET", path, empty());
        if let Some(value) = &self.cookie {
            let header = format!("{}={value}", self.cookie_name);
            req.headers_mut()
                .insert(http::header::COOKIE, header.parse().unwrap());
        }
        let reply = self.conn.send(req).await;
        self.requests += 1;
        assert!(
            !self.conn.closed.is_finished(),
            "the server closed the keep-alive connection after request {}",
            self.requests
        );
        for set in session_cookies(&reply, &self.cookie_name) {
            let value = set
                .split(';')
                .next()
                .and_then(|kv| kv.split_once('='))
                .map(|(_, v)| v.to_owned())
                .unwrap_or_default();
            self.cookie = (!set.contains("Max-Age=0") && !value.is_empty()).then_some(value);
        }
        reply
    }
}

/// The `Set-Cookie` headers of `reply` for the cookie `name`.
pub(crate) fn session_cookies(reply: &Reply, name: &str) -> Vec<String> {
    reply
        .headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
        .collect()
}

impl Case {
    /// The same case with `from` replaced by `to` in its settings.
    pub(crate) fn replacing(&self, from: &str, to: &str) -> Case {
        Case {
            name: self.name.clone(),
            engine: self.engine,
            db: self.db.clone(),
            db_url: self.db_url.clone(),
            toml: self.toml.replace(from, to),
        }
    }

    /// A site on this engine, with `extra` settings lines (TOML) after the case's own.
    pub(crate) async fn start(&self, extra: &str) -> Site {
        let text = format!("{}\n{extra}", self.toml);
        let settings = Settings::from_toml_str(&text)
            .unwrap_or_else(|e| panic!("{}: settings refused: {e}\n{text}", self.name));
        let gate = Arc::new(Gate::default());
        let for_routes = gate.clone();
        let project = Project::new("site")
            .settings(settings.clone())
            .app(sessions::app())
            .web(move |app| routes(app, for_routes.clone()));
        if matches!(self.engine, SessionEngine::Db | SessionEngine::CachedDb) {
            migrate(&project, &self.db_url).await;
        }
        let app = project.web_app(&self.db).unwrap();
        Site {
            server: TestServer::start(app).await,
            settings,
            gate,
        }
    }

    /// The store where the case's sessions really are, to look behind the site's back: the
    /// database for `db` and `cached_db`, Redis for `cache`; none for signed cookies.
    pub(crate) fn store(&self, site: &Site) -> Option<Arc<dyn SessionStore>> {
        match self.engine {
            SessionEngine::Db | SessionEngine::CachedDb => {
                Some(Arc::new(DatabaseStore::new(self.db.clone())))
            }
            SessionEngine::Cache => Some(Arc::new(
                RedisStore::from_settings(&site.settings.sessions).unwrap(),
            )),
            SessionEngine::SignedCookies => None,
        }
    }
}

async fn migrate(project: &Project, url: &str) {
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

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A name unique to this test run: the Redis key prefix and the SQLite file.
pub(crate) fn unique(test: &str) -> String {
    format!(
        "t{}_{}_{test}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A server URL from the environment, or a NOT TESTED line in the test's output.
pub(crate) fn server_url(what: &str, var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            println!("NOT TESTED: {what} (set {var})");
            None
        }
    }
}

fn base_toml(engine: &str) -> String {
    format!(
        "SECRET_KEY = \"{SECRET_KEY}\"\nALLOWED_HOSTS = [\"127.0.0.1\"]\n\
         SESSION_ENGINE = \"{engine}\"\nSESSION_STORE_TIMEOUT = 2\n"
    )
}

async fn sqlite(name: &str) -> (Database, String) {
    let path = std::env::temp_dir().join(format!("{name}.db"));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    (Database::connect(&url).await.unwrap(), url)
}

/// The cases this machine can run; the others are reported NOT TESTED.
pub(crate) async fn cases(test: &str) -> Vec<Case> {
    let id = unique(test);
    let mut cases = Vec::new();
    let (db, db_url) = sqlite(&format!("{id}_db")).await;
    cases.push(Case {
        name: "db/sqlite".into(),
        engine: SessionEngine::Db,
        db,
        db_url,
        toml: base_toml("db"),
    });
    for (name, what, var) in [
        ("db/postgresql", "PostgreSQL", "TEST_POSTGRES_URL"),
        ("db/mysql", "MariaDB", "TEST_MYSQL_URL"),
    ] {
        if let Some(url) = server_url(what, var) {
            let db = Database::connect(&url)
                .await
                .unwrap_or_else(|e| panic!("{test}: cannot connect to {what} at {url}: {e}"));
            cases.push(Case {
                name: name.into(),
                engine: SessionEngine::Db,
                db,
                db_url: url,
                toml: base_toml("db"),
            });
        }
    }
    if let Some(url) = server_url("Redis", "TEST_REDIS_URL") {
        let (db, db_url) = sqlite(&format!("{id}_redis")).await;
        cases.push(Case {
            name: "cache/redis".into(),
            engine: SessionEngine::Cache,
            db,
            db_url,
            // Every test its own prefix: the server is shared with other tests and runs.
            toml: format!(
                "{}SESSION_REDIS_URL = \"{url}\"\nSESSION_REDIS_PREFIX = \"{id}:\"\n",
                base_toml("cache")
            ),
        });
    }
    let (db, db_url) = sqlite(&format!("{id}_cached")).await;
    cases.push(Case {
        name: "cached_db/sqlite".into(),
        engine: SessionEngine::CachedDb,
        db,
        db_url,
        toml: base_toml("cached_db"),
    });
    let (db, db_url) = sqlite(&format!("{id}_signed")).await;
    cases.push(Case {
        name: "signed_cookies".into(),
        engine: SessionEngine::SignedCookies,
        db,
        db_url,
        toml: base_toml("signed_cookies"),
    });
    cases
}

/// Runs `body` on every engine this machine has, in turn, and says which ran.
pub(crate) async fn on_every_engine<F, Fut>(test: &str, body: F)
where
    F: Fn(Case) -> Fut,
    Fut: Future<Output = ()>,
{
    for case in cases(test).await {
        let name = case.name.clone();
        let db = case.db.clone();
        let file = case
            .db_url
            .strip_prefix("sqlite://")
            .map(|rest| std::path::PathBuf::from(rest.split('?').next().unwrap_or(rest)));
        body(case).await;
        db.close().await;
        if let Some(file) = file {
            let _ = std::fs::remove_file(&file);
        }
        println!("{test}: {name} tested");
    }
}

/// Log lines written while the guard lives, on this thread (a `#[tokio::test]` runs the server
/// it spawned on its own thread).
pub(crate) struct Logs {
    lines: Arc<std::sync::Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

impl Logs {
    pub(crate) fn capture() -> Logs {
        let lines = Arc::new(std::sync::Mutex::new(Vec::new()));
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::WARN)
            .with_writer(move || LogWriter(writer.clone()))
            .finish();
        Logs {
            lines,
            _guard: tracing::subscriber::set_default(subscriber),
        }
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.lines.lock().unwrap()).into_owned()
    }
}

struct LogWriter(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
