//! Every endpoint through `micro::TestClient` on a temporary SQLite file made by the app itself.

use bench_fullstack::{Fortune, World, parse_queries, prepare_database, project};
use fullstack::Database;
use fullstack::query::prelude::*;
use micro::TestClient;
use serde_json::Value;

/// The TFB reference page for the 12 standard fortunes plus the one added at request time,
/// made with Python's `html.escape` (as the harness does): no whitespace, no final newline.
const REFERENCE: &str = include_str!("fortunes_reference.html");

struct Setup {
    _dir: tempfile::TempDir,
    db: Database,
    client: TestClient,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let db = Database::connect(&url).await.expect("connect");
    prepare_database(&db).await.expect("prepare");
    let client = TestClient::new(project().web_app(&db).expect("web app"));
    Setup {
        _dir: dir,
        db,
        client,
    }
}

fn check_world(w: &Value) -> (i64, i64) {
    let obj = w.as_object().expect("a world is an object");
    assert_eq!(obj.len(), 2, "{w}");
    let id = obj["id"].as_i64().expect("id");
    let n = obj["randomNumber"].as_i64().expect("randomNumber");
    assert!((1..=10_000).contains(&id), "{w}");
    assert!((1..=10_000).contains(&n), "{w}");
    (id, n)
}

#[tokio::test]
async fn database_is_created_and_filled_once() {
    let s = setup().await;
    assert_eq!(World::objects().count(&s.db).await.unwrap(), 10_000);
    assert_eq!(Fortune::objects().count(&s.db).await.unwrap(), 12);
    // A second start leaves the existing rows alone.
    prepare_database(&s.db).await.unwrap();
    assert_eq!(World::objects().count(&s.db).await.unwrap(), 10_000);
    assert_eq!(Fortune::objects().count(&s.db).await.unwrap(), 12);
}

#[tokio::test]
async fn plaintext_and_json() {
    let s = setup().await;
    let res = s.client.get("/plaintext").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("content-type"), Some("text/plain"));
    assert_eq!(res.header("server"), Some("fullstack"));
    assert_eq!(res.text(), "Hello, World!");

    let res = s.client.get("/json").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.header("server"), Some("fullstack"));
    assert_eq!(res.text(), r#"{"message":"Hello, World!"}"#);
}

#[tokio::test]
async fn db_returns_the_stored_row() {
    let s = setup().await;
    for _ in 0..20 {
        let res = s.client.get("/db").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.header("content-type"), Some("application/json"));
        assert_eq!(res.header("server"), Some("fullstack"));
        let (id, n) = check_world(&res.json::<Value>());
        let stored = World::objects()
            .filter(World::ID.eq(i32::try_from(id).unwrap()))
            .get(&s.db)
            .await
            .unwrap();
        assert_eq!(i64::from(stored.randomnumber), n);
    }
}

#[test]
fn queries_parameter() {
    assert_eq!(parse_queries(None), 1);
    assert_eq!(parse_queries(Some("")), 1);
    assert_eq!(parse_queries(Some("queries=")), 1);
    assert_eq!(parse_queries(Some("queries=0")), 1);
    assert_eq!(parse_queries(Some("queries=-3")), 1);
    assert_eq!(parse_queries(Some("queries=foo")), 1);
    assert_eq!(parse_queries(Some("queries=2.5")), 1);
    assert_eq!(parse_queries(Some("queries=99999999999999999999999")), 1);
    assert_eq!(parse_queries(Some("queries=7")), 7);
    assert_eq!(parse_queries(Some("x=1&queries=20")), 20);
    assert_eq!(parse_queries(Some("queries=500")), 500);
    assert_eq!(parse_queries(Some("queries=501")), 500);
    assert_eq!(parse_queries(Some("queries=1000")), 500);
}

#[tokio::test]
async fn queries_endpoint_counts() {
    let s = setup().await;
    for (path, rows) in [
        ("/queries", 1),
        ("/queries?queries=", 1),
        ("/queries?queries=0", 1),
        ("/queries?queries=foo", 1),
        ("/queries?queries=20", 20),
        ("/queries?queries=1000", 500),
    ] {
        let res = s.client.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.header("content-type"), Some("application/json"));
        assert_eq!(res.header("server"), Some("fullstack"));
        let body: Value = res.json();
        let list = body.as_array().expect("an array");
        assert_eq!(list.len(), rows, "{path}");
        list.iter().for_each(|w| {
            check_world(w);
        });
    }
}

#[tokio::test]
async fn fortunes_match_the_reference_byte_for_byte() {
    let s = setup().await;
    let res = s.client.get("/fortunes").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(res.header("server"), Some("fullstack"));
    assert_eq!(res.text(), REFERENCE);
}

#[tokio::test]
async fn updates_write_the_new_numbers() {
    let s = setup().await;
    for (path, rows) in [
        ("/updates", 1),
        ("/updates?queries=foo", 1),
        ("/updates?queries=0", 1),
        ("/updates?queries=20", 20),
        ("/updates?queries=1000", 500),
    ] {
        let res = s.client.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.header("content-type"), Some("application/json"));
        let body: Value = res.json();
        let list = body.as_array().expect("an array");
        assert_eq!(list.len(), rows, "{path}");
        // With duplicate ids the last write wins: compare the last value given for each id.
        let mut last = std::collections::HashMap::new();
        for w in list {
            let (id, n) = check_world(w);
            last.insert(id, n);
        }
        for (id, n) in last {
            let stored = World::objects()
                .filter(World::ID.eq(i32::try_from(id).unwrap()))
                .get(&s.db)
                .await
                .unwrap();
            assert_eq!(i64::from(stored.randomnumber), n, "{path}: id {id}");
        }
    }
}

#[tokio::test]
async fn updates_really_change_rows() {
    // Random numbers can repeat: over 50 rows at least one must differ from before.
    let s = setup().await;
    let before: std::collections::HashMap<i32, i32> = World::objects()
        .all(&s.db)
        .await
        .unwrap()
        .into_iter()
        .map(|w| (w.id, w.randomnumber))
        .collect();
    let body: Value = s.client.get("/updates?queries=50").await.json();
    let changed = body
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| {
            let (id, n) = check_world(w);
            i64::from(before[&i32::try_from(id).unwrap()]) != n
        })
        .count();
    assert!(changed > 0);
}

#[tokio::test]
async fn unknown_paths_are_404() {
    let s = setup().await;
    assert_eq!(s.client.get("/nope").await.status(), 404);
}

#[tokio::test]
async fn statements_per_request() {
    let s = setup().await;
    let count = |path: &'static str| {
        let client = &s.client;
        async move {
            let (res, sql) = fullstack::capture_queries(client.get(path).into_future()).await;
            assert_eq!(res.status(), 200, "{path}");
            sql
        }
    };
    assert!(count("/plaintext").await.is_empty());
    assert!(count("/json").await.is_empty());
    let sql = count("/db").await;
    assert_eq!(sql.len(), 1, "{sql:?}");
    assert!(sql[0].starts_with("SELECT"), "{sql:?}");
    assert_eq!(count("/queries?queries=20").await.len(), 20);
    assert_eq!(count("/fortunes").await.len(), 1);
    // 5 SELECTs, then one UPDATE for the 5 rows (bulk_update).
    let sql = count("/updates?queries=5").await;
    assert_eq!(sql.len(), 6, "{sql:?}");
    assert!(sql[..5].iter().all(|q| q.starts_with("SELECT")), "{sql:?}");
    assert!(
        sql[5].starts_with("UPDATE") && sql[5].contains("CASE"),
        "{sql:?}"
    );
}
