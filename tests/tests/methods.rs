//! Methods: GET/POST/PUT/PATCH/DELETE, `any`, `on` with a custom method, 405 with `Allow`, HEAD
//! answered by GET (in memory and over a socket), OPTIONS.

mod common;

use micro::routing::{any, get, on};
use micro::{App, Method, StatusCode, TestClient};

use common::{TestServer, empty, http1_connect};

fn purge() -> Method {
    Method::from_bytes(b"PURGE").unwrap()
}

fn app() -> App {
    let mut app = App::new();
    app.route(
        "/r",
        get(|| async { "get" })
            .post(|| async { "post" })
            .put(|| async { "put" })
            .patch(|| async { "patch" })
            .delete(|| async { "delete" }),
    );
    app.route("/gp", get(|| async { "get" }).post(|| async { "post" }));
    app.post("/post-only", || async { "post" });
    app.route(
        "/anything",
        any(|m: Method| async move { format!("any {m}") }),
    );
    app.route("/cache", on(purge(), || async { "purged" }));
    app.get("/hello", || async { "hello world" });
    app
}

#[tokio::test]
async fn each_method_reaches_its_handler() {
    let client = TestClient::new(app());
    for (method, body) in [
        (Method::GET, "get"),
        (Method::POST, "post"),
        (Method::PUT, "put"),
        (Method::PATCH, "patch"),
        (Method::DELETE, "delete"),
    ] {
        let res = client.request(method.clone(), "/r").await;
        assert_eq!(res.status(), StatusCode::OK, "{method}");
        assert_eq!(res.text(), body, "{method}");
    }
}

#[tokio::test]
async fn any_takes_every_method_including_custom_ones() {
    let client = TestClient::new(app());
    for method in [Method::GET, Method::POST, Method::DELETE, purge()] {
        let res = client.request(method.clone(), "/anything").await;
        assert_eq!(res.status(), StatusCode::OK, "{method}");
        assert_eq!(res.text(), format!("any {method}"));
    }
}

#[tokio::test]
async fn on_routes_a_custom_method() {
    let client = TestClient::new(app());
    let res = client.request(purge(), "/cache").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "purged");

    let res = client.get("/cache").await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.header("allow"), Some("OPTIONS, PURGE"));
}

#[tokio::test]
async fn wrong_method_is_405_with_an_exact_allow_header() {
    let client = TestClient::new(app());

    let res = client.put("/gp").await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS, POST"));

    let res = client
        .delete("/gp")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS, POST"));
    let body: serde_json::Value = res.json();
    assert_eq!(body["status"], 405);
    assert_eq!(body["error"], "Method Not Allowed");

    let res = client.get("/post-only").await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.header("allow"), Some("OPTIONS, POST"));

    // HEAD needs a GET handler.
    let res = client.head("/post-only").await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.header("allow"), Some("OPTIONS, POST"));
}

#[tokio::test]
async fn head_is_answered_by_get_without_a_body() {
    let client = TestClient::new(app());

    let get = client.get("/hello").await;
    assert_eq!(get.text(), "hello world");

    let res = client.head("/hello").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().is_empty(), "HEAD body: {:?}", res.bytes());
    assert_eq!(res.header("content-length"), Some("11"));
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

#[tokio::test]
async fn head_over_a_real_socket() {
    let server = TestServer::start(app()).await;
    let mut conn = http1_connect(server.addr).await;

    let req = conn.request("HEAD", "/hello", empty());
    let res = conn.send(req).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.is_empty(), "HEAD body: {:?}", res.body);
    assert_eq!(res.header("content-length"), Some("11"));
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );

    // The connection is still in a sane state: the next response is read correctly.
    let res = conn.get("/hello").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.text(), "hello world");
    assert_eq!(res.header("content-length"), Some("11"));
}

#[tokio::test]
async fn options_answers_200_with_allow() {
    let client = TestClient::new(app());

    let res = client.options("/gp").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS, POST"));
    assert!(res.bytes().is_empty());

    let res = client.options("/r").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.header("allow"),
        Some("DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
    );

    let res = client.options("/nope").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
