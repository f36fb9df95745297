//! fullstack's database layer on every backend: types round-trip, NULLs, transactions,
//! savepoints, and query counting.

mod backends;

use backends::{TestDb, on_every_backend};
use chrono::{NaiveDate, TimeZone, Utc};
use fullstack::{Backend, ColumnType, Value, capture_queries};

/// DDL for a table with one column of each type, per backend.
fn create_table(t: &TestDb, table: &str) -> String {
    let (id, text, dt, uuid, json, boolean) = match t.db.backend() {
        Backend::Sqlite => (
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "TEXT",
            "TEXT",
            "TEXT",
            "TEXT",
            "BOOLEAN",
        ),
        Backend::Postgres => (
            "BIGSERIAL PRIMARY KEY",
            "TEXT",
            "TIMESTAMPTZ",
            "UUID",
            "JSONB",
            "BOOLEAN",
        ),
        Backend::MySql => (
            "BIGINT AUTO_INCREMENT PRIMARY KEY",
            "TEXT",
            "DATETIME(6)",
            "CHAR(36)",
            "JSON",
            "BOOLEAN",
        ),
    };
    let q = |s: &str| t.db.backend().quote(s);
    format!(
        "CREATE TABLE {} ({} {id}, {} {boolean}, {} INTEGER, {} BIGINT, {} DOUBLE PRECISION, {} {text}, {} {dt}, {} DATE, {} {uuid}, {} {json})",
        q(table),
        q("id"),
        q("b"),
        q("i"),
        q("bi"),
        q("f"),
        q("s"),
        q("dt"),
        q("d"),
        q("u"),
        q("j"),
    )
}

fn placeholders(t: &TestDb, n: usize) -> String {
    (1..=n)
        .map(|i| {
            let mut p = String::new();
            t.db.backend().placeholder_into(&mut p, i);
            p
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[tokio::test]
async fn every_type_round_trips_with_nulls() {
    on_every_backend("types", |t| async move {
        let table = t.table("types");
        t.db.execute(&create_table(&t, &table), vec![])
            .await
            .unwrap();
        let q = |s: &str| t.db.backend().quote(s);
        let insert = format!(
            "INSERT INTO {} ({}, {}, {}, {}, {}, {}, {}, {}, {}) VALUES ({})",
            q(&table),
            q("b"),
            q("i"),
            q("bi"),
            q("f"),
            q("s"),
            q("dt"),
            q("d"),
            q("u"),
            q("j"),
            placeholders(&t, 9)
        );
        let moment = Utc.with_ymd_and_hms(2024, 2, 29, 12, 30, 45).unwrap();
        let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let id = uuid::Uuid::new_v4();
        let json = serde_json::json!({"a": [1, 2], "b": "x'\"y"});
        let row = vec![
            Value::Bool(true),
            Value::Int(-7),
            Value::BigInt(9_000_000_000),
            Value::Float(2.5),
            Value::Text("héllo 'quoted' \"text\"; DROP TABLE x".into()),
            Value::DateTime(moment),
            Value::Date(date),
            Value::Uuid(id),
            Value::Json(json.clone()),
        ];
        assert_eq!(t.db.execute(&insert, row).await.unwrap(), 1);
        let nulls = [
            ColumnType::Bool,
            ColumnType::Int,
            ColumnType::BigInt,
            ColumnType::Float,
            ColumnType::Text,
            ColumnType::DateTime,
            ColumnType::Date,
            ColumnType::Uuid,
            ColumnType::Json,
        ]
        .map(Value::Null)
        .to_vec();
        assert_eq!(t.db.execute(&insert, nulls).await.unwrap(), 1);

        let select = format!(
            "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {} FROM {} ORDER BY {}",
            q("b"),
            q("i"),
            q("bi"),
            q("f"),
            q("s"),
            q("dt"),
            q("d"),
            q("u"),
            q("j"),
            q(&table),
            q("id")
        );
        let rows = t.db.fetch_all(&select, vec![]).await.unwrap();
        assert_eq!(rows.len(), 2, "{}", t.name);
        let r = &rows[0];
        assert!(r.get::<bool>(0).unwrap());
        assert_eq!(r.get::<i32>(1).unwrap(), -7);
        assert_eq!(r.get::<i64>(2).unwrap(), 9_000_000_000);
        assert_eq!(r.get::<f64>(3).unwrap(), 2.5);
        assert_eq!(
            r.get::<String>(4).unwrap(),
            "héllo 'quoted' \"text\"; DROP TABLE x"
        );
        assert_eq!(
            r.get::<chrono::DateTime<Utc>>(5).unwrap(),
            moment,
            "{}",
            t.name
        );
        assert_eq!(r.get::<NaiveDate>(6).unwrap(), date);
        assert_eq!(r.get::<uuid::Uuid>(7).unwrap(), id);
        assert_eq!(r.get::<serde_json::Value>(8).unwrap(), json);

        let r = &rows[1];
        assert_eq!(r.get::<Option<bool>>(0).unwrap(), None);
        assert_eq!(r.get::<Option<i32>>(1).unwrap(), None);
        assert_eq!(r.get::<Option<String>>(4).unwrap(), None);
        assert_eq!(r.get::<Option<chrono::DateTime<Utc>>>(5).unwrap(), None);
        assert_eq!(r.get::<Option<uuid::Uuid>>(7).unwrap(), None);
        assert_eq!(r.get::<Option<serde_json::Value>>(8).unwrap(), None);
        assert!(
            r.get::<i32>(1).is_err(),
            "NULL read as a non-Option is an error, not a panic"
        );

        t.db.execute(&format!("DROP TABLE {}", q(&table)), vec![])
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn transactions_commit_roll_back_and_nest() {
    on_every_backend("tx", |t| async move {
        let table = t.table("tx");
        let q = |s: &str| t.db.backend().quote(s);
        t.db.execute(
            &format!("CREATE TABLE {} ({} INTEGER)", q(&table), q("n")),
            vec![],
        )
        .await
        .unwrap();
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            q(&table),
            q("n"),
            placeholders(&t, 1)
        );
        let count = format!("SELECT COUNT(*) FROM {}", q(&table));
        let count_now = || async {
            t.db.fetch_all(&count, vec![]).await.unwrap()[0]
                .get::<i64>(0)
                .unwrap()
        };

        let mut tx = t.db.begin().await.unwrap();
        tx.execute(&insert, vec![Value::Int(1)]).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(count_now().await, 0, "{}", t.name);

        let mut tx = t.db.begin().await.unwrap();
        tx.execute(&insert, vec![Value::Int(1)]).await.unwrap();
        drop(tx); // dropped without commit: rolled back
        assert_eq!(count_now().await, 0, "{}", t.name);

        let mut tx = t.db.begin().await.unwrap();
        tx.execute(&insert, vec![Value::Int(1)]).await.unwrap();
        let mut sp = tx.savepoint().await.unwrap();
        sp.tx().execute(&insert, vec![Value::Int(2)]).await.unwrap();
        sp.rollback().await.unwrap();
        let mut sp = tx.savepoint().await.unwrap();
        sp.tx().execute(&insert, vec![Value::Int(3)]).await.unwrap();
        sp.commit().await.unwrap();
        tx.commit().await.unwrap();
        let rows =
            t.db.fetch_all(
                &format!("SELECT {} FROM {} ORDER BY {}", q("n"), q(&table), q("n")),
                vec![],
            )
            .await
            .unwrap();
        let ns: Vec<i32> = rows.iter().map(|r| r.get(0).unwrap()).collect();
        assert_eq!(ns, [1, 3], "{}", t.name);

        t.db.execute(&format!("DROP TABLE {}", q(&table)), vec![])
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn queries_are_counted() {
    on_every_backend("count", |t| async move {
        let (_, queries) = capture_queries(async {
            t.db.fetch_all("SELECT 1", vec![]).await.unwrap();
            t.db.fetch_optional("SELECT 2", vec![]).await.unwrap();
        })
        .await;
        assert_eq!(queries, ["SELECT 1", "SELECT 2"]);
    })
    .await;
}

#[tokio::test]
async fn a_bad_url_is_a_clear_error() {
    let err = fullstack::Database::connect("oracle://nope")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("sqlite://, postgres:// or mysql://"),
        "{err}"
    );
}

/// Two SQLite transactions that each read and then write: with a deferred `BEGIN` the second
/// writer cannot upgrade its read lock and fails at once ("database is locked", no waiting);
/// `BEGIN IMMEDIATE`, the default, makes it wait for the first to commit instead.
#[tokio::test]
async fn sqlite_transactions_that_read_then_write_wait_for_each_other() {
    let path = std::env::temp_dir().join(format!("fullstack-immediate-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = fullstack::Database::connect(&url).await.unwrap();
    db.execute("CREATE TABLE counter (n INTEGER NOT NULL)", vec![])
        .await
        .unwrap();
    db.execute("INSERT INTO counter (n) VALUES (0)", vec![])
        .await
        .unwrap();

    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let increment = |db: fullstack::Database, barrier: std::sync::Arc<tokio::sync::Barrier>| async move {
        // Both tasks try to begin at once; one of them waits for the other's commit.
        barrier.wait().await;
        let mut tx = db.begin().await?;
        let rows = tx.fetch_all("SELECT n FROM counter", vec![]).await?;
        let n: i32 = rows[0].get(0)?;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        tx.execute("UPDATE counter SET n = ?", vec![Value::Int(n + 1)])
            .await?;
        tx.commit().await?;
        Ok::<_, fullstack::Error>(())
    };
    let a = tokio::spawn(increment(db.clone(), barrier.clone()));
    let b = tokio::spawn(increment(db.clone(), barrier));
    a.await.unwrap().unwrap();
    b.await.unwrap().unwrap();
    let rows = db.fetch_all("SELECT n FROM counter", vec![]).await.unwrap();
    assert_eq!(rows[0].get::<i32>(0).unwrap(), 2, "no lost update");
    db.close().await;

    // The same with deferred transactions: the second writer is refused.
    let options = fullstack::PoolOptions {
        sqlite_immediate_transactions: false,
        ..fullstack::PoolOptions::default()
    };
    let db = fullstack::Database::connect_with(&url, options)
        .await
        .unwrap();
    let mut first = db.begin().await.unwrap();
    let mut second = db.begin().await.unwrap();
    first
        .fetch_all("SELECT n FROM counter", vec![])
        .await
        .unwrap();
    second
        .fetch_all("SELECT n FROM counter", vec![])
        .await
        .unwrap();
    first
        .execute("UPDATE counter SET n = 10", vec![])
        .await
        .unwrap();
    let err = second
        .execute("UPDATE counter SET n = 20", vec![])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("locked"), "{err}");
    drop(second);
    first.commit().await.unwrap();
    db.close().await;
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn decimals_times_and_naive_moments_round_trip_with_nulls() {
    on_every_backend("types_more", |t| async move {
        let table = t.table("types_more");
        let q = |s: &str| t.db.backend().quote(s);
        let (dec, time, naive) = match t.db.backend() {
            Backend::Sqlite => ("DECIMAL(20, 4)", "TEXT", "TEXT"),
            Backend::Postgres => ("NUMERIC(20, 4)", "TIME", "TIMESTAMP"),
            Backend::MySql => ("DECIMAL(20, 4)", "TIME(6)", "DATETIME(6)"),
        };
        t.db.execute(
            &format!(
                "CREATE TABLE {} ({} INTEGER, {} {dec}, {} {time}, {} {naive})",
                q(&table),
                q("n"),
                q("d"),
                q("t"),
                q("ts")
            ),
            vec![],
        )
        .await
        .unwrap();
        let insert = format!(
            "INSERT INTO {} ({}, {}, {}, {}) VALUES ({})",
            q(&table),
            q("n"),
            q("d"),
            q("t"),
            q("ts"),
            placeholders(&t, 4)
        );
        let decimal: fullstack::Decimal = "-1234567890.1234".parse().unwrap();
        let time = chrono::NaiveTime::from_hms_micro_opt(23, 59, 58, 654_321).unwrap();
        let naive = NaiveDate::from_ymd_opt(1999, 12, 31)
            .unwrap()
            .and_time(time);
        let values = vec![
            Value::Int(1),
            Value::Decimal(decimal),
            Value::Time(time),
            Value::NaiveDateTime(naive),
        ];
        assert_eq!(values[1].column_type(), ColumnType::Decimal);
        t.db.execute(&insert, values).await.unwrap();
        let nulls = vec![
            Value::Int(2),
            Value::Null(ColumnType::Decimal),
            Value::Null(ColumnType::Time),
            Value::Null(ColumnType::NaiveDateTime),
        ];
        t.db.execute(&insert, nulls).await.unwrap();

        let select = format!(
            "SELECT {}, {}, {} FROM {} ORDER BY {}",
            q("d"),
            q("t"),
            q("ts"),
            q(&table),
            q("n")
        );
        let rows = t.db.fetch_all(&select, vec![]).await.unwrap();
        assert_eq!(
            rows[0].get::<fullstack::Decimal>(0).unwrap(),
            decimal,
            "{}",
            t.name
        );
        assert_eq!(rows[0].get::<chrono::NaiveTime>(1).unwrap(), time);
        assert_eq!(rows[0].get::<chrono::NaiveDateTime>(2).unwrap(), naive);
        assert_eq!(rows[1].get::<Option<fullstack::Decimal>>(0).unwrap(), None);
        assert_eq!(rows[1].get::<Option<chrono::NaiveTime>>(1).unwrap(), None);
        assert_eq!(
            rows[1].get::<Option<chrono::NaiveDateTime>>(2).unwrap(),
            None
        );
        // A NULL is not read as zero where the type has no NULL.
        assert!(matches!(
            rows[1].get::<fullstack::Decimal>(0),
            Err(fullstack::Error::Decode(_))
        ));
        assert!(rows[1].get::<chrono::NaiveTime>(1).is_err());

        t.db.execute(&format!("DROP TABLE {}", q(&table)), vec![])
            .await
            .unwrap();
    })
    .await;
}
