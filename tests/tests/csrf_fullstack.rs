//! CSRF in a fullstack project: on by default in `Project::web_app`, configured by the
//! `CSRF_*` settings, with `Origin` checked against the host ALLOWED_HOSTS let in and
//! `CSRF_TRUSTED_ORIGINS` (Django's wildcards), `Referer` on HTTPS (with `CSRF_COOKIE_DOMAIN`),
//! a project's `403_csrf.html`, and `MIDDLEWARE_CSRF = false` to turn it off.

use fullstack::{Database, Project, Settings};
use micro::{Templates, TestClient};

async fn client(settings: &str) -> TestClient {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let mut settings = Settings::from_toml_str(settings).unwrap();
    settings.web.secret_key = Some(micro::Secret::new("test key"));
    let project = Project::new("csrf").settings(settings).web(|app| {
        app.add_template(
            "form.html",
            r#"<form method="post">{{ csrf_input() }}</form>"#,
        )
        .unwrap();
        app.get(
            "/form",
            |t: Templates| async move { t.render("form.html", ()) },
        );
        app.post("/vote", || async { "voted" });
    });
    TestClient::new(project.web_app(&db).unwrap())
}

fn token_in(page: &str) -> String {
    let at = page.find("value=\"").unwrap() + 7;
    page[at..at + 64].to_owned()
}

/// Asserts a 403 whose page says `reason`.
fn refused(res: &micro::TestResponse, reason: &str) {
    assert_eq!(res.status(), 403, "{}", res.text());
    assert!(res.text().contains(reason), "{reason}: {}", res.text());
}

#[tokio::test]
async fn on_by_default_with_djangos_cookie() {
    let c = client("").await;
    let res = c.post("/vote").await;
    refused(&res, "CSRF cookie not set.");
    let page = c.get("/form").await;
    let cookie = page.header("set-cookie").unwrap().to_owned();
    assert!(
        cookie.starts_with("csrftoken=") && cookie.contains("Max-Age=31449600"),
        "{cookie}"
    );
    let token = token_in(&page.text());
    let res = c
        .post("/vote")
        .form(&[("csrfmiddlewaretoken", token.as_str())])
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    // The security headers are on the 403 too.
    let res = c.post("/vote").await;
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn the_settings_name_the_cookie_and_header() {
    let c = client(
        r#"
        CSRF_COOKIE_NAME = "xsrf"
        CSRF_COOKIE_SECURE = true
        CSRF_COOKIE_HTTPONLY = true
        CSRF_COOKIE_SAMESITE = "Strict"
        CSRF_COOKIE_AGE = 0
        CSRF_COOKIE_PATH = "/app"
        CSRF_HEADER_NAME = "HTTP_X_XSRF_TOKEN"
        "#,
    )
    .await;
    let page = c.get("/form").await;
    let cookie = page.header("set-cookie").unwrap().to_owned();
    for part in [
        "xsrf=",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/app",
    ] {
        assert!(cookie.contains(part), "{part}: {cookie}");
    }
    assert!(!cookie.contains("Max-Age"), "{cookie}");
    // The client keeps a `Path=/app` cookie for /app only, as a browser does.
    let res = c.post("/vote").header("x-xsrf-token", c.csrf_token()).await;
    refused(&res, "CSRF cookie not set.");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let res = c
        .post("/vote")
        .header("cookie", pair)
        .header("x-xsrf-token", token_in(&page.text()))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
}

#[tokio::test]
async fn origin_is_checked_against_the_allowed_host_and_trusted_origins() {
    let c = client(
        r#"
        ALLOWED_HOSTS = ["www.example.com"]
        CSRF_TRUSTED_ORIGINS = ["https://*.example.org", "https://dashboard.example.net"]
        "#,
    )
    .await;
    let post = |origin: &str| {
        c.post("/vote")
            .header("host", "www.example.com")
            .header("origin", origin)
            .with_csrf_token()
    };
    for good in [
        "http://www.example.com",
        "https://a.example.org",
        "https://dashboard.example.net",
    ] {
        assert_eq!(post(good).await.status(), 200, "{good}");
    }
    for bad in [
        "https://evil.example",
        "null",
        "https://www.example.com",
        "http://a.example.org",
    ] {
        let res = post(bad).header("sec-fetch-site", "same-origin").await;
        assert_eq!(res.status(), 403, "{bad}");
        let expected =
            format!("Origin checking failed - {bad} does not match any trusted origins.");
        assert!(res.text().contains(&expected), "{bad}: {}", res.text());
    }
    // A host ALLOWED_HOSTS refuses never reaches the check.
    let res = c
        .post("/vote")
        .header("host", "evil.example")
        .with_csrf_token()
        .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn referer_on_https_behind_a_proxy_with_the_cookie_domain() {
    let c = client(
        r#"
        ALLOWED_HOSTS = [".example.com"]
        SECURE_PROXY_SSL_HEADER = "X-Forwarded-Proto: https"
        CSRF_COOKIE_DOMAIN = ".example.com"
        "#,
    )
    .await;
    let post = |referer: &str| {
        c.post("/vote")
            .header("host", "foo.example.com")
            .header("x-forwarded-proto", "https")
            .header("referer", referer)
            .with_csrf_token()
    };
    assert_eq!(post("https://foo.example.com/form").await.status(), 200);
    assert_eq!(post("https://bar.example.com/form").await.status(), 200);
    let res = post("https://evil.example/").await;
    refused(
        &res,
        "Referer checking failed - https://evil.example/ does not match any trusted origins.",
    );
    let res = post("http://foo.example.com/").await;
    refused(&res, "Referer is insecure while host is secure.");
}

#[tokio::test]
async fn a_project_403_csrf_template_is_the_failure_page() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let mut settings = Settings::from_toml_str("").unwrap();
    settings.web.secret_key = Some(micro::Secret::new("test key"));
    let project = Project::new("csrf").settings(settings).web(|app| {
        app.add_template("403_csrf.html", "<h1>Forbidden</h1><p>{{ reason }}</p>")
            .unwrap();
        app.post("/vote", || async { "voted" });
    });
    let c = TestClient::new(project.web_app(&db).unwrap());
    let res = c.post("/vote").await;
    assert_eq!(res.status(), 403);
    assert_eq!(res.text(), "<h1>Forbidden</h1><p>CSRF cookie not set.</p>");
}

#[tokio::test]
async fn middleware_csrf_false_turns_it_off_but_not_the_cross_origin_check() {
    let c = client("MIDDLEWARE_CSRF = false").await;
    assert_eq!(c.post("/vote").await.status(), 200);
    let page = c.get("/form").await;
    assert!(page.header("set-cookie").is_none());
    assert_eq!(page.text(), r#"<form method="post"></form>"#);
    let res = c.post("/vote").cross_site("https://evil.example").await;
    assert_eq!(res.status(), 403);
}

#[test]
fn bad_csrf_settings_name_the_key() {
    let err = Settings::from_toml_str("CSRF_HEADER_NAME = \"X Token\"").unwrap_err();
    assert_eq!(err.key, "CSRF_HEADER_NAME");
    let err =
        Settings::from_toml_str("CSRF_TRUSTED_ORIGINS = [\"https://*.example.com/\"]").unwrap_err();
    assert_eq!(err.key, "CSRF_TRUSTED_ORIGINS");
    assert!(Settings::from_toml_str("CSRF_TRUSTED_ORIGINS = [\"https://*.example.com\"]").is_ok());
}

#[tokio::test]
async fn a_project_without_settings_checks_tokens_too() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let project = Project::new("csrf").web(|app| {
        app.post("/vote", || async { "voted" });
    });
    let c = TestClient::new(project.web_app(&db).unwrap());
    refused(&c.post("/vote").await, "CSRF cookie not set.");
    assert_eq!(c.post("/vote").with_csrf_token().await.text(), "voted");
}
