//! The fullstack web app's statuses for the ORM's errors: a "does not exist" reaching a
//! handler's `?` is a 404 (Django's get_object_or_404 without the boilerplate), logged quietly;
//! a value that does not fit its field is a 422 naming the field; a database out of reach is a
//! 503 with `Retry-After`, within the pool's acquire timeout; only the other errors are 500s.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fullstack::query::prelude::*;
use fullstack::{Database, Decimal, Error, Model, PoolOptions, Project};
use micro::{Form, State, TestClient};

#[derive(Model, Debug, Clone)]
#[model(app = "shop", table = "shop_product")]
struct Product {
    id: i64,
    #[field(max_digits = 7, decimal_places = 2)]
    price: Decimal,
}

#[derive(serde::Deserialize)]
struct NewProduct {
    price: String,
}

fn project(custom_404: bool, debug: bool) -> Project {
    let mut project = Project::new("web-defaults").web(move |app| {
        app.get("/missing", || async {
            Err::<String, micro::Error>(Error::DoesNotExist { model: "Question" }.into())
        });
        app.get("/broken", |State(db): State<Database>| async move {
            db.execute("SELECT * FROM no_such_table", vec![]).await?;
            Ok::<_, micro::Error>("unreachable")
        });
        app.get("/count", |State(db): State<Database>| async move {
            let n = Product::objects().count(&db).await?;
            Ok::<_, micro::Error>(n.to_string())
        });
        app.post(
            "/products",
            |State(db): State<Database>, Form(new): Form<NewProduct>| async move {
                let price: Decimal = new
                    .price
                    .parse()
                    .map_err(|_| micro::Error::bad_request("price is not a number"))?;
                let mut product = Product { id: 0, price };
                product.save(&db).await?;
                Ok::<_, micro::Error>("saved")
            },
        );
        if custom_404 {
            app.error_handler(404, |_err, _req| "custom not found page");
        }
    });
    if debug {
        project = project.config(micro::Config::from_toml_str("DEBUG = true").unwrap());
    }
    project
}

async fn client(custom_404: bool) -> TestClient {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    db.execute(
        "CREATE TABLE shop_product (id INTEGER PRIMARY KEY AUTOINCREMENT, price DECIMAL(7, 2))",
        vec![],
    )
    .await
    .unwrap();
    TestClient::new(project(custom_404, false).web_app(&db).unwrap())
}

#[tokio::test]
async fn does_not_exist_is_a_404_with_the_model_named() {
    let res = client(false)
        .await
        .get("/missing")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json();
    assert_eq!(body["details"]["model"], "Question");
}

#[tokio::test]
async fn the_debug_404_page_names_the_model_and_the_production_one_does_not() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let debug = TestClient::new(project(false, true).web_app(&db).unwrap());
    let res = debug.get("/missing").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.text()
            .contains("Question matching the query does not exist"),
        "{}",
        res.text()
    );
    let production = TestClient::new(project(false, false).web_app(&db).unwrap());
    let res = production.get("/missing").await;
    assert_eq!(res.status(), 404);
    assert!(!res.text().contains("Question"), "{}", res.text());
}

#[tokio::test]
async fn the_apps_own_404_page_still_applies() {
    let res = client(true).await.get("/missing").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.text(), "custom not found page");
}

#[tokio::test]
async fn other_database_errors_stay_500_without_leaking_sql() {
    let res = client(false)
        .await
        .get("/broken")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), 500);
    assert!(!res.text().contains("no_such_table"), "{}", res.text());
}

#[tokio::test]
async fn a_decimal_too_large_for_its_field_is_a_422_naming_the_field() {
    let client = client(false).await;
    let res = client
        .post("/products")
        .with_csrf_token()
        .header("accept", "application/json")
        .form(&[("price", "123456.00")])
        .await;
    assert_eq!(res.status(), 422, "{}", res.text());
    let body: serde_json::Value = res.json();
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("Product.price"), "{message}");
    assert!(message.contains("6 digits before the point"), "{message}");
    assert_eq!(body["details"][0]["field"], "price");
    assert_eq!(body["details"][0]["model"], "Product");

    // The HTML page says it too, and nothing was written.
    let res = client
        .post("/products")
        .with_csrf_token()
        .form(&[("price", "1.005")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().contains("Product.price"), "{}", res.text());
    assert_eq!(client.get("/count").await.text(), "0");
    let res = client
        .post("/products")
        .with_csrf_token()
        .form(&[("price", "12.50")])
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(client.get("/count").await.text(), "1");
}

/// A local port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn an_unreachable_database_is_a_503_with_retry_after_within_the_acquire_timeout() {
    assert!(
        PoolOptions::default().acquire_timeout <= Duration::from_secs(5),
        "the default acquire timeout keeps requests waiting too long"
    );
    let url = format!("postgres://postgres@127.0.0.1:{}/test", closed_port());
    let options = PoolOptions {
        acquire_timeout: Duration::from_secs(1),
        ..PoolOptions::default()
    };
    let db = Database::connect_lazy(&url, options).unwrap();
    let client = TestClient::new(project(false, false).web_app(&db).unwrap());
    let started = Instant::now();
    let res = tokio::time::timeout(
        Duration::from_secs(10),
        client
            .get("/count")
            .header("accept", "application/json")
            .into_future(),
    )
    .await
    .expect("the request hung on an unreachable database");
    let waited = started.elapsed();
    assert_eq!(res.status(), 503, "{}", res.text());
    assert_eq!(res.headers()["retry-after"], "5");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "answered after {waited:?}, the acquire timeout being 1 s"
    );
    assert!(!res.text().contains("127.0.0.1"), "{}", res.text());
}

/// Log lines written on this thread from now on (the test client runs the app on the test's own
/// thread).
///
/// One global subscriber for the whole test binary, writing into the capturing thread's buffer:
/// a thread-local `set_default` would race with tests on other threads, which can cache a
/// callsite as disabled while no subscriber wants it (tracing's interest cache is global).
fn capture_logs() -> Arc<Mutex<Vec<u8>>> {
    thread_local! {
        static BUFFER: std::cell::RefCell<Option<Arc<Mutex<Vec<u8>>>>> = const { std::cell::RefCell::new(None) };
    }
    struct Sink;
    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            BUFFER.with(|b| {
                if let Some(logs) = &*b.borrow() {
                    logs.lock().unwrap().extend_from_slice(buf);
                }
            });
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(|| Sink)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
    });
    let logs = Arc::new(Mutex::new(Vec::new()));
    BUFFER.with(|b| *b.borrow_mut() = Some(logs.clone()));
    logs
}

#[tokio::test]
async fn a_404_from_does_not_exist_is_not_logged_as_an_error_and_a_500_is() {
    let client = client(false).await;
    let logs = capture_logs();
    assert_eq!(client.get("/missing").await.status(), 404);
    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(!text.contains("ERROR"), "{text}");
    assert!(text.contains("status=404"), "{text}");

    assert_eq!(client.get("/broken").await.status(), 500);
    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(text.contains("ERROR"), "{text}");
    assert!(
        text.contains("no_such_table"),
        "the cause is logged: {text}"
    );
}
