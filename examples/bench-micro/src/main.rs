//! `bench-micro`: the [TechEmpower Framework Benchmarks] endpoints on `micro`, for the
//! side-by-side harness in `shared/bench` (see `docs/benchmarks.md`).
//!
//! | endpoint | response |
//! |---|---|
//! | `GET /plaintext` | `Hello, World!` (`text/plain`) |
//! | `GET /json` | `{"message":"Hello, World!"}` (`application/json`), serialised per request |
//! | `GET /db` | one random `World` row `{"id":..,"randomNumber":..}` |
//! | `GET /queries?queries=N` | `N` random rows, one `SELECT` each |
//! | `GET /updates?queries=N` | like `/queries`, each row written back with a new random number |
//! | `GET /fortunes` | every `Fortune` row plus one added at request time, sorted, as an HTML table |
//!
//! `N` is 1 when missing, empty, not a number or below 1, and 500 when above 500. Every response
//! carries `Server: micro`; hyper adds `Date` and `Content-Length`.
//!
//! Run it with `cargo run --release -p bench-micro` and try `curl 127.0.0.1:5000/json`.
//! Environment:
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `HOST`, `PORT` | where to listen | `127.0.0.1`, `5000` |
//! | `DATABASE_URL` | sqlx URL, `sqlite://PATH` or `postgres://...` | - |
//! | `DB_PATH` | SQLite file, when `DATABASE_URL` is unset | `bench.db`, created if missing |
//! | `DB_POOL_SIZE` | connections in the pool | 4 |
//! | `RUST_LOG` | log filter (`tracing-subscriber`) | `warn` |
//!
//! The `World` (10,000 rows) and `Fortune` (the 12 TFB fortunes) tables are created and filled at
//! start-up when missing. The server runs on a single-threaded tokio runtime: the benchmark pins
//! it to one core, where the multi-thread runtime would start one worker anyway; measured there,
//! the current-thread runtime was as fast on plaintext/json and 2-4 % cheaper on the database
//! endpoints. `cargo test -p bench-micro` runs every endpoint in memory on a temporary SQLite file.
//!
//! [TechEmpower Framework Benchmarks]: https://github.com/TechEmpower/FrameworkBenchmarks/wiki/Project-Information-Framework-Tests-Overview

mod db;
mod fortunes;

use std::convert::Infallible;
use std::process::ExitCode;

use micro::http::HeaderValue;
use micro::http::header::SERVER;
use micro::{App, Error, FromRequest, Html, Json, Request, State};
use serde::Serialize;

use crate::db::{Db, DbConfig, Fortune, World};
use crate::fortunes::Templates;

/// The `Server` header TFB asks for on every response.
const SERVER_NAME: HeaderValue = HeaderValue::from_static("micro");

/// The most rows `/queries` and `/updates` return.
const MAX_QUERIES: usize = 500;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("bench-micro: cannot start the tokio runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench-micro: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the database and serves the app on `HOST`:`PORT` until SIGINT or SIGTERM.
async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let pool_size = std::env::var("DB_POOL_SIZE")
        .ok()
        .and_then(|n| n.trim().parse::<u32>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(4);
    let config = DbConfig::from_env().map_err(|e| format!("invalid DATABASE_URL: {e}"))?;
    let db = Db::connect(config, pool_size)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    app(db).run().await?;
    Ok(())
}

/// The app: the six endpoints, with the database pool and the templates as state.
fn app(db: Db) -> App {
    let mut app = App::new();
    app.state(db).state(Templates::new());
    app.after_request(|_req, res| {
        res.headers_mut().insert(SERVER, SERVER_NAME);
    });
    app.get("/plaintext", plaintext)
        .get("/json", json)
        .get("/db", single_query)
        .get("/queries", queries)
        .get("/updates", updates)
        .get("/fortunes", fortunes);
    app
}

/// The body of `/json`.
#[derive(Serialize)]
struct Message {
    message: &'static str,
}

async fn plaintext() -> &'static str {
    "Hello, World!"
}

async fn json() -> Json<Message> {
    Json(Message {
        message: "Hello, World!",
    })
}

async fn single_query(State(db): State<Db>) -> Result<Json<World>, Error> {
    Ok(Json(db.random_world().await?))
}

async fn queries(State(db): State<Db>, Queries(n): Queries) -> Result<Json<Vec<World>>, Error> {
    Ok(Json(db.random_worlds(n).await?))
}

async fn updates(State(db): State<Db>, Queries(n): Queries) -> Result<Json<Vec<World>>, Error> {
    Ok(Json(db.update_random_worlds(n).await?))
}

async fn fortunes(
    State(db): State<Db>,
    State(templates): State<Templates>,
) -> Result<Html<String>, Error> {
    let mut fortunes = db.fortunes().await?;
    fortunes.push(Fortune {
        id: 0,
        message: "Additional fortune added at request time.".to_owned(),
    });
    fortunes.sort_unstable_by(|a, b| a.message.cmp(&b.message));
    Ok(Html(templates.render(&fortunes)?))
}

/// The `queries` parameter of `/queries` and `/updates`, as TFB defines it; never rejects.
struct Queries(usize);

impl FromRequest for Queries {
    type Rejection = Infallible;

    async fn from_request(req: &mut Request) -> Result<Self, Infallible> {
        Ok(Queries(parse_queries(req.query_string())))
    }
}

/// The number of rows asked for by the query string: missing, empty, not an integer or below 1
/// gives 1, above 500 gives 500.
fn parse_queries(query: Option<&str>) -> usize {
    let Some(value) = query
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("queries="))
    else {
        return 1;
    };
    match value.parse::<i64>() {
        Ok(n) => n.clamp(1, MAX_QUERIES as i64) as usize,
        // An integer too large for i64 is still above 500.
        Err(err) if *err.kind() == std::num::IntErrorKind::PosOverflow => MAX_QUERIES,
        Err(_) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use micro::TestClient;

    #[test]
    fn queries_parameter() {
        let cases: &[(Option<&str>, usize)] = &[
            (None, 1),
            (Some(""), 1),
            (Some("queries"), 1),
            (Some("queries="), 1),
            (Some("queries=abc"), 1),
            (Some("queries=1.5"), 1),
            (Some("queries=0"), 1),
            (Some("queries=-3"), 1),
            (Some("queries=1"), 1),
            (Some("queries=20"), 20),
            (Some("queries=+7"), 7),
            (Some("queries=500"), 500),
            (Some("queries=501"), 500),
            (Some("queries=1000"), 500),
            (Some("queries=99999999999999999999999"), 500),
            (Some("queries=-99999999999999999999999"), 1),
            (Some("a=1&queries=12&b=2"), 12),
            (Some("xqueries=12"), 1),
        ];
        for &(query, expected) in cases {
            assert_eq!(parse_queries(query), expected, "{query:?}");
        }
    }

    /// A SQLite file under the temp dir, removed (with its WAL files) when dropped.
    struct TempDb(std::path::PathBuf);

    impl TempDb {
        fn new() -> Self {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let name = format!("bench-micro-test-{}-{nanos}.db", std::process::id());
            TempDb(std::env::temp_dir().join(name))
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

    fn assert_headers(res: &micro::TestResponse, content_type: &str) {
        assert_eq!(res.status(), 200, "{}", res.text());
        assert_eq!(res.header("content-type"), Some(content_type));
        assert_eq!(res.header("server"), Some("micro"));
    }

    fn assert_worlds(worlds: &[serde_json::Value], n: usize) {
        assert_eq!(worlds.len(), n);
        for world in worlds {
            let object = world.as_object().expect("a JSON object");
            assert_eq!(object.len(), 2, "{world}");
            for key in ["id", "randomNumber"] {
                let value = object[key].as_i64().expect("an integer");
                assert!((1..=10_000).contains(&value), "{world}");
            }
        }
    }

    #[tokio::test]
    async fn every_endpoint_in_memory() {
        let file = TempDb::new();
        let db = Db::connect(DbConfig::sqlite_file(&file.0), 2)
            .await
            .expect("create the test database");
        let client = TestClient::new(app(db.clone()));

        let res = client.get("/plaintext").await;
        assert_headers(&res, "text/plain; charset=utf-8");
        assert_eq!(res.text(), "Hello, World!");

        let res = client.get("/json").await;
        assert_headers(&res, "application/json");
        assert_eq!(res.text(), r#"{"message":"Hello, World!"}"#);

        let res = client.get("/db").await;
        assert_headers(&res, "application/json");
        assert_worlds(&[res.json::<serde_json::Value>()], 1);

        for (uri, n) in [
            ("/queries", 1),
            ("/queries?queries=", 1),
            ("/queries?queries=abc", 1),
            ("/queries?queries=0", 1),
            ("/queries?queries=20", 20),
            ("/queries?queries=1000", 500),
            ("/updates?queries=foo", 1),
            ("/updates?queries=1000", 500),
        ] {
            let res = client.get(uri).await;
            assert_headers(&res, "application/json");
            assert_worlds(&res.json::<Vec<serde_json::Value>>(), n);
        }

        // /updates writes what it returns: compare with the rows before and after.
        let before: Vec<(i32, i32)> = match &db {
            Db::Sqlite(pool) => sqlx::query_as("SELECT id, randomNumber FROM World ORDER BY id")
                .fetch_all(pool)
                .await
                .unwrap(),
            Db::Pg(_) => unreachable!("the test uses SQLite"),
        };
        let res = client.get("/updates?queries=20").await;
        assert_headers(&res, "application/json");
        let returned = res.json::<Vec<serde_json::Value>>();
        assert_worlds(&returned, 20);
        let after: Vec<(i32, i32)> = match &db {
            Db::Sqlite(pool) => sqlx::query_as("SELECT id, randomNumber FROM World ORDER BY id")
                .fetch_all(pool)
                .await
                .unwrap(),
            Db::Pg(_) => unreachable!("the test uses SQLite"),
        };
        let mut changed = 0;
        for world in &returned {
            let id = world["id"].as_i64().unwrap() as usize;
            let stored = after[id - 1].1;
            // An id drawn twice gets two values, the last written wins: check membership.
            assert!(
                returned
                    .iter()
                    .any(|w| w["id"] == world["id"] && w["randomNumber"] == stored),
                "row {id} holds {stored}, not a value /updates returned"
            );
            changed += usize::from(before[id - 1].1 != stored);
        }
        assert!(changed > 0, "/updates changed no row");

        let res = client.get("/fortunes").await;
        assert_headers(&res, "text/html; charset=utf-8");
        let html = res.text();
        assert!(html.starts_with(
            "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>\
             <tr><th>id</th><th>message</th></tr><tr><td>11</td><td>&lt;script&gt;alert(&quot;"
        ));
        assert!(html.ends_with(
            "<tr><td>12</td><td>フレームワークのベンチマーク</td></tr></table></body></html>"
        ));
        assert!(
            html.contains("<tr><td>0</td><td>Additional fortune added at request time.</td></tr>")
        );
        assert!(html.contains("things that aren&#x27;t broken."));
        assert!(!html.contains("&#x2f;"), "`/` must not be escaped");
        assert_eq!(html.matches("<tr>").count(), 14);

        // Not found still gets the Server header, and no handler panics on odd input.
        let res = client.get("/nope").await;
        assert_eq!(res.status(), 404);
        assert_eq!(res.header("server"), Some("micro"));
    }
}
