//! fullstack's testing tools on every backend: a test database per test, made from the
//! project's migrations, of its own even when tests run in parallel, and dropped afterwards
//! (by `finish`, and by `Drop` when the test panics), checked in the server's catalogue; a
//! client of the project's web app on it, with the rendered template's context; and
//! `assert_num_queries`.

use fullstack::query::prelude::*;
use fullstack::test::{TestDatabase, assert_num_queries};
use fullstack::{AppConfig, Backend, Database, Model, Project, Value};
use micro::{Html, State, Templates, context};
use serde::{Deserialize, Serialize};

#[derive(Model, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[model(app = "tdb", table = "tdb_question")]
struct Question {
    id: i64,
    #[field(max_length = 200)]
    text: String,
}

static MIGRATIONS: &[(&str, &str, &str)] = &[(
    "tdb",
    "0001_initial",
    include_str!("fixtures/testing/tdb/0001_initial.json"),
)];

async fn index(t: Templates, State(db): State<Database>) -> Result<Html<String>, micro::Error> {
    let questions = Question::objects().all(&db).await?;
    t.render("index.html", context! { questions })
}

fn project() -> Project {
    let app = AppConfig::new("tdb")
        .model(Question::META)
        .embedded_migrations(MIGRATIONS)
        .routes(|app| {
            app.add_template(
                "index.html",
                "{% for q in questions %}{{ q.text }};{% endfor %}",
            )
            .unwrap();
            app.get("/", index);
        });
    Project::new("Test Site").app(app)
}

/// The URL of each backend to test on; a server without its variable is said to be NOT
/// TESTED on stderr (the harness swallows a passing test's output).
fn servers() -> Vec<(&'static str, String)> {
    use std::io::Write;
    let mut urls = vec![("sqlite", "sqlite::memory:".to_owned())];
    for (name, var) in [
        ("postgresql", "TEST_POSTGRES_URL"),
        ("mysql", "TEST_MYSQL_URL"),
    ] {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => urls.push((name, url)),
            _ => {
                let _ = writeln!(
                    std::io::stderr(),
                    "note: {name} NOT TESTED: set {var} to a server URL to test it"
                );
            }
        }
    }
    urls
}

/// Whether the database `name` still exists, asked of the server (or the file system).
async fn exists(url: &str, name: &str) -> bool {
    let sql = match Backend::from_url(url).unwrap() {
        Backend::Sqlite => {
            return std::env::temp_dir()
                .join(format!("{name}.sqlite3"))
                .exists();
        }
        Backend::Postgres => "SELECT COUNT(*) FROM pg_database WHERE datname = $1",
        Backend::MySql => "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
    };
    let server = Database::connect(url).await.unwrap();
    let row = server
        .fetch_optional(sql, vec![Value::from(name)])
        .await
        .unwrap()
        .unwrap();
    let count: i64 = row.get(0).unwrap();
    server.close().await;
    count > 0
}

#[tokio::test]
async fn parallel_test_databases_are_migrated_apart_and_dropped() {
    let project = project();
    for (backend, url) in servers() {
        let make = || TestDatabase::with_url(&project, &url);
        let (a, b, c) = tokio::join!(make(), make(), make());
        let dbs = [a.unwrap(), b.unwrap(), c.unwrap()];
        let names: Vec<String> = dbs.iter().map(|d| d.name().to_owned()).collect();
        assert!(names[0].starts_with("test_test_site_"), "{names:?}");
        assert!(names[0] != names[1] && names[1] != names[2] && names[0] != names[2]);
        for (i, db) in dbs.iter().enumerate() {
            for n in 0..=i {
                let text = format!("{backend} {i}.{n}");
                Question::objects()
                    .create(db, Question { id: 0, text })
                    .await
                    .unwrap();
            }
        }
        for (i, db) in dbs.iter().enumerate() {
            // Each sees its own rows only: migrated, and not shared.
            assert_eq!(
                Question::objects().count(db).await.unwrap(),
                u64::try_from(i).unwrap() + 1,
                "{backend}"
            );
            assert!(exists(&url, db.name()).await, "{backend}: {}", db.name());
        }
        for db in dbs {
            db.finish().await.unwrap();
        }
        for name in &names {
            assert!(
                !exists(&url, name).await,
                "{backend}: {name} was not dropped"
            );
        }
    }
}

#[tokio::test]
async fn a_test_that_panics_leaves_no_database_behind() {
    for (backend, url) in servers() {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let db = TestDatabase::with_url(&project(), &url).await.unwrap();
            tx.send(db.name().to_owned()).unwrap();
            // A transaction left open: its locks must not stop the drop.
            let mut tx = db.begin().await.unwrap();
            tx.execute("DELETE FROM tdb_question", vec![])
                .await
                .unwrap();
            panic!("the test fails");
        });
        assert!(task.await.unwrap_err().is_panic());
        let name = rx.await.unwrap();
        let url = servers()
            .into_iter()
            .find(|(b, _)| *b == backend)
            .unwrap()
            .1;
        assert!(!exists(&url, &name).await, "{backend}: {name} leaked");
    }
}

#[tokio::test]
async fn the_client_serves_the_project_on_the_test_database() {
    let project = project();
    for (backend, url) in servers() {
        let db = TestDatabase::with_url(&project, &url).await.unwrap();
        let client = db.client(&project).unwrap();
        let q = Question::objects()
            .create(
                &*db,
                Question {
                    id: 0,
                    text: "What's new?".into(),
                },
            )
            .await
            .unwrap();

        let res = assert_num_queries(1, client.get("/").send()).await;
        assert_eq!(res.status(), 200, "{backend}");
        assert_eq!(res.text(), "What&#x27;s new?;");
        assert_eq!(res.template(), Some("index.html"));
        // response.context: the model instances the page was rendered with.
        let shown: Vec<Question> =
            serde_json::from_value(res.context()["questions"].clone()).unwrap();
        assert_eq!(shown, [q], "{backend}");
        db.finish().await.unwrap();
    }
}

#[tokio::test]
async fn assert_num_queries_lists_the_statements_when_the_count_is_wrong() {
    let project = project();
    let db = TestDatabase::with_url(&project, "sqlite::memory:")
        .await
        .unwrap();
    let client = db.client(&project).unwrap();
    let failed = tokio::spawn(async move {
        assert_num_queries(0, client.get("/").send()).await;
    })
    .await
    .unwrap_err()
    .into_panic();
    let message = failed.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("expected 0 queries, 1 was run"),
        "{message}"
    );
    assert!(message.contains("1. SELECT"), "{message}");
    assert!(message.contains("tdb_question"), "{message}");
    assert!(message.contains("fullstack_testing.rs:"), "{message}");
    db.finish().await.unwrap();
}

#[tokio::test]
async fn a_url_of_no_supported_backend_is_an_error_not_a_panic() {
    let err = TestDatabase::with_url(&project(), "oracle://db.example/test")
        .await
        .unwrap_err();
    assert!(
        matches!(err, fullstack::Error::UnsupportedUrl(ref url) if url == "oracle://db.example/test"),
        "{err}"
    );
}

#[tokio::test]
async fn a_test_database_runs_the_post_migrate_hooks() {
    // The auth app's hook makes the view/add/change/delete permissions of every model, as
    // `migrate` does: a test of permissions needs them without calling anything first.
    let project = project()
        .app(fullstack::sessions::app())
        .app(fullstack::auth::app());
    for (backend, url) in servers() {
        let db = TestDatabase::with_url(&project, &url).await.unwrap();
        let mut codenames: Vec<String> = fullstack::auth::Permission::objects()
            .all(&*db)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.codename)
            .filter(|c| c.ends_with("_question"))
            .collect();
        codenames.sort();
        assert_eq!(
            codenames,
            [
                "add_question",
                "change_question",
                "delete_question",
                "view_question"
            ],
            "{backend}"
        );
        db.finish().await.unwrap();
    }
}
