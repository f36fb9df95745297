//! The database: one handle over SQLite, PostgreSQL or MySQL/MariaDB, chosen by URL.
//!
//! The ORM talks to sqlx's native driver of each backend (not sqlx's `Any` driver, which cannot
//! bind dates, UUIDs or JSON), through an enum: no boxing, no dynamic dispatch per query.

mod backend;
pub(crate) mod decimal;
mod row;
mod value;

use std::str::FromStr;

pub use backend::Backend;
pub(crate) use row::is_null;
pub use row::{DbType, Row};
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
}

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
    MySql(sqlx::MySqlPool),
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections open at once (default: 10, or 1 for an in-memory SQLite database).
    pub max_connections: u32,
    /// How long to wait for a free connection before failing (default 30 s).
    pub acquire_timeout: std::time::Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_connections: 10,
            acquire_timeout: std::time::Duration::from_secs(30),
        }
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
                Value::DateTime(v) => q.bind(v),
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

/// Where a statement runs: the pool, a transaction's connection, or one connection held apart
/// from the pool (the migration executor's, which manages its own `BEGIN`/`COMMIT`).
pub(crate) enum Conn<'a> {
    Pool(&'a Pool),
    Tx(&'a mut TxInner<'static>),
    Raw(&'a mut RawConn),
}

/// One connection taken from the pool, per backend.
pub(crate) enum RawConn {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
    MySql(sqlx::pool::PoolConnection<sqlx::MySql>),
}

impl RawConn {
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

/// A transaction's connection, per backend.
pub(crate) enum TxInner<'c> {
    Sqlite(sqlx::Transaction<'c, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'c, sqlx::Postgres>),
    MySql(sqlx::Transaction<'c, sqlx::MySql>),
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
            Conn::Tx(TxInner::Sqlite(t)) => {
                let $q = bind_all!(sqlite, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = &mut **t;
                let $wrap = Row::Sqlite;
                $body
            }
            Conn::Tx(TxInner::Postgres(t)) => {
                let $q = bind_all!(pg, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = &mut **t;
                let $wrap = Row::Postgres;
                $body
            }
            Conn::Tx(TxInner::MySql(t)) => {
                let $q = bind_all!(mysql, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = &mut **t;
                let $wrap = Row::MySql;
                $body
            }
            Conn::Raw(RawConn::Sqlite(c)) => {
                let $q = bind_all!(sqlite, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = &mut **c;
                let $wrap = Row::Sqlite;
                $body
            }
            Conn::Raw(RawConn::Postgres(c)) => {
                let $q = bind_all!(pg, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = &mut **c;
                let $wrap = Row::Postgres;
                $body
            }
            Conn::Raw(RawConn::MySql(c)) => {
                let $q = bind_all!(mysql, sqlx::query(sqlx::AssertSqlSafe($sql)), $values);
                let $ex = &mut **c;
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

/// A database transaction, Django's `atomic`: committed by [`commit`](Self::commit), rolled
/// back by [`rollback`](Self::rollback) or when dropped without either (an early `?` return
/// rolls back). [`savepoint`](Self::savepoint) nests.
///
/// ```no_run
/// # async fn demo(db: &fullstack::Database) -> Result<(), fullstack::Error> {
/// let mut tx = db.begin().await?;
/// tx.execute("UPDATE accounts SET balance = balance - 10 WHERE id = 1", vec![]).await?;
/// tx.execute("UPDATE accounts SET balance = balance + 10 WHERE id = 2", vec![]).await?;
/// tx.commit().await?;
/// # Ok(()) }
/// ```
pub struct Transaction {
    inner: TxInner<'static>,
    depth: u32,
}

impl std::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

impl Transaction {
    /// Which backend the transaction runs on.
    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
            TxInner::MySql(_) => Backend::MySql,
        }
    }

    /// The transaction's connection, for the ORM's statements.
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        Conn::Tx(&mut self.inner)
    }

    /// Runs a statement in the transaction.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn execute(&mut self, sql: &str, values: Vec<Value>) -> Result<u64, Error> {
        Conn::Tx(&mut self.inner).execute(sql, values).await
    }

    /// Reads every row of a query in the transaction.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn fetch_all(&mut self, sql: &str, values: Vec<Value>) -> Result<Vec<Row>, Error> {
        Conn::Tx(&mut self.inner).fetch_all(sql, values).await
    }

    /// Opens a nested transaction (a SAVEPOINT): rolling it back undoes only its own work.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn savepoint(&mut self) -> Result<Savepoint<'_>, Error> {
        let name = format!("fullstack_sp{}", self.depth + 1);
        self.execute(&format!("SAVEPOINT {name}"), Vec::new())
            .await?;
        Ok(Savepoint {
            tx: self,
            name,
            done: false,
        })
    }

    /// Makes the transaction's work permanent.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn commit(self) -> Result<(), Error> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
            TxInner::MySql(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Undoes the transaction's work.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn rollback(self) -> Result<(), Error> {
        match self.inner {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Postgres(t) => t.rollback().await?,
            TxInner::MySql(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// A nested transaction inside a [`Transaction`]. Release it with [`commit`](Self::commit);
/// [`rollback`](Self::rollback) undoes its work only. Dropping it without either leaves its
/// statements part of the outer transaction (call `rollback` on failure paths explicitly).
#[derive(Debug)]
pub struct Savepoint<'t> {
    tx: &'t mut Transaction,
    name: String,
    done: bool,
}

impl Savepoint<'_> {
    /// The transaction, to run statements inside the savepoint.
    pub fn tx(&mut self) -> &mut Transaction {
        self.tx
    }

    /// Keeps the savepoint's work as part of the outer transaction.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn commit(mut self) -> Result<(), Error> {
        self.done = true;
        let sql = format!("RELEASE SAVEPOINT {}", self.name);
        self.tx.execute(&sql, Vec::new()).await.map(|_| ())
    }

    /// Undoes the savepoint's work; the outer transaction goes on.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn rollback(mut self) -> Result<(), Error> {
        self.done = true;
        let sql = format!("ROLLBACK TO SAVEPOINT {}", self.name);
        self.tx.execute(&sql, Vec::new()).await.map(|_| ())
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
        let backend =
            Backend::from_url(url).ok_or_else(|| Error::UnsupportedUrl(url.to_owned()))?;
        let pool = match backend {
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
                Pool::Sqlite(
                    sqlx::pool::PoolOptions::new()
                        .max_connections(max)
                        .acquire_timeout(options.acquire_timeout)
                        .connect_with(connect)
                        .await?,
                )
            }
            Backend::Postgres => Pool::Postgres(
                sqlx::pool::PoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.acquire_timeout)
                    .connect(url)
                    .await?,
            ),
            Backend::MySql => {
                let url = url.replacen("mariadb://", "mysql://", 1);
                Pool::MySql(
                    sqlx::pool::PoolOptions::new()
                        .max_connections(options.max_connections)
                        .acquire_timeout(options.acquire_timeout)
                        .connect(&url)
                        .await?,
                )
            }
        };
        Ok(Database { pool })
    }

    /// The pool, for the ORM's statements.
    pub(crate) fn conn(&self) -> Conn<'_> {
        Conn::Pool(&self.pool)
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

    /// Starts a transaction.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn begin(&self) -> Result<Transaction, Error> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin().await?),
            Pool::Postgres(p) => TxInner::Postgres(p.begin().await?),
            Pool::MySql(p) => TxInner::MySql(p.begin().await?),
        };
        Ok(Transaction { inner, depth: 0 })
    }

    /// Takes one connection out of the pool until it is dropped.
    pub(crate) async fn acquire(&self) -> Result<RawConn, Error> {
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
