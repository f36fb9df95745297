//! The shared behaviour suite (`examples/blog-suite`) against this blog served on a real
//! socket, on a fresh database seeded with the fixture: SQLite always, PostgreSQL and MariaDB
//! when `TEST_POSTGRES_URL` / `TEST_MYSQL_URL` name a server (else it says they were not
//! tested).

use fullstack::test::TestDatabase;

async fn passes_on(url: &str) {
    let project = blog_fullstack::project().unwrap();
    let db = TestDatabase::with_url(&project, url).await.unwrap();
    blog_fullstack::blog::load_fixture(&db, blog_suite::fixture())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = project.web_app(&db).unwrap();
    let server = tokio::spawn(std::future::IntoFuture::into_future(micro::serve(
        listener,
        app.into_service(),
    )));
    let report = blog_suite::run(&format!("http://{addr}")).await;
    server.abort();
    db.finish().await.unwrap();
    report.assert_passed();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_on_sqlite() {
    passes_on("sqlite::memory:").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_on_postgres_and_mariadb() {
    for (what, var) in [
        ("PostgreSQL", "TEST_POSTGRES_URL"),
        ("MariaDB", "TEST_MYSQL_URL"),
    ] {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => passes_on(&url).await,
            _ => println!("NOT TESTED: blog-fullstack on {what} (set {var})"),
        }
    }
}
