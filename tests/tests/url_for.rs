//! Named endpoints and `url_for`: default names, `.name()`, encoding, query string, `_anchor`,
//! clear errors, host independence, and `req.url_for` + `redirect` inside a handler; one name for
//! a rule with several methods, and aliases.

use micro::routing::get;
use micro::{App, Error, Redirect, Request, StatusCode, TestClient, UrlForError, redirect};
use serde_json::json;

async fn show_post() -> &'static str {
    "post"
}

async fn download() -> &'static str {
    "file"
}

async fn index() -> &'static str {
    "index"
}

async fn user_list() -> &'static str {
    "users"
}

fn app() -> App {
    let mut app = App::new();
    app.get("/", index);
    app.get("/posts/<int:year>/<slug>", show_post);
    app.get("/files/<path:name>", download);
    app
}

#[test]
fn default_name_is_the_handler_function_name() {
    let app = app();
    assert_eq!(app.url_for("index", ()).unwrap(), "/");
    assert_eq!(
        app.url_for("show_post", json!({"year": 2024, "slug": "hello"}))
            .unwrap(),
        "/posts/2024/hello"
    );
}

#[test]
fn name_overrides_the_function_name() {
    let mut app = App::new();
    app.route("/about", get(index).name("about_page"));
    assert_eq!(app.url_for("about_page", ()).unwrap(), "/about");
    let err = app.url_for("index", ()).unwrap_err();
    assert!(matches!(err, UrlForError::Renamed { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "url_for: no endpoint is named `index`: the function `index` handles the rule `/about`, whose endpoint is named `about_page`"
    );
}

#[test]
fn closures_can_be_named() {
    let mut app = App::new();
    app.route("/health", get(|| async { "ok" }).name("health"));
    assert_eq!(app.url_for("health", ()).unwrap(), "/health");
}

#[test]
fn values_are_percent_encoded() {
    let app = app();
    assert_eq!(
        app.url_for("show_post", json!({"year": 2024, "slug": "héllo wörld"}))
            .unwrap(),
        "/posts/2024/h%C3%A9llo%20w%C3%B6rld"
    );
    assert_eq!(
        app.url_for("show_post", json!({"year": 1, "slug": "a?b#c%d"}))
            .unwrap(),
        "/posts/1/a%3Fb%23c%25d"
    );
    // `path` keeps its slashes.
    assert_eq!(
        app.url_for("download", [("name", "docs/read me.txt")])
            .unwrap(),
        "/files/docs/read%20me.txt"
    );
}

#[test]
fn unknown_params_go_to_the_query_string_and_anchor_to_the_fragment() {
    let app = app();
    assert_eq!(
        app.url_for(
            "show_post",
            [
                ("year", "2024"),
                ("slug", "hi"),
                ("page", "2"),
                ("lang", "fr")
            ]
        )
        .unwrap(),
        "/posts/2024/hi?page=2&lang=fr"
    );
    assert_eq!(app.url_for("index", [("_anchor", "top")]).unwrap(), "/#top");
    assert_eq!(
        app.url_for(
            "show_post",
            [
                ("year", "1"),
                ("slug", "s"),
                ("q", "é"),
                ("_anchor", "comments")
            ]
        )
        .unwrap(),
        "/posts/1/s?q=%C3%A9#comments"
    );
}

#[test]
fn params_can_be_a_struct() {
    #[derive(serde::Serialize)]
    struct PostRef<'a> {
        year: u32,
        slug: &'a str,
    }
    let app = app();
    assert_eq!(
        app.url_for(
            "show_post",
            PostRef {
                year: 2020,
                slug: "x"
            }
        )
        .unwrap(),
        "/posts/2020/x"
    );
}

#[test]
fn missing_endpoint_is_a_clear_error() {
    let app = app();
    let err = app.url_for("nope", ()).unwrap_err();
    assert!(
        matches!(&err, UrlForError::UnknownEndpoint { endpoint, .. } if endpoint == "nope"),
        "{err:?}"
    );
    assert!(err.to_string().contains("`nope`"), "{err}");
}

#[test]
fn missing_param_is_a_clear_error() {
    let app = app();
    let err = app.url_for("show_post", [("year", "2024")]).unwrap_err();
    match &err {
        UrlForError::MissingParams {
            endpoint, missing, ..
        } => {
            assert_eq!(endpoint, "show_post");
            assert_eq!(missing, &vec!["slug".to_owned()]);
        }
        other => panic!("expected MissingParams, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("/posts/<int:year>/<slug>"), "{text}");
    assert!(text.contains("`slug`"), "{text}");
}

#[test]
fn invalid_param_is_a_clear_error() {
    let app = app();
    let err = app
        .url_for("show_post", json!({"year": "abc", "slug": "x"}))
        .unwrap_err();
    match &err {
        UrlForError::InvalidParam { param, value, .. } => {
            assert_eq!(param, "year");
            assert_eq!(value, "abc");
        }
        other => panic!("expected InvalidParam, got {other:?}"),
    }
    // A string variable cannot hold a slash.
    let err = app
        .url_for("show_post", json!({"year": 1, "slug": "a/b"}))
        .unwrap_err();
    assert!(matches!(err, UrlForError::InvalidParam { .. }), "{err:?}");
}

#[test]
fn fixed_digits_are_padded_with_zeros_as_werkzeug_does() {
    let mut app = App::new();
    app.get(
        "/archive/<int(fixed_digits=4):year>/<int(fixed_digits=2):month>/",
        index,
    );
    assert_eq!(
        app.url_for("index", json!({"year": 800, "month": 9}))
            .unwrap(),
        "/archive/0800/09/"
    );
    // Too many digits cannot be padded away: an error naming the value given.
    match app.url_for("index", json!({"year": 12345, "month": 1})) {
        Err(UrlForError::InvalidParam { param, value, .. }) => {
            assert_eq!((param.as_str(), value.as_str()), ("year", "12345"));
        }
        other => panic!("expected InvalidParam, got {other:?}"),
    }
}

#[test]
fn one_function_on_two_rules_builds_the_rule_whose_values_are_given() {
    let mut app = App::new();
    app.get("/users/", user_list);
    app.get("/users/page/<int:page>", user_list);
    assert_eq!(app.url_for("user_list", ()).unwrap(), "/users/");
    assert_eq!(
        app.url_for("user_list", json!({"page": 3})).unwrap(),
        "/users/page/3"
    );
}

#[tokio::test]
async fn url_for_in_a_handler_is_host_independent() {
    let mut app = app();
    app.get("/link", |req: Request| async move {
        req.url_for("show_post", json!({"year": 2024, "slug": "a b"}))
            .map_err(Error::from)
    });
    let client = TestClient::new(app);

    for host in ["example.com", "other.test:8080"] {
        let res = client.get("/link").header("host", host).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.text(), "/posts/2024/a%20b", "with Host: {host}");
    }
}

async fn old_home(req: Request) -> Result<Redirect, Error> {
    Ok(redirect(req.url_for("index", [("from", "old")])?))
}

#[tokio::test]
async fn url_for_with_redirect_in_a_handler() {
    let mut app = app();
    app.get("/home", old_home);
    let client = TestClient::new(app);

    let res = client.get("/home").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.header("location"), Some("/?from=old"));

    let res = client.get("/home").follow_redirects(true).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "index");
}

#[tokio::test]
async fn url_for_error_in_a_handler_is_a_500() {
    let mut app = app();
    app.get("/broken", |req: Request| async move {
        req.url_for("no_such_endpoint", ())
            .map(redirect)
            .map_err(Error::from)
    });
    let client = TestClient::new(app);

    let res = client
        .get("/broken")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!res.text().contains("no_such_endpoint"), "{}", res.text());
}

// ---------------------------------------------------------------- one name per rule, and aliases

async fn register_page() -> &'static str {
    "the form"
}

async fn register(req: Request) -> String {
    format!("registered at {:?}", req.endpoint())
}

#[tokio::test]
async fn a_rule_with_several_methods_is_named_after_its_first_function() {
    let mut app = App::new();
    app.route("/register", get(register_page).post(register));
    assert_eq!(app.url_for("register_page", ()).unwrap(), "/register");
    // The other function's name builds the same URL, as an alias...
    assert_eq!(app.url_for("register", ()).unwrap(), "/register");
    // ...but the request's endpoint is the rule's one name, whatever the method.
    let client = TestClient::new(app);
    assert_eq!(
        client.post("/register").await.text(),
        "registered at Some(\"register_page\")"
    );
}

#[test]
fn a_named_rule_answers_to_its_name_and_says_so_for_its_functions() {
    let mut app = App::new();
    app.route(
        "/register",
        get(register_page).post(register).name("auth_register"),
    );
    assert_eq!(app.url_for("auth_register", ()).unwrap(), "/register");
    for function in ["register_page", "register"] {
        let err = app.url_for(function, ()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "url_for: no endpoint is named `{function}`: the function `{function}` handles the rule `/register`, whose endpoint is named `auth_register`"
            )
        );
    }
}

async fn where_am_i(req: Request) -> String {
    format!("{:?}", req.endpoint())
}

#[tokio::test]
async fn an_alias_builds_its_endpoint_url_everywhere() {
    let mut blog = micro::Blueprint::new("blog", "");
    blog.get("/", where_am_i);
    blog.get("/<int:id>", show_post);
    let mut app = App::new();
    app.register_blueprint(blog);
    // Flask's tutorial: `app.add_url_rule("/", endpoint="index")`.
    app.alias("index", "blog.where_am_i");
    app.alias("home", "index"); // an alias of an alias names the endpoint
    app.alias("post", "blog.show_post");
    assert_eq!(app.url_for("index", ()).unwrap(), "/");
    assert_eq!(app.url_for("home", ()).unwrap(), "/");
    assert_eq!(app.url_for("post", [("id", 3)]).unwrap(), "/3");
    let err = app.url_for("post", ()).unwrap_err();
    assert!(matches!(err, UrlForError::MissingParams { .. }), "{err}");

    app.get("/links", |req: Request| async move {
        let index = req.url_for("index", ())?;
        let post = req.url_for("post", [("id", 7)])?;
        Ok::<_, Error>(format!("{index} {post}"))
    });
    let client = TestClient::new(app);
    assert_eq!(client.get("/links").await.text(), "/ /7");
    // Requests to the rule see the endpoint's own name.
    assert_eq!(client.get("/").await.text(), "Some(\"blog.where_am_i\")");
}

#[test]
#[should_panic(
    expected = "cannot add the alias `index` of `blog.indx`: no endpoint is named `blog.indx` (aliases name endpoints registered before them); did you mean blog.index?"
)]
fn an_alias_of_an_unknown_endpoint_is_refused_at_its_line() {
    let mut blog = micro::Blueprint::new("blog", "");
    blog.get("/", index);
    let mut app = App::new();
    app.register_blueprint(blog);
    app.alias("index", "blog.indx");
}

#[test]
fn an_alias_cannot_take_a_name_in_use_nor_be_taken_by_a_rule() {
    let mut app = App::new();
    app.get("/", index);
    app.get("/users", user_list);
    let taken = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        app.alias("user_list", "index");
    }))
    .unwrap_err();
    assert_eq!(
        taken.downcast_ref::<String>().unwrap(),
        "micro: cannot add the alias `user_list` of `index`: `user_list` is already the name of an endpoint"
    );

    let mut app = App::new();
    app.get("/", index);
    app.alias("home", "index");
    let err = app
        .try_route("/home", get(|| async { "home" }).name("home"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot add the rule `/home`: the endpoint name `home` is already an alias of `index`; give the rule another name with `.name(..)`"
    );
}
