//! The app's root: relative template and static folders are found under it whatever the working
//! directory (a real binary started from elsewhere), `MICRO_ROOT_PATH` wins at deploy time, a
//! folder named explicitly that is missing stops start-up naming it, a missing template names
//! the folders searched, and the start-up banner is printed once.

mod process;

use std::path::Path;

use micro::{App, Blueprint, Config, Templates, TestClient};
use process::{Serving, rooted_app, run_to_exit};

/// The fixture's folders, relative to its root (the `behaviour-tests` crate's folder).
const TEMPLATES: &str = "fixtures/rooted_app/templates";
const STATIC: &str = "fixtures/rooted_app/static";

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The stylesheet link the page renders, `/static/site.css?v=...`.
fn stylesheet(page: &str) -> &str {
    let start = page.find("href=\"").expect("a link") + "href=\"".len();
    let end = start + page[start..].find('"').unwrap();
    &page[start..end]
}

#[test]
fn a_binary_started_from_another_directory_serves_its_template_and_its_css() {
    let elsewhere = tempfile::tempdir().unwrap();
    let app = Serving::start(
        rooted_app(elsewhere.path())
            .env("MICRO_SECRET_KEY", "123456") // text, even though it looks like a number
            .env("MICRO_TEMPLATES_FOLDER", TEMPLATES)
            .env("MICRO_STATIC_FOLDER", STATIC),
    );
    let (status, page) = app.get("/");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<h1>Rooted</h1>"), "{page}");
    let css = stylesheet(&page);
    assert!(css.starts_with("/static/site.css?v="), "{css}");
    let (status, body) = app.get(css);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("teal"), "{body}");
}

#[test]
fn micro_root_path_wins_over_the_crate_folder_at_deploy_time() {
    let release = tempfile::tempdir().unwrap();
    write(
        &release.path().join("templates/page.html"),
        "<link href=\"{{ static('site.css') }}\">deployed",
    );
    write(
        &release.path().join("static/site.css"),
        "h1 { color: plum }",
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let app = Serving::start(
        rooted_app(elsewhere.path())
            .env("MICRO_SECRET_KEY", "k")
            .env("MICRO_ROOT_PATH", release.path()),
    );
    let (status, page) = app.get("/");
    assert_eq!(status, 200, "{page}");
    assert!(page.ends_with("deployed"), "{page}");
    let (status, css) = app.get(stylesheet(&page));
    assert_eq!((status, css.as_str()), (200, "h1 { color: plum }"));
}

#[test]
fn a_missing_configured_folder_stops_start_up_naming_it_and_its_setting() {
    let elsewhere = tempfile::tempdir().unwrap();
    let exited = run_to_exit(
        rooted_app(elsewhere.path())
            .env("MICRO_SECRET_KEY", "k")
            .env("MICRO_STATIC_FOLDER", "fixtures/rooted_app/nowhere"),
    );
    assert!(!exited.success, "{}", exited.stderr);
    let missing = crate_dir().join("fixtures/rooted_app/nowhere");
    let said = &exited.stderr;
    assert!(
        said.contains(&format!(
            "the static folder {} does not exist",
            missing.display()
        )),
        "{said}"
    );
    assert!(
        said.contains("STATIC_FOLDER from the environment variable `MICRO_STATIC_FOLDER`"),
        "{said}"
    );
    assert!(
        said.contains("the crate's folder, captured by micro::app!"),
        "{said}"
    );
    assert!(!said.contains("serving on"), "it must not listen: {said}");

    let exited = run_to_exit(
        rooted_app(elsewhere.path())
            .env("MICRO_SECRET_KEY", "k")
            .env("MICRO_ROOT_PATH", elsewhere.path().join("gone")),
    );
    assert!(!exited.success, "{}", exited.stderr);
    assert!(
        exited.stderr.contains("the app's root"),
        "{}",
        exited.stderr
    );
    assert!(
        exited.stderr.contains("MICRO_ROOT_PATH"),
        "{}",
        exited.stderr
    );
}

#[test]
fn the_banner_is_printed_once_with_or_without_a_tracing_subscriber() {
    let elsewhere = tempfile::tempdir().unwrap();
    for tracing in [false, true] {
        let mut cmd = rooted_app(elsewhere.path());
        cmd.env("MICRO_SECRET_KEY", "k");
        if tracing {
            cmd.env("FIXTURE_TRACING", "1");
        }
        let app = Serving::start(&mut cmd);
        assert_eq!(app.get("/settings").0, 200);
        let lines = app.stop();
        let banners: Vec<_> = lines.iter().filter(|l| l.contains("serving on")).collect();
        assert_eq!(
            banners.len(),
            1,
            "tracing: {tracing}; stderr:\n{}",
            lines.join("\n")
        );
        if tracing {
            assert!(
                banners[0].contains("INFO"),
                "through the subscriber: {}",
                banners[0]
            );
        }
    }
}

#[test]
fn default_folders_may_be_missing() {
    // The crate's folder has no templates/ or static/: an app without them starts.
    let app = micro::app!();
    assert_eq!(app.root(), crate_dir());
    app.check_folders().unwrap();
    TestClient::new(app);
}

#[tokio::test]
async fn folders_named_in_code_must_exist_and_the_error_names_them() {
    let mut app = micro::app!();
    app.templates_folder("no/such/templates");
    let mut admin = Blueprint::new("admin", "/admin");
    admin.static_folder("admin/assets");
    app.register_blueprint(admin);
    let err = app.check_folders().unwrap_err().to_string();
    let templates = crate_dir().join("no/such/templates");
    let assets = crate_dir().join("admin/assets");
    assert!(
        err.contains(&format!(
            "the templates folder {} does not exist (set by App::templates_folder)",
            templates.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "the static folder {} does not exist (set by Blueprint::static_folder of `admin`)",
            assets.display()
        )),
        "{err}"
    );
    // `run_on` says so before it listens.
    let err = app.run_on("127.0.0.1:0").await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    assert!(err.to_string().contains("no/such/templates"), "{err}");
}

#[test]
#[should_panic(expected = "App::static_folder")]
fn freezing_an_app_with_a_missing_folder_panics_naming_it() {
    let mut app = App::new();
    app.static_folder("surely/not/here");
    let _ = app.into_service();
}

#[tokio::test]
async fn folders_follow_the_root_even_when_it_is_set_after_them() {
    let site = tempfile::tempdir().unwrap();
    write(&site.path().join("admin/assets/admin.css"), "admin css");
    write(&site.path().join("views/hi.html"), "hi from views");
    let mut admin = Blueprint::new("admin", "/admin");
    admin.static_folder("admin/assets");
    let mut app = App::new();
    app.templates_folder("views");
    app.register_blueprint(admin);
    app.get("/hi", |t: Templates| async move { t.render("hi.html", ()) });
    app.root_path(site.path());
    assert_eq!(
        app.static_files("admin.static").unwrap().folder(),
        site.path().join("admin/assets")
    );
    let client = TestClient::new(app);
    assert_eq!(
        client.get("/admin/assets/admin.css").await.text(),
        "admin css"
    );
    assert_eq!(client.get("/hi").await.text(), "hi from views");
}

#[tokio::test]
async fn a_missing_template_names_the_folders_searched_and_the_root() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("templates")).unwrap();
    let config = Config::from_toml_str("DEBUG = true").unwrap();
    let mut app = App::from_config(config).unwrap();
    app.root_path(site.path());
    let mut admin = Blueprint::new("admin", "/admin");
    admin.templates_folder("admin/templates");
    std::fs::create_dir_all(site.path().join("admin/templates")).unwrap();
    app.register_blueprint(admin);
    app.get("/", |t: Templates| async move { t.render("nope.html", ()) });
    let res = TestClient::new(app).get("/").await;
    assert_eq!(res.status(), 500);
    let page = res.text();
    let templates = site.path().join("templates");
    let admin = site.path().join("admin/templates");
    assert!(
        page.contains(&format!(
            "searched {}, {}",
            templates.display(),
            admin.display()
        )),
        "{page}"
    );
    assert!(page.contains("set by App::root_path"), "{page}");
}

#[tokio::test]
async fn without_a_root_the_error_says_how_to_set_one() {
    let config = Config::from_toml_str("DEBUG = true").unwrap();
    let mut app = App::from_config(config).unwrap();
    app.get("/", |t: Templates| async move { t.render("nope.html", ()) });
    let page = TestClient::new(app).get("/").await.text();
    assert!(page.contains("the working directory"), "{page}");
    assert!(page.contains("micro::app!()"), "{page}");
    assert!(page.contains("(missing)"), "{page}");
}

#[tokio::test]
async fn outside_debug_the_page_is_generic_and_the_logged_error_names_the_folders() {
    let site = tempfile::tempdir().unwrap();
    let mut app = App::new();
    app.root_path(site.path());
    app.get("/", |t: Templates| async move { t.render("nope.html", ()) });
    let client = TestClient::new(app);
    let page = client.get("/").await.text();
    assert!(!page.contains("searched"), "{page}");

    // What the log line prints is the error's Display, which an error handler can show.
    let mut app = App::new();
    app.root_path(site.path());
    app.get("/", |t: Templates| async move { t.render("nope.html", ()) });
    app.error_handler(500, |err, _req| err.to_string());
    let logged = TestClient::new(app).get("/").await.text();
    let folder = site.path().join("templates");
    assert!(
        logged.contains(&format!("searched {} (missing)", folder.display())),
        "{logged}"
    );
}
