//! The database: one handle over SQLite, PostgreSQL or MySQL/MariaDB, chosen by URL.
//!
//! The ORM talks to sqlx's native driver of each backend (not sqlx's `Any` driver, which cannot
//! bind dates, UUIDs or JSON), through an enum: no boxing, no dynamic dispatch per query.

mod backend;
mod connection;
pub(crate) mod decimal;
mod row;
mod transaction;
mod value;

use std::str::FromStr;

pub use backend::Backend;
pub use connection::PooledConnection;
pub(crate) use row::is_null;
pub use row::{DbType, Row};
use transaction::TxInner;
pub use transaction::{Savepoint, Transaction};
pub use value::{ColumnType, Value};

use crate::Error;

/// A pool of connections to one database. Cheap to clone; share one per process.
///
/// ```no_run
/// # async fn demo() -> Result<(), fullstack::Error> {
/// let db = fullstack::Database::connect("sqlite://app.db?mode=rwc").await?;
/// db.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)", vec![]).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Database {
    pool: Pool,
    /// The statement that opens a transaction on SQLite.
    sqlite_begin: &'static str,
}

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
    MySql(sqlx::MySqlPool),
}

/// Pool and connection settings.
///
/// ```
/// let options = fullstack::PoolOptions {
///     max_connections: 4,
///     min_connections: 4,
///     ..fullstack::PoolOptions::default()
/// };
/// assert!(options.sqlite_immediate_transactions);
/// ```
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections open at once (default: 10, or 1 for an in-memory SQLite database).
    pub max_connections: u32,
    /// Connections kept open even when idle (default 0: opened on demand).
    pub min_connections: u32,
    /// How long a statement waits for a connection, a free one from the pool or a new one
    /// from a server that refuses or does not answer, before it fails with
    /// `sqlx::Error::PoolTimedOut` (default 5 s, where sqlx's is 30 s: a request that has
    /// waited that long is better answered with a 503 the client can retry, see
    /// [`Error::is_unavailable`], than kept hanging while more requests pile up behind it).
    /// [`Database::connect`] also gives up after it.
    pub acquire_timeout: std::time::Duration,
    /// Whether a connection is pinged each time it leaves the pool (default `false`, like
    /// Django's `CONN_HEALTH_CHECKS`): the ping is a round trip per statement through
    /// `&Database`. Without it, a connection the server dropped fails its next statement.
    pub test_before_acquire: bool,
    /// Whether SQLite transactions start with `BEGIN IMMEDIATE` (default `true`; Django's
    /// `"transaction_mode": "IMMEDIATE"`). SQLite has one writer: a deferred transaction that
    /// reads and then writes can fail with "database is locked" at once, without waiting, when
    /// another connection wrote in between; an immediate one takes the write lock up front and
    /// waits for it (up to the busy timeout). The cost: transactions, read-only ones too, run
    /// one at a time.
    pub sqlite_immediate_transactions: bool,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: std::time::Duration::from_secs(5),
            test_before_acquire: false,
            sqlite_immediate_transactions: true,
        }
    }
}

impl PoolOptions {
    /// sqlx's pool settings for any backend, with at most `max` connections.
    fn sqlx<DB: sqlx::Database>(&self, max: u32) -> sqlx::pool::PoolOptions<DB> {
        sqlx::pool::PoolOptions::new()
            .max_connections(max)
            .min_connections(self.min_connections.min(max))
            .acquire_timeout(self.acquire_timeout)
            .test_before_acquire(self.test_before_acquire)
    }
}

/// A database URL read into sqlx's pool and connection settings, before any connection opens.
enum Target {
    Sqlite(
        sqlx::pool::PoolOptions<sqlx::Sqlite>,
        sqlx::sqlite::SqliteConnectOptions,
    ),
    Postgres(
        sqlx::pool::PoolOptions<sqlx::Postgres>,
        sqlx::postgres::PgConnectOptions,
    ),
    MySql(
        sqlx::pool::PoolOptions<sqlx::MySql>,
        sqlx::mysql::MySqlConnectOptions,
    ),
}

impl Target {
    fn parse(url: &str, options: &PoolOptions) -> Result<Target, Error> {
        let backend =
            Backend::from_url(url).ok_or_else(|| Error::UnsupportedUrl(url.to_owned()))?;
        Ok(match backend {
            Backend::Sqlite => {
                let connect = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(std::time::Duration::from_secs(5));
                // Each connection to `:memory:` is its own database: keep one.
                let max = if url.contains(":memory:") {
                    1
                } else {
                    options.max_connections
                };
                Target::Sqlite(options.sqlx(max), connect)
            }
            Backend::Postgres => Target::Postgres(
                options.sqlx(options.max_connections),
                sqlx::postgres::PgConnectOptions::from_str(url)?,
            ),
            Backend::MySql => {
                let url = url.replacen("mariadb://", "mysql://", 1);
                Target::MySql(
                    options.sqlx(options.max_connections),
                    sqlx::mysql::MySqlConnectOptions::from_str(&url)?,
                )
            }
        })
    }
}

/// Binds values to a query for one backend. UUIDs and JSON are native on PostgreSQL (and JSON on
/// MySQL); SQLite and MySQL keep UUIDs as text, and SQLite keeps JSON as text.
macro_rules! bind_all {
    ($kind:ident, $query:expr, $values:expr) => {{
        let mut q = $query;
        for value in $values {
            q = match value {
                Value::Null(t) => bind_null!($kind, q, t),
                Value::Bool(v) => q.bind(v),
                Value::SmallInt(v) => q.bind(v),
                Value::Real(v) => q.bind(v),
                Value::Bytes(v) => q.bind(v),
                Value::Int(v) => q.bind(v),
                Value::BigInt(v) => q.bind(v),
                Value::Float(v) => q.bind(v),
                Value::Text(v) => q.bind(v),
                Value::DateTime(v) => bind_datetime!($kind, q, v),
                Value::Date(v) => q.bind(v),
                Value::Time(v) => q.bind(v),
                Value::NaiveDateTime(v) => q.bind(v),
                Value::Decimal(v) => bind_decimal!($kind, q, v),
                Value::Uuid(v) => bind_uuid!($kind, q, v),
                Value::Json(v) => bind_json!($kind, q, v),
            };
        }
        q
    }};
}

/// MySQL: a moment is bound as the `DATETIME` it is stored in (UTC), not as sqlx's default
/// `TIMESTAMP`, whose range ends in 2038 (a post scheduled for 2999 would be refused).
macro_rules! bind_datetime {
    (mysql, $q:expr, $v:expr) => {
        $q.bind($v.naive_utc())
    };
    ($other:ident, $q:expr, $v:expr) => {
        $q.bind($v)
    };
}

macro_rules! bind_uuid {
    (pg, $q:expr, $v:expr) => {
        $q.bind($v)
    };
    ($other:ident, $q:expr, $v:expr) => {
        $q.bind($v.to_string())
    };
}

macro_rules! bind_json {
    (sqlite, $q:expr, $v:expr) => {
        $q.bind($v.to_string())
    };
    ($other:ident, $q:expr, $v:expr) => {
        $q.bind(sqlx::types::Json($v))
    };
}

/// SQLite has no decimal type: a decimal is bound as a number (see `decimal.rs` for why).
macro_rules! bind_decimal {
    (sqlite, $q:expr, $v:expr) => {
        match decimal::to_sqlite(&$v) {
            decimal::SqliteNumber::Int(i) => $q.bind(i),
            decimal::SqliteNumber::Real(f) => $q.bind(f),
        }
    };
    ($other:ident, $q:expr, $v:expr) => {
        $q.bind($v)
    };
}

macro_rules! bind_null_decimal {
    (sqlite, $q:expr) => {
        $q.bind(None::<f64>)
    };
    ($other:ident, $q:expr) => {
        $q.bind(None::<rust_decimal::Decimal>)
    };
}

/// NULLs are bound with the column's type so PostgreSQL does not reject `text` for `integer`.
macro_rules! bind_null {
    ($kind:ident, $q:expr, $t:expr) => {
        match $t {
            ColumnType::Bool => $q.bind(None::<bool>),
            ColumnType::SmallInt => $q.bind(None::<i16>),
            ColumnType::Real => $q.bind(None::<f32>),
            ColumnType::Binary => $q.bind(None::<Vec<u8>>),
            ColumnType::Int => $q.bind(None::<i32>),
            ColumnType::BigInt => $q.bind(None::<i64>),
            ColumnType::Float => $q.bind(None::<f64>),
            ColumnType::VarChar | ColumnType::Text => $q.bind(None::<String>),
            ColumnType::DateTime => $q.bind(None::<chrono::DateTime<chrono::Utc>>),
            ColumnType::Date => $q.bind(None::<chrono::NaiveDate>),
            ColumnType::Time => $q.bind(None::<chrono::NaiveTime>),
            ColumnType::NaiveDateTime => $q.bind(None::<chrono::NaiveDateTime>),
            ColumnType::Decimal => bind_null_decimal!($kind, $q),
            ColumnType::Uuid => bind_null_uuid!($kind, $q),
            ColumnType::Json => bind_null_json!($kind, $q),
        }
    };
}

macro_rules! bind_null_uuid {
    (pg, $q:expr) => {
        $q.bind(None::<uuid::Uuid>)
    };
    ($other:ident, $q:expr) => {
        $q.bind(None::<String>)
    };
}

macro_rules! bind_null_json {
    (sqlite, $q:expr) => {
        $q.bind(None::<String>)
    };
    ($other:ident, $q:expr) => {
        $q.bind(None::<sqlx::types::Json<serde_json::Value>>)
    };
}

/// Where a statement runs: the pool (a connection per statement), or one connection held for
/// longer: a [`PooledConnection`], a transaction's, or the migration executor's.
pub(crate) enum Conn<'a> {
    Pool(&'a Pool),
    Sqlite(&'a mut sqlx::SqliteConnection),
    Postgres(&'a mut sqlx::PgConnection),
    MySql(&'a mut sqlx::MySqlConnection),
}

/// One connection taken from the pool, per backend.
pub(crate) enum RawConn {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
    MySql(sqlx::pool::PoolConnection<sqlx::MySql>),
}

impl RawConn {
    /// The connection, for statements.
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            RawConn::Sqlite(c) => Conn::Sqlite(c),
            RawConn::Postgres(c) => Conn::Postgres(c),
            RawConn::MySql(c) => Conn::MySql(c),
        }
    }

    /// Closes the connection when it is dropped instead of returning it to the pool (after a
    /// failure left its session settings unknown).
    pub(crate) fn close_on_drop(&mut self) {
        match self {
            RawConn::Sqlite(c) => c.close_on_drop(),
            RawConn::Postgres(c) => c.close_on_drop(),
            RawConn::MySql(c) => c.close_on_drop(),
        }
    }
}

/// Runs a statement on whichever connection `$conn` is. The SQL is asserted safe because the ORM
/// builds it only from quoted identifiers and placeholders: every value is a bound parameter.
macro_rules! run {
    ($conn:expr, $sql:expr, $values:expr, |$q:ident, $ex:ident, $wrap:ident| $body:expr) => {
        match $conn {
            Conn::Pool(Pool::Sqlite(p)) => {
                let $q = bind_all!(sqlite, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = p;
                let $wrap = Row::Sqlite;
                $body
            }
            Conn::Pool(Pool::Postgres(p)) => {
                let $q = bind_all!(pg, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = p;
                let $wrap = Row::Postgres;
                $body
            }
            Conn::Pool(Pool::MySql(p)) => {
                let $q = bind_all!(mysql, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = p;
                let $wrap = Row::MySql;
                $body
            }
            Conn::Sqlite(c) => {
                let $q = bind_all!(sqlite, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = c;
                let $wrap = Row::Sqlite;
                $body
            }
            Conn::Postgres(c) => {
                let $q = bind_all!(pg, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = c;
                let $wrap = Row::Postgres;
                $body
            }
            Conn::MySql(c) => {
                let $q = bind_all!(mysql, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = c;
                let $wrap = Row::MySql;
                $body
            }
        }
    };
}

/// The id a single-row `INSERT` generated, where the driver reports one.
trait InsertId {
    fn insert_id(&self) -> Option<i64>;
}

impl InsertId for sqlx::sqlite::SqliteQueryResult {
    fn insert_id(&self) -> Option<i64> {
        Some(self.last_insert_rowid())
    }
}

impl InsertId for sqlx::postgres::PgQueryResult {
    fn insert_id(&self) -> Option<i64> {
        None
    }
}

impl InsertId for sqlx::mysql::MySqlQueryResult {
    fn insert_id(&self) -> Option<i64> {
        i64::try_from(self.last_insert_id()).ok()
    }
}

impl Conn<'_> {
    /// Runs an `INSERT` and returns the rows affected and the id the driver reports (MySQL's
    /// `LAST_INSERT_ID()`, read from the same connection).
    pub(crate) async fn execute_insert(
        self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<(u64, Option<i64>), Error> {
        crate::query_log::record(sql);
        Ok(run!(self, sql, values, |q, ex, _wrap| {
            let done = q.execute(ex).await?;
            (done.rows_affected(), done.insert_id())
        }))
    }

    pub(crate) async fn execute(self, sql: &str, values: Vec<Value>) -> Result<u64, Error> {
        crate::query_log::record(sql);
        Ok(run!(self, sql, values, |q, ex, _wrap| q
            .execute(ex)
            .await?
            .rows_affected()))
    }

    pub(crate) async fn fetch_all(self, sql: &str, values: Vec<Value>) -> Result<Vec<Row>, Error> {
        crate::query_log::record(sql);
        Ok(run!(self, sql, values, |q, ex, wrap| q
            .fetch_all(ex)
            .await?
            .into_iter()
            .map(wrap)
            .collect()))
    }

    pub(crate) async fn fetch_optional(
        self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Option<Row>, Error> {
        crate::query_log::record(sql);
        Ok(run!(self, sql, values, |q, ex, wrap| q
            .fetch_optional(ex)
            .await?
            .map(wrap)))
    }
}

impl Database {
    /// Connects to `url` (`sqlite://file.db?mode=rwc`, `postgres://...`, `mysql://...`). A SQLite
    /// file is created when missing, with WAL journaling and a 5 s busy timeout.
    ///
    /// # Errors
    /// When the URL names no supported backend or the server cannot be reached.
    pub async fn connect(url: &str) -> Result<Database, Error> {
        Self::connect_with(url, PoolOptions::default()).await
    }

    /// Connects with explicit pool settings.
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub async fn connect_with(url: &str, options: PoolOptions) -> Result<Database, Error> {
        let pool = match Target::parse(url, &options)? {
            Target::Sqlite(pool, connect) => Pool::Sqlite(pool.connect_with(connect).await?),
            Target::Postgres(pool, connect) => Pool::Postgres(pool.connect_with(connect).await?),
            Target::MySql(pool, connect) => Pool::MySql(pool.connect_with(connect).await?),
        };
        Ok(Database::with_pool(pool, &options))
    }

    /// A pool that opens its first connection when the first statement needs one, as Django
    /// connects on the first query: the program starts while the database is still down or
    /// starting, and each statement waits at most [`PoolOptions::acquire_timeout`] for it.
    ///
    /// ```
    /// # async fn demo() -> Result<(), fullstack::Error> {
    /// // Nothing listens on port 1: connecting fails only when a statement runs.
    /// let options = fullstack::PoolOptions {
    ///     acquire_timeout: std::time::Duration::from_millis(200),
    ///     ..Default::default()
    /// };
    /// let db = fullstack::Database::connect_lazy("postgres://127.0.0.1:1/app", options)?;
    /// let err = db.execute("SELECT 1", vec![]).await.unwrap_err();
    /// assert!(err.is_unavailable());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    ///
    /// # Errors
    /// When the URL names no supported backend or cannot be parsed.
    pub fn connect_lazy(url: &str, options: PoolOptions) -> Result<Database, Error> {
        let pool = match Target::parse(url, &options)? {
            Target::Sqlite(pool, connect) => Pool::Sqlite(pool.connect_lazy_with(connect)),
            Target::Postgres(pool, connect) => Pool::Postgres(pool.connect_lazy_with(connect)),
            Target::MySql(pool, connect) => Pool::MySql(pool.connect_lazy_with(connect)),
        };
        Ok(Database::with_pool(pool, &options))
    }

    fn with_pool(pool: Pool, options: &PoolOptions) -> Database {
        let sqlite_begin = if options.sqlite_immediate_transactions {
            "BEGIN IMMEDIATE"
        } else {
            "BEGIN"
        };
        Database { pool, sqlite_begin }
    }

    /// The pool, for the ORM's statements.
    pub(crate) fn conn(&self) -> Conn<'_> {
        Conn::Pool(&self.pool)
    }

    /// Most connections the pool opens at once ([`PoolOptions::max_connections`]; 1 for an
    /// in-memory SQLite database).
    pub fn max_connections(&self) -> u32 {
        match &self.pool {
            Pool::Sqlite(p) => p.options().get_max_connections(),
            Pool::Postgres(p) => p.options().get_max_connections(),
            Pool::MySql(p) => p.options().get_max_connections(),
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
            Pool::MySql(_) => Backend::MySql,
        }
    }

    /// Runs a statement with bound values; returns the number of rows affected.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn execute(&self, sql: &str, values: Vec<Value>) -> Result<u64, Error> {
        Conn::Pool(&self.pool).execute(sql, values).await
    }

    /// Runs a query with bound values and reads every row.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn fetch_all(&self, sql: &str, values: Vec<Value>) -> Result<Vec<Row>, Error> {
        Conn::Pool(&self.pool).fetch_all(sql, values).await
    }

    /// Runs a query and reads at most one row.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn fetch_optional(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Option<Row>, Error> {
        Conn::Pool(&self.pool).fetch_optional(sql, values).await
    }

    /// Starts a transaction on a connection of its own, back in the pool when the transaction
    /// ends (on SQLite with `BEGIN IMMEDIATE` unless
    /// [`PoolOptions::sqlite_immediate_transactions`] is off).
    ///
    /// # Errors
    /// The driver's error.
    pub async fn begin(&self) -> Result<Transaction<'static>, Error> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin_with(self.sqlite_begin).await?),
            Pool::Postgres(p) => TxInner::Postgres(p.begin().await?),
            Pool::MySql(p) => TxInner::MySql(p.begin().await?),
        };
        Ok(Transaction::new(inner))
    }

    /// Takes one connection out of the pool until the handle is dropped: the statements of a
    /// request then share it instead of each borrowing one from the pool.
    ///
    /// # Errors
    /// The driver's error, or a timeout when every connection stays busy.
    pub async fn acquire(&self) -> Result<PooledConnection, Error> {
        Ok(PooledConnection::new(
            self.acquire_raw().await?,
            self.sqlite_begin,
        ))
    }

    /// Takes one connection out of the pool until it is dropped.
    pub(crate) async fn acquire_raw(&self) -> Result<RawConn, Error> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => RawConn::Sqlite(p.acquire().await?),
            Pool::Postgres(p) => RawConn::Postgres(p.acquire().await?),
            Pool::MySql(p) => RawConn::MySql(p.acquire().await?),
        })
    }

    /// Closes every connection.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
            Pool::MySql(p) => p.close().await,
        }
    }
}
