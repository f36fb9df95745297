//! Where sessions are kept: the [`SessionStore`] trait the backends implement.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// The future a [`SessionStore`] method returns.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A session as a store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    /// Its key.
    pub key: String,
    /// Its values.
    pub data: Map<String, Value>,
    /// When it expires.
    pub expire_date: DateTime<Utc>,
}

/// A store that could not do what was asked: unreachable, timed out, or broken data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session store: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// A store that is down answers 503 (Service Unavailable), with a log line naming why: not a
/// hang, and not a silent logout.
impl StoreError {
    /// The answer to a request whose store failed: a 503, logged with the reason.
    pub fn into_unavailable(self) -> micro::Error {
        let e = self;
        tracing::error!(target: "fullstack::sessions", "{e}: answering 503");
        micro::Error::new(
            micro::StatusCode::SERVICE_UNAVAILABLE,
            "session store unavailable",
        )
    }
}

impl From<crate::Error> for StoreError {
    fn from(e: crate::Error) -> Self {
        StoreError(e.to_string())
    }
}

/// A session backend: the database ([`DatabaseStore`](super::DatabaseStore)), the database
/// behind a cache ([`CachedDbStore`](super::CachedDbStore)), Redis (`RedisStore`, with the
/// `redis` feature), or your own.
pub trait SessionStore: Send + Sync + 'static {
    /// The session under `key`, unless there is none or it has expired.
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<SessionRecord>>;

    /// Writes `record` under its key, replacing what was there.
    fn save<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, ()>;

    /// Writes `record` over the session stored under its key, only if there still is one:
    /// `false` when it is gone (another request logged out meanwhile), so a logout is never
    /// undone by a slower request that saves after it (Django's `SessionInterrupted`). By
    /// default [`exists`](Self::exists) then [`save`](Self::save), which leaves a small window;
    /// a store that can do it in one statement should.
    fn update<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            if !self.exists(&record.key).await? {
                return Ok(false);
            }
            self.save(record).await?;
            Ok(true)
        })
    }

    /// Deletes the session under `key` (nothing when there is none).
    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()>;

    /// Whether an unexpired session is stored under `key`.
    fn exists<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool>;

    /// Deletes every expired session; returns how many went, when the store knows.
    fn clear_expired(&self) -> StoreFuture<'_, u64>;

    /// Moves the session stored under `old_key` to `record`'s key with `record`'s data
    /// ([`Session::cycle_key`](super::Session::cycle_key)). By default a delete and a save;
    /// a store that can do it in one round trip should.
    fn cycle<'a>(&'a self, old_key: &'a str, record: &'a SessionRecord) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.delete(old_key).await?;
            self.save(record).await
        })
    }
}

/// The store sessions use, in the web app's state: without one, sessions are kept in the
/// project's [`Database`](crate::Database).
///
/// ```
/// # fn demo(app: &mut micro::App, db: fullstack::Database) {
/// use fullstack::sessions::{DatabaseStore, SessionBackend};
/// app.state(SessionBackend::new(DatabaseStore::new(db)));
/// # }
/// ```
#[derive(Clone)]
pub struct SessionBackend(pub(crate) Arc<dyn SessionStore>);

impl SessionBackend {
    /// Sessions kept in `store`.
    pub fn new(store: impl SessionStore) -> Self {
        SessionBackend(Arc::new(store))
    }
}

impl fmt::Debug for SessionBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionBackend")
    }
}
