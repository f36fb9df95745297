//! How long a signed cookie session is accepted: `SESSION_LIFETIME` for browser sessions,
//! `PERMANENT_SESSION_LIFETIME` for permanent ones, both counted from the cookie's last
//! signature, which requests refresh. These tests wait for real seconds: the signature's clock
//! is the system's.

use std::time::Duration;

use micro::{App, Config, Error, Session, TestClient};

fn app(settings: &str) -> App {
    let config =
        Config::from_toml_str(&format!("SECRET_KEY = \"test-secret\"\n{settings}")).unwrap();
    let mut app = App::from_config(config).unwrap();
    app.post("/login", |s: Session| async move {
        s.insert("user", "ada")?;
        Ok::<_, Error>("ok")
    });
    app.post("/remember", |s: Session| async move {
        s.insert("user", "ada")?;
        s.set_permanent(true);
        Ok::<_, Error>("ok")
    });
    app.post("/logout", |s: Session| async move { s.clear() });
    app.get("/me", |s: Session| async move {
        let modified = if s.is_modified() { " (modified)" } else { "" };
        let user = s
            .get::<String>("user")
            .unwrap_or_else(|| "anonymous".into());
        format!("{user}{modified}")
    });
    app
}

/// `/me` with exactly this session cookie, as someone who copied it would send it.
async fn me_with(client: &TestClient, cookie: &str) -> String {
    client
        .get("/me")
        .header("cookie", format!("session={cookie}"))
        .await
        .text()
}

async fn sleep(seconds: f64) {
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
}

#[tokio::test]
async fn the_default_lifetime_of_a_browser_session_is_a_day_not_a_month() {
    let config = Config::default();
    assert_eq!(config.session_lifetime, Duration::from_secs(24 * 3600));
    assert_eq!(
        config.permanent_session_lifetime,
        Duration::from_secs(31 * 24 * 3600)
    );
}

#[tokio::test]
async fn a_copied_cookie_outlives_logout_until_the_session_lifetime() {
    let client = TestClient::new(app("SESSION_LIFETIME = 1"));
    client.post("/login").await;
    let copied = client.cookie("session").expect("a session cookie");
    client.post("/logout").await;
    assert_eq!(client.get("/me").await.text(), "anonymous");

    // The plain truth of stateless sessions: logging out deletes the user's cookie, not a copy.
    assert_eq!(me_with(&client, &copied).await, "ada");
    // Once the lifetime has passed since it was signed, the copy is worth nothing.
    sleep(2.1).await;
    assert_eq!(me_with(&client, &copied).await, "anonymous");
}

#[tokio::test]
async fn a_permanent_session_lasts_for_the_permanent_lifetime() {
    let permanent_outlives = TestClient::new(app(
        "SESSION_LIFETIME = 1\nPERMANENT_SESSION_LIFETIME = 3600",
    ));
    let res = permanent_outlives.post("/remember").await;
    let cookie = res.header("set-cookie").unwrap().to_owned();
    assert!(cookie.contains("Max-Age=3600"), "{cookie}");
    let permanent_expires = TestClient::new(app(
        "SESSION_LIFETIME = 3600\nPERMANENT_SESSION_LIFETIME = 1",
    ));
    permanent_expires.post("/remember").await;

    sleep(2.1).await;
    assert_eq!(permanent_outlives.get("/me").await.text(), "ada");
    assert_eq!(permanent_expires.get("/me").await.text(), "anonymous");
}

#[tokio::test]
async fn an_active_user_is_not_logged_out_the_cookie_is_signed_again() {
    let client = TestClient::new(app("SESSION_LIFETIME = 3"));
    client.post("/login").await;
    let at_login = client.cookie("session").unwrap();

    // Past a tenth of the lifetime, a request that reads the session gets it signed again,
    // without counting as a change.
    sleep(1.5).await;
    let res = client.get("/me").await;
    assert_eq!(res.text(), "ada");
    let refreshed = res
        .header("set-cookie")
        .expect("the cookie is signed again");
    assert!(
        !refreshed.contains("Max-Age"),
        "still a browser session: {refreshed}"
    );
    assert_ne!(client.cookie("session").unwrap(), at_login);

    // Over the lifetime since login, within it since the refresh.
    sleep(2.5).await;
    assert_eq!(me_with(&client, &at_login).await, "anonymous");
    assert_eq!(client.get("/me").await.text(), "ada");
}

#[tokio::test]
async fn a_fresh_cookie_is_not_sent_again() {
    let client = TestClient::new(app("SESSION_LIFETIME = 3600"));
    client.post("/login").await;
    let res = client.get("/me").await;
    assert_eq!(res.text(), "ada");
    assert_eq!(res.header("set-cookie"), None);
}
