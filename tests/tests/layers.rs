//! tower layers: app-wide (CORS, compression, response headers, 404s included) and per-route
//! (timeout, request headers), with Path, G and error handlers still working inside them.

use std::time::Duration;

use http::HeaderValue;
use micro::routing::get;
use micro::{App, Error, G, Path, Request, StatusCode, TestClient, abort};
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::set_header::{SetRequestHeaderLayer, SetResponseHeaderLayer};
use tower_http::timeout::TimeoutLayer;

#[tokio::test]
async fn cors_layer_applies_to_every_route_and_to_404s() {
    let mut app = App::new();
    app.get("/a", || async { "a" });
    app.post("/b", || async { "b" });
    app.layer(CorsLayer::permissive());
    // CORS lets the page read the answers; the POST from another origin runs only if trusted.
    app.trusted_origin("https://example.com").unwrap();
    let client = TestClient::new(app);

    for (method, path, status) in [
        (http::Method::GET, "/a", StatusCode::OK),
        (http::Method::POST, "/b", StatusCode::OK),
        (http::Method::GET, "/missing", StatusCode::NOT_FOUND),
        (http::Method::GET, "/b", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        let res = client
            .request(method.clone(), path)
            .header("origin", "https://example.com")
            .await;
        assert_eq!(res.status(), status, "{method} {path}");
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("*"),
            "{method} {path}"
        );
    }

    // A preflight is answered by the layer.
    let res = client
        .options("/b")
        .header("origin", "https://example.com")
        .header("access-control-request-method", "POST")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.header("access-control-allow-origin"), Some("*"));
    assert!(res.header("access-control-allow-methods").is_some());
}

#[tokio::test]
async fn app_layer_order_does_not_depend_on_route_order() {
    let mut app = App::new();
    app.layer(SetResponseHeaderLayer::overriding(
        http::header::HeaderName::from_static("x-app"),
        HeaderValue::from_static("micro"),
    ));
    // Added after the layer: still wrapped.
    app.get("/late", || async { "late" });
    let client = TestClient::new(app);

    let res = client.get("/late").await;
    assert_eq!(res.text(), "late");
    assert_eq!(res.header("x-app"), Some("micro"));
    assert_eq!(client.get("/none").await.header("x-app"), Some("micro"));
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(10)).await;
    "finally"
}

async fn slowish() -> &'static str {
    tokio::time::sleep(Duration::from_millis(200)).await;
    "took a while"
}

fn timeout_layer() -> TimeoutLayer {
    TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_millis(50))
}

// Paused time: tokio jumps the clock forward when every task waits on a timer, so the 50 ms
// timeout fires at once and deterministically, and the slow handlers cost no real time.
#[tokio::test(start_paused = true)]
async fn per_route_timeout_applies_to_that_route_only() {
    let mut app = App::new();
    app.route("/slow", get(slow).layer(timeout_layer()));
    app.route("/fast", get(|| async { "quick" }).layer(timeout_layer()));
    app.get("/unlimited", slowish);
    let client = TestClient::new(app);

    let res = client.get("/slow").await;
    assert_eq!(res.status(), StatusCode::REQUEST_TIMEOUT);

    let res = client.get("/fast").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "quick");

    let res = client.get("/unlimited").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "took a while");
}

#[tokio::test]
async fn compression_layer_gzips_when_asked() {
    let body = "hello compression ".repeat(100);
    let mut app = App::new();
    let expected = body.clone();
    app.get("/big", move || {
        let body = expected.clone();
        async move { body }
    });
    app.layer(CompressionLayer::new());
    let client = TestClient::new(app);

    let res = client.get("/big").header("accept-encoding", "gzip").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    assert_eq!(&res.bytes()[..2], &[0x1f, 0x8b], "gzip magic bytes");
    assert!(res.bytes().len() < body.len());

    let res = client.get("/big").await;
    assert_eq!(res.header("content-encoding"), None);
    assert_eq!(res.text(), body);
}

#[tokio::test]
async fn per_route_layers_keep_path_params_endpoint_and_g() {
    let mut app = App::new();
    app.before_request(|g: G| async move { g.insert(String::from("from the hook")) });
    app.route(
        "/items/<int:id>/<slug>",
        get(
            |Path((id, slug)): Path<(u32, String)>, g: G, req: Request| async move {
                format!(
                    "{id} {slug} {} {:?}",
                    g.get::<String>().unwrap_or_default(),
                    req.endpoint()
                )
            },
        )
        .name("item")
        .layer(timeout_layer()),
    );
    let client = TestClient::new(app);

    let res = client.get("/items/7/caf%C3%A9").await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text());
    assert_eq!(res.text(), "7 café from the hook Some(\"item\")");
}

#[tokio::test]
async fn per_route_layer_can_change_the_request_the_handler_sees() {
    let mut app = App::new();
    app.route(
        "/whoami",
        get(|req: Request| async move { req.header("x-user").unwrap_or("nobody").to_owned() })
            .layer(SetRequestHeaderLayer::overriding(
                http::header::HeaderName::from_static("x-user"),
                HeaderValue::from_static("set-by-layer"),
            )),
    );
    app.get("/plain", |req: Request| async move {
        req.header("x-user").unwrap_or("nobody").to_owned()
    });
    let client = TestClient::new(app);

    assert_eq!(client.get("/whoami").await.text(), "set-by-layer");
    assert_eq!(client.get("/plain").await.text(), "nobody");
}

#[tokio::test]
async fn errors_inside_a_layered_route_reach_the_app_error_handlers() {
    let mut app = App::new();
    app.route(
        "/gone",
        get(|| async { Err::<(), Error>(abort(404)) }).layer(timeout_layer()),
    );
    app.error_handler(404, |_err: &Error, req: &Request| {
        format!("custom 404 for {}", req.path())
    });
    let client = TestClient::new(app);

    let res = client.get("/gone").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.text(), "custom 404 for /gone");
}

#[tokio::test]
async fn body_extractors_work_inside_a_layered_route() {
    let mut app = App::new();
    app.route(
        "/echo",
        micro::routing::post(|body: String| async move { body.to_uppercase() })
            .body_limit(8)
            .layer(timeout_layer()),
    );
    let client = TestClient::new(app);

    assert_eq!(client.post("/echo").body("abc").await.text(), "ABC");
    assert_eq!(
        client.post("/echo").body("123456789").await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
}
