//! Configuration as a deployed app meets it: `[APP]` keys and their `MICRO_APP_*` variables meet
//! whatever their case, environment values are text read as their setting's type, unknown and
//! malformed keys stop start-up naming the key and where it came from, and `TESTING`.

mod process;

use micro::{App, Config, Error, Templates, TestClient};
use process::{Serving, rooted_app, run_to_exit};

#[test]
fn app_keys_and_their_variables_meet_and_keep_their_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("micro.toml"),
        "SECRET_KEY = \"k\"\n[APP]\nDATABASE = \"instance/app.sqlite\"\nworkers = 2\n",
    )
    .unwrap();
    let app = Serving::start(&mut rooted_app(dir.path()));
    let (_, shown) = app.get("/settings");
    assert_eq!(
        shown,
        r#"database=Some("instance/app.sqlite") token=None workers=Some(2)"#
    );
    drop(app);

    let app = Serving::start(
        rooted_app(dir.path())
            .env("MICRO_APP_DATABASE", "/tmp/test.sqlite")
            .env("MICRO_APP_TOKEN", "007")
            .env("MICRO_APP_WORKERS", "4"),
    );
    let (_, shown) = app.get("/settings");
    assert_eq!(
        shown,
        r#"database=Some("/tmp/test.sqlite") token=Some("007") workers=Some(4)"#
    );
}

#[test]
fn a_secret_key_made_of_digits_is_text() {
    let dir = tempfile::tempdir().unwrap();
    let app = Serving::start(rooted_app(dir.path()).env("MICRO_SECRET_KEY", "123456"));
    assert_eq!(app.get("/settings").0, 200);
}

#[test]
fn unknown_and_malformed_keys_stop_start_up_naming_the_key_and_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let exited = run_to_exit(rooted_app(dir.path()).env("MICRO_DATABASE", "x.sqlite"));
    assert!(!exited.success);
    let said = &exited.stderr;
    assert!(said.contains("configuration `DATABASE`"), "{said}");
    assert!(
        said.contains("the environment variable `MICRO_DATABASE`"),
        "{said}"
    );
    assert!(said.contains("name it `MICRO_APP_DATABASE`"), "{said}");

    let exited = run_to_exit(
        rooted_app(dir.path())
            .env("MICRO_SECRET_KEY", "k")
            .env("MICRO_APP_WORKERS", "lots"),
    );
    assert!(!exited.success);
    assert!(
        exited.stderr.contains("configuration `APP.workers`"),
        "{}",
        exited.stderr
    );
    assert!(
        exited.stderr.contains("`MICRO_APP_WORKERS`"),
        "{}",
        exited.stderr
    );

    std::fs::write(
        dir.path().join("micro.toml"),
        "SECRET_KEY = \"k\"\nDEBGU = true\n",
    )
    .unwrap();
    let exited = run_to_exit(&mut rooted_app(dir.path()));
    assert!(!exited.success);
    assert!(
        exited.stderr.contains("configuration `DEBGU`"),
        "{}",
        exited.stderr
    );
    assert!(
        exited.stderr.contains("in the file `micro.toml`"),
        "{}",
        exited.stderr
    );
}

fn testing_app(toml: &str) -> TestClient {
    let mut app = App::from_config(Config::from_toml_str(toml).unwrap()).unwrap();
    // Readable by the app (and by a test holding the app) as a plain field.
    assert_eq!(app.config().testing, toml.contains("TESTING = true"));
    app.get("/fail", || async {
        Err::<(), _>(Error::internal("the database is locked"))
    });
    app.add_template("mode.html", "testing={{ config.TESTING }}")
        .unwrap();
    app.get(
        "/mode",
        |t: Templates| async move { t.render("mode.html", ()) },
    );
    TestClient::new(app)
}

#[tokio::test]
async fn testing_error_pages_name_the_cause_and_templates_see_it() {
    let client = testing_app("SECRET_KEY = \"k\"\nTESTING = true");
    let page = client.get("/fail").await.text();
    assert!(page.contains("the database is locked"), "{page}");
    assert_eq!(client.get("/mode").await.text(), "testing=True");

    let client = testing_app("SECRET_KEY = \"k\"");
    let page = client.get("/fail").await.text();
    assert!(
        !page.contains("the database is locked"),
        "hidden outside TESTING: {page}"
    );
    assert_eq!(client.get("/mode").await.text(), "testing=False");
}
