//! `Request::on_response`: steps an extractor schedules on its request's response (what
//! fullstack's sessions use instead of a layer around every request).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use micro::routing::get;
use micro::{App, Error, FromRequest, Request, Response, StatusCode, TestClient};
use tower_http::timeout::TimeoutLayer;

/// Appends its name to `x-steps` on the response of every handler that takes it.
struct Stamp<const N: u8>;

impl<const N: u8> FromRequest for Stamp<N> {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        req.on_response(|mut res: Response| async move {
            let seen = res
                .headers()
                .get("x-steps")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let value = format!("{seen}{N}");
            res.headers_mut().insert("x-steps", value.parse().unwrap());
            res
        });
        Ok(Stamp)
    }
}

#[tokio::test]
async fn steps_run_in_order_after_the_after_request_hooks_and_before_teardown() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut app = App::new();
    app.get("/", |_: Stamp<1>, _: Stamp<2>| async { "ok" });
    app.get("/plain", || async { "plain" });
    let after = log.clone();
    app.after_request(move |_req, res| {
        after.lock().unwrap().push("after");
        // The steps have not run yet.
        assert!(res.headers().get("x-steps").is_none());
    });
    let teardown = log.clone();
    app.teardown_request(move |_req, _err| teardown.lock().unwrap().push("teardown"));
    let client = TestClient::new(app);

    let res = client.get("/").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.header("x-steps"), Some("12"));
    assert_eq!(*log.lock().unwrap(), ["after", "teardown"]);

    let res = client.get("/plain").await;
    assert_eq!(res.header("x-steps"), None);
}

#[tokio::test]
async fn steps_see_the_error_page_a_handler_error_became() {
    let mut app = App::new();
    app.get("/gone", |_: Stamp<7>| async {
        Err::<&str, _>(Error::not_found())
    });
    let res = TestClient::new(app).get("/gone").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.header("x-steps"), Some("7"));
}

#[tokio::test]
async fn a_step_registered_under_per_route_layers_or_on_a_request_copy_runs() {
    let mut app = App::new();
    app.route(
        "/layered",
        get(|_: Stamp<3>| async { "layered" }).layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(5),
        )),
    );
    // A handler taking the whole `Request` gets a copy; a step registered on it still runs.
    app.get("/copy", |mut req: Request| async move {
        req.on_response(|mut res: Response| async move {
            res.headers_mut().insert("x-steps", "copy".parse().unwrap());
            res
        });
        "copy"
    });
    let client = TestClient::new(app);
    assert_eq!(client.get("/layered").await.header("x-steps"), Some("3"));
    assert_eq!(client.get("/copy").await.header("x-steps"), Some("copy"));
}

#[tokio::test]
async fn a_step_that_panics_is_a_500_and_the_app_goes_on() {
    let mut app = App::new();
    app.get("/boom", |mut req: Request| async move {
        req.on_response(|_res: Response| async move { panic!("the step broke") });
        "never sent"
    });
    app.get("/fine", || async { "fine" });
    let client = TestClient::new(app);
    let res = client.get("/boom").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!res.text().contains("never sent"));
    assert_eq!(client.get("/fine").await.text(), "fine");
}
