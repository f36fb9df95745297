//! Extractors: Path, Query, Form, Json, body limits (with and without `Content-Length`), Cookies,
//! State, G, HeaderMap, Bytes, String, Request and Option.

mod common;

use bytes::Bytes;
use http_body_util::BodyExt;
use micro::routing::post;
use micro::{
    App, Cookies, Form, G, HeaderMap, Json, Path, Query, Request, State, StatusCode, TestClient,
};
use serde::Deserialize;
use serde_json::{Value, json};
use tower::ServiceExt;

use common::{TestServer, chunked, full, http1_connect};

const JSON: &str = "application/json";

// ---------------------------------------------------------------- Path

#[derive(Deserialize)]
struct PostKey {
    year: u16,
    slug: String,
}

#[tokio::test]
async fn path_single_tuple_and_struct() {
    let mut app = App::new();
    app.get("/one/<int:id>", |Path(id): Path<u32>| async move {
        format!("{}", id + 1)
    });
    app.get(
        "/two/<int:year>/<slug>",
        |Path((year, slug)): Path<(u16, String)>| async move { format!("{slug}@{year}") },
    );
    app.get(
        "/three/<int:year>/<slug>",
        |Path(p): Path<PostKey>| async move { format!("{}@{}", p.slug, p.year) },
    );
    let client = TestClient::new(app);

    assert_eq!(client.get("/one/41").await.text(), "42");
    assert_eq!(client.get("/two/2024/hi").await.text(), "hi@2024");
    assert_eq!(
        client.get("/three/2024/hi%20there").await.text(),
        "hi there@2024"
    );
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct NumericId {
    id: u32,
}

#[tokio::test]
async fn path_value_that_does_not_fit_the_type_is_400_naming_it() {
    let mut app = App::new();
    app.get("/n/<id>", |Path(p): Path<NumericId>| async move {
        p.id.to_string()
    });
    let client = TestClient::new(app);

    let res = client.get("/n/abc").header("accept", JSON).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json();
    assert_eq!(body["details"][0]["field"], "id", "{body}");
}

// ---------------------------------------------------------------- Query

#[derive(Deserialize)]
struct Search {
    q: String,
    page: Option<u32>,
}

fn query_client() -> TestClient {
    let mut app = App::new();
    app.get("/search", |Query(s): Query<Search>| async move {
        format!("{} p{}", s.q, s.page.unwrap_or(1))
    });
    TestClient::new(app)
}

#[tokio::test]
async fn query_deserialises_the_query_string() {
    let client = query_client();
    assert_eq!(client.get("/search?q=rust&page=3").await.text(), "rust p3");
    assert_eq!(client.get("/search?q=a+b%26c").await.text(), "a b&c p1");
}

#[tokio::test]
async fn query_error_is_400_naming_the_field_in_json() {
    let client = query_client();

    let res = client
        .get("/search?q=x&page=abc")
        .header("accept", JSON)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.header("content-type"), Some(JSON));
    let body: Value = res.json();
    assert_eq!(body["status"], 400);
    assert_eq!(body["details"][0]["field"], "page", "{body}");

    let res = client.get("/search?page=2").header("accept", JSON).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json();
    assert_eq!(body["details"][0]["field"], "q", "{body}");
}

// ---------------------------------------------------------------- Form

#[derive(Deserialize)]
struct Signup {
    name: String,
    age: u8,
}

fn form_client() -> TestClient {
    let mut app = App::new();
    app.route(
        "/signup",
        post(|Form(f): Form<Signup>| async move { format!("{} ({})", f.name, f.age) })
            .get(|Form(f): Form<Signup>| async move { format!("get {} ({})", f.name, f.age) }),
    );
    TestClient::new(app)
}

#[tokio::test]
async fn form_reads_an_urlencoded_body() {
    let client = form_client();
    let res = client
        .post("/signup")
        .form(&[("name", "Ada Lovelace"), ("age", "36")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "Ada Lovelace (36)");

    let res = client
        .post("/signup")
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body("name=Bob&age=7")
        .await;
    assert_eq!(res.text(), "Bob (7)");

    // GET forms come from the query string.
    assert_eq!(client.get("/signup?name=Q&age=1").await.text(), "get Q (1)");
}

#[tokio::test]
async fn form_with_another_content_type_is_415() {
    let client = form_client();
    let res = client
        .post("/signup")
        .json(&json!({"name": "Ada", "age": 36}))
        .await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let res = client.post("/signup").body("name=Ada&age=36").await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn form_with_a_bad_field_is_422_naming_it() {
    let client = form_client();
    let res = client
        .post("/signup")
        .header("accept", JSON)
        .form(&[("name", "Ada"), ("age", "old")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json();
    assert_eq!(body["details"][0]["field"], "age", "{body}");

    let res = client
        .post("/signup")
        .header("accept", JSON)
        .form(&[("age", "3")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json();
    assert_eq!(body["details"][0]["field"], "name", "{body}");
}

// ---------------------------------------------------------------- Json

#[derive(Deserialize, serde::Serialize)]
struct Point {
    x: i32,
    y: i32,
}

fn json_client() -> TestClient {
    let mut app = App::new();
    app.post("/points", |Json(p): Json<Point>| async move {
        Json(json!({"sum": p.x + p.y}))
    });
    TestClient::new(app)
}

#[tokio::test]
async fn json_reads_a_json_body() {
    let client = json_client();
    let res = client.post("/points").json(&json!({"x": 1, "y": 2})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>(), json!({"sum": 3}));

    let res = client
        .post("/points")
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"x": 5, "y": 5}"#)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>(), json!({"sum": 10}));
}

#[tokio::test]
async fn json_with_a_wrong_or_missing_content_type_is_415() {
    let client = json_client();
    let res = client
        .post("/points")
        .header("content-type", "text/plain")
        .body(r#"{"x": 1, "y": 2}"#)
        .await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let res = client
        .post("/points")
        .header("accept", JSON)
        .body(r#"{"x": 1, "y": 2}"#)
        .await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(res.json::<Value>()["status"], 415);
}

#[tokio::test]
async fn malformed_json_is_400() {
    let client = json_client();
    let res = client
        .post("/points")
        .header("content-type", JSON)
        .body(r#"{"x": 1,"#)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json();
    assert_eq!(body["status"], 400);
    assert_eq!(body["error"], "Bad Request");
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_422_naming_the_field() {
    let client = json_client();
    let res = client
        .post("/points")
        .json(&json!({"x": 1, "y": "two"}))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json();
    assert_eq!(body["status"], 422);
    assert_eq!(body["details"][0]["field"], "y", "{body}");

    let res = client.post("/points").json(&json!({"x": 1})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>()["details"][0]["field"], "y");
}

// ---------------------------------------------------------------- body limits

fn limited_app() -> App {
    let mut app = App::new();
    app.body_limit(8);
    app.post(
        "/app",
        |b: Bytes| async move { format!("{} bytes", b.len()) },
    );
    app.route(
        "/small",
        post(|b: Bytes| async move { format!("{} bytes", b.len()) }).body_limit(4),
    );
    app.route(
        "/big",
        post(|b: Bytes| async move { format!("{} bytes", b.len()) }).body_limit(64),
    );
    app.route(
        "/json",
        post(|Json(v): Json<Value>| async move { v.to_string() }).body_limit(4),
    );
    app
}

#[tokio::test]
async fn body_limit_app_wide_and_per_route_with_content_length() {
    let client = TestClient::new(limited_app());
    let send = |path: &'static str, body: &'static str| {
        client
            .post(path)
            .header("content-length", body.len().to_string())
            .body(body)
    };

    let res = send("/app", "12345678").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "8 bytes");
    assert_eq!(
        send("/app", "123456789").await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );

    assert_eq!(send("/small", "1234").await.text(), "4 bytes");
    assert_eq!(
        send("/small", "12345").await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );

    // A route may also raise the limit above the app's.
    assert_eq!(send("/big", "0123456789abcdef").await.text(), "16 bytes");

    let res = client
        .post("/json")
        .header("accept", JSON)
        .json(&json!({"long": "value"}))
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.json::<Value>()["status"], 413);
}

#[tokio::test]
async fn body_limit_without_content_length_in_memory() {
    // TestClient sends no Content-Length header.
    let client = TestClient::new(limited_app());
    assert_eq!(
        client.post("/app").body("123456789").await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(
        client.post("/small").body("12345").await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!(client.post("/small").body("1234").await.text(), "4 bytes");

    // A streamed body of unknown length, straight through the tower service.
    let service = limited_app().into_service();
    for (path, chunks, expected) in [
        (
            "/app",
            vec!["1234", "5678", "9"],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        ("/app", vec!["1234", "5678"], StatusCode::OK),
        ("/small", vec!["12", "345"], StatusCode::PAYLOAD_TOO_LARGE),
        ("/big", vec!["0123456789", "abcdef"], StatusCode::OK),
    ] {
        let req = http::Request::post(path)
            .body(chunked(chunks.clone()))
            .unwrap();
        let res = service.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(status, expected, "{path} {chunks:?}: {body:?}");
    }
}

#[tokio::test]
async fn body_limit_over_a_real_socket_with_and_without_content_length() {
    let server = TestServer::start(limited_app()).await;

    // Content-Length over the limit.
    let mut conn = http1_connect(server.addr).await;
    let req = conn.request("POST", "/app", full("123456789"));
    let res = conn.send(req).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.text());

    // Chunked, no Content-Length: over the app limit, under it, and over a route limit.
    let mut conn = http1_connect(server.addr).await;
    let req = conn.request("POST", "/app", chunked(vec!["1234", "5678", "9abc"]));
    assert!(req.headers().get("content-length").is_none());
    let res = conn.send(req).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.text());

    let mut conn = http1_connect(server.addr).await;
    let req = conn.request("POST", "/app", chunked(vec!["1234", "5678"]));
    let res = conn.send(req).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.text(), "8 bytes");

    let mut conn = http1_connect(server.addr).await;
    let req = conn.request("POST", "/small", chunked(vec!["123", "45"]));
    let res = conn.send(req).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.text());
}

// ---------------------------------------------------------------- Cookies, State, G, HeaderMap

#[tokio::test]
async fn cookies_are_parsed_and_decoded() {
    let mut app = App::new();
    app.get("/c", |c: Cookies| async move {
        format!(
            "{}|{}|{}",
            c.get("theme").unwrap_or("-"),
            c.get("name").unwrap_or("-"),
            c.get("missing").unwrap_or("-")
        )
    });
    let client = TestClient::new(app);
    let res = client
        .get("/c")
        .header("cookie", "theme=dark; name=Ada%20L")
        .await;
    assert_eq!(res.text(), "dark|Ada L|-");
    assert_eq!(client.get("/c").await.text(), "-|-|-");
}

#[derive(Clone)]
struct Config {
    greeting: &'static str,
}

#[derive(Clone)]
struct NeverRegistered;

#[tokio::test]
async fn state_is_shared_and_missing_state_is_500() {
    let mut app = App::new();
    app.state(Config { greeting: "hello" });
    app.get("/hi", |State(c): State<Config>| async move { c.greeting });
    app.get("/missing", |State(_): State<NeverRegistered>| async move {
        "unreachable"
    });
    let client = TestClient::new(app);

    assert_eq!(client.get("/hi").await.text(), "hello");

    let res = client.get("/missing").header("accept", JSON).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !res.text().contains("NeverRegistered"),
        "leaks the cause: {}",
        res.text()
    );
}

#[derive(Clone, Debug, PartialEq)]
struct User(String);

#[tokio::test]
async fn g_is_shared_between_a_before_hook_and_the_handler() {
    let mut app = App::new();
    app.before_request(|g: G, headers: HeaderMap| async move {
        if let Some(user) = headers.get("x-user").and_then(|v| v.to_str().ok()) {
            g.insert(User(user.to_owned()));
        }
    });
    app.get("/me", |g: G| async move {
        g.get::<User>().map_or("anonymous".to_owned(), |u| u.0)
    });
    let client = TestClient::new(app);

    assert_eq!(
        client.get("/me").header("x-user", "ada").await.text(),
        "ada"
    );
    // Request-local: nothing leaks into the next request.
    assert_eq!(client.get("/me").await.text(), "anonymous");
}

#[tokio::test]
async fn header_map_gives_the_request_headers() {
    let mut app = App::new();
    app.get("/h", |h: HeaderMap| async move {
        h.get("x-custom")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none")
            .to_owned()
    });
    let client = TestClient::new(app);
    assert_eq!(client.get("/h").header("x-custom", "v1").await.text(), "v1");
    assert_eq!(client.get("/h").await.text(), "none");
}

// ---------------------------------------------------------------- Bytes, String, Request, Option

#[tokio::test]
async fn bytes_and_string_bodies() {
    let mut app = App::new();
    app.post(
        "/bytes",
        |b: Bytes| async move { format!("{:?}", b.as_ref()) },
    );
    app.post("/string", |s: String| async move { s.to_uppercase() });
    let client = TestClient::new(app);

    assert_eq!(
        client.post("/bytes").body(vec![0u8, 255]).await.text(),
        "[0, 255]"
    );
    assert_eq!(client.post("/string").body("héllo").await.text(), "HÉLLO");

    let res = client
        .post("/string")
        .header("accept", JSON)
        .body(vec![0xffu8, 0xfe])
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>()["status"], 400);
}

#[tokio::test]
async fn request_gives_method_path_headers_and_params() {
    let mut app = App::new();
    app.route(
        "/req/<name>",
        micro::routing::put(|req: Request| async move {
            format!(
                "{} {} {} {} {}",
                req.method(),
                req.path(),
                req.query_string().unwrap_or(""),
                req.header("x-token").unwrap_or("-"),
                req.param("name").unwrap_or("-"),
            )
        }),
    );
    let client = TestClient::new(app);
    let res = client
        .put("/req/b%C3%A9a?x=1")
        .header("x-token", "t0k")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "PUT /req/b%C3%A9a x=1 t0k béa");
}

#[tokio::test]
async fn request_body_can_be_read_after_taking_request() {
    let mut app = App::new();
    app.post("/echo", |mut req: Request| async move {
        let body = req.take_body().collect_limited(1024).await?;
        Ok::<_, micro::Error>(format!(
            "{} {}",
            req.method(),
            String::from_utf8_lossy(&body)
        ))
    });
    let client = TestClient::new(app);
    assert_eq!(
        client.post("/echo").body("payload").await.text(),
        "POST payload"
    );
}

#[tokio::test]
async fn option_turns_a_rejection_into_none() {
    let mut app = App::new();
    app.post("/opt", |body: Option<Json<Point>>| async move {
        match body {
            Some(Json(p)) => format!("point {} {}", p.x, p.y),
            None => "no point".to_owned(),
        }
    });
    let client = TestClient::new(app);
    assert_eq!(
        client
            .post("/opt")
            .json(&json!({"x": 1, "y": 2}))
            .await
            .text(),
        "point 1 2"
    );
    assert_eq!(client.post("/opt").body("garbage").await.text(), "no point");
}
