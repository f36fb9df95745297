//! Hooks: before_request (order, early answers, `req.endpoint()`), after_request (reverse order,
//! changes responses, error pages included) and teardown_request (after panics, with the error).

use std::sync::{Arc, Mutex};

use micro::routing::get;
use micro::{App, Error, HeaderMap, Json, Request, StatusCode, TestClient, abort};
use serde_json::Value;

type Log = Arc<Mutex<Vec<String>>>;

fn log() -> Log {
    Arc::default()
}

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

fn push(log: &Log, entry: impl Into<String>) {
    log.lock().unwrap().push(entry.into());
}

#[tokio::test]
async fn before_hooks_run_in_registration_order_before_the_handler() {
    let calls = log();
    let mut app = App::new();
    for name in ["first", "second", "third"] {
        let calls = calls.clone();
        app.before_request(move || {
            let calls = calls.clone();
            async move { push(&calls, name) }
        });
    }
    let handler_calls = calls.clone();
    app.get("/", move || {
        let calls = handler_calls.clone();
        async move {
            push(&calls, "handler");
            "ok"
        }
    });
    let client = TestClient::new(app);

    assert_eq!(client.get("/").await.text(), "ok");
    assert_eq!(entries(&calls), ["first", "second", "third", "handler"]);
}

#[tokio::test]
async fn before_hook_can_answer_early() {
    let calls = log();
    let mut app = App::new();
    let hook_calls = calls.clone();
    app.before_request(move |headers: HeaderMap| {
        let calls = hook_calls.clone();
        async move {
            push(&calls, "hook");
            if headers.contains_key("x-key") {
                None
            } else {
                Some((StatusCode::FORBIDDEN, "no key"))
            }
        }
    });
    let never_calls = calls.clone();
    app.before_request(move || {
        let calls = never_calls.clone();
        async move { push(&calls, "later hook") }
    });
    let handler_calls = calls.clone();
    app.get("/", move || {
        let calls = handler_calls.clone();
        async move {
            push(&calls, "handler");
            "secret"
        }
    });
    let client = TestClient::new(app);

    let res = client.get("/").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.text(), "no key");
    assert_eq!(
        entries(&calls),
        ["hook"],
        "neither later hooks nor the handler run"
    );

    calls.lock().unwrap().clear();
    let res = client.get("/").header("x-key", "1").await;
    assert_eq!(res.text(), "secret");
    assert_eq!(entries(&calls), ["hook", "later hook", "handler"]);
}

#[tokio::test]
async fn before_hook_error_goes_through_error_handlers() {
    let mut app = App::new();
    app.before_request(|headers: HeaderMap| async move {
        if headers.contains_key("authorization") {
            Ok(())
        } else {
            Err(abort(401))
        }
    });
    app.error_handler(401, |_err: &Error, _req: &Request| "please log in");
    app.get("/", || async { "welcome" });
    let client = TestClient::new(app);

    let res = client.get("/").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.text(), "please log in");
    assert_eq!(
        client.get("/").header("authorization", "x").await.text(),
        "welcome"
    );
}

async fn dashboard() -> &'static str {
    "dashboard"
}

#[tokio::test]
async fn before_hook_sees_the_endpoint_through_a_request_extractor() {
    let seen = log();
    let mut app = App::new();
    let hook_seen = seen.clone();
    app.before_request(move |req: Request| {
        let seen = hook_seen.clone();
        async move {
            push(
                &seen,
                format!("{} {:?} {:?}", req.path(), req.endpoint(), req.param("id")),
            )
        }
    });
    app.get("/dashboard", dashboard);
    app.route(
        "/items/<int:id>",
        get(|| async { "item" }).name("item_detail"),
    );
    let client = TestClient::new(app);

    assert_eq!(client.get("/dashboard").await.text(), "dashboard");
    assert_eq!(client.get("/items/5").await.text(), "item");
    assert_eq!(client.get("/nope").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        entries(&seen),
        [
            "/dashboard Some(\"dashboard\") None",
            "/items/5 Some(\"item_detail\") Some(\"5\")",
            "/nope None None",
        ]
    );
}

#[tokio::test]
async fn before_hook_taking_request_leaves_the_body_to_the_handler() {
    let mut app = App::new();
    app.before_request(|req: Request| async move {
        let _ = req.endpoint();
    });
    app.post("/echo", |Json(v): Json<Value>| async move { Json(v) });
    let client = TestClient::new(app);

    let res = client
        .post("/echo")
        .json(&serde_json::json!({"a": 1}))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text());
    assert_eq!(res.json::<Value>(), serde_json::json!({"a": 1}));
}

#[tokio::test]
async fn after_hooks_run_in_reverse_order_and_change_the_response() {
    let mut app = App::new();
    for name in ["1", "2", "3"] {
        app.after_request(move |_req: &Request, res| {
            res.headers_mut()
                .append("x-order", http::HeaderValue::from_static(name));
        });
    }
    app.after_request(|req: &Request, res| {
        if req.path() == "/teapot" {
            *res.status_mut() = StatusCode::IM_A_TEAPOT;
        }
    });
    app.get("/", || async { "ok" });
    app.get("/teapot", || async { "short and stout" });
    let client = TestClient::new(app);

    let res = client.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let order: Vec<_> = res
        .headers()
        .get_all("x-order")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(order, ["3", "2", "1"]);

    let res = client.get("/teapot").await;
    assert_eq!(res.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(res.text(), "short and stout");
}

#[tokio::test]
async fn after_hooks_also_see_error_pages() {
    let mut app = App::new();
    app.after_request(|_req: &Request, res| {
        let status = res.status().as_u16().to_string();
        res.headers_mut()
            .insert("x-seen-status", status.parse().unwrap());
        res.headers_mut()
            .insert("x-frame-options", http::HeaderValue::from_static("DENY"));
    });
    app.get("/", || async { "ok" });
    let client = TestClient::new(app);

    let res = client.get("/missing").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.header("x-seen-status"), Some("404"));
    assert_eq!(res.header("x-frame-options"), Some("DENY"));
    // The hook sees the rendered page, not a placeholder.
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));

    let res = client.post("/").await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.header("x-seen-status"), Some("405"));
}

#[tokio::test]
async fn teardown_runs_with_the_error_even_after_a_panic() {
    let seen = log();
    let mut app = App::new();
    let teardown_seen = seen.clone();
    app.teardown_request(move |req: &Request, err: Option<&Error>| {
        push(
            &teardown_seen,
            format!("{} {:?}", req.path(), err.map(|e| e.status().as_u16())),
        );
    });
    app.get("/ok", || async { "fine" });
    app.get("/forbidden", || async { Err::<(), Error>(abort(403)) });
    app.get("/panic", || async {
        if true {
            panic!("boom");
        }
        "unreachable"
    });
    let client = TestClient::new(app);

    assert_eq!(client.get("/ok").await.status(), StatusCode::OK);
    assert_eq!(
        client.get("/forbidden").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        client.get("/panic").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(client.get("/missing").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        entries(&seen),
        [
            "/ok None",
            "/forbidden Some(403)",
            "/panic Some(500)",
            "/missing Some(404)",
        ]
    );
}
