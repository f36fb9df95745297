//! The TechEmpower Framework Benchmarks endpoints written the full-stack way: `World` and
//! `Fortune` are ORM models, the routes belong to an app of a [`Project`], `/fortunes` is a micro
//! template, and the database is reached only through querysets and instances.
//!
//! | endpoint | statements per request (through the ORM) |
//! |---|---|
//! | `/plaintext`, `/json` | none |
//! | `/db` | 1 `SELECT` (`World::objects().filter(ID.eq(id)).get`) |
//! | `/queries?queries=N` | N `SELECT`s, one after another, on one connection held for the request |
//! | `/fortunes` | 1 `SELECT` (`Fortune::objects().unordered().all`) |
//! | `/updates?queries=N` | N `SELECT`s, then 1 `UPDATE` (`bulk_update`: `CASE id WHEN ? THEN ? ...`), on one held connection |
//!
//! The multi-statement endpoints hold one connection for the request
//! ([`Database::acquire`]), as axum's hand-written sqlx peer does and as Django does for
//! every request: through `&Database` each statement would borrow a connection from the pool
//! and give it back. Where the ORM still costs more than hand-written sqlx: every queryset
//! method writes its SQL text again (a `String` plus a `Vec<Value>` per statement; sqlx then
//! finds its cached prepared statement by that text), and the rows go through the ORM's `Row`
//! enum before `from_row`. (`get` on the primary key reads one row with no `LIMIT`.)

use fullstack::query::prelude::*;
use fullstack::{AppConfig, Database, Model, PooledConnection, Project};
use micro::http::header::{CONTENT_TYPE, SERVER};
use micro::http::{HeaderValue, Uri};
use micro::{Error, Html, IntoResponse, Json, State, Templates};
use serde::Serialize;

/// The `World` table made by the harness: `world(id integer primary key, randomnumber integer)`.
/// The key is not auto: the rows exist. The JSON key is `randomNumber`, as TFB wants.
#[derive(Model, Debug, Clone, Serialize)]
#[model(app = "bench", table = "world")]
pub struct World {
    /// The row's id, 1..=10000.
    #[field(primary_key)]
    pub id: i32,
    /// A number in 1..=10000. PostgreSQL folds the harness's unquoted `randomNumber` to lower
    /// case; SQLite compares identifiers without case, so `randomnumber` fits both.
    #[field(column = "randomnumber")]
    #[serde(rename = "randomNumber")]
    pub randomnumber: i32,
}

/// The `Fortune` table: `fortune(id integer primary key, message varchar(2048))`.
#[derive(Model, Debug, Clone, Serialize)]
#[model(app = "bench", table = "fortune")]
pub struct Fortune {
    /// The fortune's id (0 for the one added at request time).
    #[field(primary_key)]
    pub id: i32,
    /// The text, escaped by the template.
    pub message: String,
}

/// The twelve standard TFB fortunes, verbatim (`shared/bench/make_db.py`).
pub const FORTUNES: [(i32, &str); 12] = [
    (1, "fortune: No such file or directory"),
    (
        2,
        "A computer scientist is someone who fixes things that aren't broken.",
    ),
    (3, "After enough decimal places, nobody gives a damn."),
    (
        4,
        "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    ),
    (
        5,
        "A computer program does what you tell it to do, not what you want it to do.",
    ),
    (
        6,
        "Emacs is a nice operating system, but I prefer UNIX. \u{2014} Tom Christaensen",
    ),
    (7, "Any program that runs right is obsolete."),
    (
        8,
        "A list is only as strong as its weakest link. \u{2014} Donald Knuth",
    ),
    (9, "Feature: A bug with seniority."),
    (10, "Computers make very fast, very accurate mistakes."),
    (
        11,
        "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    ),
    (
        12,
        "\u{30d5}\u{30ec}\u{30fc}\u{30e0}\u{30ef}\u{30fc}\u{30af}\u{306e}\u{30d9}\u{30f3}\u{30c1}\u{30de}\u{30fc}\u{30af}",
    ),
];

/// Rows in `World`.
pub const WORLD_ROWS: i32 = 10_000;

const FORTUNES_TEMPLATE: &str = include_str!("../templates/fortunes.html");
const SERVER_NAME: HeaderValue = HeaderValue::from_static("fullstack");

/// The project: one app, `bench`, with the two models and the six routes, beside the sessions
/// app a new project has (lazy: no handler here touches the session, so it costs no query); the
/// web setup adds the embedded template and the `Server` header. Serve `project().web_app(&db)`.
pub fn project() -> Project {
    bare_project().app(fullstack::sessions::app())
}

/// [`project`] without the sessions app: with `FULLSTACK_MIDDLEWARE_*=false` it measures what
/// the default stack costs (see `docs/benchmarks.md`).
pub fn bare_project() -> Project {
    Project::new("bench-fullstack")
        .app(
            AppConfig::new("bench")
                .models(&[World::META, Fortune::META])
                .routes(|app| {
                    app.get("/plaintext", plaintext);
                    app.get("/json", json);
                    app.get("/db", db);
                    app.get("/queries", queries);
                    app.get("/fortunes", fortunes);
                    app.get("/updates", updates);
                }),
        )
        .web(|app| {
            if let Err(e) = app.add_template("fortunes.html", FORTUNES_TEMPLATE) {
                // Compiled in and tested: this cannot happen short of a broken build.
                eprintln!("bench-fullstack: fortunes.html: {e}");
            }
            app.after_request(|_req, res| {
                res.headers_mut().insert(SERVER, SERVER_NAME);
            });
        })
}

/// `queries`: missing, empty, 0 or not a number → 1; over 500 → 500.
pub fn parse_queries(query: Option<&str>) -> usize {
    let value = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("queries="));
    match value.and_then(|v| v.parse::<i64>().ok()) {
        Some(n) if n > 500 => 500,
        Some(n) if n >= 1 => usize::try_from(n).unwrap_or(1),
        _ => 1,
    }
}

fn random_id() -> i32 {
    fastrand::i32(1..=WORLD_ROWS)
}

/// One row by primary key: one `SELECT`. The queryset (its filter tree) is built per call and
/// its SQL written again by `get`; the ORM has no prepared/compiled queryset to reuse.
async fn world<E: Executor>(ex: E, id: i32) -> Result<World, Error> {
    World::objects()
        .filter(World::ID.eq(id))
        .get(ex)
        .await
        .map_err(Error::internal)
}

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

async fn plaintext() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("text/plain"))],
        "Hello, World!",
    )
}

async fn json() -> Json<Message> {
    Json(Message {
        message: "Hello, World!",
    })
}

async fn db(State(db): State<Database>) -> Result<Json<World>, Error> {
    Ok(Json(world(&db, random_id()).await?))
}

async fn read_worlds(conn: &mut PooledConnection, n: usize) -> Result<Vec<World>, Error> {
    let mut worlds = Vec::with_capacity(n);
    for _ in 0..n {
        worlds.push(world(&mut *conn, random_id()).await?);
    }
    Ok(worlds)
}

async fn queries(State(db): State<Database>, uri: Uri) -> Result<Json<Vec<World>>, Error> {
    let n = parse_queries(uri.query());
    let mut conn = db.acquire().await.map_err(Error::internal)?;
    Ok(Json(read_worlds(&mut conn, n).await?))
}

async fn fortunes(State(db): State<Database>, t: Templates) -> Result<Html<String>, Error> {
    let mut fortunes = Fortune::objects()
        .unordered()
        .all(&db)
        .await
        .map_err(Error::internal)?;
    fortunes.push(Fortune {
        id: 0,
        message: "Additional fortune added at request time.".to_owned(),
    });
    fortunes.sort_unstable_by(|a, b| a.message.cmp(&b.message));
    t.render(
        "fortunes.html",
        FortunesPage {
            fortunes: &fortunes,
        },
    )
}

#[derive(Serialize)]
struct FortunesPage<'a> {
    fortunes: &'a [Fortune],
}

async fn updates(State(db): State<Database>, uri: Uri) -> Result<Json<Vec<World>>, Error> {
    let n = parse_queries(uri.query());
    let mut conn = db.acquire().await.map_err(Error::internal)?;
    let mut worlds = read_worlds(&mut conn, n).await?;
    for w in &mut worlds {
        w.randomnumber = random_id();
    }
    // One statement, atomic on its own: no transaction needed. A repeated id gets the value
    // it has last in the response, as bulk_update writes the last of duplicates.
    World::objects()
        .bulk_update(&mut conn, &worlds, [World::RANDOMNUMBER.into()])
        .await
        .map_err(Error::internal)?;
    Ok(Json(worlds))
}

/// Creates `world` and `fortune` from the models when they are missing (the DDL the
/// migrations autodetector writes for them) and fills empty tables: 10,000 `World` rows and
/// the 12 fortunes, with `bulk_create`. The harness's tables are used as they are.
///
/// # Errors
/// The driver's error.
pub async fn prepare_database(db: &Database) -> Result<(), fullstack::Error> {
    use fullstack::migrations::{NonInteractive, ProjectState, diff};

    let world_missing = World::objects().exists(db).await.is_err();
    let fortune_missing = Fortune::objects().exists(db).await.is_err();
    if world_missing || fortune_missing {
        let mut state = ProjectState::default();
        let mut target = Vec::new();
        if world_missing {
            target.push(World::META);
        }
        if fortune_missing {
            target.push(Fortune::META);
        }
        let to = ProjectState::from_models(&target);
        for op in diff(&state.clone(), &to, &mut NonInteractive)? {
            for sql in op.forward_sql(db.backend(), &state)? {
                db.execute(&sql, Vec::new()).await?;
            }
            op.apply_state(&mut state)?;
        }
    }
    if !World::objects().exists(db).await? {
        let rows = (1..=WORLD_ROWS)
            .map(|id| World {
                id,
                randomnumber: random_id(),
            })
            .collect();
        World::objects().bulk_create(db, rows).await?;
    }
    if !Fortune::objects().exists(db).await? {
        let rows = FORTUNES
            .iter()
            .map(|&(id, message)| Fortune {
                id,
                message: message.to_owned(),
            })
            .collect();
        Fortune::objects().bulk_create(db, rows).await?;
    }
    Ok(())
}
