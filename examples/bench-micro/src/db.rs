//! The database: one enum over sqlx's SQLite and PostgreSQL pools (sqlx's `Any` driver would add
//! a dynamic layer to every row), the TFB tables created and filled when missing, and the queries
//! the endpoints run.
//!
//! Table names are unquoted, as in TFB, so PostgreSQL folds them to lower case (`world`,
//! `fortune`, column `randomnumber`) and SQLite matches them case-insensitively.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection as _, Executor};

/// The database used when neither `DATABASE_URL` nor `DB_PATH` is set: `bench.db` in the working
/// directory, created if missing.
pub(crate) const DEFAULT_URL: &str = "sqlite://bench.db?mode=rwc";

/// Rows in the `World` table; ids and random numbers are both in `1..=WORLD_ROWS`.
const WORLD_ROWS: i32 = 10_000;

/// The 12 standard TFB fortunes, verbatim from TFB's `create-postgres.sql` (and the harness's
/// `make_db.py`).
const FORTUNES: [(i32, &str); 12] = [
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

const SQLITE_SELECT_WORLD: &str = "SELECT id, randomNumber FROM World WHERE id = ?";
const SQLITE_UPDATE_WORLD: &str = "UPDATE World SET randomNumber = ? WHERE id = ?";
const PG_SELECT_WORLD: &str = "SELECT id, randomNumber FROM World WHERE id = $1";
/// All the writes of one `/updates` request in one statement. Ids are sorted so that concurrent
/// requests lock rows in the same order (PostgreSQL could otherwise find deadlocks).
const PG_UPDATE_WORLDS: &str = "UPDATE world SET randomnumber = v.r \
     FROM (SELECT unnest($1::int4[]) AS i, unnest($2::int4[]) AS r) AS v \
     WHERE world.id = v.i";
const SELECT_FORTUNES: &str = "SELECT id, message FROM Fortune";

/// A row of the `World` table, serialised as `{"id":..,"randomNumber":..}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct World {
    /// The row id, `1..=10000`.
    pub(crate) id: i32,
    /// A number in `1..=10000`.
    #[serde(rename = "randomNumber")]
    pub(crate) random_number: i32,
}

/// A row of the `Fortune` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Fortune {
    /// The row id (0 for the one added at request time).
    pub(crate) id: i32,
    /// The fortune's text, unescaped.
    pub(crate) message: String,
}

/// A random `World` id, which is also a valid random number.
pub(crate) fn random_id() -> i32 {
    fastrand::i32(1..=WORLD_ROWS)
}

/// Where the database is.
#[derive(Debug, Clone)]
pub(crate) enum DbConfig {
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
    /// A SQLite file.
    Sqlite(Box<SqliteConnectOptions>),
}

impl DbConfig {
    /// `DATABASE_URL` if set, else the SQLite file `DB_PATH`, else [`DEFAULT_URL`].
    pub(crate) fn from_env() -> Result<Self, sqlx::Error> {
        if let Some(url) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            return Self::from_url(&url);
        }
        if let Some(path) = std::env::var_os("DB_PATH").filter(|p| !p.is_empty()) {
            return Ok(Self::sqlite_file(path));
        }
        Self::from_url(DEFAULT_URL)
    }

    /// A sqlx database URL: PostgreSQL for `postgres://` and `postgresql://`, SQLite otherwise.
    pub(crate) fn from_url(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbConfig::Postgres(url.to_owned()))
        } else {
            Ok(DbConfig::Sqlite(Box::new(SqliteConnectOptions::from_str(
                url,
            )?)))
        }
    }

    /// A SQLite file at `path`.
    pub(crate) fn sqlite_file(path: impl AsRef<Path>) -> Self {
        DbConfig::Sqlite(Box::new(SqliteConnectOptions::new().filename(path)))
    }
}

/// A connection pool to either database; cloning it is cheap (the pools are shared handles).
#[derive(Debug, Clone)]
pub(crate) enum Db {
    /// SQLite: every sqlx SQLite connection runs on its own thread.
    Sqlite(SqlitePool),
    /// PostgreSQL: sqlx prepares and caches each statement per connection.
    Pg(PgPool),
}

impl Db {
    /// Opens a pool of `pool_size` connections, creating and filling the tables if they are
    /// missing. SQLite connections use `busy_timeout` 5 s and `synchronous = NORMAL`; a SQLite
    /// database whose tables this creates is switched to WAL.
    pub(crate) async fn connect(config: DbConfig, pool_size: u32) -> Result<Db, sqlx::Error> {
        match config {
            DbConfig::Sqlite(options) => {
                let options = (*options)
                    .create_if_missing(true)
                    .busy_timeout(Duration::from_secs(5))
                    .synchronous(SqliteSynchronous::Normal);
                let mut conn = SqliteConnection::connect_with(&options).await?;
                init_sqlite(&mut conn).await?;
                conn.close().await?;
                let pool = SqlitePoolOptions::new()
                    .max_connections(pool_size)
                    .min_connections(pool_size)
                    .connect_with(options)
                    .await?;
                Ok(Db::Sqlite(pool))
            }
            DbConfig::Postgres(url) => {
                let pool = PgPoolOptions::new()
                    .max_connections(pool_size)
                    .min_connections(pool_size)
                    .connect(&url)
                    .await?;
                init_pg(&pool).await?;
                Ok(Db::Pg(pool))
            }
        }
    }

    /// One random `World` row.
    pub(crate) async fn random_world(&self) -> Result<World, sqlx::Error> {
        match self {
            Db::Sqlite(pool) => sqlite_world(pool).await,
            Db::Pg(pool) => pg_world(pool).await,
        }
    }

    /// `n` random `World` rows, one `SELECT` each, on one connection.
    pub(crate) async fn random_worlds(&self, n: usize) -> Result<Vec<World>, sqlx::Error> {
        let mut worlds = Vec::with_capacity(n);
        match self {
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                for _ in 0..n {
                    worlds.push(sqlite_world(&mut *conn).await?);
                }
            }
            Db::Pg(pool) => {
                let mut conn = pool.acquire().await?;
                for _ in 0..n {
                    worlds.push(pg_world(&mut *conn).await?);
                }
            }
        }
        Ok(worlds)
    }

    /// `n` random `World` rows, one `SELECT` each, each given a new random number that is
    /// written back: in one `BEGIN IMMEDIATE` transaction of `UPDATE`s with SQLite, in one
    /// `UPDATE ... FROM unnest(..)` statement with PostgreSQL. Returns the rows as written.
    pub(crate) async fn update_random_worlds(&self, n: usize) -> Result<Vec<World>, sqlx::Error> {
        let mut worlds = Vec::with_capacity(n);
        match self {
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                for _ in 0..n {
                    worlds.push(sqlite_world(&mut *conn).await?);
                }
                randomize(&mut worlds);
                // Take SQLite's single write lock up front rather than upgrading a read lock.
                let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
                for world in &worlds {
                    sqlx::query(SQLITE_UPDATE_WORLD)
                        .bind(world.random_number)
                        .bind(world.id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            }
            Db::Pg(pool) => {
                let mut conn = pool.acquire().await?;
                for _ in 0..n {
                    worlds.push(pg_world(&mut *conn).await?);
                }
                randomize(&mut worlds);
                let mut pairs: Vec<(i32, i32)> =
                    worlds.iter().map(|w| (w.id, w.random_number)).collect();
                pairs.sort_unstable();
                let (ids, numbers): (Vec<i32>, Vec<i32>) = pairs.into_iter().unzip();
                sqlx::query(PG_UPDATE_WORLDS)
                    .bind(ids)
                    .bind(numbers)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(worlds)
    }

    /// Every `Fortune` row, in no particular order.
    pub(crate) async fn fortunes(&self) -> Result<Vec<Fortune>, sqlx::Error> {
        let rows: Vec<(i32, String)> = match self {
            Db::Sqlite(pool) => sqlx::query_as(SELECT_FORTUNES).fetch_all(pool).await?,
            Db::Pg(pool) => sqlx::query_as(SELECT_FORTUNES).fetch_all(pool).await?,
        };
        Ok(rows
            .into_iter()
            .map(|(id, message)| Fortune { id, message })
            .collect())
    }
}

/// Reads the SQLite `World` row with a random id.
async fn sqlite_world<'c, E>(executor: E) -> Result<World, sqlx::Error>
where
    E: Executor<'c, Database = sqlx::Sqlite>,
{
    let (id, random_number) = sqlx::query_as(SQLITE_SELECT_WORLD)
        .bind(random_id())
        .fetch_one(executor)
        .await?;
    Ok(World { id, random_number })
}

/// Reads the PostgreSQL `World` row with a random id.
async fn pg_world<'c, E>(executor: E) -> Result<World, sqlx::Error>
where
    E: Executor<'c, Database = sqlx::Postgres>,
{
    let (id, random_number) = sqlx::query_as(PG_SELECT_WORLD)
        .bind(random_id())
        .fetch_one(executor)
        .await?;
    Ok(World { id, random_number })
}

/// Gives every row a new random number.
fn randomize(worlds: &mut [World]) {
    for world in worlds {
        world.random_number = random_id();
    }
}

/// `WORLD_ROWS` random numbers, as the JSON array SQLite's `json_each` reads.
fn random_numbers() -> Vec<i32> {
    (0..WORLD_ROWS).map(|_| random_id()).collect()
}

/// Creates and fills the tables in a SQLite database that lacks them (and switches it to WAL).
async fn init_sqlite(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master \
         WHERE type = 'table' AND lower(name) IN ('world', 'fortune')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if tables == 2 {
        return Ok(());
    }
    // A persistent property of the file: readers never wait for the single writer.
    conn.execute("PRAGMA journal_mode = WAL").await?;
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    tx.execute(
        "CREATE TABLE IF NOT EXISTS World \
         (id INTEGER PRIMARY KEY, randomNumber INTEGER NOT NULL DEFAULT 0)",
    )
    .await?;
    tx.execute(
        "CREATE TABLE IF NOT EXISTS Fortune (id INTEGER PRIMARY KEY, message TEXT NOT NULL)",
    )
    .await?;
    let worlds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM World")
        .fetch_one(&mut *tx)
        .await?;
    if worlds == 0 {
        // One statement for the 10,000 rows: row `key` of the JSON array gets id `key + 1`.
        let numbers = serde_json::to_string(&random_numbers())
            .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query("INSERT INTO World (id, randomNumber) SELECT key + 1, value FROM json_each(?)")
            .bind(numbers)
            .execute(&mut *tx)
            .await?;
    }
    let fortunes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM Fortune")
        .fetch_one(&mut *tx)
        .await?;
    if fortunes == 0 {
        for (id, message) in FORTUNES {
            sqlx::query("INSERT INTO Fortune (id, message) VALUES (?, ?)")
                .bind(id)
                .bind(message)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}

/// Creates and fills the tables in a PostgreSQL database that lacks them.
async fn init_pg(pool: &PgPool) -> Result<(), sqlx::Error> {
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_name IN ('world', 'fortune')",
    )
    .fetch_one(pool)
    .await?;
    if tables == 2 {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    tx.execute(
        "CREATE TABLE IF NOT EXISTS World \
         (id integer NOT NULL PRIMARY KEY, randomNumber integer NOT NULL DEFAULT 0)",
    )
    .await?;
    tx.execute(
        "CREATE TABLE IF NOT EXISTS Fortune \
         (id integer NOT NULL PRIMARY KEY, message varchar(2048) NOT NULL)",
    )
    .await?;
    let worlds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM World")
        .fetch_one(&mut *tx)
        .await?;
    if worlds == 0 {
        let ids: Vec<i32> = (1..=WORLD_ROWS).collect();
        sqlx::query(
            "INSERT INTO World (id, randomNumber) SELECT * FROM unnest($1::int4[], $2::int4[])",
        )
        .bind(ids)
        .bind(random_numbers())
        .execute(&mut *tx)
        .await?;
    }
    let fortunes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM Fortune")
        .fetch_one(&mut *tx)
        .await?;
    if fortunes == 0 {
        for (id, message) in FORTUNES {
            sqlx::query("INSERT INTO Fortune (id, message) VALUES ($1, $2)")
                .bind(id)
                .bind(message)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}
