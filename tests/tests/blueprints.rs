//! Blueprints: prefixes, dotted endpoint names, nesting, scoped hooks and error handlers.

use std::sync::{Arc, Mutex};

use micro::{App, Blueprint, Error, Request, TestClient, abort};

type Log = Arc<Mutex<Vec<String>>>;

fn record(log: &Log, what: &str) {
    log.lock().unwrap().push(what.to_owned());
}

async fn list() -> &'static str {
    "list"
}

async fn edit(req: Request) -> Result<String, Error> {
    Ok(format!("back to {}", req.url_for(".list", ())?))
}

async fn missing() -> Result<&'static str, Error> {
    Err(abort(404))
}

/// app <- admin (/admin) <- users (/users), with hooks at every level writing to `log`.
fn app(log: &Log) -> App {
    let mut users = Blueprint::new("users", "/users");
    users.get("/", list);
    users.get("/<int:id>/edit", edit);
    users.get("/missing", missing);
    let l = log.clone();
    users.before_request(move || {
        let l = l.clone();
        async move { record(&l, "before users") }
    });
    let l = log.clone();
    users.after_request(move |_, _| record(&l, "after users"));
    let l = log.clone();
    users.teardown_request(move |_, _| record(&l, "teardown users"));
    users.error_handler(404, |_, _| "no such user");

    let mut admin = Blueprint::new("admin", "/admin");
    admin.get("/", list);
    let l = log.clone();
    admin.before_request(move || {
        let l = l.clone();
        async move { record(&l, "before admin") }
    });
    let l = log.clone();
    admin.after_request(move |_, _| record(&l, "after admin"));
    admin.register_blueprint(users);

    let mut app = App::new();
    app.get("/", list);
    let l = log.clone();
    app.before_request(move || {
        let l = l.clone();
        async move { record(&l, "before app") }
    });
    let l = log.clone();
    app.after_request(move |_, _| record(&l, "after app"));
    let l = log.clone();
    app.teardown_request(move |_, _| record(&l, "teardown app"));
    app.error_handler(404, |_, _| "app 404");
    app.register_blueprint(admin);
    app
}

fn take(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

#[tokio::test]
async fn endpoints_are_dotted_and_prefixed() {
    let log = Log::default();
    let app = app(&log);
    assert_eq!(app.url_for("list", ()).unwrap(), "/");
    assert_eq!(app.url_for("admin.list", ()).unwrap(), "/admin/");
    assert_eq!(
        app.url_for("admin.users.list", ()).unwrap(),
        "/admin/users/"
    );
    assert_eq!(
        app.url_for("admin.users.edit", [("id", 5)]).unwrap(),
        "/admin/users/5/edit"
    );
    assert!(app.url_for("users.list", ()).is_err());
}

#[tokio::test]
async fn relative_url_for_resolves_in_the_current_blueprint() {
    let log = Log::default();
    let mut app = app(&log);
    app.error_handler(500, |err, _| err.to_string());
    let client = TestClient::new(app);
    let res = client.get("/admin/users/5/edit").await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(res.text(), "back to /admin/users/");
}

#[tokio::test]
async fn hooks_run_in_flask_order_and_only_for_their_routes() {
    let log = Log::default();
    let client = TestClient::new(app(&log));

    assert_eq!(client.get("/admin/users/").await.text(), "list");
    assert_eq!(
        take(&log),
        [
            "before app",
            "before admin",
            "before users",
            "after users",
            "after admin",
            "after app",
            "teardown users",
            "teardown app"
        ]
    );

    client.get("/admin/").await;
    assert_eq!(
        take(&log),
        [
            "before app",
            "before admin",
            "after admin",
            "after app",
            "teardown app"
        ]
    );

    client.get("/").await;
    assert_eq!(take(&log), ["before app", "after app", "teardown app"]);
}

#[tokio::test]
async fn blueprint_error_handlers_come_first_for_their_routes() {
    let log = Log::default();
    let client = TestClient::new(app(&log));
    let res = client.get("/admin/users/missing").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.text(), "no such user");
    // A URL that matches nothing belongs to no blueprint: the app's handler answers.
    let res = client.get("/admin/users/nobody/here").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.text(), "app 404");
}

#[test]
fn registration_errors_name_the_blueprint_and_rule() {
    let mut app = App::new();
    app.get("/admin/", list);
    let mut admin = Blueprint::new("admin", "/admin");
    admin.get("/", list);
    let err = app.try_register_blueprint(admin).unwrap_err().to_string();
    assert!(err.contains("/admin/"), "{err}");
    assert!(err.contains("blueprint `admin`"), "{err}");

    let mut app = App::new();
    app.register_blueprint(Blueprint::new("api", "/v1"));
    let err = app
        .try_register_blueprint(Blueprint::new("api", "/v2"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("a blueprint named `api` is already registered"),
        "{err}"
    );
}

#[test]
#[should_panic(expected = "without dots")]
fn dotted_blueprint_names_are_refused() {
    let _ = Blueprint::new("a.b", "/x");
}

/// The app's hooks around the registration of `auth`, whose app-wide hooks join them, and of its
/// child `tokens`, whose app-wide hook does too; `blog` has only its own hooks.
fn app_with_app_wide_hooks(log: &Log) -> App {
    let mut tokens = Blueprint::new("tokens", "/tokens");
    tokens.get("/", list);
    let l = log.clone();
    tokens.before_app_request(move || {
        let l = l.clone();
        async move { record(&l, "before tokens app-wide") }
    });

    let mut auth = Blueprint::new("auth", "/auth");
    auth.get("/login", list);
    let l = log.clone();
    auth.before_app_request(move || {
        let l = l.clone();
        async move { record(&l, "before auth app-wide") }
    });
    let l = log.clone();
    auth.before_request(move || {
        let l = l.clone();
        async move { record(&l, "before auth") }
    });
    let l = log.clone();
    auth.after_app_request(move |_, _| record(&l, "after auth app-wide"));
    let l = log.clone();
    auth.teardown_app_request(move |_, _| record(&l, "teardown auth app-wide"));
    auth.register_blueprint(tokens);

    let mut blog = Blueprint::new("blog", "/blog");
    blog.get("/", list);
    let l = log.clone();
    blog.before_request(move || {
        let l = l.clone();
        async move { record(&l, "before blog") }
    });
    let l = log.clone();
    blog.after_request(move |_, _| record(&l, "after blog"));

    let mut app = App::new();
    app.get("/", list);
    let l = log.clone();
    app.before_request(move || {
        let l = l.clone();
        async move { record(&l, "before app 1") }
    });
    let l = log.clone();
    app.after_request(move |_, _| record(&l, "after app 1"));
    let l = log.clone();
    app.teardown_request(move |_, _| record(&l, "teardown app 1"));
    app.register_blueprint(auth);
    app.register_blueprint(blog);
    let l = log.clone();
    app.before_request(move || {
        let l = l.clone();
        async move { record(&l, "before app 2") }
    });
    let l = log.clone();
    app.after_request(move |_, _| record(&l, "after app 2"));
    app
}

#[tokio::test]
async fn app_wide_hooks_of_a_blueprint_run_for_every_request_in_flask_order() {
    let log = Log::default();
    let client = TestClient::new(app_with_app_wide_hooks(&log));
    let app_wide_before = [
        "before app 1",
        "before auth app-wide",
        "before tokens app-wide",
        "before app 2",
    ];

    // Another blueprint's route: the app-wide hooks run, `auth`'s own do not.
    assert_eq!(client.get("/blog/").await.text(), "list");
    let mut expected = app_wide_before.to_vec();
    expected.extend([
        "before blog",
        "after blog",
        "after app 2",
        "after auth app-wide",
        "after app 1",
        "teardown auth app-wide",
        "teardown app 1",
    ]);
    assert_eq!(take(&log), expected);

    // An app route and a 404 too.
    for path in ["/", "/nowhere"] {
        client.get(path).await;
        let mut expected = app_wide_before.to_vec();
        expected.extend([
            "after app 2",
            "after auth app-wide",
            "after app 1",
            "teardown auth app-wide",
            "teardown app 1",
        ]);
        assert_eq!(take(&log), expected, "{path}");
    }

    // The blueprint's own route: its own before hook after all the app-wide ones.
    client.get("/auth/login").await;
    let mut expected = app_wide_before.to_vec();
    expected.push("before auth");
    assert_eq!(take(&log)[..5], expected[..]);
}

#[tokio::test]
async fn an_app_wide_hook_can_answer_early_for_the_whole_app() {
    let mut auth = Blueprint::new("auth", "/auth");
    auth.before_app_request(|req: Request| async move {
        if req.header("x-banned").is_some() {
            return Err(abort(403));
        }
        Ok(())
    });
    let mut app = App::new();
    app.get("/", list);
    app.register_blueprint(auth);
    let client = TestClient::new(app);
    assert_eq!(client.get("/").await.text(), "list");
    assert_eq!(client.get("/").header("x-banned", "1").await.status(), 403);
}
