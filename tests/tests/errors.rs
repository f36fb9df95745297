//! Errors: JSON vs HTML rendering, HTML escaping, default 404/405/500 pages, error handlers by
//! status and by type, and error handlers that fail.

use micro::{App, Error, Html, Request, StatusCode, TestClient, abort};
use serde_json::{Value, json};

const HTML: &str = "text/html; charset=utf-8";
const JSON: &str = "application/json";

const NOT_FOUND_MESSAGE: &str = "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
const INTERNAL_MESSAGE: &str = "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.";

fn basic_app() -> App {
    let mut app = App::new();
    app.get("/only-get", || async { "ok" });
    app.get("/fail", || async {
        Err::<(), Error>(Error::internal("database exploded"))
    });
    app.get("/conflict", || async {
        Err::<(), Error>(Error::new(409, "name <b>\"taken\"</b> & 'gone'"))
    });
    app.get("/details", || async {
        Err::<(), Error>(
            Error::unprocessable("bad data")
                .with_details(json!([{"field": "title", "message": "required"}])),
        )
    });
    app
}

#[tokio::test]
async fn json_when_the_client_prefers_json() {
    let client = TestClient::new(basic_app());
    for (name, value) in [
        ("accept", "application/json"),
        ("accept", "application/problem+json"),
        ("accept", "application/json, text/html;q=0.9"),
        ("content-type", "application/json"),
    ] {
        let res = client.get("/missing").header(name, value).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{name}: {value}");
        assert_eq!(res.header("content-type"), Some(JSON), "{name}: {value}");
        assert_eq!(
            res.json::<Value>(),
            json!({"status": 404, "error": "Not Found", "message": NOT_FOUND_MESSAGE}),
            "{name}: {value}"
        );
    }
}

#[tokio::test]
async fn html_otherwise() {
    let client = TestClient::new(basic_app());
    for accept in [
        None,
        Some("*/*"),
        Some("text/html"),
        Some("text/html,application/xhtml+xml,application/json;q=0.9"),
    ] {
        let mut req = client.get("/missing");
        if let Some(accept) = accept {
            req = req.header("accept", accept);
        }
        let res = req.await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{accept:?}");
        assert_eq!(res.header("content-type"), Some(HTML), "{accept:?}");
        assert!(res.text().contains("Not Found"), "{accept:?}");
    }
}

#[tokio::test]
async fn json_errors_carry_details() {
    let client = TestClient::new(basic_app());
    let res = client.get("/details").header("accept", JSON).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.json::<Value>(),
        json!({
            "status": 422,
            "error": "Unprocessable Entity",
            "message": "bad data",
            "details": [{"field": "title", "message": "required"}]
        })
    );
}

#[tokio::test]
async fn html_error_pages_escape_the_message() {
    let client = TestClient::new(basic_app());
    let res = client.get("/conflict").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(res.header("content-type"), Some(HTML));
    let text = res.text();
    assert!(
        text.contains("name &lt;b&gt;&quot;taken&quot;&lt;/b&gt; &amp; &#x27;gone&#x27;"),
        "{text}"
    );
    assert!(!text.contains("<b>"), "{text}");

    // Client-supplied text in a message is escaped too.
    let mut app = App::new();
    app.post("/j", |micro::Json(v): micro::Json<Value>| async move {
        v.to_string()
    });
    let res = TestClient::new(app)
        .post("/j")
        .header("content-type", "text/<script>")
        .body("{}")
        .await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(res.header("content-type"), Some(HTML));
    assert!(res.text().contains("text/&lt;script&gt;"), "{}", res.text());
    assert!(!res.text().contains("<script>"), "{}", res.text());
}

#[tokio::test]
async fn default_pages_for_404_405_500() {
    let client = TestClient::new(basic_app());

    let res = client.get("/missing").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let text = res.text();
    assert!(text.contains("<title>404 Not Found</title>"), "{text}");
    assert!(text.contains("<h1>Not Found</h1>"), "{text}");
    assert!(text.contains(NOT_FOUND_MESSAGE), "{text}");

    let res = client.post("/only-get").await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.header("content-type"), Some(HTML));
    let text = res.text();
    assert!(
        text.contains("<title>405 Method Not Allowed</title>"),
        "{text}"
    );
    assert!(
        text.contains("The method is not allowed for the requested URL."),
        "{text}"
    );

    let res = client.get("/fail").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(res.header("content-type"), Some(HTML));
    let text = res.text();
    assert!(
        text.contains("<title>500 Internal Server Error</title>"),
        "{text}"
    );
    assert!(text.contains(INTERNAL_MESSAGE), "{text}");
    assert!(
        !text.contains("database exploded"),
        "leaks the cause: {text}"
    );
}

#[tokio::test]
async fn error_handler_by_status() {
    let mut app = basic_app();
    app.error_handler(404, |_err: &Error, req: &Request| {
        Html(format!("<h1>No page at {}</h1>", req.path()))
    });
    app.error_handler(StatusCode::FORBIDDEN, |err: &Error, _req: &Request| {
        (
            StatusCode::UNAUTHORIZED,
            format!("custom: {}", err.status().as_u16()),
        )
    });
    app.get("/secret", || async { Err::<(), Error>(abort(403)) });
    let client = TestClient::new(app);

    // A handler returning a plain 200 gets the error's status.
    let res = client.get("/nowhere").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.header("content-type"), Some(HTML));
    assert_eq!(res.text(), "<h1>No page at /nowhere</h1>");

    // An explicit status is kept.
    let res = client.get("/secret").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.text(), "custom: 403");

    // Other statuses still get the default page.
    let res = client.get("/fail").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        res.text()
            .contains("<title>500 Internal Server Error</title>")
    );
}

#[tokio::test]
async fn error_handler_for_405_keeps_the_allow_header() {
    let mut app = basic_app();
    app.error_handler(405, |_err: &Error, _req: &Request| "wrong method");
    let client = TestClient::new(app);
    let res = client.delete("/only-get").await;
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.text(), "wrong method");
    assert_eq!(res.header("allow"), Some("GET, HEAD, OPTIONS"));
}

#[derive(Debug)]
struct OutOfStock {
    item: String,
}

impl std::fmt::Display for OutOfStock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is out of stock", self.item)
    }
}

impl std::error::Error for OutOfStock {}

async fn buy() -> Result<&'static str, Error> {
    let stock: Result<&'static str, OutOfStock> = Err(OutOfStock {
        item: "teapot".into(),
    });
    Ok(stock?)
}

#[tokio::test]
async fn error_handler_by_type_wins_over_status() {
    let mut app = basic_app();
    app.post("/buy", buy);
    app.error_handler(500, |_err: &Error, _req: &Request| "generic 500 handler");
    app.error_handler_for(|e: &OutOfStock, _req: &Request| {
        (StatusCode::CONFLICT, format!("sorry, {e}"))
    });
    let client = TestClient::new(app);

    let res = client.post("/buy").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(res.text(), "sorry, teapot is out of stock");

    // Other 500s go to the status handler.
    let res = client.get("/fail").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(res.text(), "generic 500 handler");
}

#[tokio::test]
async fn error_handler_by_type_returning_200_gets_the_error_status() {
    let mut app = App::new();
    app.post("/buy", buy);
    app.error_handler_for(|e: &OutOfStock, _req: &Request| format!("note: {e}"));
    let res = TestClient::new(app).post("/buy").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(res.text(), "note: teapot is out of stock");
}

#[tokio::test]
async fn failing_error_handler_falls_back_to_the_default_page() {
    let mut app = basic_app();
    app.error_handler(404, |_err: &Error, _req: &Request| {
        Err::<&str, Error>(Error::internal("the 404 template is missing"))
    });
    let client = TestClient::new(app);

    let res = client.get("/missing").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(res.header("content-type"), Some(HTML));
    assert!(
        res.text()
            .contains("<title>500 Internal Server Error</title>"),
        "{}",
        res.text()
    );
    assert!(
        !res.text().contains("template is missing"),
        "{}",
        res.text()
    );

    let res = client.get("/missing").header("accept", JSON).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        res.json::<Value>(),
        json!({"status": 500, "error": "Internal Server Error", "message": INTERNAL_MESSAGE})
    );
}

#[tokio::test]
async fn panicking_error_handler_falls_back_to_the_default_page() {
    let mut app = basic_app();
    app.error_handler(404, |_err: &Error, _req: &Request| -> &'static str {
        panic!("the 404 handler is broken")
    });
    let client = TestClient::new(app);

    let request = tokio::spawn({
        let client = client.clone();
        async move { client.get("/missing").await }
    });
    let res = request
        .await
        .expect("a panicking error handler must give a 500, not unwind out of the app");
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!res.text().contains("is broken"), "{}", res.text());

    // The app keeps serving.
    assert_eq!(client.get("/only-get").await.text(), "ok");
}
