//! One Redis for the parts of a project that keep state there (the sessions' `cache` engine,
//! the login throttle's `cache` store), behind the `redis` cargo feature: a
//! [`ConnectionManager`] (one multiplexed connection shared by every request, reconnected when
//! it breaks), made at the first call, so building a store never waits for Redis. A Redis that
//! is down or does not answer is an error within the timeout, never a hang; the connection is
//! then dropped, and the next call makes a fresh one instead of trusting one whose
//! reconnection may have given up.

use std::sync::Mutex;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

pub(crate) struct RedisConnection {
    client: redis::Client,
    timeout: Duration,
    manager: Mutex<Option<ConnectionManager>>,
}

impl std::fmt::Debug for RedisConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the URL: it may carry a password.
        f.debug_struct("RedisConnection")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisConnection {
    /// The Redis at `url` (`redis://[:password@]host:port[/db]`), not connected yet; every
    /// call gives up after `timeout`. `key` names the setting in errors.
    ///
    /// # Errors
    /// When `url` is not a Redis URL (the message never repeats it).
    pub(crate) fn open(
        key: &str,
        url: &micro::Secret,
        timeout: Duration,
    ) -> Result<RedisConnection, String> {
        Ok(RedisConnection {
            client: crate::settings::redis_client(url).map_err(|e| format!("{key} {e}"))?,
            timeout,
            manager: Mutex::new(None),
        })
    }

    fn manager(&self) -> Result<ConnectionManager, String> {
        let mut slot = self.manager.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(manager) = slot.as_ref() {
            return Ok(manager.clone());
        }
        // No retries inside the manager: a failed connection is this request's 503, and the
        // next request tries again (a queue of retries would only make requests wait).
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(0)
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout));
        let manager = ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            .map_err(|e| format!("Redis: {e}"))?;
        *slot = Some(manager.clone());
        Ok(manager)
    }

    /// Runs `cmd`, within the timeout; `what` names it in the error.
    pub(crate) async fn query<T: redis::FromRedisValue>(
        &self,
        what: &str,
        cmd: &redis::Cmd,
    ) -> Result<T, String> {
        let mut manager = self.manager()?;
        let result = tokio::time::timeout(self.timeout, cmd.query_async::<T>(&mut manager)).await;
        self.finish(what, result)
    }

    /// Runs `pipe` (one round trip), within the timeout.
    pub(crate) async fn query_pipe<T: redis::FromRedisValue>(
        &self,
        what: &str,
        pipe: &redis::Pipeline,
    ) -> Result<T, String> {
        let mut manager = self.manager()?;
        let result = tokio::time::timeout(self.timeout, pipe.query_async::<T>(&mut manager)).await;
        self.finish(what, result)
    }

    /// A call's outcome; after a failure the connection is dropped for the next call.
    fn finish<T>(
        &self,
        what: &str,
        result: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>,
    ) -> Result<T, String> {
        let error = match result {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => format!("Redis {what}: {e}"),
            Err(_) => format!("Redis {what}: no answer within {:?}", self.timeout),
        };
        *self.manager.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Err(error)
    }
}
