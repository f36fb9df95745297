//! The security middleware of a fullstack project's web app, on by default: nosniff,
//! Referrer-Policy, Cross-Origin-Opener-Policy and X-Frame-Options on every response (a header
//! the handler set is left alone), HSTS and the HTTPS redirect when asked, behind a trusted
//! proxy header, and ALLOWED_HOSTS checked on every request (Django's poisoned hosts refused with
//! a 400 that names the host), through the test client and over a real socket.

use fullstack::{Database, Project, Settings};
use micro::{IntoResponse, TestClient};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn app(settings: Option<&str>) -> micro::App {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let mut project = Project::new("security").web(|app| {
        app.get("/", || async { "home" });
        app.get("/framed", || async {
            let mut res = "framed by our own pages".into_response();
            res.headers_mut().insert(
                "x-frame-options",
                micro::http::HeaderValue::from_static("SAMEORIGIN"),
            );
            res.headers_mut().insert(
                "referrer-policy",
                micro::http::HeaderValue::from_static("no-referrer"),
            );
            res
        });
        app.get("/widget", || async {
            fullstack::security::xframe_exempt("embed me")
        });
        app.route(
            "/route-exempt",
            micro::routing::get(|| async { "any frame" })
                .layer(fullstack::security::xframe_options(None)),
        );
        app.route(
            "/route-sameorigin",
            micro::routing::get(|| async { "our frames" }).layer(
                fullstack::security::xframe_options(Some(
                    fullstack::settings::FrameOptions::SameOrigin,
                )),
            ),
        );
    });
    if let Some(text) = settings {
        let mut settings = Settings::from_toml_str(text).unwrap();
        settings.web.secret_key = Some(micro::Secret::new("test key"));
        project = project.settings(settings);
    }
    project.web_app(&db).unwrap()
}

async fn client(settings: Option<&str>) -> TestClient {
    TestClient::new(app(settings).await)
}

#[tokio::test]
async fn every_response_gets_the_security_headers_by_default() {
    let client = client(None).await;
    for path in ["/", "/no-such-page"] {
        let res = client.get(path).header("host", "localhost:8000").await;
        assert_eq!(
            res.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(res.header("referrer-policy"), Some("same-origin"), "{path}");
        assert_eq!(
            res.header("cross-origin-opener-policy"),
            Some("same-origin"),
            "{path}"
        );
        assert_eq!(res.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(res.header("strict-transport-security"), None, "{path}");
    }
}

#[tokio::test]
async fn a_header_the_handler_set_is_left_alone_and_a_page_can_be_exempt() {
    let client = client(None).await;
    let res = client.get("/framed").await;
    assert_eq!(res.header("x-frame-options"), Some("SAMEORIGIN"));
    assert_eq!(res.header("referrer-policy"), Some("no-referrer"));
    let res = client.get("/route-exempt").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("x-frame-options"), None);
    let res = client.get("/route-sameorigin").await;
    assert_eq!(res.header("x-frame-options"), Some("SAMEORIGIN"));
    let res = client.get("/widget").await;
    assert_eq!(res.text(), "embed me");
    assert_eq!(res.header("x-frame-options"), None);
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn each_middleware_is_switched_and_tuned_in_settings() {
    let client = client(Some(
        "MIDDLEWARE_SECURITY = false\nX_FRAME_OPTIONS = \"SAMEORIGIN\"",
    ))
    .await;
    let res = client.get("/").await;
    assert_eq!(res.header("x-content-type-options"), None);
    assert_eq!(res.header("x-frame-options"), Some("SAMEORIGIN"));
    let client = client_with("MIDDLEWARE_CLICKJACKING = false").await;
    let res = client.get("/").await;
    assert_eq!(res.header("x-frame-options"), None);
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
}

async fn client_with(settings: &str) -> TestClient {
    client(Some(settings)).await
}

#[tokio::test]
async fn hsts_and_the_https_redirect_follow_the_trusted_proxy_header() {
    let client = client_with(
        r#"
        ALLOWED_HOSTS = ["example.com"]
        SECURE_SSL_REDIRECT = true
        SECURE_HSTS_SECONDS = 31536000
        SECURE_HSTS_INCLUDE_SUBDOMAINS = true
        SECURE_PROXY_SSL_HEADER = "X-Forwarded-Proto: https"
        "#,
    )
    .await;
    let res = client.get("/path?q=1").header("host", "example.com").await;
    assert_eq!(res.status(), 301);
    assert_eq!(res.header("location"), Some("https://example.com/path?q=1"));
    assert_eq!(res.header("strict-transport-security"), None);
    let res = client
        .get("/")
        .header("host", "example.com")
        .header("x-forwarded-proto", "https")
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
    // A host not allowed is refused before it could be redirected to.
    let res = client.get("/").header("host", "evil.tld").await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.header("location"), None);
}

#[tokio::test]
async fn the_host_is_checked_against_allowed_hosts() {
    let client = client_with(
        r#"ALLOWED_HOSTS = ["example.com", ".multitenant.com", "[2001:19f0:feee::dead:beef:cafe]"]"#,
    )
    .await;
    for host in [
        "example.com",
        "EXAMPLE.com:80",
        "anything.multitenant.com",
        "multitenant.com",
        "[2001:19f0:feee::dead:beef:cafe]:8080",
    ] {
        let res = client.get("/").header("host", host).await;
        assert_eq!(res.status(), 200, "{host}: {}", res.text());
    }
    // Django's poisoned hosts, and one simply not listed.
    for host in [
        "example.com@evil.tld",
        "example.com:dr.frankenstein@evil.tld",
        "example.com:dr.frankenstein@evil.tld:80",
        "example.com:80/badpath",
        "example.com: recovermypassword.com",
        "other.com",
        "localhost",
    ] {
        let res = client.get("/").header("host", host).await;
        assert_eq!(res.status(), 400, "{host}");
        assert_eq!(
            res.header("x-content-type-options"),
            Some("nosniff"),
            "{host}: {}",
            res.text()
        );
    }
    let res = client
        .get("/")
        .header("host", "evil.tld")
        .header("accept", "application/json")
        .await;
    let body: serde_json::Value = res.json();
    let message = body.to_string();
    assert!(
        message.contains(
            "Invalid HTTP_HOST header: 'evil.tld'. You may need to add 'evil.tld' to ALLOWED_HOSTS."
        ),
        "{message}"
    );
}

#[tokio::test]
async fn x_forwarded_host_is_read_only_when_trusted() {
    let plain = client_with(r#"ALLOWED_HOSTS = ["example.com"]"#).await;
    let res = plain
        .get("/")
        .header("host", "example.com")
        .header("x-forwarded-host", "evil.tld")
        .await;
    assert_eq!(res.status(), 200);
    let trusting =
        client_with("ALLOWED_HOSTS = [\"example.com\"]\nUSE_X_FORWARDED_HOST = true").await;
    let res = trusting
        .get("/")
        .header("host", "example.com")
        .header("x-forwarded-host", "evil.tld")
        .await;
    assert_eq!(res.status(), 400);
    let res = trusting
        .get("/")
        .header("host", "internal")
        .header("x-forwarded-host", "example.com, proxy.internal")
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn with_no_allowed_hosts_the_local_names_pass() {
    let client = client(None).await;
    for host in ["localhost", "127.0.0.1:8000", "[::1]:8000"] {
        let res = client.get("/").header("host", host).await;
        assert_eq!(res.status(), 200, "{host}");
    }
    let res = client.get("/").header("host", "example.com").await;
    assert_eq!(res.status(), 400);
    // The test client's own name, Django's, passes in process (and only there: see below).
    let res = client.get("/").header("host", "testserver").await;
    assert_eq!(res.status(), 200);
}

/// The Host header as it arrives on the wire, where a client can send anything.
#[tokio::test]
async fn a_poisoned_host_on_the_wire_is_a_400_naming_it() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app(Some(r#"ALLOWED_HOSTS = ["example.com"]"#)).await;
    tokio::spawn(std::future::IntoFuture::into_future(micro::serve(
        listener,
        app.into_service(),
    )));
    let get = |host: &'static str| async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        stream.write_all(req.as_bytes()).await.unwrap();
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).await.unwrap();
        String::from_utf8_lossy(&buf).into_owned()
    };
    let ok = get("example.com:80").await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    assert!(
        ok.to_ascii_lowercase().contains("x-frame-options: deny"),
        "{ok}"
    );
    for host in [
        "evil.tld",
        "example.com@evil.tld",
        "example.com:80/badpath",
        "testserver",
    ] {
        let refused = get(host).await;
        assert!(refused.starts_with("HTTP/1.1 400"), "{host}: {refused}");
        assert!(
            refused.contains("Invalid HTTP_HOST header"),
            "{host}: {refused}"
        );
    }
}

#[tokio::test]
async fn content_security_policy_with_a_fresh_nonce_for_templates() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let settings = Settings::from_toml_str(
        r#"
        SECRET_KEY = "k"
        [SECURE_CSP]
        default-src = ["'self'"]
        script-src = ["'self'", "nonce"]
        [SECURE_CSP_REPORT_ONLY]
        img-src = ["https:"]
        "#,
    )
    .unwrap();
    let project = Project::new("csp").settings(settings).web(|app| {
        app.add_template("page.html", "<script nonce=\"{{ csp_nonce }}\"></script>")
            .unwrap();
        app.get("/", |t: micro::Templates| async move {
            t.render("page.html", ())
        });
        app.get("/own", || async {
            let mut res = "own policy".into_response();
            res.headers_mut().insert(
                "content-security-policy",
                micro::http::HeaderValue::from_static("default-src *"),
            );
            res
        });
    });
    let client = TestClient::new(project.web_app(&db).unwrap());
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let res = client.get("/").await;
        let body = res.text();
        let nonce = body
            .split("nonce=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        assert!(nonce.len() >= 16, "{body}");
        assert_eq!(
            res.header("content-security-policy"),
            Some(format!("default-src 'self'; script-src 'self' 'nonce-{nonce}'").as_str())
        );
        assert_eq!(
            res.header("content-security-policy-report-only"),
            Some("img-src https:")
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce per request");
    let res = client.get("/own").await;
    assert_eq!(res.header("content-security-policy"), Some("default-src *"));
}
