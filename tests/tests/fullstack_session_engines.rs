//! The session engines (`SESSION_ENGINE`): the same behaviour on `db` (SQLite, PostgreSQL,
//! MariaDB), `cache` (Redis), `cached_db` and `signed_cookies`, over real sockets with
//! keep-alive, then what is particular to each: Redis down and back, keys and expiry in Redis,
//! the cookie size limit and key rotation of signed cookies, the cache of `cached_db`.

mod common;
mod session_engines;

use std::sync::Arc;
use std::time::{Duration, Instant};

use fullstack::sessions::{self, SessionEngine};
use fullstack::{Project, Settings, capture_queries};
use session_engines::{Case, Logs, cases, on_every_engine, server_url, session_cookies, unique};
use tokio::net::{TcpListener, TcpStream};

#[tokio::test]
async fn a_session_follows_the_browser_across_requests_on_one_connection() {
    on_every_engine("follows", |case| async move {
        let site = case.start("").await;
        let mut browser = site.browser().await;
        let first = browser.get("/count").await;
        assert_eq!(first.text(), "1", "{}", case.name);
        let cookie = &session_cookies(&first, "sessionid")[0];
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1209600"] {
            assert!(
                cookie.contains(flag),
                "{}: {flag} missing: {cookie}",
                case.name
            );
        }
        assert!(!cookie.contains("Secure"), "{}: {cookie}", case.name);
        assert_eq!(first.header("vary"), Some("Cookie"), "{}", case.name);
        assert_eq!(browser.get("/count").await.text(), "2", "{}", case.name);
        assert_eq!(browser.get("/count").await.text(), "3", "{}", case.name);
        let read = browser.get("/read").await;
        assert_eq!(read.text(), "Some(3)", "{}", case.name);
        assert!(
            session_cookies(&read, "sessionid").is_empty(),
            "{}: an unchanged session is not sent again",
            case.name
        );
        let untouched = browser.get("/untouched").await;
        assert!(session_cookies(&untouched, "sessionid").is_empty());
        if let Some(store) = case.store(&site) {
            let key = browser.cookie.clone().unwrap();
            assert!(
                store.exists(&key).await.unwrap(),
                "{}: not stored",
                case.name
            );
        }
    })
    .await;
}

#[tokio::test]
async fn cycle_key_moves_the_data_and_flush_logs_out() {
    on_every_engine("cycle", |case| async move {
        let site = case.start("").await;
        let mut browser = site.browser().await;
        browser.get("/count").await;
        let before = browser.cookie.clone().unwrap();
        assert_eq!(browser.get("/login").await.text(), "in");
        let after = browser.cookie.clone().unwrap();
        assert_ne!(before, after, "{}", case.name);
        assert_eq!(
            browser.get("/read").await.text(),
            "Some(1)",
            "{}",
            case.name
        );
        let store = case.store(&site);
        if let Some(store) = &store {
            assert!(
                !store.exists(&before).await.unwrap(),
                "{}: old key alive",
                case.name
            );
            assert!(store.exists(&after).await.unwrap(), "{}", case.name);
        }

        let out = browser.get("/logout").await;
        let cookie = &session_cookies(&out, "sessionid")[0];
        assert!(cookie.contains("Max-Age=0"), "{}: {cookie}", case.name);
        assert_eq!(browser.cookie, None);
        assert_eq!(browser.get("/read").await.text(), "None", "{}", case.name);
        if let Some(store) = &store {
            assert!(!store.exists(&after).await.unwrap(), "{}", case.name);
            // A copy of the cookie taken before the logout is worth nothing now.
            let mut thief = site.browser().await;
            thief.cookie = Some(after.clone());
            assert_eq!(thief.get("/read").await.text(), "None", "{}", case.name);
        }
    })
    .await;
}

#[tokio::test]
async fn tampered_and_unknown_cookies_start_an_empty_session() {
    on_every_engine("tampered", |case| async move {
        let site = case.start("").await;
        let mut honest = site.browser().await;
        honest.get("/count").await;
        honest.get("/count").await;
        let real = honest.cookie.clone().unwrap();
        // The real value with one character changed, in its middle.
        let mut bytes = real.clone().into_bytes();
        let middle = bytes.len() / 2;
        bytes[middle] = if bytes[middle] == b'a' { b'b' } else { b'a' };
        let tampered = String::from_utf8(bytes).unwrap();
        let unknown = uuid::Uuid::new_v4().simple().to_string();
        for value in [
            tampered.as_str(),
            unknown.as_str(),
            "garbage",
            "a.b.c",
            "%%%",
        ] {
            let mut browser = site.browser().await;
            browser.cookie = Some(value.to_owned());
            let res = browser.get("/count").await;
            assert_eq!(res.status, 200, "{}: {value}", case.name);
            assert_eq!(
                res.text(),
                "1",
                "{}: {value} is an empty session",
                case.name
            );
            assert_ne!(
                browser.cookie.as_deref(),
                Some(value),
                "{}: adopted",
                case.name
            );
        }
        assert_eq!(honest.get("/read").await.text(), "Some(2)", "{}", case.name);
    })
    .await;
}

#[tokio::test]
async fn a_server_error_saves_nothing() {
    on_every_engine("fail", |case| async move {
        let site = case.start("").await;
        let mut browser = site.browser().await;
        browser.get("/count").await;
        let res = browser.get("/fail").await;
        assert_eq!(res.status, 500, "{}", case.name);
        assert!(
            session_cookies(&res, "sessionid").is_empty(),
            "{}",
            case.name
        );
        assert_eq!(
            browser.get("/read").await.text(),
            "Some(1)",
            "{}",
            case.name
        );
    })
    .await;
}

#[tokio::test]
async fn a_logout_during_a_slow_request_is_not_undone() {
    on_every_engine("race", |case| async move {
        if case.engine == SessionEngine::SignedCookies {
            // Nothing is kept on the server: each response's cookie is the whole session.
            return;
        }
        let site = case.start("").await;
        let mut slow = site.browser().await;
        slow.get("/count").await;
        let key = slow.cookie.clone().unwrap();
        let mut other = site.browser().await;
        other.cookie = Some(key.clone());

        let pending = tokio::spawn(async move { (slow.get("/slow").await, slow) });
        common::within("the slow request to load", site.gate.loaded.notified()).await;
        assert_eq!(other.get("/logout").await.text(), "out");
        site.gate.go.notify_one();
        let (res, mut slow) = common::within("the slow request", pending).await.unwrap();
        assert_eq!(res.status, 400, "{}: {}", case.name, res.text());
        assert!(
            res.text().contains("logged out"),
            "{}: {}",
            case.name,
            res.text()
        );
        assert!(
            session_cookies(&res, "sessionid").is_empty(),
            "{}",
            case.name
        );

        let store = case.store(&site).unwrap();
        assert!(
            !store.exists(&key).await.unwrap(),
            "{}: resurrected",
            case.name
        );
        assert_eq!(slow.get("/read").await.text(), "None", "{}", case.name);
    })
    .await;
}

#[tokio::test]
async fn expiry_ends_a_session_and_browser_close_sends_no_max_age() {
    on_every_engine("expiry", |case| async move {
        let site = case.start("").await;
        let mut browser = site.browser().await;
        let res = browser.get("/short").await;
        let cookie = &session_cookies(&res, "sessionid")[0];
        assert!(cookie.contains("Max-Age=1"), "{}: {cookie}", case.name);
        assert_eq!(
            browser.get("/read").await.text(),
            "Some(1)",
            "{}",
            case.name
        );
        tokio::time::sleep(Duration::from_millis(2200)).await;
        assert_eq!(
            browser.get("/read").await.text(),
            "None",
            "{}: expired",
            case.name
        );

        let res = browser.get("/browser").await;
        let cookie = &session_cookies(&res, "sessionid")[0];
        assert!(!cookie.contains("Max-Age"), "{}: {cookie}", case.name);
    })
    .await;
}

#[tokio::test]
async fn cookie_settings_and_save_every_request() {
    on_every_engine("flags", |case| async move {
        let site = case
            .start(
                "SESSION_COOKIE_NAME = \"sid\"\nSESSION_COOKIE_SECURE = true\n\
                 SESSION_COOKIE_SAMESITE = \"Strict\"\nSESSION_COOKIE_AGE = 600\n\
                 SESSION_COOKIE_DOMAIN = \"127.0.0.1\"\nSESSION_SAVE_EVERY_REQUEST = true",
            )
            .await;
        let mut browser = site.browser().await;
        let res = browser.get("/count").await;
        let cookie = &session_cookies(&res, "sid")[0];
        for flag in [
            "sid=",
            "Secure",
            "SameSite=Strict",
            "Max-Age=600",
            "HttpOnly",
            "Domain=127.0.0.1",
        ] {
            assert!(
                cookie.contains(flag),
                "{}: {flag} missing: {cookie}",
                case.name
            );
        }
        let read = browser.get("/read").await;
        assert_eq!(read.text(), "Some(1)", "{}", case.name);
        assert_eq!(
            session_cookies(&read, "sid").len(),
            1,
            "{}: SESSION_SAVE_EVERY_REQUEST sends it again",
            case.name
        );
        let untouched = browser.get("/untouched").await;
        assert!(
            session_cookies(&untouched, "sid").is_empty(),
            "{}",
            case.name
        );
    })
    .await;
}

/// A TCP relay to the real Redis that a test can stop and start again on the same port, to
/// see Redis go away and come back without stopping the server the others share.
struct Relay {
    port: u16,
    target: String,
    tasks: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: &str) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay = Relay {
            port: listener.local_addr().unwrap().port(),
            target: target.to_owned(),
            tasks: Arc::default(),
        };
        relay.serve(listener);
        relay
    }

    fn serve(&self, listener: TcpListener) {
        let (target, tasks) = (self.target.clone(), self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                let pipe = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tasks.lock().unwrap().push(pipe);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    /// Closes the port and every connection through it.
    fn stop(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    /// Listens on the same port again.
    async fn restart(&self) {
        let started = Instant::now();
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(listener) => break listener,
                Err(e) if started.elapsed() < Duration::from_secs(5) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("cannot listen on {} again: {e}", self.port),
            }
        };
        self.serve(listener);
    }
}

fn redis_case(all: Vec<Case>) -> Option<Case> {
    all.into_iter().find(|c| c.engine == SessionEngine::Cache)
}

fn redis_host_port(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let rest = rest.rsplit('@').next().unwrap_or(rest);
    rest.split('/').next().unwrap_or(rest).to_owned()
}

#[tokio::test]
async fn redis_down_is_a_503_within_the_timeout_not_a_logout_and_it_recovers() {
    let Some(url) = server_url("Redis", "TEST_REDIS_URL") else {
        return;
    };
    let Some(case) = redis_case(cases("redisdown").await) else {
        return;
    };
    let relay = Relay::start(&redis_host_port(&url)).await;
    let case = case
        .replacing(&url, &format!("redis://127.0.0.1:{}", relay.port))
        .replacing("SESSION_STORE_TIMEOUT = 2", "SESSION_STORE_TIMEOUT = 0.5");
    let logs = Logs::capture();
    let site = case.start("").await;
    let mut browser = site.browser().await;
    assert_eq!(browser.get("/count").await.text(), "1");
    let key = browser.cookie.clone().unwrap();

    relay.stop();
    for path in ["/read", "/count"] {
        let started = Instant::now();
        let res = browser.get(path).await;
        assert_eq!(res.status, 503, "{path}: {}", res.text());
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{path} took {:?}",
            started.elapsed()
        );
        assert!(session_cookies(&res, "sessionid").is_empty(), "{path}");
    }
    assert_eq!(
        browser.cookie.as_deref(),
        Some(key.as_str()),
        "not logged out"
    );
    assert_eq!(browser.get("/untouched").await.status, 200);
    let text = logs.text();
    assert!(
        text.contains("session store: Redis") && text.contains("answering 503"),
        "{text}"
    );

    relay.restart().await;
    assert_eq!(
        browser.get("/read").await.text(),
        "Some(1)",
        "back without a restart"
    );
    assert_eq!(browser.get("/count").await.text(), "2");
    relay.stop();
}

#[tokio::test]
async fn a_redis_that_never_answers_or_a_closed_port_is_a_503() {
    if server_url("Redis", "TEST_REDIS_URL").is_none() {
        return;
    }
    // A port nobody listens on: bound, then closed.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    // A listener that accepts and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            open.push(stream);
        }
    });
    for port in [closed_port, silent_port] {
        let settings = Settings::from_toml_str(&format!(
            "SECRET_KEY = \"{}\"\nALLOWED_HOSTS = [\"127.0.0.1\"]\nSESSION_ENGINE = \"cache\"\n\
             SESSION_REDIS_URL = \"redis://127.0.0.1:{port}\"\nSESSION_STORE_TIMEOUT = 0.5",
            session_engines::SECRET_KEY
        ))
        .unwrap();
        let db = fullstack::Database::connect("sqlite::memory:")
            .await
            .unwrap();
        let project = Project::new("site")
            .settings(settings)
            .app(sessions::app())
            .web(|app| session_engines::routes(app, Arc::default()));
        let client = micro::TestClient::new(project.web_app(&db).unwrap());
        let started = Instant::now();
        let res = client
            .get("/read")
            .header("cookie", format!("sessionid={}", "a".repeat(32)))
            .await;
        assert_eq!(res.status(), 503, "port {port}: {}", res.text());
        assert_eq!(client.get("/count").await.status(), 503, "port {port}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "port {port}: {:?}",
            started.elapsed()
        );
    }
    held.abort();
}

#[tokio::test]
async fn redis_keys_carry_the_prefix_and_expire_with_the_session() {
    let Some(url) = server_url("Redis", "TEST_REDIS_URL") else {
        return;
    };
    let Some(case) = redis_case(cases("rediskeys").await) else {
        return;
    };
    let site = case.start("SESSION_COOKIE_AGE = 300").await;
    let mut browser = site.browser().await;
    browser.get("/count").await;
    let key = browser.cookie.clone().unwrap();
    let prefix = site.settings.sessions.redis_prefix.clone();
    assert!(prefix.starts_with('t') && prefix.ends_with(':'), "{prefix}");

    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let stored: Option<String> = redis::cmd("GET")
        .arg(format!("{prefix}{key}"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored.as_deref(), Some(r#"{"n":1}"#));
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("{prefix}{key}"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((290..=300).contains(&ttl), "{ttl}");
    let bare: bool = redis::cmd("EXISTS")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(!bare, "keys are prefixed");
    browser.get("/logout").await;
    let gone: bool = redis::cmd("EXISTS")
        .arg(format!("{prefix}{key}"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(!gone);
}

fn signed_case(all: Vec<Case>) -> Case {
    all.into_iter()
        .find(|c| c.engine == SessionEngine::SignedCookies)
        .unwrap()
}

#[tokio::test]
async fn a_signed_cookie_over_4093_bytes_is_a_500_naming_the_size_not_a_lost_session() {
    let case = signed_case(cases("oversize").await);
    let logs = Logs::capture();
    let site = case.start("").await;
    let mut browser = site.browser().await;
    browser.get("/count").await;
    let res = browser.get("/big/5000").await;
    assert_eq!(res.status, 500, "{}", res.text());
    assert!(session_cookies(&res, "sessionid").is_empty());
    let text = logs.text();
    assert!(
        text.contains("the signed session cookie would be") && text.contains("over the 4093"),
        "{text}"
    );
    assert_eq!(
        browser.get("/read").await.text(),
        "Some(1)",
        "the old session is kept"
    );
    assert_eq!(browser.get("/big/1000").await.status, 200);
    let cookie = browser.cookie.clone().unwrap();
    assert!(
        cookie.len() > 1000,
        "the data is in the cookie: {}",
        cookie.len()
    );
}

#[tokio::test]
async fn signed_cookies_read_fallback_keys_and_refuse_other_keys() {
    let case = signed_case(cases("rotation").await);
    let old_site = case.start("").await;
    let mut browser = old_site.browser().await;
    browser.get("/count").await;
    let old_cookie = browser.cookie.clone().unwrap();

    let new_key = "another-test-key-that-is-long-and-random-enough-9876543210";
    let rotated = case.replacing(
        &format!("SECRET_KEY = \"{}\"", session_engines::SECRET_KEY),
        &format!(
            "SECRET_KEY = \"{new_key}\"\nSECRET_KEY_FALLBACKS = [\"{}\"]",
            session_engines::SECRET_KEY
        ),
    );
    let site = rotated.start("").await;
    let mut browser = site.browser().await;
    browser.cookie = Some(old_cookie.clone());
    let res = browser.get("/read").await;
    assert_eq!(res.text(), "Some(1)");
    assert_eq!(
        session_cookies(&res, "sessionid").len(),
        1,
        "signed again with the new key"
    );
    assert_ne!(browser.cookie.as_deref(), Some(old_cookie.as_str()));

    let other = case.replacing(session_engines::SECRET_KEY, new_key);
    let site = other.start("").await;
    let mut browser = site.browser().await;
    browser.cookie = Some(old_cookie);
    assert_eq!(browser.get("/read").await.text(), "None");
}

#[tokio::test]
async fn cached_db_reads_come_from_the_cache_and_writes_reach_the_database() {
    let case = cases("cached")
        .await
        .into_iter()
        .find(|c| c.engine == SessionEngine::CachedDb)
        .unwrap();
    // In process, so the queries can be counted.
    let settings = Settings::from_toml_str(&case.toml).unwrap();
    let project = Project::new("site")
        .settings(settings)
        .app(sessions::app())
        .web(|app| session_engines::routes(app, Arc::default()));
    let site = case.start("").await; // migrates
    drop(site);
    let client = micro::TestClient::new(project.web_app(&case.db).unwrap());
    let (res, queries) = capture_queries(client.get("/count").send()).await;
    assert_eq!(res.text(), "1");
    assert_eq!(queries.len(), 1, "written through: {queries:?}");
    let key = client.cookie("sessionid").unwrap();
    let (res, queries) = capture_queries(client.get("/read").send()).await;
    assert_eq!(res.text(), "Some(1)");
    assert!(queries.is_empty(), "read from the cache: {queries:?}");
    let (res, queries) = capture_queries(client.get("/count").send()).await;
    assert_eq!(res.text(), "2");
    assert_eq!(queries.len(), 1, "one update: {queries:?}");

    let db = fullstack::sessions::DatabaseStore::new(case.db.clone());
    use fullstack::sessions::SessionStore;
    let row = db.load(&key).await.unwrap().unwrap();
    assert_eq!(row.data["n"], 2, "the database has the truth");
    client.get("/logout").await;
    assert!(!db.exists(&key).await.unwrap());
    let (res, _) = capture_queries(client.get("/read").send()).await;
    assert_eq!(res.text(), "None");
    let _ = unique("unused");
}
