//! The hello-micro app, driven in memory.

use micro::{Config, Secret, TestClient};
use serde_json::{Value, json};

/// What precedes the token in a form's hidden CSRF input.
const NEEDLE: &str = "name=\"csrfmiddlewaretoken\" value=\"";

fn client() -> TestClient {
    let mut config = Config::default();
    config.secret_key = Some(Secret::new("test key"));
    TestClient::new(hello_micro::app(config).unwrap())
}

#[tokio::test]
async fn index_links_are_built_by_url_for() {
    let res = client().get("/").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(res.header("x-powered-by"), Some("micro"));
    let body = res.text();
    assert!(body.contains("href=\"/hello/World\""), "{body}");
    assert!(body.contains("href=\"/posts/2024/2/29/\""), "{body}");
    assert!(body.contains("POST /api/echo"), "{body}");
}

#[tokio::test]
async fn hello_escapes_the_name() {
    let res = client()
        .get("/hello/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert_eq!(
        res.status(),
        404,
        "a slash, even encoded, is not part of a string variable"
    );
    let res = client().get("/hello/%3Cb%3E%22ada%22").await;
    assert_eq!(res.status(), 200);
    let body = res.text();
    assert!(body.contains("Hello, &lt;b&gt;&quot;ada&quot;!"), "{body}");
    assert!(!body.contains("<b>ada"), "{body}");
}

#[tokio::test]
async fn archive_checks_dates() {
    let c = client();
    assert_eq!(c.get("/posts/2024/2/29/").await.status(), 200);
    assert_eq!(c.get("/posts/2023/2/29/").await.status(), 404);
    assert_eq!(c.get("/posts/2024/13/1/").await.status(), 404);
    assert_eq!(c.get("/posts/2024/x/1/").await.status(), 404);
    let res = c.get("/posts/2024/2/29?tab=1").await;
    assert_eq!(res.status(), 308);
    assert_eq!(res.header("location"), Some("/posts/2024/2/29/?tab=1"));
}

#[tokio::test]
async fn echo_round_trips_and_rejects_bad_input() {
    let c = client();
    let res = c
        .post("/api/echo")
        .json(&json!({"text": "ab", "times": 2}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>(), json!({"echo": "abab", "length": 4}));

    let res = c
        .post("/api/echo")
        .json(&json!({"text": "ab", "times": 11}))
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>()["details"][0]["field"], "times");

    let res = c.post("/api/echo").json(&json!({"times": 1})).await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>()["details"][0]["field"], "text");

    let res = c
        .post("/api/echo")
        .header("content-type", "application/json")
        .body("{not json")
        .await;
    assert_eq!(res.status(), 400);

    let res = c.post("/api/echo").body("text=hi").await;
    assert_eq!(res.status(), 415);

    let res = c.get("/api/echo").await;
    assert_eq!(res.status(), 405);
    assert_eq!(res.header("allow"), Some("OPTIONS, POST"));
}

#[tokio::test]
async fn custom_404_page_escapes_the_path() {
    let res = client().get("/nope/%3Ci%3E").await;
    assert_eq!(res.status(), 404);
    let body = res.text();
    assert!(body.contains("<code>/nope/%3Ci%3E</code>"), "{body}");
    assert!(body.contains("href=\"/\""), "{body}");
}

#[tokio::test]
async fn login_keeps_the_user_in_the_session_and_flashes_once() {
    let c = client();
    let page = c.get("/auth/login").await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text().contains("action=\"/auth/login\""),
        "{}",
        page.text()
    );
    // The form carries the token of its page.
    let text = page.text();
    let at = text.find(NEEDLE).expect("a CSRF input") + NEEDLE.len();
    let token = text[at..at + 64].to_owned();
    let no_token = c
        .post("/auth/login")
        .form(&[("username", "ada"), ("password", "micro")])
        .await;
    assert_eq!(no_token.status(), 403);
    assert!(
        no_token.text().contains("CSRF token missing."),
        "{}",
        no_token.text()
    );

    let res = c
        .post("/auth/login")
        .form(&[
            ("username", "ada"),
            ("password", "wrong"),
            ("csrfmiddlewaretoken", &token),
        ])
        .follow_redirects(true)
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .contains("class=\"flash error\">Wrong name or password."),
        "{}",
        res.text()
    );

    let res = c
        .post("/auth/login")
        .form(&[
            ("username", "<ada>"),
            ("password", "micro"),
            ("csrfmiddlewaretoken", &token),
        ])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.header("location"), Some("/"));
    let home = c.get("/").await.text();
    assert!(
        home.contains("signed in as <strong>&lt;ada&gt;</strong>"),
        "{home}"
    );
    assert!(home.contains("Welcome, &lt;ada&gt;!"), "{home}");
    // Flashes are shown once.
    assert!(!c.get("/").await.text().contains("Welcome"));

    let res = c
        .post("/auth/logout")
        .with_csrf_token()
        .follow_redirects(true)
        .await;
    let home = res.text();
    assert!(home.contains("You are logged out."), "{home}");
    assert!(home.contains(">Log in</a>"), "{home}");
}

#[tokio::test]
async fn the_login_form_works_from_its_own_page_and_not_from_another_site() {
    let c = client();
    let form = [("username", "ada"), ("password", "micro")];
    let res = c
        .post("/auth/login")
        .form(&form)
        .cross_site("https://evil.example")
        .await;
    assert_eq!(res.status(), 403);
    assert!(
        res.text().contains("cross-origin request refused"),
        "{}",
        res.text()
    );
    assert_eq!(c.cookie("session"), None, "nothing was stored");

    let token = c.csrf_token();
    let form = [form[0], form[1], ("csrfmiddlewaretoken", &token)];
    let res = c.post("/auth/login").form(&form).same_origin().await;
    assert_eq!(res.status(), 303);
    let res = c
        .post("/auth/logout")
        .cross_site("https://evil.example")
        .with_csrf_token()
        .await;
    assert_eq!(res.status(), 403, "another site cannot log the user out");
    assert!(c.get("/").await.text().contains("signed in as"));
}

#[tokio::test]
async fn pages_link_the_stylesheet_with_a_content_hash() {
    let c = client();
    let home = c.get("/").await.text();
    let start = home
        .find("href=\"/static/site.css?v=")
        .expect("a versioned stylesheet link");
    let link = &home[start + 6..];
    let url = &link[..link.find('"').unwrap()];
    let css = c.get(url).await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(css.text().contains("font-family"));
    assert_eq!(c.get("/static/../Cargo.toml").await.status(), 404);
}
