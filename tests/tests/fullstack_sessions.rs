//! fullstack's sessions app (Django's contrib.sessions) through its public API, on every database
//! backend: a session kept in `django_session`, its cookie and flags, laziness and query counts,
//! `cycle_key()`, `flush()`, expiry, bad keys, a store that is down, and `clearsessions`.

mod backends;

use backends::migrate;

use std::time::Duration;

use backends::{TestDb, on_every_backend};
use chrono::Utc;
use fullstack::sessions::{
    self, DatabaseStore, Expiry, Session, SessionBackend, SessionRecord, SessionSettings,
    SessionStore, StoreError, StoreFuture,
};
use fullstack::{Database, Project, capture_queries};
use micro::TestClient;

fn routes(app: &mut micro::App) {
    app.get("/count", |session: Session| async move {
        let n = session.get::<u32>("n").unwrap_or(0) + 1;
        session.insert("n", n)?;
        Ok::<_, micro::Error>(n.to_string())
    });
    app.get("/read", |session: Session| async move {
        format!("{:?}", session.get::<u32>("n"))
    });
    app.get("/untouched", || async { "no session here" });
    app.post("/login", |session: Session| async move {
        session.cycle_key();
        session.insert("user", "ada")?;
        Ok::<_, micro::Error>("in")
    });
    app.post("/logout", |session: Session| async move {
        session.flush();
        "out"
    });
    app.post("/browser", |session: Session| async move {
        session.set_expiry(Expiry::AtBrowserClose);
        session.insert("n", 1)?;
        Ok::<_, micro::Error>("until close")
    });
}

fn project(settings: SessionSettings) -> Project {
    Project::new("site")
        .app(sessions::app_with(settings))
        .web(routes)
}

async fn client_with(t: &TestDb, settings: SessionSettings) -> TestClient {
    let project = project(settings);
    migrate(&project, &t.url).await;
    TestClient::new(project.web_app(&t.db).unwrap())
}

async fn client(t: &TestDb) -> TestClient {
    client_with(t, SessionSettings::default()).await
}

fn set_cookies(res: &micro::TestResponse) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// A well-formed key nobody else uses (the servers' `django_session` is shared by test runs).
fn random_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

async fn stored(db: &Database, key: &str) -> bool {
    DatabaseStore::new(db.clone()).exists(key).await.unwrap()
}

#[tokio::test]
async fn a_session_is_kept_in_the_database_under_a_random_key() {
    on_every_backend("kept", |t| async move {
        let client = client(&t).await;
        let first = client.get("/count").await;
        assert_eq!(first.text(), "1");
        let cookie = &set_cookies(&first)[0];
        assert!(cookie.starts_with("sessionid="), "{cookie}");
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1209600"] {
            assert!(cookie.contains(flag), "{flag} missing: {cookie}");
        }
        assert!(!cookie.contains("Secure"), "{cookie}");
        assert_eq!(first.header("vary"), Some("Cookie"));
        let key = client.cookie("sessionid").unwrap();
        assert_eq!(key.len(), 32);
        assert!(
            key.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        assert!(stored(&t.db, &key).await, "{}: no row", t.name);

        assert_eq!(client.get("/count").await.text(), "2");
        assert_eq!(client.get("/read").await.text(), "Some(2)");
        assert_eq!(client.cookie("sessionid").unwrap(), key, "the key stays");
    })
    .await;
}

#[tokio::test]
async fn query_counts_none_untouched_one_read_two_changed() {
    on_every_backend("queries", |t| async move {
        let client = client(&t).await;
        let (_, new) = capture_queries(client.get("/count").send()).await;
        assert_eq!(new.len(), 1, "a new session is one insert: {new:?}");

        let (res, untouched) = capture_queries(client.get("/untouched").send()).await;
        assert_eq!(res.text(), "no session here");
        assert!(untouched.is_empty(), "{untouched:?}");

        let (res, read) = capture_queries(client.get("/read").send()).await;
        assert_eq!(res.text(), "Some(1)");
        assert_eq!(read.len(), 1, "{read:?}");
        assert!(
            set_cookies(&res).is_empty(),
            "an unchanged session is not written back"
        );

        let (res, changed) = capture_queries(client.get("/count").send()).await;
        assert_eq!(res.text(), "2");
        assert_eq!(changed.len(), 2, "{changed:?}");

        let (_, login) = capture_queries(client.post("/login").with_csrf_token().send()).await;
        assert_eq!(login.len(), 2, "cycle_key is one statement: {login:?}");
    })
    .await;
}

#[tokio::test]
async fn cycle_key_keeps_the_data_under_a_new_key() {
    on_every_backend("cycle", |t| async move {
        let client = client(&t).await;
        client.get("/count").await;
        let before = client.cookie("sessionid").unwrap();
        assert_eq!(client.post("/login").with_csrf_token().await.text(), "in");
        let after = client.cookie("sessionid").unwrap();
        assert_ne!(before, after);
        assert_eq!(client.get("/read").await.text(), "Some(1)");
        assert!(!stored(&t.db, &before).await, "the old key is dead");
        assert!(stored(&t.db, &after).await);
    })
    .await;
}

#[tokio::test]
async fn flush_deletes_the_session_and_its_cookie() {
    on_every_backend("flush", |t| async move {
        let client = client(&t).await;
        client.get("/count").await;
        let key = client.cookie("sessionid").unwrap();
        let res = client.post("/logout").with_csrf_token().await;
        let cookie = &set_cookies(&res)[0];
        assert!(cookie.contains("Max-Age=0"), "{cookie}");
        assert!(!stored(&t.db, &key).await);
        assert_eq!(client.get("/read").await.text(), "None");
    })
    .await;
}

#[tokio::test]
async fn tampered_unknown_and_expired_keys_start_an_empty_session() {
    on_every_backend("badkeys", |t| async move {
        let client = client(&t).await;
        let expired = random_key();
        DatabaseStore::new(t.db.clone())
            .save(&SessionRecord {
                key: expired.clone(),
                data: serde_json::json!({"n": 41}).as_object().unwrap().clone(),
                expire_date: Utc::now() - chrono::Duration::seconds(5),
            })
            .await
            .unwrap();
        let unknown = random_key();
        for key in [
            expired.as_str(),
            unknown.as_str(),
            "tampered' OR '1'='1",
            "",
            "%%%",
        ] {
            let res = client
                .get("/count")
                .header("cookie", format!("sessionid={key}"))
                .await;
            assert_eq!(res.status(), 200, "{key}");
            assert_eq!(res.text(), "1", "{key}: an empty session");
            let cookie = &set_cookies(&res)[0];
            assert!(
                !cookie.contains(&format!("sessionid={key};")),
                "a key the client chose is never adopted: {cookie}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn expiry_at_browser_close_and_cookie_settings() {
    on_every_backend("expiry", |t| async move {
        let client = client(&t).await;
        let res = client.post("/browser").with_csrf_token().await;
        let cookie = &set_cookies(&res)[0];
        assert!(!cookie.contains("Max-Age"), "{cookie}");

        let settings = SessionSettings {
            cookie_name: "sid".into(),
            cookie_secure: true,
            cookie_domain: Some("example.com".into()),
            cookie_path: "/app".into(),
            cookie_same_site: micro::SameSite::Strict,
            age: Duration::from_secs(60),
            ..SessionSettings::default()
        };
        let client = client_with(&t, settings).await;
        let res = client.get("/count").await;
        let cookie = &set_cookies(&res)[0];
        for flag in [
            "sid=",
            "Secure",
            "Domain=example.com",
            "Path=/app",
            "SameSite=Strict",
            "Max-Age=60",
            "HttpOnly",
        ] {
            assert!(cookie.contains(flag), "{flag} missing: {cookie}");
        }
    })
    .await;
}

#[tokio::test]
async fn clearsessions_deletes_expired_sessions_only() {
    on_every_backend("clear", |t| async move {
        let project = project(SessionSettings::default());
        migrate(&project, &t.url).await;
        let store = DatabaseStore::new(t.db.clone());
        let (old, live) = (random_key(), random_key());
        for (key, offset) in [(&old, -60), (&live, 3600)] {
            store
                .save(&SessionRecord {
                    key: key.clone(),
                    data: serde_json::Map::new(),
                    expire_date: Utc::now() + chrono::Duration::seconds(offset),
                })
                .await
                .unwrap();
        }
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = project
            .run_with(
                ["site", "clearsessions", "--database-url", &t.url],
                &mut out,
                &mut err,
            )
            .await;
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
        let out = String::from_utf8_lossy(&out);
        assert!(
            out.starts_with("Deleted ") && !out.starts_with("Deleted 0 "),
            "{out}"
        );
        let count = |key: String| {
            let db = t.db.clone();
            async move {
                let sql = match db.backend() {
                    fullstack::Backend::Postgres => {
                        "SELECT 1 FROM django_session WHERE session_key = $1"
                    }
                    _ => "SELECT 1 FROM django_session WHERE session_key = ?",
                };
                db.fetch_all(sql, vec![fullstack::Value::Text(key)])
                    .await
                    .unwrap()
                    .len()
            }
        };
        assert_eq!(count(old.clone()).await, 0, "expired row kept");
        assert_eq!(count(live.clone()).await, 1, "live row deleted");
        store.delete(&live).await.unwrap();
    })
    .await;
}

/// A store that fails, or never answers.
struct BrokenStore {
    hang: bool,
}

impl BrokenStore {
    fn fail<'a, T: Send + 'a>(&'a self) -> StoreFuture<'a, T> {
        let hang = self.hang;
        Box::pin(async move {
            if hang {
                std::future::pending::<()>().await;
            }
            Err(StoreError("connection refused".into()))
        })
    }
}

impl SessionStore for BrokenStore {
    fn load<'a>(&'a self, _: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        self.fail()
    }
    fn save<'a>(&'a self, _: &'a SessionRecord) -> StoreFuture<'a, ()> {
        self.fail()
    }
    fn delete<'a>(&'a self, _: &'a str) -> StoreFuture<'a, ()> {
        self.fail()
    }
    fn exists<'a>(&'a self, _: &'a str) -> StoreFuture<'a, bool> {
        self.fail()
    }
    fn clear_expired(&self) -> StoreFuture<'_, u64> {
        self.fail()
    }
}

async fn client_on_store(store: BrokenStore) -> TestClient {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let settings = SessionSettings {
        store_timeout: Duration::from_millis(200),
        ..SessionSettings::default()
    };
    let project = Project::new("site")
        .app(sessions::app_with(settings))
        .web(move |app| {
            routes(app);
            app.state(SessionBackend::new(BrokenStore { hang: store.hang }));
        });
    TestClient::new(project.web_app(&db).unwrap())
}

#[tokio::test]
async fn a_store_that_is_down_is_a_503_not_a_hang_nor_a_logout() {
    for hang in [false, true] {
        let client = client_on_store(BrokenStore { hang }).await;
        let started = std::time::Instant::now();
        // A request with a session cookie must load it: a failure is not an empty session.
        let res = client
            .get("/read")
            .header("cookie", format!("sessionid={}", "a".repeat(32)))
            .await;
        assert_eq!(res.status(), 503, "hang={hang}: {}", res.text());
        // A new session loads nothing, but saving it fails.
        let res = client.get("/count").await;
        assert_eq!(res.status(), 503, "hang={hang}: {}", res.text());
        assert!(set_cookies(&res).is_empty());
        assert!(started.elapsed() < Duration::from_secs(3), "{hang}");
        // Requests that do not touch the session do not notice.
        assert_eq!(client.get("/untouched").await.status(), 200);
    }
}

#[tokio::test]
async fn an_unreachable_database_is_a_503() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let project = project(SessionSettings::default());
    let client = TestClient::new(project.web_app(&db).unwrap());
    db.close().await;
    let res = client
        .get("/read")
        .header("cookie", format!("sessionid={}", "a".repeat(32)))
        .await;
    assert_eq!(res.status(), 503, "{}", res.text());
}

#[tokio::test]
async fn a_session_without_the_sessions_app_is_a_500_naming_it() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let project = Project::new("site").web(routes);
    let client = TestClient::new(project.web_app(&db).unwrap());
    let res = client.get("/read").await;
    assert_eq!(res.status(), 500);
}
