//! The shared behaviour suite (`examples/blog-suite`), run against blog-micro served over a real
//! socket: on a fresh SQLite file always, and on a fresh PostgreSQL database when
//! `TEST_POSTGRES_URL` names a server (`postgres://postgres@127.0.0.1:5432/test`).

use blog_micro::Db;
use micro::{Config, Secret};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// Serves the app on `db` at 127.0.0.1 on a free port, seeded with the suite's fixture, and
/// runs the suite against it.
async fn run_suite(db: Db) {
    db.create_schema().await.unwrap();
    blog_micro::seed(&db, blog_suite::fixture()).await.unwrap();
    let mut config = Config::default();
    config.secret_key = Some(Secret::new("suite key"));
    let app = blog_micro::app(config, db).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serve = micro::serve(listener, app.into_service()).with_graceful_shutdown(async {
        stopped.await.ok();
    });
    let server = tokio::spawn(serve.into_future());
    let report = blog_suite::run(&base).await;
    stop.send(()).ok();
    server.await.unwrap().unwrap();
    println!("{}", report.summary());
    report.assert_passed();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("blog.db").display());
    run_suite(Db::connect(&url).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_on_postgres() {
    let Some(server) = std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        println!("NOT TESTED: blog-micro on PostgreSQL (set TEST_POSTGRES_URL)");
        return;
    };
    // A database of its own, made through the server's URL and dropped after.
    let name = format!(
        "blog_micro_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros()
    );
    let mut admin = PgConnection::connect(&server).await.unwrap();
    let create = AssertSqlSafe(format!("CREATE DATABASE {name}"));
    sqlx::query(create).execute(&mut admin).await.unwrap();
    let (base, query) = server
        .split_once('?')
        .map_or((server.as_str(), ""), |(b, q)| (b, q));
    let (root, _) = base.rsplit_once('/').unwrap();
    let url = if query.is_empty() {
        format!("{root}/{name}")
    } else {
        format!("{root}/{name}?{query}")
    };
    let result =
        tokio::spawn(async move { run_suite(Db::connect(&url).await.unwrap()).await }).await;
    let drop = AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)"));
    sqlx::query(drop).execute(&mut admin).await.unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic.into_panic());
    }
}
