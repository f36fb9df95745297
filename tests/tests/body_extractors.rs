//! When the body is read: body extractors run after the other arguments and `Request` last,
//! whatever the order of the arguments; a second read of the body (a hook's and the handler's) is
//! a 500 that names both extractors and the fix. Two body extractors in one handler do not compile
//! (crates/micro/tests/ui).

use micro::routing::post;
use micro::{App, Bytes, Error, Form, HeaderMap, Json, Query, Request, TestClient};

#[derive(serde::Deserialize, serde::Serialize)]
struct Comment {
    text: String,
}

async fn request_first(req: Request, Form(c): Form<Comment>) -> String {
    format!("{} {}: {}", req.method(), req.path(), c.text)
}

async fn request_last(Form(c): Form<Comment>, req: Request) -> String {
    format!("{} {}: {}", req.method(), req.path(), c.text)
}

#[derive(serde::Deserialize)]
struct Page {
    page: u32,
}

async fn body_first(body: Bytes, Query(q): Query<Page>, headers: HeaderMap) -> String {
    format!(
        "page {}: {} bytes of {}",
        q.page,
        body.len(),
        headers["content-type"].to_str().unwrap()
    )
}

#[tokio::test]
async fn request_and_a_body_extractor_work_in_either_order() {
    let mut app = App::new();
    app.post("/first", request_first);
    app.post("/last", request_last);
    let client = TestClient::new(app);
    let comment = Comment { text: "hi".into() };
    assert_eq!(
        client.post("/first").form(&comment).await.text(),
        "POST /first: hi"
    );
    assert_eq!(
        client.post("/last").form(&comment).await.text(),
        "POST /last: hi"
    );
}

#[tokio::test]
async fn a_head_extractor_after_the_body_still_fails_first() {
    let mut app = App::new();
    app.post("/items", body_first);
    let client = TestClient::new(app);
    let res = client
        .post("/items?page=7")
        .header("content-type", "text/plain")
        .body("abc")
        .await;
    assert_eq!(res.text(), "page 7: 3 bytes of text/plain");
    // `Query` rejects before the body is read; over the limit, the body would be a 413.
    let res = client
        .post("/items?page=x")
        .header("content-length", "999999999")
        .await;
    assert_eq!(res.status(), 400, "{}", res.text());
}

/// An error handler that shows the 500's hidden cause, to read the message the log gets.
fn show_cause(app: &mut App) {
    app.error_handler(500, |err: &Error, _req: &Request| err.to_string());
}

#[tokio::test]
async fn a_hook_and_the_handler_both_reading_the_body_is_a_500_naming_both() {
    let mut app = App::new();
    app.before_request(|Json(_): Json<serde_json::Value>| async {});
    app.post("/comments", |Json(c): Json<Comment>| async move { c.text });
    show_cause(&mut app);
    let res = TestClient::new(app)
        .post("/comments")
        .json(&Comment { text: "x".into() })
        .await;
    assert_eq!(res.status(), 500);
    let text = res.text();
    assert!(
        text.contains(
            "`Json<Comment>` cannot read the request body: `Json<Value>`, an argument of a before_request hook or guard, already read it"
        ),
        "{text}"
    );
    assert!(
        text.contains("keep what the handler needs in `g`"),
        "{text}"
    );
}

/// An extractor that reads the body without saying so (`BODY` left at its default).
struct Undeclared;

impl micro::FromRequest for Undeclared {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        Bytes::from_request(req).await.map(|_| Undeclared)
    }
}

#[tokio::test]
async fn an_extractor_that_reads_the_body_undeclared_is_named_in_the_500() {
    let mut app = App::new();
    app.route(
        "/upload",
        post(|Form(c): Form<Comment>, _: Undeclared| async move { c.text }),
    );
    show_cause(&mut app);
    let res = TestClient::new(app)
        .post("/upload")
        .form(&Comment { text: "x".into() })
        .await;
    assert_eq!(res.status(), 500);
    let text = res.text();
    assert!(
        text.contains("`Form<Comment>` cannot read the request body: `Bytes` already read it"),
        "{text}"
    );
    assert!(
        text.contains("`const BODY: BodyUse = BodyUse::Reads;`"),
        "{text}"
    );
}
