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
/// [`PooledConnection::begin`](crate::PooledConnection::begin).
pub struct Transaction<'c> {
    inner: TxInner<'c>,
    depth: u32,
}

impl std::fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

impl<'c> Transaction<'c> {
    pub(crate) fn new(inner: TxInner<'c>) -> Self {
        Transaction { inner, depth: 0 }
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

    /// Opens a nested transaction (a SAVEPOINT): rolling it back undoes only its own work.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn savepoint(&mut self) -> Result<Savepoint<'_, 'c>, Error> {
        // A name per depth: MySQL forgets an outer savepoint when an inner one reuses its name.
        let name = format!("fullstack_sp{}", self.depth + 1);
        self.execute(&format!("SAVEPOINT {name}"), Vec::new())
            .await?;
        self.depth += 1;
        Ok(Savepoint { tx: self, name })
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
pub struct Savepoint<'t, 'c> {
    tx: &'t mut Transaction<'c>,
    name: String,
}

impl Drop for Savepoint<'_, '_> {
    fn drop(&mut self) {
        self.tx.depth -= 1;
    }
}

impl<'c> Savepoint<'_, 'c> {
    /// The transaction, to run statements inside the savepoint.
    pub fn tx(&mut self) -> &mut Transaction<'c> {
        self.tx
    }

    /// Keeps the savepoint's work as part of the outer transaction.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn commit(self) -> Result<(), Error> {
        let sql = format!("RELEASE SAVEPOINT {}", self.name);
        self.tx.execute(&sql, Vec::new()).await.map(|_| ())
    }

    /// Undoes the savepoint's work; the outer transaction goes on.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn rollback(self) -> Result<(), Error> {
        let sql = format!("ROLLBACK TO SAVEPOINT {}", self.name);
        self.tx.execute(&sql, Vec::new()).await.map(|_| ())
    }
}
