//! Guards such as Flask's `login_required`: as an extractor (whatever its place among the
//! handler's arguments, it answers before a body extractor does), as a rule's `.guard(..)`, and as
//! a blueprint's `before_request`; their answer is a redirect built with `url_for`.

use std::sync::{Arc, Mutex};

use micro::routing::get;
use micro::{
    App, Blueprint, Cookies, Form, FromRequest, G, IntoResponse, Json, Redirect, Request, Response,
    TestClient,
};

#[derive(Clone)]
struct User(String);

/// The auth blueprint: `/auth/login`, and the user loaded into `g` for every page of the app.
fn auth() -> Blueprint {
    let mut auth = Blueprint::new("auth", "/auth");
    auth.get("/login", login);
    auth.before_app_request(|g: G, cookies: Cookies| async move {
        if let Some(name) = cookies.get("user") {
            g.insert(User(name.to_owned()));
        }
    });
    auth
}

async fn login() -> &'static str {
    "the login form"
}

/// `login_required` as a hook: anonymous visitors go to the login page, and come back after.
async fn login_required(g: G, req: Request) -> Result<(), Response> {
    if g.contains::<User>() {
        return Ok(());
    }
    let login = req.url_for("auth.login", [("next", req.uri().to_string())])?;
    Err(Redirect::see_other(login).into_response())
}

/// `login_required` as an extractor: the handler gets the user.
struct LoggedIn(User);

impl FromRequest for LoggedIn {
    type Rejection = Response;

    async fn from_request(req: &mut Request) -> Result<Self, Response> {
        if let Some(user) = req.g().get::<User>() {
            return Ok(LoggedIn(user));
        }
        let login = req.url_for("auth.login", [("next", req.uri().to_string())])?;
        Err(Redirect::see_other(login).into_response())
    }
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Post {
    title: String,
}

async fn create_after_form(Form(post): Form<Post>, LoggedIn(user): LoggedIn) -> String {
    format!("{} by {}", post.title, user.0)
}

async fn create_before_form(LoggedIn(user): LoggedIn, Form(post): Form<Post>) -> String {
    format!("{} by {}", post.title, user.0)
}

async fn create_after_json(Json(post): Json<Post>, LoggedIn(user): LoggedIn) -> String {
    format!("{} by {}", post.title, user.0)
}

async fn create_after_optional_form(
    form: Option<Form<Post>>,
    req: Request,
    LoggedIn(user): LoggedIn,
) -> String {
    let title = form.map_or("no form".to_owned(), |Form(post)| post.title);
    format!("{title} by {} at {}", user.0, req.path())
}

fn extractor_app() -> App {
    let mut app = App::new();
    app.register_blueprint(auth());
    app.post("/after-form", create_after_form);
    app.post("/before-form", create_before_form);
    app.post("/after-json", create_after_json);
    app.post("/after-optional-form", create_after_optional_form);
    app
}

const TO_LOGIN: &str = "/auth/login?next=%2F";

#[tokio::test]
async fn an_anonymous_post_gets_the_redirect_whatever_the_argument_order() {
    let client = TestClient::new(extractor_app());
    for path in [
        "/after-form",
        "/before-form",
        "/after-json",
        "/after-optional-form",
    ] {
        // No content type, no body: a body extractor would answer 415 if it ran first.
        let res = client.post(path).await;
        assert_eq!(res.status(), 303, "{path}: {}", res.text());
        let next = path.trim_start_matches('/');
        assert_eq!(
            res.header("location"),
            Some(format!("{TO_LOGIN}{next}").as_str()),
            "{path}"
        );
        // With a form of the wrong type, the same.
        let res = client
            .post(path)
            .header("content-type", "text/plain")
            .body("title=x")
            .await;
        assert_eq!(res.status(), 303, "{path}: {}", res.text());
    }
}

#[tokio::test]
async fn a_logged_in_post_reaches_the_handler_with_its_body() {
    let client = TestClient::new(extractor_app());
    let post = Post {
        title: "Hello".into(),
    };
    for path in ["/after-form", "/before-form"] {
        let res = client
            .post(path)
            .header("cookie", "user=ada")
            .form(&post)
            .await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.text(), "Hello by ada");
        // A logged-in user still gets the body extractor's own error.
        let res = client.post(path).header("cookie", "user=ada").await;
        assert_eq!(res.status(), 415, "{path}");
    }
    let res = client
        .post("/after-json")
        .header("cookie", "user=ada")
        .json(&post)
        .await;
    assert_eq!(res.text(), "Hello by ada");
    let res = client
        .post("/after-optional-form")
        .header("cookie", "user=ada")
        .form(&post)
        .await;
    assert_eq!(res.text(), "Hello by ada at /after-optional-form");
}

async fn create_page() -> &'static str {
    "the form"
}

async fn create(Form(post): Form<Post>) -> String {
    format!("created {}", post.title)
}

async fn public() -> &'static str {
    "public"
}

#[tokio::test]
async fn a_rule_guard_runs_for_every_method_of_the_rule_and_no_other() {
    let mut app = App::new();
    app.register_blueprint(auth());
    app.route(
        "/create",
        get(create_page).post(create).guard(login_required),
    );
    app.get("/public", public);
    let client = TestClient::new(app);

    let res = client.get("/create").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.header("location"), Some("/auth/login?next=%2Fcreate"));
    let res = client.post("/create").await;
    assert_eq!(res.status(), 303, "{}", res.text());
    let res = client.get("/create?draft=1").await;
    assert_eq!(
        res.header("location"),
        Some("/auth/login?next=%2Fcreate%3Fdraft%3D1")
    );
    assert_eq!(client.get("/public").await.text(), "public");
    assert_eq!(client.get("/auth/login").await.text(), "the login form");

    let res = client.get("/create").header("cookie", "user=ada").await;
    assert_eq!(res.text(), "the form");
    let res = client
        .post("/create")
        .header("cookie", "user=ada")
        .form(&Post { title: "T".into() })
        .await;
    assert_eq!(res.text(), "created T");
    // A method the rule does not handle is still a 405, not a redirect.
    assert_eq!(client.delete("/create").await.status(), 405);
}

#[tokio::test]
async fn a_blueprint_before_request_guards_all_its_routes() {
    let mut blog = Blueprint::new("blog", "/blog");
    blog.route("/create", get(create_page).post(create));
    blog.get("/drafts", public);
    blog.before_request(login_required);
    let mut app = App::new();
    app.register_blueprint(auth());
    app.register_blueprint(blog);
    app.get("/", public);
    let client = TestClient::new(app);

    for path in ["/blog/create", "/blog/drafts"] {
        let res = client.get(path).await;
        assert_eq!(res.status(), 303, "{path}");
        assert!(
            res.header("location")
                .unwrap()
                .starts_with("/auth/login?next=%2Fblog%2F"),
            "{path}"
        );
    }
    assert_eq!(client.post("/blog/create").await.status(), 303);
    assert_eq!(client.get("/").await.text(), "public");
    let res = client
        .get("/blog/drafts")
        .header("cookie", "user=ada")
        .await;
    assert_eq!(res.text(), "public");
}

#[tokio::test]
async fn guards_run_after_the_hooks_in_the_order_they_were_added() {
    let log: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let record = |what: &'static str| {
        let log = log.clone();
        move || {
            let log = log.clone();
            async move { log.lock().unwrap().push(what) }
        }
    };
    let mut bp = Blueprint::new("bp", "/bp");
    bp.route(
        "/page",
        get(public)
            .guard(record("first guard"))
            .guard(record("second guard")),
    );
    bp.before_request(record("blueprint hook"));
    let mut app = App::new();
    app.before_request(record("app hook"));
    app.register_blueprint(bp);
    let client = TestClient::new(app);

    assert_eq!(client.get("/bp/page").await.text(), "public");
    assert_eq!(
        *log.lock().unwrap(),
        ["app hook", "blueprint hook", "first guard", "second guard"]
    );
}

#[tokio::test]
async fn a_guard_that_takes_request_leaves_the_body_to_the_handler() {
    let mut app = App::new();
    app.route(
        "/echo",
        micro::routing::post(|body: String| async move { body })
            .guard(|req: Request| async move { assert_eq!(req.path(), "/echo") }),
    );
    let client = TestClient::new(app);
    assert_eq!(client.post("/echo").body("kept").await.text(), "kept");
}
