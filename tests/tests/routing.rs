//! Routing: Flask rule syntax, converter preference, conflicts at registration and
//! percent-encoded paths.

use micro::routing::{get, post};
use micro::{App, Path, Request, StatusCode, TestClient};

async fn post_by_date(Path((year, month, day, slug)): Path<(u32, u32, u32, String)>) -> String {
    format!("{year}-{month}-{day} {slug}")
}

#[tokio::test]
async fn flask_rule_with_several_variables() {
    let mut app = App::new();
    app.get(
        "/posts/<int:year>/<int:month>/<int:day>/<slug>",
        post_by_date,
    );
    let client = TestClient::new(app);

    let res = client.get("/posts/2024/1/15/hello-world").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "2024-1-15 hello-world");

    // A value that does not convert is a 404, as in Flask.
    assert_eq!(
        client.get("/posts/2024/jan/15/hello").await.status(),
        StatusCode::NOT_FOUND
    );
    // Too few or too many segments.
    assert_eq!(
        client.get("/posts/2024/1/15").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client.get("/posts/2024/1/15/a/b").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn static_rules_and_unknown_paths() {
    let mut app = App::new();
    app.get("/", || async { "index" });
    app.get("/about/team", || async { "team" });
    let client = TestClient::new(app);

    assert_eq!(client.get("/").await.text(), "index");
    assert_eq!(client.get("/about/team").await.text(), "team");
    assert_eq!(client.get("/about").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(client.get("/nope").await.status(), StatusCode::NOT_FOUND);
}

async fn item_by_name(Path(name): Path<String>) -> String {
    format!("name {name}")
}

async fn item_by_id(Path(id): Path<u64>) -> String {
    format!("id {id}")
}

#[tokio::test]
async fn rules_differing_only_by_converter_prefer_int() {
    let mut app = App::new();
    // Registered in the "wrong" order on purpose: int must still win for digits.
    app.get("/item/<name>", item_by_name);
    app.get("/item/<int:id>", item_by_id);
    let client = TestClient::new(app);

    assert_eq!(client.get("/item/42").await.text(), "id 42");
    assert_eq!(client.get("/item/abc").await.text(), "name abc");
    assert_eq!(client.get("/item/4x2").await.text(), "name 4x2");
}

#[tokio::test]
async fn same_rule_may_be_registered_again_for_other_methods() {
    let mut app = App::new();
    app.get("/things", || async { "list" });
    app.post("/things", || async { "create" });
    let client = TestClient::new(app);

    assert_eq!(client.get("/things").await.text(), "list");
    assert_eq!(client.post("/things").await.text(), "create");
}

#[test]
fn conflicting_rules_are_reported_by_try_route_with_the_rule_text() {
    let mut app = App::new();
    app.try_route("/users/<name>", get(|| async { "a" }))
        .expect("first rule is fine");
    let err = app
        .try_route("/users/<username>", get(|| async { "b" }))
        .expect_err("same URLs, same method: a conflict");
    let text = err.to_string();
    assert!(text.contains("/users/<username>"), "{text}");
    assert!(
        text.contains("/users/<name>"),
        "names the earlier rule: {text}"
    );
    assert_eq!(err.rule, "/users/<username>");

    // The same rule with a method the first one does not handle is not a conflict.
    app.try_route("/users/<username>", post(|| async { "c" }))
        .expect("another method is fine");
}

#[test]
fn malformed_rules_are_reported_by_try_route() {
    let mut app = App::new();
    let err = app
        .try_route("/x/<nope:id>", get(|| async { "" }))
        .expect_err("unknown converter");
    assert!(err.to_string().contains("/x/<nope:id>"), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");

    let err = app
        .try_route("no-leading-slash", get(|| async { "" }))
        .expect_err("must start with a slash");
    assert!(err.to_string().contains("no-leading-slash"), "{err}");

    let err = app
        .try_route("/files/<path:p>/edit", get(|| async { "" }))
        .expect_err("path must end the rule");
    assert!(err.to_string().contains("/files/<path:p>/edit"), "{err}");
}

#[test]
#[should_panic(expected = "/dup/<other>")]
fn route_panics_on_a_conflict_naming_the_rule() {
    let mut app = App::new();
    app.route("/dup/<name>", get(|| async { "a" }));
    app.route("/dup/<other>", get(|| async { "b" }));
}

#[test]
#[should_panic(expected = "/int/<int(max=oops):n>")]
fn route_panics_on_a_malformed_rule_naming_it() {
    let mut app = App::new();
    app.route("/int/<int(max=oops):n>", get(|| async { "a" }));
}

#[tokio::test]
async fn percent_encoded_paths_match_decoded_rules() {
    let mut app = App::new();
    app.get("/café", || async { "coffee" });
    app.get("/hello/<name>", |Path(name): Path<String>| async move {
        format!("hello {name}")
    });
    app.get("/raw/<name>", |req: Request| async move {
        req.param("name").unwrap_or("none").to_owned()
    });
    let client = TestClient::new(app);

    let res = client.get("/caf%C3%A9").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "coffee");

    assert_eq!(
        client.get("/hello/J%C3%B6rg%20M").await.text(),
        "hello Jörg M"
    );
    assert_eq!(client.get("/raw/a%20b%26c").await.text(), "a b&c");
}

#[tokio::test]
async fn invalid_utf8_after_decoding_is_400() {
    let mut app = App::new();
    app.get("/<name>", |Path(name): Path<String>| async move { name });
    let client = TestClient::new(app);

    let res = client.get("/%ff").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = client
        .get("/%ff")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<serde_json::Value>()["status"], 400);
}
