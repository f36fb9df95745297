//! What templates see besides the handler's values: context processors (app, blueprint,
//! app-wide), `g`, `request.form` and `request.args`; `context!` with `Serialize` structs; and
//! the Flask tutorial's register view, which returns `Either` a page or a redirect.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use micro::routing::get;
use micro::{
    App, Blueprint, Config, Either, Error, Form, G, Html, Method, Redirect, Request, Session,
    State, Templates, TestClient, abort, context,
};
use serde::{Deserialize, Serialize};

/// An app with a secret key (for sessions and flashes) and the given templates.
fn app_with(templates: &[(&str, &str)]) -> App {
    let mut app = App::from_config(Config::from_toml_str("SECRET_KEY = \"k\"").unwrap()).unwrap();
    for (name, source) in templates {
        app.add_template(*name, *source).unwrap();
    }
    app
}

async fn page(t: Templates) -> Result<Html<String>, Error> {
    t.render("page.html", ())
}

/// Counts calls, to see that processors run once per request.
#[derive(Clone, Default)]
struct Calls(Arc<AtomicUsize>);

impl Calls {
    fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    fn count(&self) -> usize {
        self.0.swap(0, Ordering::SeqCst)
    }
}

#[tokio::test]
async fn app_processors_add_values_the_last_one_and_the_handler_winning() {
    let mut app = app_with(&[(
        "page.html",
        "{{ site }}|{{ who }}|{{ slow }}|{{ mine }}|{{ request.path }}",
    )]);
    let calls = Calls::default();
    app.state(calls.clone());
    app.context_processor(|calls: State<Calls>| async move {
        calls.hit();
        context! { site => "Flaskr", who => "first", mine => "processor" }
    });
    // Async work, as loading a user from a database is.
    app.context_processor(|| async {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        Ok::<_, Error>(context! { who => "second", slow => "done" })
    });
    app.get("/", |t: Templates| async move {
        t.render("page.html", context! { mine => "handler" })
    });
    // Two `Templates` in one request: the processors still run once.
    app.get("/twice", |a: Templates, b: Templates| async move {
        let first = a.render_string("page.html", ())?;
        Ok::<_, Error>(format!("{first}/{}", b.render_string("page.html", ())?))
    });
    // A handler that never takes `Templates` does not run them.
    app.get("/plain", || async { "plain" });
    let client = TestClient::new(app);

    let res = client.get("/").await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(res.text(), "Flaskr|second|done|handler|/");
    assert_eq!(calls.count(), 1);

    let res = client.get("/twice").await;
    assert_eq!(
        res.text(),
        "Flaskr|second|done|processor|/twice/Flaskr|second|done|processor|/twice"
    );
    assert_eq!(calls.count(), 1);

    assert_eq!(client.get("/plain").await.text(), "plain");
    assert_eq!(calls.count(), 0);
}

#[tokio::test]
async fn processors_and_handlers_can_shadow_the_globals() {
    let mut app = app_with(&[("page.html", "{{ config }}|{{ request }}|{{ g.x }}")]);
    app.context_processor(|| async {
        context! { config => "processor's" }
    });
    app.get("/", |t: Templates, g: G| async move {
        g.insert_named("x", 1);
        t.render("page.html", context! { request => "handler's" })
    });
    assert_eq!(
        TestClient::new(app).get("/").await.text(),
        "processor&#x27;s|handler&#x27;s|1"
    );
}

#[tokio::test]
async fn blueprint_processors_run_for_its_routes_app_wide_ones_for_all() {
    let mut app = app_with(&[("page.html", "{{ scope }}|{{ nav }}|{{ theme }}")]);
    app.context_processor(|| async {
        context! { scope => "app", theme => "light" }
    });
    app.get("/", page);

    let mut admin = Blueprint::new("admin", "/admin");
    admin.context_processor(|| async {
        context! { scope => "admin" }
    });
    admin.app_context_processor(|| async {
        context! { nav => "from admin" }
    });
    admin.get("/", page);
    let mut reports = Blueprint::new("reports", "/reports");
    reports.context_processor(|| async {
        context! { theme => "dark" }
    });
    reports.get("/", page);
    admin.register_blueprint(reports);
    app.register_blueprint(admin);

    let client = TestClient::new(app);
    // The app's route: the app's processors and the blueprint's app-wide one, not its own.
    assert_eq!(client.get("/").await.text(), "app|from admin|light");
    // The blueprint's route: its processor wins over the app's for `scope`.
    assert_eq!(client.get("/admin/").await.text(), "admin|from admin|light");
    // A nested blueprint gets its parent's processors too; the innermost wins.
    assert_eq!(
        client.get("/admin/reports/").await.text(),
        "admin|from admin|dark"
    );
}

/// An error from a data layer, returned with `?`.
#[derive(Debug)]
struct DatabaseDown;

impl std::fmt::Display for DatabaseDown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the database is down")
    }
}

impl std::error::Error for DatabaseDown {}

async fn load_user(fail: bool) -> Result<&'static str, DatabaseDown> {
    if fail { Err(DatabaseDown) } else { Ok("ada") }
}

#[tokio::test]
async fn an_error_in_a_processor_is_the_requests_error() {
    let mut app = app_with(&[("page.html", "{{ user }}")]);
    let calls = Calls::default();
    app.context_processor(|req: Request| async move {
        if req.header("x-banned").is_some() {
            return Err(abort(403));
        }
        let user = load_user(req.header("x-db-down").is_some()).await?;
        Ok(context! { user })
    });
    let handler_calls = calls.clone();
    app.get("/", move |t: Templates| {
        let calls = handler_calls.clone();
        async move {
            calls.hit();
            t.render("page.html", ())
        }
    });
    app.error_handler(403, |_err, _req| "banned page");
    app.error_handler_for(|e: &DatabaseDown, _req| {
        (micro::StatusCode::SERVICE_UNAVAILABLE, e.to_string())
    });
    let client = TestClient::new(app);

    assert_eq!(client.get("/").await.text(), "ada");
    assert_eq!(calls.count(), 1);

    let res = client.get("/").header("x-banned", "1").await;
    assert_eq!(
        (res.status().as_u16(), res.text().as_str()),
        (403, "banned page")
    );
    assert_eq!(calls.count(), 0, "the handler is not called");

    let res = client.get("/").header("x-db-down", "1").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.text(), "the database is down");
    assert_eq!(calls.count(), 0);
}

#[tokio::test]
async fn a_processor_that_takes_templates_is_a_500_not_a_loop() {
    let mut app = app_with(&[("page.html", "{{ x }}")]);
    app.context_processor(|_t: Templates| async {
        context! { x => 1 }
    });
    app.get("/", page);
    let res = TestClient::new(app).get("/").await;
    assert_eq!(res.status(), 500);
}

#[tokio::test]
async fn a_processor_that_takes_the_request_leaves_the_body_to_the_handler() {
    let mut app = app_with(&[("page.html", "{{ method }} {{ body }}")]);
    app.context_processor(|req: Request| async move {
        context! { method => req.method().as_str() }
    });
    app.post("/", |t: Templates, body: String| async move {
        t.render("page.html", context! { body })
    });
    let res = TestClient::new(app).post("/").body("hello").await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(res.text(), "POST hello");
}

#[derive(Clone, Serialize)]
struct User {
    username: String,
}

#[tokio::test]
async fn g_values_set_by_name_show_in_templates_as_they_are_when_rendering() {
    let mut app = app_with(&[(
        "page.html",
        "{% if g.user %}{{ g.user.username }}{% else %}anonymous{% endif %}|{{ g.step }}|{{ g|length }}",
    )]);
    app.before_request(|req: Request, g: G| async move {
        if let Some(name) = req.header("x-user") {
            g.insert_named(
                "user",
                User {
                    username: name.to_owned(),
                },
            );
        }
        g.insert_named("step", "before");
        // Stored by type: for handlers, not templates.
        g.insert(User {
            username: "typed".into(),
        });
    });
    app.get("/", |t: Templates, g: G| async move {
        // After `Templates` was built: templates read `g` when they render.
        g.insert_named("step", "handler");
        t.render("page.html", ())
    });
    let client = TestClient::new(app);
    assert_eq!(
        client.get("/").header("x-user", "<ada>").await.text(),
        "&lt;ada&gt;|handler|2"
    );
    assert_eq!(client.get("/").await.text(), "anonymous|handler|1");
}

#[tokio::test]
async fn error_pages_see_processors_and_g() {
    let mut app = app_with(&[(
        "404.html",
        "{{ site }} has no {{ request.path }} for {{ g.user }}",
    )]);
    let calls = Calls::default();
    app.state(calls.clone());
    app.before_request(|g: G| async move { g.insert_named("user", "ada") });
    app.context_processor(|calls: State<Calls>| async move {
        calls.hit();
        context! { site => "Flaskr" }
    });
    app.get("/gone", |_t: Templates| async {
        Err::<(), Error>(abort(404))
    });
    app.get("/api/gone", || async { Err::<(), Error>(abort(404)) });
    app.error_handler(404, |_err, req| {
        Templates::for_request(req)?.render("404.html", ())
    });
    let client = TestClient::new(app);

    // No rule matched: no `Templates` was built, so the processors run before the error handler.
    let res = client.get("/nowhere").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.text(), "Flaskr has no /nowhere for ada");
    assert_eq!(calls.count(), 1);

    // The handler's `Templates` ran them: they are not run again for its error page.
    let res = client.get("/gone").await;
    assert_eq!(res.text(), "Flaskr has no /gone for ada");
    assert_eq!(calls.count(), 1);

    let res = client.get("/api/gone").await;
    assert_eq!(res.text(), "Flaskr has no /api/gone for ada");
    assert_eq!(calls.count(), 1);
}

#[tokio::test]
async fn a_processor_failing_for_an_error_page_leaves_the_page_without_its_values() {
    let mut app = app_with(&[("404.html", "[{{ user }}] not found")]);
    app.context_processor(|| async { Err::<(), Error>(Error::internal("database down")) });
    app.error_handler(404, |_err, req| {
        Templates::for_request(req)?.render("404.html", ())
    });
    let res = TestClient::new(app).get("/nowhere").await;
    assert_eq!(
        res.status(),
        404,
        "the error being rendered is the one reported"
    );
    assert_eq!(res.text(), "[] not found");
}

#[tokio::test]
async fn no_error_handler_no_processors_for_errors() {
    let mut app = App::new();
    let calls = Calls::default();
    app.state(calls.clone());
    app.context_processor(|calls: State<Calls>| async move {
        calls.hit();
        context! {}
    });
    let res = TestClient::new(app).get("/nowhere").await;
    assert_eq!(res.status(), 404);
    assert_eq!(calls.count(), 0);
}

#[derive(Deserialize)]
struct Comment {
    #[allow(dead_code)]
    author: String,
    votes: u32,
}

#[tokio::test]
async fn request_form_is_the_form_the_handler_read_and_args_the_query() {
    let mut app = app_with(&[(
        "form.html",
        "args={{ request.args.q }} form={{ request.form.author }}/{{ request.form['votes'] }} n={{ request.form|length }}",
    )]);
    // `Templates` comes first: the form is read after it, and still shows.
    app.route(
        "/comment",
        get(page).post(|t: Templates, Form(c): Form<Comment>| async move {
            let _ = c.votes;
            t.render("form.html", ())
        }),
    );
    app.post("/unread", |t: Templates| async move {
        t.render("form.html", ())
    });
    app.error_handler(422, |_err, req| {
        Templates::for_request(req)?.render("form.html", ())
    });
    app.add_template(
        "page.html",
        "args={{ request.args.q }} form={{ request.form|length }}",
    )
    .unwrap();
    let client = TestClient::new(app);

    let res = client
        .post("/comment?q=rust")
        .form(&[("author", "<ada>"), ("votes", "3")])
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(res.text(), "args=rust form=&lt;ada&gt;/3 n=2");

    // A GET form is in the query string: `request.args`, not `request.form`, as in Flask.
    assert_eq!(client.get("/comment?q=x").await.text(), "args=x form=0");

    // Nobody read the body: the form is empty.
    let res = client.post("/unread").form(&[("author", "ada")]).await;
    assert_eq!(res.text(), "args= form=/ n=0");

    // A form that fails validation is still there for the page that shows it again.
    let res = client
        .post("/comment")
        .form(&[("author", "ada"), ("votes", "many")])
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.text(), "args= form=ada/many n=2");
}

#[derive(Serialize)]
struct Post {
    title: String,
    author: User,
}

#[tokio::test]
async fn serialize_structs_go_into_context_as_they_are() {
    let mut app = app_with(&[(
        "posts.html",
        "{{ post.title }} by {{ post.author.username }};{% for p in posts %}{{ p.title }},{% endfor %};{{ pinned.title }};{{ draft is none }};{{ title }}",
    )]);
    app.get("/", |t: Templates| async move {
        let post = Post {
            title: "Hello".into(),
            author: User {
                username: "ada".into(),
            },
        };
        let posts = vec![
            Post {
                title: "One".into(),
                author: User {
                    username: "a".into(),
                },
            },
            Post {
                title: "Two".into(),
                author: User {
                    username: "b".into(),
                },
            },
        ];
        let pinned = Some(Post {
            title: "Pinned".into(),
            author: User {
                username: "c".into(),
            },
        });
        let draft: Option<Post> = None;
        t.render(
            "posts.html",
            context! { post, posts, pinned, draft, ..context! { title => "merged" } },
        )
    });
    let res = TestClient::new(app).get("/").await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(res.text(), "Hello by ada;One,Two,;Pinned;True;merged");
}

/// The Flask tutorial's `auth/register.html`, shortened.
const REGISTER: &str = r#"{% for message in get_flashed_messages() %}<p class="flash">{{ message }}</p>{% endfor %}<form method="post">{{ csrf_input() }}<input name="username" value="{{ request.form['username'] }}"><input name="password"></form>"#;

#[derive(Deserialize, Default)]
#[serde(default)]
struct Registration {
    username: String,
    password: String,
}

/// The tutorial's `register` view: GET shows the form, POST with an error flashes it and shows
/// the form again, success redirects to the login page.
async fn register(
    t: Templates,
    method: Method,
    session: Session,
    Form(form): Form<Registration>,
    req: Request,
) -> Result<Either<Html<String>, Redirect>, Error> {
    if method == Method::POST {
        let error = if form.username.is_empty() {
            Some("Username is required.")
        } else if form.password.is_empty() {
            Some("Password is required.")
        } else {
            None
        };
        match error {
            None => {
                return Ok(Either::Right(Redirect::see_other(
                    req.url_for("auth.login", ())?,
                )));
            }
            Some(error) => session.flash(error),
        }
    }
    Ok(Either::Left(t.render("auth/register.html", ())?))
}

#[tokio::test]
async fn the_register_view_shows_the_form_again_or_redirects() {
    let mut app = app_with(&[("auth/register.html", REGISTER)]);
    let mut auth = Blueprint::new("auth", "/auth");
    auth.route("/register", get(register).post(register));
    auth.route("/login", get(|| async { "log in" }).name("login"));
    app.register_blueprint(auth);
    let client = TestClient::new(app);

    let res = client.get("/auth/register").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(res.text().contains(r#"value="""#), "{}", res.text());

    let res = client
        .post("/auth/register")
        .form(&[("username", "ada"), ("password", "")])
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text();
    assert!(
        body.contains(r#"<p class="flash">Password is required.</p>"#),
        "{body}"
    );
    assert!(
        body.contains(r#"value="ada""#),
        "the form keeps what was typed: {body}"
    );

    let res = client
        .post("/auth/register")
        .form(&[("username", "ada"), ("password", "pw")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.header("location"), Some("/auth/login"));
}
