//! Signed cookie sessions, flash messages and the secret key.

use micro::{App, Config, Error, Session, TestClient};

fn config(extra: &str) -> Config {
    Config::from_toml_str(&format!("SECRET_KEY = \"test-secret\"\n{extra}")).unwrap()
}

fn app_with(config: Config) -> App {
    let mut app = App::from_config(config).unwrap();
    app.post(
        "/login/<user>",
        |micro::Path(user): micro::Path<String>, s: Session| async move {
            s.insert("user", user)?;
            Ok::<_, Error>("ok")
        },
    );
    app.get("/me", |s: Session| async move {
        s.get::<String>("user")
            .unwrap_or_else(|| "anonymous".into())
    });
    app.post(
        "/remember",
        |s: Session| async move { s.set_permanent(true) },
    );
    app.post("/logout", |s: Session| async move { s.clear() });
    app.post("/big", |s: Session| async move {
        s.insert("blob", "x".repeat(5000))?;
        Ok::<_, Error>("stored")
    });
    app.post("/flash", |s: Session| async move {
        s.flash("hello");
        s.flash_with("error", "oops");
    });
    app.get("/flashes", |s: Session| async move {
        let all: Vec<String> = s
            .take_flashes()
            .into_iter()
            .map(|f| format!("{}:{}", f.category, f.message))
            .collect();
        all.join(",")
    });
    app
}

fn app() -> App {
    app_with(config(""))
}

#[tokio::test]
async fn a_session_round_trips_in_a_signed_cookie_with_safe_flags() {
    let client = TestClient::new(app());
    let res = client.post("/login/ada").await;
    assert_eq!(res.status(), 200);
    let cookie = res.header("set-cookie").expect("the session is saved");
    assert!(cookie.starts_with("session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(
        !cookie.contains("Max-Age"),
        "a non-permanent session lasts the browser session: {cookie}"
    );
    assert!(!cookie.contains("ada"), "the value is encoded: {cookie}");
    assert_eq!(res.header("vary"), Some("Cookie"));

    assert_eq!(client.get("/me").await.text(), "ada");
}

#[tokio::test]
async fn an_unchanged_session_writes_no_cookie() {
    let client = TestClient::new(app());
    client.post("/login/ada").await;
    let res = client.get("/me").await;
    assert_eq!(res.text(), "ada");
    assert_eq!(res.header("set-cookie"), None);
}

#[tokio::test]
async fn a_tampered_or_foreign_cookie_is_an_empty_session() {
    let client = TestClient::new(app());
    client.post("/login/ada").await;
    let good = client.cookie("session").unwrap();

    let (payload, rest) = good.split_once('.').unwrap();
    let mut forged_payload: Vec<u8> = payload.bytes().collect();
    forged_payload[2] ^= 1;
    let forged = format!("{}.{rest}", String::from_utf8(forged_payload).unwrap());
    for cookie in [forged.as_str(), "garbage", "a.b.c", ""] {
        let res = client
            .get("/me")
            .header("cookie", format!("session={cookie}"))
            .await;
        assert_eq!(res.status(), 200, "{cookie}");
        assert_eq!(res.text(), "anonymous", "{cookie}");
    }

    // Signed with another key: not accepted either.
    let other = TestClient::new(app_with(
        Config::from_toml_str("SECRET_KEY = \"another\"").unwrap(),
    ));
    let res = other
        .get("/me")
        .header("cookie", format!("session={good}"))
        .await;
    assert_eq!(res.text(), "anonymous");
}

#[tokio::test]
async fn rotated_keys_still_read_old_cookies_and_re_sign_them() {
    let old = TestClient::new(app_with(
        Config::from_toml_str("SECRET_KEY = \"old\"").unwrap(),
    ));
    old.post("/login/ada").await;
    let old_cookie = old.cookie("session").unwrap();

    let rotated = TestClient::new(app_with(
        Config::from_toml_str("SECRET_KEY = \"new\"\nSECRET_KEY_FALLBACKS = [\"old\"]").unwrap(),
    ));
    let res = rotated
        .get("/me")
        .header("cookie", format!("session={old_cookie}"))
        .await;
    assert_eq!(res.text(), "ada");
    let resigned = res
        .header("set-cookie")
        .expect("re-signed with the new key");
    assert!(!resigned.contains(&old_cookie));

    let new_only = TestClient::new(app_with(
        Config::from_toml_str("SECRET_KEY = \"new\"").unwrap(),
    ));
    let res = new_only
        .get("/me")
        .header("cookie", format!("session={old_cookie}"))
        .await;
    assert_eq!(res.text(), "anonymous");
}

#[tokio::test]
async fn permanent_sessions_get_max_age_and_clear_deletes_the_cookie() {
    let client = TestClient::new(app_with(config("PERMANENT_SESSION_LIFETIME = 3600")));
    client.post("/login/ada").await;
    let res = client.post("/remember").await;
    let cookie = res.header("set-cookie").unwrap();
    assert!(cookie.contains("Max-Age=3600"), "{cookie}");

    let res = client.post("/logout").await;
    let cookie = res.header("set-cookie").unwrap();
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
    assert_eq!(client.get("/me").await.text(), "anonymous");
}

#[tokio::test]
async fn cookie_flags_follow_the_config() {
    let client = TestClient::new(app_with(config(
        "SESSION_COOKIE_SECURE = true\nSESSION_COOKIE_SAMESITE = \"Strict\"\nSESSION_COOKIE_NAME = \"sid\"",
    )));
    let res = client.post("/login/ada").await;
    let cookie = res.header("set-cookie").unwrap();
    assert!(cookie.starts_with("sid="), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
}

#[tokio::test]
async fn an_oversized_session_fails_loudly_never_silently() {
    // Release: the change is not saved (and logged); the response itself is unaffected.
    let client = TestClient::new(app());
    let res = client.post("/big").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("set-cookie"), None);

    // Debug: the developer sees a 500 that explains it.
    let client = TestClient::new(app_with(config("DEBUG = true")));
    let res = client
        .post("/big")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), 500);
    let body: serde_json::Value = res.json();
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("4093-byte limit"), "{message}");
}

#[tokio::test]
async fn flash_messages_are_read_once() {
    let client = TestClient::new(app());
    client.post("/flash").await;
    assert_eq!(
        client.get("/flashes").await.text(),
        "message:hello,error:oops"
    );
    assert_eq!(client.get("/flashes").await.text(), "");
}

#[tokio::test]
async fn without_a_secret_key_sessions_are_a_clear_error() {
    let err = App::from_config(Config::default()).err().unwrap();
    assert_eq!(err.key, "SECRET_KEY");
    assert!(
        err.to_string().contains("required outside debug mode"),
        "{err}"
    );

    // Debug mode makes a temporary key.
    let client = TestClient::new(app_with(Config::from_toml_str("DEBUG = true").unwrap()));
    client.post("/login/ada").await;
    assert_eq!(client.get("/me").await.text(), "ada");

    // An app without config has no sessions: a 500 that says why (in the log).
    let mut bare = App::new();
    bare.get("/", |s: Session| async move { s.is_empty().to_string() });
    assert_eq!(TestClient::new(bare).get("/").await.status(), 500);
}

#[tokio::test]
async fn config_sets_the_body_limit() {
    let mut app = App::from_config(config("MAX_CONTENT_LENGTH = 8")).unwrap();
    app.post("/echo", |body: String| async move { body });
    let client = TestClient::new(app);
    assert_eq!(client.post("/echo").body("12345678").await.status(), 200);
    assert_eq!(client.post("/echo").body("123456789").await.status(), 413);
}

#[tokio::test]
async fn a_response_setting_the_session_and_the_csrf_cookie_says_vary_cookie_once() {
    let mut app = App::from_config(config("")).unwrap();
    app.csrf_protect();
    app.add_template("form.html", "{{ csrf_input() }}").unwrap();
    app.get("/both", |s: Session, t: micro::Templates| async move {
        s.insert("user", "ada")?;
        t.render("form.html", ())
    });
    let res = TestClient::new(app).get("/both").await;
    assert_eq!(res.headers().get_all("set-cookie").iter().count(), 2);
    let vary: Vec<_> = res.headers().get_all("vary").iter().collect();
    assert_eq!(vary, ["Cookie"]);
}
