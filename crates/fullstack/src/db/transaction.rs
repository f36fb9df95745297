//! Transactions (Django's `atomic`) and savepoints.

use super::{Backend, Conn, Row, Value};
use crate::Error;

/// A transaction's connection, per backend: its own pooled one (`'static`) or one it borrows.
pub(crate) enum TxInner<'c> {
    Sqlite(sqlx::Transaction<'c, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'c, sqlx::Postgres>),
    MySql(sqlx::Transaction<'c, sqlx::MySql>),
}

impl TxInner<'_> {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            TxInner::Sqlite(t) => Conn::Sqlite(t),
            TxInner::Postgres(t) => Conn::Postgres(t),
            TxInner::MySql(t) => Conn::MySql(t),
        }
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
///
/// The lifetime is `'static` for a transaction of [`Database::begin`](crate::Database::begin),
/// which owns its pooled connection, and the connection's borrow for one of
/// [`PooledConnection::begin`](crate::PooledConnection::begin) or of a [`Savepoint`].
///
/// A rollback is a round trip, and `Drop` cannot wait for one: a transaction dropped without
/// `commit` or `rollback` queues its `ROLLBACK` (sqlx's transactions do this), which runs
/// before anything else on the connection, be it the next statement or the pool's check when
/// the connection goes back.
pub struct Transaction<'c> {
    inner: TxInner<'c>,
}

impl std::fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

impl<'c> Transaction<'c> {
    pub(crate) fn new(inner: TxInner<'c>) -> Self {
        Transaction { inner }
    }

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
        self.inner.conn()
    }

    /// Runs a statement in the transaction.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn execute(&mut self, sql: &str, values: Vec<Value>) -> Result<u64, Error> {
        self.inner.conn().execute(sql, values).await
    }

    /// Reads every row of a query in the transaction.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn fetch_all(&mut self, sql: &str, values: Vec<Value>) -> Result<Vec<Row>, Error> {
        self.inner.conn().fetch_all(sql, values).await
    }

    /// Opens a nested transaction (a `SAVEPOINT`), Django's nested `atomic`: rolling it back,
    /// or dropping it without [`commit`](Savepoint::commit), undoes only its own work, and the
    /// transaction goes on, on PostgreSQL too after a statement in the savepoint failed.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn savepoint(&mut self) -> Result<Savepoint<'_>, Error> {
        use sqlx::Connection as _;
        // sqlx's nested transactions are savepoints named by depth (MySQL forgets an outer
        // savepoint when an inner one reuses its name), and queue their rollback when dropped.
        let inner = match &mut self.inner {
            TxInner::Sqlite(t) => TxInner::Sqlite((**t).begin().await?),
            TxInner::Postgres(t) => TxInner::Postgres((**t).begin().await?),
            TxInner::MySql(t) => TxInner::MySql((**t).begin().await?),
        };
        Ok(Savepoint {
            tx: Transaction::new(inner),
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

/// A nested transaction inside a [`Transaction`] (a `SAVEPOINT`), made by
/// [`Transaction::savepoint`]. [`commit`](Self::commit) keeps its work as part of the outer
/// transaction; [`rollback`](Self::rollback), or dropping it without either (an early `?`
/// return), undoes its work only, and the outer transaction goes on.
///
/// ```no_run
/// # async fn demo(db: &fullstack::Database) -> Result<(), fullstack::Error> {
/// let mut tx = db.begin().await?;
/// tx.execute("INSERT INTO log (line) VALUES ('started')", vec![]).await?;
/// let mut sp = tx.savepoint().await?;
/// let booked = sp.tx().execute("INSERT INTO seats (id) VALUES (7)", vec![]).await;
/// if booked.is_ok() {
///     sp.commit().await?;
/// } else {
///     drop(sp); // the failed insert is undone, the log line stays
/// }
/// tx.commit().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Savepoint<'t> {
    /// The savepoint's statements run here; sqlx's nested transaction underneath makes commit a
    /// `RELEASE SAVEPOINT` and rollback (also the one queued on drop) a `ROLLBACK TO SAVEPOINT`.
    tx: Transaction<'t>,
}

impl<'t> Savepoint<'t> {
    /// The transaction to run statements inside the savepoint (and to nest further savepoints).
    pub fn tx(&mut self) -> &mut Transaction<'t> {
        &mut self.tx
    }

    /// Keeps the savepoint's work as part of the outer transaction.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn commit(self) -> Result<(), Error> {
        self.tx.commit().await
    }

    /// Undoes the savepoint's work; the outer transaction goes on.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn rollback(self) -> Result<(), Error> {
        self.tx.rollback().await
    }
}
