//! `AppConfig::static_folder`: an app's static files, rooted at the app's crate (as `app!`
//! roots its templates), served at `/static/<label>/...` beside the project's own `/static/`.

use fullstack::{AppConfig, Database, Project};
use micro::TestClient;

/// This crate's fixture folder, by `app!`'s rule: relative to the crate's `Cargo.toml`.
fn polls() -> AppConfig {
    fullstack::app!("polls")
        .static_folder("tests/fixtures/app_static/polls/static")
        .routes(|app| {
            app.add_template(
                "page.html",
                "<link href=\"{{ url_for('polls_static.static', filename='css/style.css') }}\">",
            )
            .unwrap();
            app.get("/page", |t: micro::Templates| async move {
                t.render("page.html", ())
            });
        })
}

async fn client(project: &Project) -> TestClient {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    TestClient::new(project.web_app(&db).unwrap())
}

#[tokio::test]
async fn an_apps_static_files_are_served_under_its_label_from_its_crate() {
    let app = polls();
    let folder = app.static_path().unwrap();
    assert!(
        folder.is_absolute(),
        "rooted at the crate, not the working directory: {folder:?}"
    );
    assert!(folder.starts_with(env!("CARGO_MANIFEST_DIR")));

    let project = Project::new("mysite").app(app);
    let client = client(&project).await;
    let res = client.get("/static/polls/css/style.css").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "h1 { color: teal; }\n");
    assert!(
        res.header("content-type").unwrap().starts_with("text/css"),
        "{:?}",
        res.header("content-type")
    );

    let page = client.get("/page").await;
    assert_eq!(page.text(), "<link href=\"/static/polls/css/style.css\">");

    assert_eq!(
        client.get("/static/polls/css/missing.css").await.status(),
        404
    );
    // Nothing outside the folder: not the fixture beside it, not this file.
    for escape in [
        "/static/polls/../app_static/polls/static/css/style.css",
        "/static/polls/%2e%2e/%2e%2e/fullstack_app_static.rs",
        "/static/polls/..%2f..%2ffullstack_app_static.rs",
    ] {
        let status = client.get(escape).await.status();
        assert!(status == 404 || status == 400, "{escape}: {status}");
    }
}

#[tokio::test]
async fn two_apps_and_the_project_keep_their_static_files_apart() {
    let dir = tempfile::tempdir().unwrap();
    for (folder, text) in [("static", "project"), ("blog/static", "blog")] {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        std::fs::write(dir.path().join(folder).join("app.js"), text).unwrap();
    }
    let project = Project::new("mysite").root(dir.path()).app(polls()).app(
        AppConfig::new("blog")
            .root(dir.path())
            .static_folder("blog/static"),
    );
    let client = client(&project).await;
    assert_eq!(client.get("/static/app.js").await.text(), "project");
    assert_eq!(client.get("/static/blog/app.js").await.text(), "blog");
    assert_eq!(client.get("/static/polls/app.js").await.status(), 404);
    assert_eq!(
        client.get("/static/polls/css/style.css").await.status(),
        200
    );
}

#[tokio::test]
async fn runserver_refuses_a_missing_static_folder_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = Project::new("mysite").database_url("sqlite::memory:").app(
        AppConfig::new("polls")
            .root(dir.path())
            .static_folder("polls/static"),
    );
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = project
        .run_with(["manage", "runserver", "127.0.0.1:0"], &mut out, &mut err)
        .await;
    let err = String::from_utf8(err).unwrap();
    assert_eq!(code, 1, "{err}");
    let missing = dir.path().join("polls/static");
    assert!(err.contains(&missing.display().to_string()), "{err}");
}
