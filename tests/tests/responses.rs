//! Responses: strings, Html, Json, status and header tuples, redirects, Result, Option, abort and
//! `?` on a std error.

use bytes::Bytes;
use micro::{App, Error, HeaderMap, Html, Json, Redirect, StatusCode, TestClient, abort, redirect};
use serde_json::{Value, json};

const TEXT: &str = "text/plain; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

#[tokio::test]
async fn strings_are_plain_text() {
    let mut app = App::new();
    app.get("/str", || async { "static str" });
    app.get("/string", || async { String::from("owned string") });
    let client = TestClient::new(app);

    for (path, body) in [("/str", "static str"), ("/string", "owned string")] {
        let res = client.get(path).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.header("content-type"), Some(TEXT));
        assert_eq!(res.text(), body);
    }
}

#[tokio::test]
async fn html_json_bytes_unit_and_status() {
    let mut app = App::new();
    app.get("/html", || async { Html("<h1>Hi</h1>") });
    app.get("/json", || async {
        Json(json!({"a": 1, "b": [true, null]}))
    });
    app.get("/bytes", || async { Bytes::from_static(b"\x00\x01") });
    app.get("/unit", || async {});
    app.get("/status", || async { StatusCode::NO_CONTENT });
    let client = TestClient::new(app);

    let res = client.get("/html").await;
    assert_eq!(res.header("content-type"), Some(HTML));
    assert_eq!(res.text(), "<h1>Hi</h1>");

    let res = client.get("/json").await;
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.json::<Value>(), json!({"a": 1, "b": [true, null]}));

    let res = client.get("/bytes").await;
    assert_eq!(res.header("content-type"), Some("application/octet-stream"));
    assert_eq!(res.bytes().as_ref(), b"\x00\x01");

    let res = client.get("/unit").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.bytes().is_empty());

    let res = client.get("/status").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(res.bytes().is_empty());
}

#[tokio::test]
async fn status_and_header_tuples() {
    let mut app = App::new();
    app.get("/created", || async { (StatusCode::CREATED, "made") });
    app.get("/created-json", || async {
        (StatusCode::CREATED, Json(json!({"id": 7})))
    });
    app.get("/headers", || async {
        (
            [("x-one", "1"), ("cache-control", "no-store")],
            "with headers",
        )
    });
    app.get("/status-headers", || async {
        (StatusCode::ACCEPTED, [("x-two", "2")], Html("<p>ok</p>"))
    });
    app.get("/header-map", || async {
        let mut h = HeaderMap::new();
        h.insert("x-three", "3".parse().unwrap());
        (h, "map")
    });
    app.get("/bad-header", || async {
        ([("x-bad", "line\nbreak")], "body")
    });
    let client = TestClient::new(app);

    let res = client.get("/created").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.header("content-type"), Some(TEXT));
    assert_eq!(res.text(), "made");

    let res = client.get("/created-json").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>(), json!({"id": 7}));

    let res = client.get("/headers").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.header("x-one"), Some("1"));
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(res.text(), "with headers");

    let res = client.get("/status-headers").await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.header("x-two"), Some("2"));
    assert_eq!(res.header("content-type"), Some(HTML));

    let res = client.get("/header-map").await;
    assert_eq!(res.header("x-three"), Some("3"));
    assert_eq!(res.text(), "map");

    // An invalid header value is a server error, not a panic.
    let res = client.get("/bad-header").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn redirects() {
    let mut app = App::new();
    app.get("/302", || async { redirect("/target") });
    app.get("/303", || async { Redirect::see_other("/target?a=1") });
    app.get("/307", || async { Redirect::temporary("/target") });
    app.get("/308", || async {
        Redirect::permanent("https://example.com/x")
    });
    app.get("/custom", || async {
        Redirect::with_status(StatusCode::MOVED_PERMANENTLY, "/target")
    });
    app.get("/target", || async { "target" });
    let client = TestClient::new(app);

    for (path, status, location) in [
        ("/302", StatusCode::FOUND, "/target"),
        ("/303", StatusCode::SEE_OTHER, "/target?a=1"),
        ("/307", StatusCode::TEMPORARY_REDIRECT, "/target"),
        (
            "/308",
            StatusCode::PERMANENT_REDIRECT,
            "https://example.com/x",
        ),
        ("/custom", StatusCode::MOVED_PERMANENTLY, "/target"),
    ] {
        let res = client.get(path).await;
        assert_eq!(res.status(), status, "{path}");
        assert_eq!(res.header("location"), Some(location), "{path}");
    }
    let res = client.get("/302").follow_redirects(true).await;
    assert_eq!(res.text(), "target");
}

#[tokio::test]
async fn results_and_options() {
    let mut app = App::new();
    app.get("/ok", || async { Ok::<_, Error>("fine") });
    app.get("/err", || async {
        Err::<&str, _>(Error::new(StatusCode::CONFLICT, "name <taken>"))
    });
    app.get("/some", || async { Some("here") });
    app.get("/none", || async { None::<&str> });
    app.get("/abort", || async { Err::<(), Error>(abort(404)) });
    app.get("/abort-403", || async {
        Err::<(), Error>(abort(StatusCode::FORBIDDEN))
    });
    let client = TestClient::new(app);

    let res = client.get("/ok").await;
    assert_eq!(
        (res.status(), res.text().as_str()),
        (StatusCode::OK, "fine")
    );

    let res = client
        .get("/err")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(
        res.json::<Value>(),
        json!({"status": 409, "error": "Conflict", "message": "name <taken>"})
    );

    assert_eq!(client.get("/some").await.text(), "here");

    let res = client.get("/none").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.header("content-type"), Some(HTML));

    let res = client
        .get("/abort")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json();
    assert_eq!(body["status"], 404);
    assert_eq!(body["error"], "Not Found");

    assert_eq!(
        client.get("/abort-403").await.status(),
        StatusCode::FORBIDDEN
    );
}

async fn parse_number() -> Result<String, Error> {
    let n: i32 = "not a number".parse()?;
    Ok(n.to_string())
}

#[tokio::test]
async fn question_mark_on_a_std_error_is_a_500_that_does_not_leak() {
    let mut app = App::new();
    app.get("/parse", parse_number);
    let client = TestClient::new(app);

    let res = client.get("/parse").await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(res.header("content-type"), Some(HTML));
    assert!(!res.text().contains("invalid digit"), "{}", res.text());

    let res = client
        .get("/parse")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = res.json();
    assert_eq!(body["status"], 500);
    assert_eq!(body["error"], "Internal Server Error");
    assert!(!body.to_string().contains("invalid digit"), "{body}");
    assert!(body.get("details").is_none(), "{body}");
}
