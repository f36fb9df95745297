//! Cross-origin protection over real sockets: what browsers send from other sites is refused
//! with a 403 that says why; same-origin pages, API clients, trusted origins and exempt routes
//! pass.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hyper_util::rt::{TokioExecutor, TokioIo};
use micro::routing::post;
use micro::{App, Blueprint, Config, CrossOriginRefused, Html, StatusCode, TestClient};
use tokio::net::TcpStream;

use common::{
    Reply, TestServer, empty, http1_connect, raw_exchange, raw_status, read_reply, within,
};

const EVIL: &str = "https://evil.example";
const TRUSTED: &str = "https://admin.example.com";

/// Counts the handler calls and the before_request hook calls.
#[derive(Default)]
struct Calls {
    handler: AtomicUsize,
    hook: AtomicUsize,
}

fn app_with(calls: &Arc<Calls>, configure: impl FnOnce(&mut App)) -> App {
    let mut app = App::new();
    let hook_calls = calls.clone();
    app.before_request(move || {
        hook_calls.hook.fetch_add(1, Ordering::SeqCst);
        async {}
    });
    let handler_calls = calls.clone();
    app.route(
        "/transfer",
        post(move || {
            handler_calls.handler.fetch_add(1, Ordering::SeqCst);
            async { "transferred" }
        })
        .get(|| async { "the form" })
        .put(|| async { "put" })
        .delete(|| async { "deleted" }),
    );
    app.route(
        "/webhook",
        post(|| async { "hooked" }).cross_origin_exempt(),
    );
    let mut api = Blueprint::new("api", "/api");
    api.post("/items", || async { "created" });
    let mut nested = Blueprint::new("v2", "/v2");
    nested.post("/items", || async { "created v2" });
    api.register_blueprint(nested);
    api.cross_origin_exempt();
    app.register_blueprint(api);
    let mut pages = Blueprint::new("pages", "/pages");
    pages.post("/save", || async { "saved" });
    app.register_blueprint(pages);
    configure(&mut app);
    app
}

fn app(calls: &Arc<Calls>) -> App {
    app_with(calls, |_| {})
}

/// Sends `method path` over HTTP/1.1 with the server's address as `Host` and these headers.
async fn send(server: &TestServer, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut conn = http1_connect(server.addr).await;
    let mut req = conn.request(method, path, empty());
    for (name, value) in headers {
        req.headers_mut().append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_str(value).unwrap(),
        );
    }
    conn.send(req).await
}

fn cross_site(origin: &str) -> [(&str, &str); 2] {
    [("sec-fetch-site", "cross-site"), ("origin", origin)]
}

#[tokio::test]
async fn a_cross_site_post_is_refused_with_the_reason_before_any_user_code() {
    let calls = Arc::new(Calls::default());
    let server = TestServer::start(app(&calls)).await;

    let res = send(&server, "POST", "/transfer", &cross_site(EVIL)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(
        res.text().contains(
            "cross-origin request refused: Sec-Fetch-Site is cross-site and the Origin https://evil.example is not trusted; add it to TRUSTED_ORIGINS or exempt the route"
        ),
        "{}",
        res.text()
    );
    assert_eq!(calls.handler.load(Ordering::SeqCst), 0, "the handler ran");
    assert_eq!(
        calls.hook.load(Ordering::SeqCst),
        0,
        "a before_request hook ran"
    );

    // A JSON client gets the reason as the message.
    let mut headers = cross_site(EVIL).to_vec();
    headers.push(("accept", "application/json"));
    let res = send(&server, "POST", "/transfer", &headers).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let body: serde_json::Value = serde_json::from_slice(&res.body).unwrap();
    assert_eq!(body["status"], 403);
    assert_eq!(
        body["message"],
        "cross-origin request refused: Sec-Fetch-Site is cross-site and the Origin https://evil.example is not trusted; add it to TRUSTED_ORIGINS or exempt the route"
    );

    for method in ["PUT", "DELETE"] {
        let res = send(&server, method, "/transfer", &cross_site(EVIL)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{method}");
    }
    assert_eq!(calls.handler.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn same_site_requests_are_refused_too() {
    let calls = Arc::new(Calls::default());
    let server = TestServer::start(app(&calls)).await;
    let headers = [
        ("sec-fetch-site", "same-site"),
        ("origin", "https://blog.example.com"),
    ];
    let res = send(&server, "POST", "/transfer", &headers).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(
        res.text().contains("Sec-Fetch-Site is same-site"),
        "{}",
        res.text()
    );
    assert_eq!(calls.handler.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn same_origin_matching_origin_and_header_less_posts_pass() {
    let calls = Arc::new(Calls::default());
    let server = TestServer::start(app(&calls)).await;
    let own_origin = format!("http://{}", server.addr);

    for headers in [
        vec![
            ("sec-fetch-site", "same-origin"),
            ("origin", own_origin.as_str()),
        ],
        vec![("sec-fetch-site", "none")],
        // A browser without Sec-Fetch-Site, from the app's own page.
        vec![("origin", own_origin.as_str())],
        // curl, scripts, API clients.
        vec![],
    ] {
        let res = send(&server, "POST", "/transfer", &headers).await;
        assert_eq!(res.status, StatusCode::OK, "{headers:?}: {}", res.text());
        assert_eq!(res.text(), "transferred");
    }
    assert_eq!(calls.handler.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn without_sec_fetch_site_another_origin_is_refused() {
    let calls = Arc::new(Calls::default());
    let server = TestServer::start(app(&calls)).await;
    let res = send(&server, "POST", "/transfer", &[("origin", EVIL)]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let expected = format!(
        "the Origin https://evil.example does not match the Host {}",
        server.addr
    );
    assert!(res.text().contains(&expected), "{}", res.text());

    // Same host, another port: another origin.
    let other_port = format!("http://127.0.0.1:{}", server.addr.port() + 1);
    let res = send(&server, "POST", "/transfer", &[("origin", &other_port)]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(calls.handler.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn safe_methods_pass_whatever_the_headers() {
    let calls = Arc::new(Calls::default());
    let server = TestServer::start(app(&calls)).await;
    for method in ["GET", "HEAD", "OPTIONS"] {
        let res = send(&server, method, "/transfer", &cross_site(EVIL)).await;
        assert_eq!(res.status, StatusCode::OK, "{method}: {}", res.text());
    }
}

#[tokio::test]
async fn malformed_origins_are_refused_not_a_panic() {
    let calls = Arc::new(Calls::default());
    let server = TestServer::start(app(&calls)).await;
    for origin in [
        "null",
        "garbage",
        "https://",
        "https://evil.example/path",
        "http://[::1",
    ] {
        for headers in [
            vec![("origin", origin)],
            vec![("sec-fetch-site", "cross-site"), ("origin", origin)],
        ] {
            let res = send(&server, "POST", "/transfer", &headers).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{headers:?}");
            assert!(
                res.text().contains("cross-origin request refused"),
                "{headers:?}: {}",
                res.text()
            );
        }
    }
    // The value is shown in the page, escaped.
    let res = send(
        &server,
        "POST",
        "/transfer",
        &[("origin", "https://<script>.example")],
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(!res.text().contains("<script>"), "{}", res.text());
    assert!(res.text().contains("&lt;script&gt;"), "{}", res.text());
    // Bytes that are not text, and an unknown Sec-Fetch-Site value.
    let mut bytes = format!(
        "POST /transfer HTTP/1.1\r\nHost: {}\r\nOrigin: https://EVIL.example\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        server.addr
    )
    .into_bytes();
    let at = bytes.windows(4).position(|w| w == b"EVIL").unwrap();
    bytes[at..at + 4].copy_from_slice(b"\xff\xfe\x80e");
    let reply = raw_exchange(server.addr, &bytes).await;
    assert_eq!(
        raw_status(&reply),
        403,
        "{}",
        String::from_utf8_lossy(&reply)
    );
    let res = send(
        &server,
        "POST",
        "/transfer",
        &[("sec-fetch-site", "Same-Origin")],
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(calls.handler.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn trusted_origins_pass_from_the_builder_and_from_config() {
    let calls = Arc::new(Calls::default());
    let from_builder = app_with(&calls, |app| {
        app.trusted_origin(TRUSTED).unwrap();
    });
    let config = Config::from_toml_str(&format!(
        "SECRET_KEY = \"k\"\nTRUSTED_ORIGINS = [\"{}\"]",
        TRUSTED.to_uppercase()
    ))
    .unwrap();
    let from_config = {
        let mut app = App::from_config(config).unwrap();
        app.post("/transfer", || async { "transferred" });
        app
    };
    for app in [from_builder, from_config] {
        let server = TestServer::start(app).await;
        for headers in [cross_site(TRUSTED).to_vec(), vec![("origin", TRUSTED)]] {
            let res = send(&server, "POST", "/transfer", &headers).await;
            assert_eq!(res.status, StatusCode::OK, "{headers:?}: {}", res.text());
        }
        let res = send(&server, "POST", "/transfer", &cross_site(EVIL)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn invalid_trusted_origins_are_startup_errors_that_name_them() {
    let mut app = App::new();
    let err = app
        .trusted_origin("https://admin.example.com/")
        .unwrap_err();
    assert_eq!(err.origin(), "https://admin.example.com/");
    assert!(err.to_string().contains("no path"), "{err}");

    let err = Config::from_toml_str("TRUSTED_ORIGINS = [\"admin.example.com\"]").unwrap_err();
    assert_eq!(err.key, "TRUSTED_ORIGINS");
    assert!(err.message.contains("`admin.example.com`"), "{err}");

    // A value put in the struct by code is checked by App::from_config.
    let mut config = Config::from_toml_str("SECRET_KEY = \"k\"").unwrap();
    config.trusted_origins.push("null".into());
    let err = App::from_config(config).unwrap_err();
    assert_eq!(err.key, "TRUSTED_ORIGINS");
    assert!(err.message.contains("`null`"), "{err}");
}

#[tokio::test]
async fn exempt_routes_and_blueprints_take_cross_site_posts() {
    let calls = Arc::new(Calls::default());
    let server = TestServer::start(app(&calls)).await;
    for (path, body) in [
        ("/webhook", "hooked"),
        ("/api/items", "created"),
        ("/api/v2/items", "created v2"),
    ] {
        let res = send(&server, "POST", path, &cross_site(EVIL)).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text());
        assert_eq!(res.text(), body);
    }
    // Another blueprint stays protected.
    let res = send(&server, "POST", "/pages/save", &cross_site(EVIL)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn unrouted_unsafe_requests_are_checked_too() {
    let calls = Arc::new(Calls::default());
    let server = TestServer::start(app(&calls)).await;
    let res = send(&server, "POST", "/nowhere", &cross_site(EVIL)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        calls.hook.load(Ordering::SeqCst),
        0,
        "a before_request hook ran"
    );
    let res = send(&server, "POST", "/nowhere", &[]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn error_handlers_render_the_refusal() {
    let calls = Arc::new(Calls::default());
    let by_type = app_with(&calls, |app| {
        app.error_handler_for(|refused: &CrossOriginRefused, _req| {
            Html(format!(
                "<p>Use our own form.</p><!-- {} -->",
                refused.origin().unwrap_or("")
            ))
        });
    });
    let by_status = app_with(&calls, |app| {
        app.error_handler(403, |err, _req| format!("forbidden: {}", err.message()));
    });

    let server = TestServer::start(by_type).await;
    let res = send(&server, "POST", "/transfer", &cross_site(EVIL)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.text(),
        "<p>Use our own form.</p><!-- https://evil.example -->"
    );

    let server = TestServer::start(by_status).await;
    let res = send(&server, "POST", "/transfer", &cross_site(EVIL)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(
        res.text()
            .starts_with("forbidden: cross-origin request refused"),
        "{}",
        res.text()
    );
}

#[tokio::test]
async fn the_protection_can_be_turned_off_for_the_whole_app() {
    let calls = Arc::new(Calls::default());
    let server = TestServer::start(app_with(&calls, |app| {
        app.disable_cross_origin_protection();
    }))
    .await;
    let res = send(&server, "POST", "/transfer", &cross_site(EVIL)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(calls.handler.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn over_http2_the_host_is_the_authority() {
    let calls = Arc::new(Calls::default());
    let server = TestServer::start(app(&calls)).await;
    let stream = within("connect", TcpStream::connect(server.addr))
        .await
        .unwrap();
    let (mut sender, conn) = within(
        "the HTTP/2 handshake",
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream)),
    )
    .await
    .expect("HTTP/2 handshake");
    tokio::spawn(conn);

    let own_origin = format!("http://{}", server.addr);
    for (origin, status) in [
        (own_origin.as_str(), StatusCode::OK),
        (EVIL, StatusCode::FORBIDDEN),
    ] {
        let req = http::Request::post(server.url("/transfer"))
            .header("origin", origin)
            .body(empty())
            .unwrap();
        assert!(!req.headers().contains_key("host"));
        let res = within("the HTTP/2 response", async {
            read_reply(sender.send_request(req).await.expect("h2 response")).await
        })
        .await;
        assert_eq!(res.status, status, "{origin}: {}", res.text());
    }
}

#[tokio::test]
async fn the_test_client_sends_browser_headers_on_request() {
    let calls = Arc::new(Calls::default());
    let client = TestClient::new(app(&calls));
    assert_eq!(client.post("/transfer").await.status(), 200);
    assert_eq!(client.post("/transfer").same_origin().await.status(), 200);
    let res = client.post("/transfer").cross_site(EVIL).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().contains("Sec-Fetch-Site is cross-site"));
    assert_eq!(client.post("/webhook").cross_site(EVIL).await.status(), 200);
}
