//! Panics: a panicking handler or hook gives a 500 without leaking the message, and the app keeps
//! serving, in memory and over a real socket.

mod common;

use micro::{App, Error, Request, StatusCode, TestClient};
use serde_json::Value;

use common::{TestServer, http1_get};

async fn explode() -> &'static str {
    panic!("secret panic message")
}

fn app() -> App {
    let mut app = App::new();
    app.get("/panic", explode);
    app.get("/ok", || async { "still here" });
    app
}

#[tokio::test]
async fn handler_panic_is_a_500_and_the_app_keeps_serving() {
    let client = TestClient::new(app());

    let res = client.get("/panic").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(
        !res.text().contains("secret panic message"),
        "{}",
        res.text()
    );

    let res = client
        .get("/panic")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = res.json();
    assert_eq!(body["status"], 500);
    assert!(!body.to_string().contains("secret"), "{body}");

    let res = client.get("/ok").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "still here");
}

#[tokio::test]
async fn handler_panic_goes_through_the_500_error_handler() {
    let mut app = app();
    app.error_handler(500, |_err: &Error, req: &Request| {
        format!("custom 500 for {}", req.path())
    });
    let res = TestClient::new(app).get("/panic").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(res.text(), "custom 500 for /panic");
}

#[tokio::test]
async fn before_hook_panic_is_a_500() {
    let mut app = app();
    app.before_request(|req: Request| async move {
        if req.path() == "/ok" && req.query_string() == Some("boom") {
            panic!("hook panic");
        }
    });
    let client = TestClient::new(app);
    assert_eq!(
        client.get("/ok?boom").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(client.get("/ok").await.text(), "still here");
}

#[tokio::test]
async fn after_hook_panic_is_a_500_not_an_unwind() {
    let mut app = app();
    app.after_request(|req: &Request, _res| {
        if req.query_string() == Some("boom") {
            panic!("after hook panic");
        }
    });
    let client = TestClient::new(app);

    let request = tokio::spawn({
        let client = client.clone();
        async move { client.get("/ok?boom").await }
    });
    let res = request
        .await
        .expect("a panicking after_request hook must give a 500, not unwind out of the app");
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(client.get("/ok").await.text(), "still here");
}

#[tokio::test]
async fn handler_panic_over_a_real_socket() {
    let server = TestServer::start(app()).await;

    let res = http1_get(server.addr, "/panic").await;
    assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !res.text().contains("secret panic message"),
        "{}",
        res.text()
    );

    // A new connection after the panic is served normally.
    let res = http1_get(server.addr, "/ok").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.text(), "still here");
}
