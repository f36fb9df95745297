//! Sessions in Redis (`SESSION_ENGINE = "cache"`), behind the `redis` cargo feature: one key per
//! session, `{prefix}{session key}`, holding its data as JSON, with Redis's own expiry (`EX`).

use std::time::Duration;

use chrono::Utc;
use serde_json::{Map, Value as Json};

use super::store::{SessionRecord, SessionStore, StoreError, StoreFuture};
use crate::redis_connection::RedisConnection;
use crate::settings::SessionSettings;

/// Keeps sessions in Redis, through one shared connection made at the first use (see
/// `redis_connection`): a Redis that is down or does not answer is a [`StoreError`] within the
/// timeout (a 503), never a hang; once it is back, the next request connects again.
pub struct RedisStore {
    redis: RedisConnection,
    prefix: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the URL: it may carry a password.
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Sessions in the Redis at `url` (`redis://[:password@]host:port[/db]`), under keys that
    /// start with `prefix`; every call gives up after `timeout`.
    ///
    /// # Errors
    /// When `url` is not a Redis URL.
    pub fn open(
        url: &micro::Secret,
        prefix: impl Into<String>,
        timeout: Duration,
    ) -> Result<RedisStore, StoreError> {
        Ok(RedisStore {
            redis: RedisConnection::open("SESSION_REDIS_URL", url, timeout).map_err(StoreError)?,
            prefix: prefix.into(),
        })
    }

    /// The store `settings` describe (`SESSION_REDIS_URL`, `SESSION_REDIS_PREFIX`,
    /// `SESSION_STORE_TIMEOUT`).
    ///
    /// # Errors
    /// When there is no URL or it is not a Redis URL.
    pub fn from_settings(settings: &SessionSettings) -> Result<RedisStore, StoreError> {
        let url = settings
            .redis_url
            .as_ref()
            .ok_or_else(|| StoreError("SESSION_REDIS_URL is not set".into()))?;
        RedisStore::open(url, settings.redis_prefix.clone(), settings.store_timeout)
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Runs `cmd`, within the timeout.
    async fn query<T: redis::FromRedisValue>(
        &self,
        what: &str,
        cmd: &redis::Cmd,
    ) -> Result<T, StoreError> {
        self.redis.query(what, cmd).await.map_err(StoreError)
    }

    /// Runs `pipe` (one round trip), within the timeout.
    async fn query_pipe<T: redis::FromRedisValue>(
        &self,
        what: &str,
        pipe: &redis::Pipeline,
    ) -> Result<T, StoreError> {
        self.redis.query_pipe(what, pipe).await.map_err(StoreError)
    }

    /// `SET key data EX seconds`, with `XX` (only if it exists) when `existing`.
    fn set_cmd(&self, record: &SessionRecord, existing: bool) -> redis::Cmd {
        let seconds = (record.expire_date - Utc::now()).num_seconds().max(1);
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.key(&record.key))
            .arg(Json::Object(record.data.clone()).to_string())
            .arg("EX")
            .arg(seconds);
        if existing {
            cmd.arg("XX");
        }
        cmd
    }
}

impl SessionStore for RedisStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        Box::pin(async move {
            // One round trip: the data, and what is left of its life (Redis expires the key
            // itself; the record's date only reports it).
            let mut pipe = redis::pipe();
            pipe.cmd("GET")
                .arg(self.key(key))
                .cmd("PTTL")
                .arg(self.key(key));
            let (text, millis): (Option<String>, i64) = self.query_pipe("GET", &pipe).await?;
            let Some(text) = text else {
                return Ok(None);
            };
            let data = match serde_json::from_str::<Json>(&text) {
                Ok(Json::Object(map)) => map,
                // Something else wrote there: an empty session, as a tampered cookie is.
                _ => Map::new(),
            };
            Ok(Some(SessionRecord {
                key: key.to_owned(),
                data,
                expire_date: Utc::now() + chrono::Duration::milliseconds(millis.max(0)),
            }))
        })
    }

    fn save<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, ()> {
        Box::pin(async move { self.query::<()>("SET", &self.set_cmd(record, false)).await })
    }

    fn update<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            // `XX`: a session deleted meanwhile (a logout) stays deleted; Redis answers nil.
            let done: Option<String> = self.query("SET XX", &self.set_cmd(record, true)).await?;
            Ok(done.is_some())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let mut cmd = redis::cmd("DEL");
            cmd.arg(self.key(key));
            self.query::<()>("DEL", &cmd).await
        })
    }

    fn exists<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let mut cmd = redis::cmd("EXISTS");
            cmd.arg(self.key(key));
            let n: u64 = self.query("EXISTS", &cmd).await?;
            Ok(n > 0)
        })
    }

    /// Redis deletes expired keys itself: nothing to do.
    fn clear_expired(&self) -> StoreFuture<'_, u64> {
        Box::pin(async { Ok(0) })
    }

    fn cycle<'a>(&'a self, old_key: &'a str, record: &'a SessionRecord) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            // One round trip, atomically: the old key never outlives the new one.
            let mut pipe = redis::pipe();
            pipe.atomic()
                .cmd("DEL")
                .arg(self.key(old_key))
                .ignore()
                .add_command(self.set_cmd(record, false))
                .ignore();
            self.query_pipe("MULTI", &pipe).await
        })
    }
}
