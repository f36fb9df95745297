//! Django's `cached_db` engine: sessions written through to the database and to an in-process
//! cache, read from the cache first.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use moka::sync::Cache;

use super::DatabaseStore;
use super::store::{SessionRecord, SessionStore, StoreFuture};
use crate::Database;

/// How many sessions the cache holds before it evicts the least used.
const CAPACITY: u64 = 10_000;

/// How long a cached session is trusted. Writes through this store keep its cache exact; this
/// bounds how long a change made elsewhere (another process's logout) goes unseen here.
pub(crate) const CACHE_TTL: Duration = Duration::from_secs(60);

/// The cache a [`CachedDbStore`] keeps, shared by its clones.
pub(crate) type SessionCache = Cache<String, Arc<SessionRecord>>;

pub(crate) fn new_cache() -> SessionCache {
    Cache::builder()
        .max_capacity(CAPACITY)
        .time_to_live(CACHE_TTL)
        .build()
}

/// Sessions in the database ([`DatabaseStore`]) with an in-process cache in front: a read
/// that hits the cache costs no query; every write goes to the database first, then to the
/// cache, so the database is always the truth and a failed write leaves nothing stale behind.
///
/// The cache belongs to this process: with several processes behind one load balancer, a
/// session changed or deleted by one is seen by the others only once their cached copy is a
/// minute old. Clones share the cache.
#[derive(Clone)]
pub struct CachedDbStore {
    db: DatabaseStore,
    cache: SessionCache,
}

impl std::fmt::Debug for CachedDbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedDbStore")
            .field("cached", &self.cache.entry_count())
            .finish_non_exhaustive()
    }
}

impl CachedDbStore {
    /// Sessions in `db`'s `django_session` table, with a cache of their own.
    pub fn new(db: Database) -> Self {
        CachedDbStore::sharing(db, new_cache())
    }

    pub(crate) fn sharing(db: Database, cache: SessionCache) -> Self {
        CachedDbStore {
            db: DatabaseStore::new(db),
            cache,
        }
    }

    fn cached(&self, key: &str) -> Option<Arc<SessionRecord>> {
        let record = self.cache.get(key)?;
        if record.expire_date > Utc::now() {
            Some(record)
        } else {
            self.cache.invalidate(key);
            None
        }
    }

    fn remember(&self, record: &SessionRecord) {
        self.cache
            .insert(record.key.clone(), Arc::new(record.clone()));
    }
}

impl SessionStore for CachedDbStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        Box::pin(async move {
            if let Some(record) = self.cached(key) {
                return Ok(Some((*record).clone()));
            }
            let record = self.db.load(key).await?;
            if let Some(record) = &record {
                self.remember(record);
            }
            Ok(record)
        })
    }

    fn save<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            // Forget first: if the write fails, the database may or may not have it, and the
            // next read must ask the database.
            self.cache.invalidate(&record.key);
            self.db.save(record).await?;
            self.remember(record);
            Ok(())
        })
    }

    fn update<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            self.cache.invalidate(&record.key);
            // The database decides whether the session still exists, not the cache.
            let updated = self.db.update(record).await?;
            if updated {
                self.remember(record);
            }
            Ok(updated)
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.cache.invalidate(key);
            self.db.delete(key).await
        })
    }

    fn exists<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            if self.cached(key).is_some() {
                return Ok(true);
            }
            self.db.exists(key).await
        })
    }

    fn clear_expired(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            self.cache.run_pending_tasks();
            self.db.clear_expired().await
        })
    }

    fn cycle<'a>(&'a self, old_key: &'a str, record: &'a SessionRecord) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.cache.invalidate(old_key);
            self.cache.invalidate(&record.key);
            self.db.cycle(old_key, record).await?;
            self.remember(record);
            Ok(())
        })
    }
}
