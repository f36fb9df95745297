//! One connection held from the pool for a while: what a request uses to run its statements
//! on a single connection, as Django does.

use super::transaction::TxInner;
use super::{Backend, Conn, RawConn, Row, Transaction, Value};
use crate::Error;

/// A connection taken out of the pool by [`Database::acquire`](crate::Database::acquire), back
/// in the pool when dropped.
///
/// Through `&Database` every statement borrows a connection from the pool and gives it back;
/// when a request runs several statements, holding one connection saves that hand-over per
/// statement (it is what the raw sqlx code of a handler would do). `&mut PooledConnection` is
/// an [`Executor`](crate::query::Executor), so querysets run on it, and
/// [`begin`](Self::begin) opens a transaction on it.
///
/// ```no_run
/// use fullstack::query::prelude::*;
/// # use fullstack::Model;
/// # async fn demo<Question: Model>(db: &fullstack::Database) -> Result<(), fullstack::Error> {
/// let mut conn = db.acquire().await?;
/// let total = Question::objects().count(&mut conn).await?;
/// let first = Question::objects().first(&mut conn).await?;
/// let mut tx = conn.begin().await?;
/// Question::objects().delete_with(&mut tx, &fullstack::query::ModelSet::empty()).await?;
/// tx.commit().await?;
/// # Ok(()) }
/// ```
pub struct PooledConnection {
    raw: RawConn,
    /// The statement that opens a transaction on SQLite (`BEGIN` or `BEGIN IMMEDIATE`).
    sqlite_begin: &'static str,
}

impl std::fmt::Debug for PooledConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PooledConnection")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

impl PooledConnection {
    pub(crate) fn new(raw: RawConn, sqlite_begin: &'static str) -> Self {
        PooledConnection { raw, sqlite_begin }
    }

    /// Which backend the connection talks to.
    pub fn backend(&self) -> Backend {
        match self.raw {
            RawConn::Sqlite(_) => Backend::Sqlite,
            RawConn::Postgres(_) => Backend::Postgres,
            RawConn::MySql(_) => Backend::MySql,
        }
    }

    /// The connection, for the ORM's statements.
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        self.raw.conn()
    }

    /// Runs a statement with bound values; returns the number of rows affected.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn execute(&mut self, sql: &str, values: Vec<Value>) -> Result<u64, Error> {
        self.raw.conn().execute(sql, values).await
    }

    /// Runs a query with bound values and reads every row.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn fetch_all(&mut self, sql: &str, values: Vec<Value>) -> Result<Vec<Row>, Error> {
        self.raw.conn().fetch_all(sql, values).await
    }

    /// Starts a transaction on this connection; when it ends, the connection is usable again.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn begin(&mut self) -> Result<Transaction<'_>, Error> {
        use sqlx::Connection as _;
        let inner = match &mut self.raw {
            RawConn::Sqlite(c) => TxInner::Sqlite(c.begin_with(self.sqlite_begin).await?),
            RawConn::Postgres(c) => TxInner::Postgres(c.begin().await?),
            RawConn::MySql(c) => TxInner::MySql(c.begin().await?),
        };
        Ok(Transaction::new(inner))
    }
}
