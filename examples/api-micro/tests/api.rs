//! The api-micro service, driven in memory through `micro::TestClient`. Each test has its own
//! SQLite file under the system's temporary folder, removed when the test ends.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use api_micro::{Feed, Tokens};
use micro::{Secret, TestClient, TestResponse};
use serde_json::{Value, json};
use sqlx::SqlitePool;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

const TOKEN: &str = "test-token-0123456789abcdef";
const OTHER_TOKEN: &str = "second-token-fedcba9876543210";
const READINGS: &str = "/api/v1/readings";

/// A test's app, its database and its feed.
struct Api {
    client: TestClient,
    db: SqlitePool,
    feed: Feed,
    _file: TempDb,
}

/// A SQLite file with a unique name, deleted (with its WAL files) on drop.
struct TempDb(PathBuf);

impl TempDb {
    fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        TempDb(std::env::temp_dir().join(format!(
            "api-micro-test-{}-{}-{nanos}.db",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        )))
    }

    fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.display())
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

async fn api() -> Api {
    api_with_limit(2 * 1024 * 1024).await
}

async fn api_with_limit(body_limit: usize) -> Api {
    let file = TempDb::new();
    let db = api_micro::connect(&file.url())
        .await
        .expect("open the test database");
    let feed = Feed::default();
    let tokens = Tokens::new([Secret::new(TOKEN), Secret::new(OTHER_TOKEN)]);
    let client = TestClient::new(api_micro::app(db.clone(), feed.clone(), tokens, body_limit));
    Api {
        client,
        db,
        feed,
        _file: file,
    }
}

impl Api {
    async fn post(&self, body: &Value) -> TestResponse {
        self.client
            .post(READINGS)
            .header("authorization", format!("Bearer {TOKEN}"))
            .json(body)
            .await
    }

    /// Posts readings that must be accepted, and returns what was stored.
    async fn seed(&self, body: Value) -> Value {
        let res = self.post(&body).await;
        assert_eq!(res.status(), 201, "{}", res.text());
        res.json()
    }

    async fn get(&self, uri: &str) -> TestResponse {
        self.client.get(uri).await
    }
}

fn reading() -> Value {
    json!({"device_id": "greenhouse-1", "kind": "temperature", "value": 21.5, "unit": "C"})
}

fn reading_with(changes: Value) -> Value {
    let mut r = reading();
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            r.as_object_mut().unwrap().remove(key);
        } else {
            r[key] = value.clone();
        }
    }
    r
}

fn at(minutes_from_now: i64) -> String {
    (OffsetDateTime::now_utc() + Duration::minutes(minutes_from_now))
        .format(&Rfc3339)
        .unwrap()
}

/// The `field` of each entry of an error's `details`.
fn bad_fields(res: &TestResponse) -> Vec<String> {
    let body: Value = res.json();
    body["details"]
        .as_array()
        .unwrap_or_else(|| panic!("no details in {body}"))
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect()
}

fn assert_json_error(res: &TestResponse, status: u16) -> Value {
    assert_eq!(res.status(), status, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("application/json"));
    let body: Value = res.json();
    assert_eq!(body["status"], status);
    body
}

// --- auth ---------------------------------------------------------------------------------

#[tokio::test]
async fn posting_needs_a_valid_bearer_token() {
    let api = api().await;

    let res = api.client.post(READINGS).json(&reading()).await;
    assert_json_error(&res, 401);
    assert_eq!(
        res.header("www-authenticate"),
        Some(r#"Bearer realm="api-micro""#)
    );

    for header in [
        "Bearer wrong-token-0123456789abcdef".to_owned(),
        format!("Bearer {TOKEN}x"),
        format!("Bearer {}", &TOKEN[..TOKEN.len() - 1]),
        format!("Basic {TOKEN}"),
        format!("Bearer{TOKEN}"),
        "Bearer ".to_owned(),
    ] {
        let res = api
            .client
            .post(READINGS)
            .header("authorization", header.as_str())
            .json(&reading())
            .await;
        assert_json_error(&res, 401);
        let challenge = res.header("www-authenticate").unwrap();
        assert!(challenge.starts_with("Bearer "), "{challenge}");
        assert!(
            challenge.contains(r#"error="invalid_token""#),
            "{header}: {challenge}"
        );
    }
    assert_eq!(
        api.get(READINGS).await.json::<Value>()["total"],
        0,
        "nothing was stored"
    );

    for header in [format!("Bearer {TOKEN}"), format!("bearer  {OTHER_TOKEN} ")] {
        let res = api
            .client
            .post(READINGS)
            .header("authorization", header.as_str())
            .json(&reading())
            .await;
        assert_eq!(res.status(), 201, "{header}: {}", res.text());
    }
}

#[tokio::test]
async fn auth_is_checked_before_the_body() {
    let api = api().await;
    let res = api
        .client
        .post(READINGS)
        .header("content-type", "application/json")
        .body("{not json")
        .await;
    assert_json_error(&res, 401);
}

#[tokio::test]
async fn reads_are_public_and_deletes_are_not() {
    let api = api().await;
    let id = api.seed(reading()).await["id"].as_i64().unwrap();
    assert_eq!(api.get(&format!("{READINGS}/{id}")).await.status(), 200);
    assert_eq!(api.get(READINGS).await.status(), 200);

    let res = api.client.delete(&format!("{READINGS}/{id}")).await;
    assert_json_error(&res, 401);
    assert!(
        res.header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
    let res = api
        .client
        .delete(&format!("{READINGS}/{id}"))
        .header("authorization", "Bearer nope-nope-nope-nope-nope")
        .await;
    assert_json_error(&res, 401);
    assert_eq!(
        api.get(&format!("{READINGS}/{id}")).await.status(),
        200,
        "still there"
    );
}

// --- create ---------------------------------------------------------------------------------

#[tokio::test]
async fn creates_one_reading() {
    let api = api().await;
    let recorded = "2024-05-01T14:00:00.250+02:00";
    let res = api
        .post(&reading_with(
            json!({"recorded_at": recorded, "kind": "  temperature "}),
        ))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text());
    let body: Value = res.json();
    let id = body["id"].as_i64().unwrap();
    assert_eq!(
        res.header("location"),
        Some(format!("{READINGS}/{id}").as_str())
    );
    assert_eq!(body["device_id"], "greenhouse-1");
    assert_eq!(
        body["kind"], "temperature",
        "surrounding spaces are trimmed"
    );
    assert_eq!(body["value"], 21.5);
    assert_eq!(body["unit"], "C");
    assert_eq!(
        body["recorded_at"], "2024-05-01T12:00:00.25Z",
        "stored in UTC, to the ms"
    );
    let created = OffsetDateTime::parse(body["created_at"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!((OffsetDateTime::now_utc() - created).abs() < Duration::minutes(1));

    let fetched = api.get(res.header("location").unwrap()).await;
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.json::<Value>(), body);
}

#[tokio::test]
async fn recorded_at_defaults_to_now_and_allows_a_little_clock_skew() {
    let api = api().await;
    let body = api.seed(reading()).await;
    assert_eq!(body["recorded_at"], body["created_at"]);

    let body = api.seed(reading_with(json!({"recorded_at": at(4)}))).await;
    assert_ne!(body["recorded_at"], body["created_at"]);
    let body = api.seed(reading_with(json!({"recorded_at": null}))).await;
    assert_eq!(body["recorded_at"], body["created_at"]);
}

#[tokio::test]
async fn creates_a_batch() {
    let api = api().await;
    let body = api
        .seed(json!([
            reading(),
            reading_with(json!({"kind": "humidity", "value": 40, "unit": "%"})),
            reading_with(json!({"device_id": "greenhouse-2", "value": -3.25})),
        ]))
        .await;
    assert_eq!(body["count"], 3);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let ids: Vec<i64> = items.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert_eq!(items[1]["kind"], "humidity");
    assert_eq!(items[1]["value"], 40.0);
    assert_eq!(items[2]["device_id"], "greenhouse-2");
    assert_eq!(api.get(READINGS).await.json::<Value>()["total"], 3);

    let one = api.seed(json!([reading()])).await;
    assert_eq!(one["count"], 1, "a batch of one is still a batch");
}

#[tokio::test]
async fn a_batch_is_stored_all_or_nothing() {
    let api = api().await;
    let res = api
        .post(&json!([
            reading(),
            reading_with(json!({"unit": "furlongs"})),
            reading(),
            reading_with(json!({"value": "hot", "kind": ""})),
        ]))
        .await;
    assert_json_error(&res, 422);
    assert_eq!(bad_fields(&res), ["[1].unit", "[3].kind", "[3].value"]);
    assert_eq!(api.get(READINGS).await.json::<Value>()["total"], 0);
}

// --- validation ---------------------------------------------------------------------------

#[tokio::test]
async fn every_bad_field_is_listed_at_once() {
    let api = api().await;
    let res = api
        .post(&json!({
            "device_id": "green house/1",
            "kind": "k".repeat(33),
            "value": "hot",
            "unit": "furlongs",
            "recorded_at": "yesterday",
            "vaule": 1,
        }))
        .await;
    let body = assert_json_error(&res, 422);
    assert_eq!(body["error"], "Unprocessable Entity");
    assert_eq!(body["message"], "6 invalid fields; see `details`.");
    assert_eq!(
        bad_fields(&res),
        ["device_id", "kind", "value", "unit", "recorded_at", "vaule"]
    );
    for detail in body["details"].as_array().unwrap() {
        assert!(!detail["message"].as_str().unwrap().is_empty(), "{detail}");
    }

    let res = api.post(&json!({})).await;
    assert_json_error(&res, 422);
    assert_eq!(bad_fields(&res), ["device_id", "kind", "value", "unit"]);
}

#[tokio::test]
async fn each_validation_rule() {
    let api = api().await;
    let long_id = "d".repeat(65);
    // (change to a valid reading, the field reported, words its message contains)
    let cases = [
        (json!({"device_id": null}), "device_id", "required"),
        (json!({"device_id": ""}), "device_id", "1 to 64"),
        (json!({"device_id": long_id}), "device_id", "1 to 64"),
        (json!({"device_id": "a/b"}), "device_id", "letters, digits"),
        (json!({"device_id": "café"}), "device_id", "letters, digits"),
        (json!({"device_id": 7}), "device_id", "must be a string"),
        (json!({"kind": null}), "kind", "required"),
        (json!({"kind": ""}), "kind", "must not be empty"),
        (json!({"kind": "   "}), "kind", "must not be empty"),
        (json!({"kind": "k".repeat(33)}), "kind", "at most 32"),
        (json!({"kind": "é".repeat(33)}), "kind", "at most 32"),
        (json!({"kind": "temp\u{7}"}), "kind", "control"),
        (json!({"kind": ["t"]}), "kind", "must be a string"),
        (json!({"value": null}), "value", "required"),
        (json!({"value": "21.5"}), "value", "must be a number"),
        (json!({"value": true}), "value", "must be a number"),
        (json!({"unit": null}), "unit", "required"),
        (
            json!({"unit": "furlongs"}),
            "unit",
            "must be one of C, F, K",
        ),
        (json!({"unit": "c"}), "unit", "must be one of"),
        (
            json!({"recorded_at": "2024-05-01"}),
            "recorded_at",
            "RFC 3339",
        ),
        (
            json!({"recorded_at": "2024-05-01 12:00:00"}),
            "recorded_at",
            "RFC 3339",
        ),
        (
            json!({"recorded_at": 1714564800000_i64}),
            "recorded_at",
            "must be a string",
        ),
        (
            json!({"recorded_at": at(6)}),
            "recorded_at",
            "5 minutes in the future",
        ),
        (
            json!({"recorded_at": at(60 * 24)}),
            "recorded_at",
            "5 minutes in the future",
        ),
        (json!({"colour": "red"}), "colour", "not a field"),
    ];
    for (change, field, words) in cases {
        let res = api.post(&reading_with(change.clone())).await;
        let body = assert_json_error(&res, 422);
        assert_eq!(bad_fields(&res), [field], "{change}");
        let message = body["details"][0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{change}: {message}");
        assert!(body["message"].as_str().unwrap().contains(field), "{body}");
    }

    // The edges that are allowed.
    let ok = [
        json!({"device_id": "d".repeat(64)}),
        json!({"device_id": "Site-2_b.3:x"}),
        json!({"kind": "k".repeat(32)}),
        json!({"kind": "é".repeat(32)}),
        json!({"value": 0}),
        json!({"value": -1e300}),
        json!({"unit": "%"}),
        json!({"recorded_at": "1999-12-31T23:59:59Z"}),
    ];
    for change in ok {
        let res = api.post(&reading_with(change.clone())).await;
        assert_eq!(res.status(), 201, "{change}: {}", res.text());
    }
    assert_eq!(
        api.get(READINGS).await.json::<Value>()["total"],
        8,
        "only the valid ones"
    );
}

#[tokio::test]
async fn the_body_must_be_a_reading_or_a_batch_of_them() {
    let api = api().await;
    for (body, field) in [
        (json!(42), ""),
        (json!("reading"), ""),
        (json!(null), ""),
        (json!([]), ""),
        (json!([reading(), 7]), "[1]"),
    ] {
        let res = api.post(&body).await;
        assert_json_error(&res, 422);
        assert_eq!(bad_fields(&res), [field], "{body}");
    }
    let too_many: Vec<Value> = (0..501).map(|_| reading()).collect();
    let res = api.post(&json!(too_many)).await;
    let body = assert_json_error(&res, 422);
    assert!(
        body["message"].as_str().unwrap().contains("at most 500"),
        "{body}"
    );

    let just_enough: Vec<Value> = (0..500).map(|_| reading()).collect();
    assert_eq!(api.seed(json!(just_enough)).await["count"], 500);
}

#[tokio::test]
async fn malformed_json_is_400_and_never_500() {
    let api = api().await;
    for raw in ["{not json", "{\"value\": 1e999}", "[1, 2", "{} {}", ""] {
        let res = api
            .client
            .post(READINGS)
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/json")
            .body(raw)
            .await;
        let body = assert_json_error(&res, 400);
        assert!(
            body["message"].as_str().unwrap().contains("JSON"),
            "{raw}: {body}"
        );
    }
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let api = api().await;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = api
            .client
            .post(READINGS)
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(reading().to_string());
        if let Some(content_type) = content_type {
            req = req.header("content-type", content_type);
        }
        let res = req.await;
        assert_json_error(&res, 415);
    }
    let res = api
        .client
        .post(READINGS)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json; charset=utf-8")
        .body(reading().to_string())
        .await;
    assert_eq!(res.status(), 201, "{}", res.text());
}

#[tokio::test]
async fn oversized_body_is_413() {
    let small = api_with_limit(4096).await;
    let batch: Vec<Value> = (0..100).map(|_| reading()).collect();
    let res = small.post(&json!(batch)).await;
    let body = assert_json_error(&res, 413);
    assert!(body["message"].as_str().unwrap().contains("4096"), "{body}");
    assert_eq!(small.get(READINGS).await.json::<Value>()["total"], 0);

    // The default limit, 2 MiB, with a body one byte over it.
    let api = api().await;
    let mut huge = json!({"padding": ""}).to_string();
    huge.insert_str(12, &"x".repeat(2 * 1024 * 1024 + 1 - huge.len()));
    assert_eq!(huge.len(), 2 * 1024 * 1024 + 1);
    let res = api
        .client
        .post(READINGS)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json")
        .body(huge)
        .await;
    assert_json_error(&res, 413);
}

// --- list ---------------------------------------------------------------------------------

/// Six readings: two devices, two kinds, one hour apart from 2024-05-01T00:00Z.
async fn seed_history(api: &Api) {
    let rows = [
        ("gh-1", "temperature", 20.0, "C", "2024-05-01T00:00:00Z"),
        ("gh-1", "humidity", 40.0, "%", "2024-05-01T01:00:00Z"),
        ("gh-2", "temperature", 18.0, "C", "2024-05-01T02:00:00Z"),
        ("gh-1", "temperature", 22.0, "C", "2024-05-01T03:00:00Z"),
        ("gh-2", "humidity", 55.0, "%", "2024-05-01T04:00:00Z"),
        ("gh-1", "temperature", 24.0, "C", "2024-05-01T05:00:00Z"),
    ];
    let batch: Vec<Value> = rows
        .iter()
        .map(|(device, kind, value, unit, at)| {
            json!({"device_id": device, "kind": kind, "value": value, "unit": unit, "recorded_at": at})
        })
        .collect();
    api.seed(json!(batch)).await;
}

async fn list(api: &Api, query: Params<'_>) -> Value {
    let res = api.client.get(READINGS).query(query).await;
    assert_eq!(res.status(), 200, "{query:?}: {}", res.text());
    res.json()
}

/// Query parameters, as `TestRequest::query` takes them.
type Params<'a> = &'a [(&'a str, &'a str)];

fn times(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["recorded_at"].as_str().unwrap()[11..13].to_owned())
        .collect()
}

#[tokio::test]
async fn lists_newest_first_with_each_filter() {
    let api = api().await;
    seed_history(&api).await;

    let all = list(&api, &[]).await;
    assert_eq!(all["total"], 6);
    assert_eq!(times(&all), ["05", "04", "03", "02", "01", "00"]);
    assert_eq!(all["page"], 1);
    assert_eq!(all["per_page"], 20);
    assert_eq!(all["next"], Value::Null);
    assert_eq!(all["prev"], Value::Null);

    let by_device = list(&api, &[("device", "gh-2")]).await;
    assert_eq!(
        (by_device["total"].as_i64(), times(&by_device)),
        (Some(2), vec!["04".into(), "02".into()])
    );

    let by_kind = list(&api, &[("kind", "temperature")]).await;
    assert_eq!(times(&by_kind), ["05", "03", "02", "00"]);

    // `since` is inclusive, `until` exclusive; offsets are understood.
    let since = list(&api, &[("since", "2024-05-01T03:00:00Z")]).await;
    assert_eq!(times(&since), ["05", "04", "03"]);
    let until = list(&api, &[("until", "2024-05-01T03:00:00Z")]).await;
    assert_eq!(times(&until), ["02", "01", "00"]);
    let window = list(
        &api,
        &[
            ("since", "2024-05-01T03:00:00+02:00"),
            ("until", "2024-05-01T02:00:00Z"),
        ],
    )
    .await;
    assert_eq!(times(&window), ["01"]);

    let combined = list(
        &api,
        &[
            ("device", "gh-1"),
            ("kind", "temperature"),
            ("since", "2024-05-01T01:00:00Z"),
        ],
    )
    .await;
    assert_eq!(combined["total"], 2);
    assert_eq!(times(&combined), ["05", "03"]);

    let none = list(&api, &[("device", "nope")]).await;
    assert_eq!(
        (
            none["total"].as_i64(),
            none["items"].as_array().unwrap().len()
        ),
        (Some(0), 0)
    );

    let empty_means_absent = list(&api, &[("device", ""), ("kind", ""), ("page", "")]).await;
    assert_eq!(empty_means_absent["total"], 6);
}

#[tokio::test]
async fn paginates_with_links_built_by_url_for() {
    let api = api().await;
    let batch: Vec<Value> = (0..25)
        .map(|i| {
            reading_with(json!({"value": i, "recorded_at": format!("2024-05-01T00:{i:02}:00Z")}))
        })
        .collect();
    api.seed(json!(batch)).await;

    let first = list(&api, &[("per_page", "10")]).await;
    assert_eq!(first["total"], 25);
    assert_eq!(
        (first["page"].as_u64(), first["per_page"].as_u64()),
        (Some(1), Some(10))
    );
    assert_eq!(first["items"].as_array().unwrap().len(), 10);
    assert_eq!(first["items"][0]["value"], 24.0);
    assert_eq!(first["next"], "/api/v1/readings?page=2&per_page=10");
    assert_eq!(first["prev"], Value::Null);

    let second: Value = api.get(first["next"].as_str().unwrap()).await.json();
    assert_eq!(second["page"], 2);
    assert_eq!(second["items"][0]["value"], 14.0);
    assert_eq!(second["prev"], "/api/v1/readings?page=1&per_page=10");
    let third: Value = api.get(second["next"].as_str().unwrap()).await.json();
    assert_eq!(third["items"].as_array().unwrap().len(), 5);
    assert_eq!(third["items"][4]["value"], 0.0);
    assert_eq!(third["next"], Value::Null);
    assert_eq!(third["prev"], "/api/v1/readings?page=2&per_page=10");

    let beyond = list(&api, &[("page", "9"), ("per_page", "10")]).await;
    assert_eq!(
        (beyond["items"].as_array().unwrap().len(), &beyond["next"]),
        (0, &Value::Null)
    );
    assert_eq!(beyond["prev"], "/api/v1/readings?page=8&per_page=10");

    // The filters travel with the links, and follow them to the same set.
    let filtered = list(
        &api,
        &[
            ("device", "greenhouse-1"),
            ("kind", "temperature"),
            ("since", "2024-05-01T00:05:00+00:00"),
            ("per_page", "7"),
        ],
    )
    .await;
    assert_eq!(filtered["total"], 20);
    let next = filtered["next"].as_str().unwrap();
    assert_eq!(
        next,
        "/api/v1/readings?device=greenhouse-1&kind=temperature&page=2&per_page=7&since=2024-05-01T00%3A05%3A00Z"
    );
    let next_page: Value = api.get(next).await.json();
    assert_eq!(next_page["total"], 20);
    assert_eq!(next_page["items"][0]["value"], 17.0);
}

#[tokio::test]
async fn per_page_is_capped() {
    let api = api().await;
    let batch: Vec<Value> = (0..120).map(|_| reading()).collect();
    api.seed(json!(batch)).await;

    let page = list(&api, &[("per_page", "1000")]).await;
    assert_eq!(page["per_page"], 100);
    assert_eq!(page["items"].as_array().unwrap().len(), 100);
    assert_eq!(page["next"], "/api/v1/readings?page=2&per_page=100");
    let default = list(&api, &[]).await;
    assert_eq!(default["items"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn bad_query_parameters_are_400_naming_each() {
    let api = api().await;
    let cases: [(Params, &[&str]); 9] = [
        (&[("page", "0")], &["page"]),
        (&[("page", "-1")], &["page"]),
        (&[("page", "1.5")], &["page"]),
        (&[("per_page", "abc")], &["per_page"]),
        (&[("per_page", "0")], &["per_page"]),
        (&[("page", "99999999999")], &["page"]),
        (&[("since", "yesterday")], &["since"]),
        (
            &[
                ("since", "2024-05-02T00:00:00Z"),
                ("until", "2024-05-01T00:00:00Z"),
            ],
            &["until"],
        ),
        (
            &[("page", "0"), ("per_page", "x"), ("until", "soon")],
            &["until", "page", "per_page"],
        ),
    ];
    for (query, fields) in cases {
        let res = api.client.get(READINGS).query(query).await;
        let body = assert_json_error(&res, 400);
        assert_eq!(bad_fields(&res), fields, "{query:?}");
        assert!(
            body["message"].as_str().unwrap().contains("query"),
            "{body}"
        );
    }
    // A `+` left unencoded arrives as a space; the message says how to write it.
    let res = api
        .get("/api/v1/readings?since=2024-05-01T00:00:00+02:00")
        .await;
    let body = assert_json_error(&res, 400);
    assert!(
        body["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("%2B"),
        "{body}"
    );
    // A repeated parameter is refused by micro's Query extractor, naming it.
    let res = api.get("/api/v1/readings?page=1&page=2").await;
    let body = assert_json_error(&res, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("duplicate field `page`"),
        "{body}"
    );
}

// --- get and delete -------------------------------------------------------------------------

#[tokio::test]
async fn get_and_delete_answer_404_as_json() {
    let api = api().await;
    let res = api.get("/api/v1/readings/12345").await;
    let body = assert_json_error(&res, 404);
    assert_eq!(body["message"], "There is no reading 12345.");

    let res = api
        .client
        .delete("/api/v1/readings/12345")
        .header("authorization", format!("Bearer {TOKEN}"))
        .await;
    assert_json_error(&res, 404);

    // Not an integer: the rule does not match.
    assert_json_error(&api.get("/api/v1/readings/abc").await, 404);
    assert_json_error(&api.get("/api/v1/nothing-here").await, 404);
    // Too large for an id: the `int` converter refuses it, so a 404 too, never a 500.
    assert_json_error(&api.get("/api/v1/readings/99999999999999999999").await, 404);
}

#[tokio::test]
async fn deletes_a_reading() {
    let api = api().await;
    let id = api.seed(reading()).await["id"].as_i64().unwrap();
    let uri = format!("{READINGS}/{id}");
    let res = api
        .client
        .delete(&uri)
        .header("authorization", format!("Bearer {TOKEN}"))
        .await;
    assert_eq!(res.status(), 204);
    assert!(res.bytes().is_empty());
    assert_json_error(&api.get(&uri).await, 404);
    let res = api
        .client
        .delete(&uri)
        .header("authorization", format!("Bearer {TOKEN}"))
        .await;
    assert_json_error(&res, 404);
}

#[tokio::test]
async fn other_methods_are_405_with_allow() {
    let api = api().await;
    let res = api.client.put("/api/v1/readings/1").json(&reading()).await;
    assert_json_error(&res, 405);
    assert_eq!(res.header("allow"), Some("DELETE, GET, HEAD, OPTIONS"));
}

// --- stats ----------------------------------------------------------------------------------

#[tokio::test]
async fn stats_are_exact_sql_aggregates() {
    let api = api().await;
    seed_history(&api).await;
    api.seed(reading_with(json!({"device_id": "gh-1", "kind": "temperature", "value": 30.5, "unit": "F", "recorded_at": "2024-05-01T06:00:00Z"})))
        .await;

    let res = api.get("/api/v1/devices/gh-1/stats").await;
    assert_eq!(res.status(), 200, "{}", res.text());
    let stats: Value = res.json();
    assert_eq!(stats["device_id"], "gh-1");
    assert_eq!(stats["count"], 5);
    assert_eq!(
        stats["kinds"],
        json!([
            {"kind": "humidity", "unit": "%", "count": 1, "min": 40.0, "max": 40.0, "avg": 40.0,
             "first_recorded_at": "2024-05-01T01:00:00Z", "last_recorded_at": "2024-05-01T01:00:00Z"},
            {"kind": "temperature", "unit": "C", "count": 3, "min": 20.0, "max": 24.0, "avg": 22.0,
             "first_recorded_at": "2024-05-01T00:00:00Z", "last_recorded_at": "2024-05-01T05:00:00Z"},
            {"kind": "temperature", "unit": "F", "count": 1, "min": 30.5, "max": 30.5, "avg": 30.5,
             "first_recorded_at": "2024-05-01T06:00:00Z", "last_recorded_at": "2024-05-01T06:00:00Z"},
        ])
    );
    let first_seen =
        OffsetDateTime::parse(stats["first_seen"].as_str().unwrap(), &Rfc3339).unwrap();
    let last_seen = OffsetDateTime::parse(stats["last_seen"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!(first_seen <= last_seen);

    let gh2: Value = api.get("/api/v1/devices/gh-2/stats").await.json();
    assert_eq!(gh2["count"], 2);
    assert_eq!(gh2["kinds"][1]["avg"], 18.0);
}

#[tokio::test]
async fn stats_of_unknown_and_emptied_devices() {
    let api = api().await;
    let res = api.get("/api/v1/devices/ghost/stats").await;
    let body = assert_json_error(&res, 404);
    assert!(
        body["message"].as_str().unwrap().contains("ghost"),
        "{body}"
    );

    // A device that posted keeps existing when its readings are deleted.
    let id = api.seed(reading()).await["id"].as_i64().unwrap();
    let res = api
        .client
        .delete(&format!("{READINGS}/{id}"))
        .header("authorization", format!("Bearer {TOKEN}"))
        .await;
    assert_eq!(res.status(), 204);
    let stats: Value = api.get("/api/v1/devices/greenhouse-1/stats").await.json();
    assert_eq!(
        (stats["count"].as_i64(), &stats["kinds"]),
        (Some(0), &json!([]))
    );
}

// --- feed -----------------------------------------------------------------------------------

#[tokio::test]
async fn posting_publishes_on_the_feed() {
    let api = api().await;
    let mut feed = api.feed.subscribe();
    assert_eq!(api.feed.subscribers(), 1);

    let created = api.seed(reading()).await;
    let published = feed.try_recv().expect("one reading published");
    assert_eq!(serde_json::to_value(&published).unwrap(), created);

    let batch = api
        .seed(json!([
            reading_with(json!({"value": 1})),
            reading_with(json!({"value": 2}))
        ]))
        .await;
    for expected in batch["items"].as_array().unwrap() {
        let published = feed
            .try_recv()
            .expect("each reading of the batch published");
        assert_eq!(&serde_json::to_value(&published).unwrap(), expected);
    }

    // Refused posts publish nothing.
    assert_eq!(
        api.post(&reading_with(json!({"unit": "?"}))).await.status(),
        422
    );
    assert_eq!(
        api.client.post(READINGS).json(&reading()).await.status(),
        401
    );
    assert!(matches!(
        feed.try_recv(),
        Err(tokio::sync::broadcast::error::TryRecvError::Empty)
    ));

    // A second subscriber sees what is published after it subscribed.
    let mut late = api.feed.subscribe();
    let created = api.seed(reading_with(json!({"value": 3}))).await;
    assert_eq!(late.try_recv().unwrap().id, created["id"].as_i64().unwrap());
    assert_eq!(feed.try_recv().unwrap().id, created["id"].as_i64().unwrap());
}

// --- health and the database ----------------------------------------------------------------

#[tokio::test]
async fn health_reports_the_database() {
    let api = api().await;
    let res = api.get("/api/v1/health").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>(), json!({"status": "ok"}));

    api.db.close().await;
    let res = api.get("/api/v1/health").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.json::<Value>(), json!({"status": "unavailable"}));
    // Database errors elsewhere are 500s that say nothing about the cause.
    let res = api.get(READINGS).await;
    let body = assert_json_error(&res, 500);
    assert!(
        !body["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("pool"),
        "{body}"
    );
}

#[tokio::test]
async fn the_schema_is_created_once_and_data_persists() {
    let file = TempDb::new();
    let db = api_micro::connect(&file.url()).await.unwrap();
    let tokens = Tokens::new([Secret::new(TOKEN)]);
    let client = TestClient::new(api_micro::app(
        db.clone(),
        Feed::default(),
        tokens.clone(),
        1 << 20,
    ));
    let res = client
        .post(READINGS)
        .header("authorization", format!("Bearer {TOKEN}"))
        .json(&reading())
        .await;
    assert_eq!(res.status(), 201);
    db.close().await;

    // Opening the same file again keeps the tables and their rows.
    let db = api_micro::connect(&file.url()).await.unwrap();
    let client = TestClient::new(api_micro::app(db, Feed::default(), tokens, 1 << 20));
    assert_eq!(client.get(READINGS).await.json::<Value>()["total"], 1);
}

/// Reads from `stream` until `needle` has arrived, failing after 5 s instead of hanging.
async fn read_until(stream: &mut tokio::net::TcpStream, seen: &mut String, needle: &str) {
    use tokio::io::AsyncReadExt;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !seen.contains(needle) {
        let mut buf = [0u8; 4096];
        let n = tokio::time::timeout_at(deadline, stream.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {needle:?}; got so far: {seen}"))
            .expect("read from the stream");
        assert!(n > 0, "the stream ended before {needle:?}; got: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}

#[tokio::test]
async fn new_readings_stream_as_server_sent_events_until_shutdown() {
    use tokio::io::AsyncWriteExt;

    let api = api().await;
    // The same database and feed, served on a real socket for the long-lived stream.
    let tokens = Tokens::new([Secret::new(TOKEN)]);
    let served = api_micro::app(api.db.clone(), api.feed.clone(), tokens, 1 << 20);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        micro::serve(listener, served.into_service())
            .shutdown_timeout(std::time::Duration::from_secs(60))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /api/v1/readings/stream?kind=temperature HTTP/1.1\r\nhost: test\r\n\r\n")
        .await
        .unwrap();
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "\r\n\r\n").await;
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
    assert!(seen.contains("content-type: text/event-stream"), "{seen}");
    assert_eq!(
        api.feed.subscribers(),
        1,
        "subscribed before the headers went out"
    );

    // Filtered out: another kind. Then one that matches.
    api.seed(reading_with(
        json!({"kind": "humidity", "unit": "%", "value": 40.0}),
    ))
    .await;
    let stored = api.seed(reading()).await;
    let id = stored["id"].as_i64().unwrap();
    read_until(&mut stream, &mut seen, "\n\n").await;
    let frame = &seen[seen.find("event:").expect("an event")..];
    let expected_start = format!("event: reading\nid: {id}\ndata: ");
    assert!(frame.starts_with(&expected_start), "{frame}");
    let data = frame[expected_start.len()..].lines().next().unwrap();
    assert_eq!(serde_json::from_str::<Value>(data).unwrap(), stored);
    assert!(
        !seen.contains("humidity"),
        "the kind filter applies: {seen}"
    );

    // Graceful shutdown ends the stream instead of waiting out the 60 s deadline.
    stop.send(()).unwrap();
    let finished = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
    assert!(
        finished.is_ok(),
        "serve did not return: the stream held the shutdown open"
    );
    finished.unwrap().unwrap().unwrap();
}
