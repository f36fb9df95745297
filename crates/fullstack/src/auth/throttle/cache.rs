//! The failures in Redis (`AUTH_THROTTLE_STORE = "cache"`): a sorted set per username and per
//! address, `{prefix}user:{name}` and `{prefix}addr:{ip}`, each failure a member scored by its
//! time in milliseconds. Recording adds the member, drops the ones older than the window and
//! sets the key to expire with the window, in one atomic round trip; Redis deletes a set
//! nobody failed into for a window by itself. Every instance of the site reads the same sets.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::Counted;
use crate::Error;
use crate::redis_connection::RedisConnection;

pub(super) struct RedisCounts {
    redis: RedisConnection,
    prefix: String,
}

impl std::fmt::Debug for RedisCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCounts")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// A Redis failure: the login cannot be counted, so it is not let through (a 503).
fn unavailable(message: String) -> Error {
    Error::Unavailable(format!("login throttle: {message}"))
}

impl RedisCounts {
    pub(super) fn open(
        url: &micro::Secret,
        prefix: String,
        timeout: std::time::Duration,
    ) -> Result<RedisCounts, String> {
        Ok(RedisCounts {
            redis: RedisConnection::open("SESSION_REDIS_URL", url, timeout)?,
            prefix,
        })
    }

    fn key(&self, what: Counted<'_>) -> String {
        match what {
            Counted::Username(name) => format!("{}user:{name}", self.prefix),
            Counted::Address(address) => format!("{}addr:{address}", self.prefix),
        }
    }

    /// The times of the newest `limit` failures of `what` after `since`: one round trip.
    pub(super) async fn newest(
        &self,
        what: Counted<'_>,
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<DateTime<Utc>>, Error> {
        let mut cmd = redis::cmd("ZRANGE");
        cmd.arg(self.key(what))
            .arg("+inf")
            .arg(format!("({}", since.timestamp_millis()))
            .arg("BYSCORE")
            .arg("REV")
            .arg("LIMIT")
            .arg(0)
            .arg(limit)
            .arg("WITHSCORES");
        let found: Vec<(String, f64)> = self
            .redis
            .query("ZRANGE", &cmd)
            .await
            .map_err(unavailable)?;
        #[allow(clippy::cast_possible_truncation)] // milliseconds since 1970 fit an i64
        Ok(found
            .into_iter()
            .filter_map(|(_, millis)| Utc.timestamp_millis_opt(millis as i64).single())
            .collect())
    }

    pub(super) async fn record(
        &self,
        username: &str,
        address: Option<std::net::IpAddr>,
        window: Duration,
    ) -> Result<(), Error> {
        let now = Utc::now().timestamp_millis();
        // Two failures in the same millisecond are two members: the random part keeps them
        // apart, across instances too.
        let random =
            getrandom::u64().unwrap_or_else(|_| u64::from(Utc::now().timestamp_subsec_nanos()));
        let member = format!("{now}:{random:016x}");
        let window_ms = window.num_milliseconds().max(1);
        let mut pipe = redis::pipe();
        pipe.atomic();
        let counted =
            std::iter::once(Counted::Username(username)).chain(address.map(Counted::Address));
        for what in counted {
            let key = self.key(what);
            pipe.cmd("ZADD")
                .arg(&key)
                .arg(now)
                .arg(&member)
                .ignore()
                .cmd("ZREMRANGEBYSCORE")
                .arg(&key)
                .arg("-inf")
                .arg(now - window_ms)
                .ignore()
                .cmd("PEXPIRE")
                .arg(&key)
                .arg(window_ms)
                .ignore();
        }
        self.redis
            .query_pipe::<()>("MULTI", &pipe)
            .await
            .map_err(unavailable)
    }

    pub(super) async fn reset(&self, username: &str) -> Result<(), Error> {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(self.key(Counted::Username(username)));
        self.redis
            .query::<()>("DEL", &cmd)
            .await
            .map_err(unavailable)
    }
}
