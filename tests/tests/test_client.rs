//! The test client's reach into the app: the session (read what responses set, write it signed
//! with the app's keys), the app's state, and the app's commands run in-process.

use std::sync::{Arc, Mutex};

use micro::{
    App, Blueprint, CommandContext, CommandError, Config, Error, Redirect, Session, State,
    StatusCode, TestClient,
};

const KEY: &str = "SECRET_KEY = \"test key\"\nSESSION_COOKIE_NAME = \"sid\"\n";

async fn me(session: Session) -> Result<String, Error> {
    match session.get::<u32>("user_id") {
        Some(id) => Ok(format!("user {id}")),
        None => Err(Error::new(StatusCode::UNAUTHORIZED, "log in first")),
    }
}

async fn login(session: Session) -> Result<Redirect, Error> {
    session.insert("user_id", 3)?;
    session.flash("Welcome!");
    Ok(Redirect::see_other("/me"))
}

fn app(config: &str) -> App {
    let mut app = App::from_config(Config::from_toml_str(config).unwrap()).unwrap();
    app.get("/me", me);
    app.post("/login", login);
    app.post("/logout", |session: Session| async move {
        session.clear();
        "bye"
    });
    app
}

#[tokio::test]
async fn a_session_written_by_the_client_logs_the_next_request_in() {
    let client = TestClient::new(app(KEY));
    assert_eq!(client.get("/me").await.status(), 401);

    client.session(|s| s.insert("user_id", 7)).unwrap();
    // Stored under the app's cookie name, signed with its key: the app reads it.
    assert!(client.cookie("sid").is_some());
    assert!(client.cookie("session").is_none());
    let res = client.get("/me").await;
    assert_eq!(
        (res.status(), res.text()),
        (StatusCode::OK, "user 7".into())
    );

    // A client of an app with another key holds a cookie its app refuses.
    let other = TestClient::new(app(
        "SECRET_KEY = \"another key\"\nSESSION_COOKIE_NAME = \"sid\"",
    ));
    other.session(|s| s.insert("user_id", 7)).unwrap();
    let forged = other.cookie("sid").unwrap();
    let res = client
        .get("/me")
        .header("cookie", format!("sid={forged}"))
        .await;
    assert_eq!(res.status(), 401, "signed with the wrong key");
}

#[tokio::test]
async fn reading_the_session_shows_what_the_last_response_set() {
    let client = TestClient::new(app(KEY));
    assert!(client.session(|s| s.is_empty()));
    client.post("/login").await;
    assert_eq!(client.session(|s| s.get::<u32>("user_id")), Some(3));

    // Taking the flashes changes the session, and the change is kept.
    let flashes = client.session(|s| s.take_flashes());
    assert_eq!(flashes.len(), 1);
    assert_eq!(flashes[0].message, "Welcome!");
    assert!(client.session(|s| s.take_flashes()).is_empty());
    assert_eq!(client.session(|s| s.get::<u32>("user_id")), Some(3));

    // Logging out deletes the cookie; the client sees an empty session.
    client.post("/logout").await;
    assert!(client.cookie("sid").is_none());
    assert!(client.session(|s| s.is_empty()));
}

#[tokio::test]
async fn clearing_the_session_from_the_client_logs_out() {
    let client = TestClient::new(app(KEY));
    client.post("/login").await;
    assert_eq!(client.get("/me").await.status(), 200);
    client.session(|s| s.clear());
    assert!(client.cookie("sid").is_none());
    assert_eq!(client.get("/me").await.status(), 401);
}

#[tokio::test]
async fn reading_without_a_change_writes_no_cookie() {
    let client = TestClient::new(app(KEY));
    let _ = client.session(|s| s.get::<u32>("user_id"));
    assert!(client.cookie("sid").is_none());
}

fn panic_message(f: impl FnOnce()) -> String {
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_err();
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[tokio::test]
async fn a_session_needs_the_apps_secret_key() {
    let client = TestClient::new(App::new());
    let message = panic_message(|| {
        client.session(|s| s.insert("user_id", 1)).unwrap();
    });
    assert!(
        message.contains("TestClient::session") && message.contains("SECRET_KEY"),
        "{message}"
    );
}

#[tokio::test]
async fn a_session_too_large_for_a_cookie_is_refused() {
    let client = TestClient::new(app(KEY));
    let message = panic_message(|| {
        client
            .session(|s| s.insert("blob", "x".repeat(5000)))
            .unwrap();
    });
    assert!(message.contains("4093-byte limit"), "{message}");
    assert!(client.cookie("sid").is_none());
}

/// A database the app and the test share.
#[derive(Clone, Default)]
struct Db(Arc<Mutex<Vec<String>>>);

impl Db {
    fn rows(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

fn app_with_db() -> App {
    let mut app = App::new();
    app.state(Db::default());
    app.get("/posts", |State(db): State<Db>| async move {
        db.rows().join(",")
    });
    app.post("/posts", |State(db): State<Db>| async move {
        db.0.lock().unwrap().push("from a request".into());
        "ok"
    });
    app
}

#[tokio::test]
async fn the_client_reaches_the_state_its_requests_see() {
    let client = TestClient::new(app_with_db());
    client.state::<Db>().0.lock().unwrap().push("seeded".into());
    assert_eq!(client.get("/posts").await.text(), "seeded");

    client.post("/posts").await;
    assert_eq!(client.state::<Db>().rows(), ["seeded", "from a request"]);

    let message = panic_message(|| {
        client.state::<String>();
    });
    assert!(
        message.contains("no alloc::string::String was registered"),
        "{message}"
    );
}

async fn init_db(ctx: CommandContext) -> Result<(), CommandError> {
    let db = ctx.state::<Db>()?;
    *db.0.lock().unwrap() = vec![format!("made by {}", ctx.name())];
    Ok(())
}

#[tokio::test]
async fn the_client_runs_the_apps_commands_against_its_state() {
    let mut app = app_with_db();
    app.command("init-db", "Create the tables", init_db);
    app.command("fail", "Fail", |_ctx| async { Err("locked".into()) });
    let mut users = Blueprint::new("users", "/users");
    users.command(
        "count",
        "Count the rows",
        |ctx: CommandContext| async move {
            let rows = ctx.state::<Db>()?.rows().len();
            if ctx.args() == [rows.to_string()] {
                Ok(())
            } else {
                Err(format!("{rows} rows, not {:?}", ctx.args()).into())
            }
        },
    );
    users.command(
        "config",
        "Needs state nobody registered",
        |ctx: CommandContext| async move { ctx.state::<u64>().map(drop) },
    );
    app.register_blueprint(users);
    let client = TestClient::new(app);

    client.run_command(["init-db"]).await.unwrap();
    assert_eq!(client.get("/posts").await.text(), "made by init-db");
    client.run_command(["users", "count", "1"]).await.unwrap();

    let err = client
        .run_command(["users", "count", "5"])
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "1 rows, not [\"5\"]");
    let err = client.run_command(["fail"]).await.unwrap_err();
    assert_eq!(err.to_string(), "locked");
    let err = client.run_command(["users", "config"]).await.unwrap_err();
    assert!(
        err.to_string().contains(
            "the command `users config` asked for the state u64, which was never registered"
        ),
        "{err}"
    );
    let err = client.run_command(["nope"]).await.unwrap_err();
    assert_eq!(err.to_string(), "unknown command `nope`");
    let err = client.run_command(Vec::<String>::new()).await.unwrap_err();
    assert!(err.to_string().contains("names no command"), "{err}");
}

#[test]
#[should_panic(expected = "cannot add the command `run`: `run` is a built-in command")]
fn run_is_not_a_command_name() {
    App::new().command("run", "", |_ctx| async { Ok(()) });
}

#[test]
#[should_panic(
    expected = "cannot add the command `add` to the blueprint `users`: the blueprint already has a command of that name"
)]
fn a_blueprint_command_registered_twice_is_refused() {
    let mut users = Blueprint::new("users", "/users");
    users.command("add", "", |_ctx| async { Ok(()) });
    users.command("add", "", |_ctx| async { Ok(()) });
}

#[test]
#[should_panic(
    expected = "a command of blueprint `users`: `users add` is under `users`, which is a command, not a group"
)]
fn a_blueprint_group_named_like_an_app_command_is_refused() {
    let mut users = Blueprint::new("users", "/users");
    users.command("add", "", |_ctx| async { Ok(()) });
    let mut app = App::new();
    app.command("users", "", |_ctx| async { Ok(()) });
    app.register_blueprint(users);
}
