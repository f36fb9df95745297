//! Where a queryset runs: the pool (`&Database`), one held connection
//! (`&mut PooledConnection`) or a transaction (`&mut Transaction`).

use std::future::Future;

use crate::db::Conn;
use crate::{Backend, Database, Error, PooledConnection, Transaction};

/// Something statements can run on: `&Database` (a pooled connection per statement),
/// `&mut PooledConnection` (one connection held for a request) or `&mut Transaction` (the
/// transaction's connection). Every queryset method takes one, so the same code runs inside
/// and outside a transaction.
///
/// The trait is sealed: its required methods hand out opaque types only the ORM can use.
pub trait Executor: Send + sealed::Sealed {
    /// The backend, which decides the SQL dialect.
    fn backend(&self) -> Backend;

    /// The connection to run the next statement on.
    #[doc(hidden)]
    fn connection(&mut self) -> Connection<'_>;

    /// A transaction for an operation of several statements (cascading deletes, chunked bulk
    /// writes), or `None` when this is a transaction already.
    #[doc(hidden)]
    fn atomic(&mut self) -> impl Future<Output = Result<Option<Transaction<'_>>, Error>> + Send;
}

/// An opaque connection handle; only the ORM can use it.
#[doc(hidden)]
#[derive(Debug)]
pub struct Connection<'a>(pub(crate) ConnInner<'a>);

/// Wraps the crate-private connection so the public trait names only public types.
pub(crate) struct ConnInner<'a>(pub(crate) Conn<'a>);

impl std::fmt::Debug for ConnInner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connection")
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for &crate::Database {}
    impl Sealed for &crate::test::TestDatabase {}
    impl Sealed for &mut crate::PooledConnection {}
    impl Sealed for &mut crate::Transaction<'_> {}
    impl<E: super::Executor> Sealed for &mut E {}
}

impl Executor for &Database {
    fn backend(&self) -> Backend {
        Database::backend(self)
    }

    fn connection(&mut self) -> Connection<'_> {
        Connection(ConnInner(self.conn()))
    }

    async fn atomic(&mut self) -> Result<Option<Transaction<'_>>, Error> {
        self.begin().await.map(Some)
    }
}

/// A test database runs querysets as the `&Database` it hands out does.
impl Executor for &crate::test::TestDatabase {
    fn backend(&self) -> Backend {
        self.database().backend()
    }

    fn connection(&mut self) -> Connection<'_> {
        Connection(ConnInner(self.database().conn()))
    }

    async fn atomic(&mut self) -> Result<Option<Transaction<'_>>, Error> {
        self.database().begin().await.map(Some)
    }
}

impl Executor for &mut PooledConnection {
    fn backend(&self) -> Backend {
        PooledConnection::backend(self)
    }

    fn connection(&mut self) -> Connection<'_> {
        Connection(ConnInner(self.conn()))
    }

    async fn atomic(&mut self) -> Result<Option<Transaction<'_>>, Error> {
        self.begin().await.map(Some)
    }
}

impl Executor for &mut Transaction<'_> {
    fn backend(&self) -> Backend {
        Transaction::backend(self)
    }

    fn connection(&mut self) -> Connection<'_> {
        Connection(ConnInner(self.conn()))
    }

    async fn atomic(&mut self) -> Result<Option<Transaction<'_>>, Error> {
        Ok(None)
    }
}

/// A mutable reference to an executor is an executor, so one operation can run several
/// statements on it (on the same transaction, when it is one).
impl<E: Executor> Executor for &mut E {
    fn backend(&self) -> Backend {
        (**self).backend()
    }

    fn connection(&mut self) -> Connection<'_> {
        (**self).connection()
    }

    fn atomic(&mut self) -> impl Future<Output = Result<Option<Transaction<'_>>, Error>> + Send {
        (**self).atomic()
    }
}

/// Runs statements through an executor, recording nothing itself (the DB layer logs queries).
pub(crate) fn conn<E: Executor>(ex: &mut E) -> Conn<'_> {
    ex.connection().0.0
}
