//! Login throttling, what Django users add django-axes for: failures are counted per username
//! and per client address in a store that every instance of the site shares (the database's
//! `auth_login_failure` table by default, or Redis with `AUTH_THROTTLE_STORE = "cache"`), and
//! past `AUTH_THROTTLE_FAILURES` within `AUTH_THROTTLE_WINDOW` seconds the login answers 429
//! with `Retry-After`. A successful login clears its username's failures.

#[cfg(feature = "redis")]
mod cache;
mod database;

use chrono::{DateTime, Duration, Utc};

use crate::settings::AuthSettings;
use crate::{Database, Error, Settings};

/// Counts failed logins. The auth app keeps one in the web app's state, made from the
/// settings by [`from_settings`](Self::from_settings).
#[derive(Debug, Clone)]
pub struct Throttle {
    failures: u32,
    window: Duration,
    store: Store,
}

/// Where the failures are.
#[derive(Debug, Clone)]
enum Store {
    Database,
    #[cfg(feature = "redis")]
    Redis(std::sync::Arc<cache::RedisCounts>),
}

/// Too many failures: try again in `retry_after` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Seconds until the oldest failure counted leaves the window.
    pub retry_after: u64,
}

/// What failures are counted by: a username (trimmed, lowercased), or a client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counted<'a> {
    Username(&'a str),
    Address(std::net::IpAddr),
}

fn username_key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(150).collect()
}

impl Throttle {
    /// The limits of `settings`, counted in the database.
    pub fn new(settings: &AuthSettings) -> Self {
        Throttle {
            failures: settings.throttle_failures,
            window: Duration::seconds(
                i64::try_from(settings.throttle_window).unwrap_or(i64::MAX / 1000),
            ),
            store: Store::Database,
        }
    }

    /// The limits of `settings`, counted in the store `AUTH_THROTTLE_STORE` names: with
    /// `"cache"`, the Redis at `SESSION_REDIS_URL` (connected at the first login, each call
    /// bounded by `SESSION_STORE_TIMEOUT`; a Redis that does not answer makes the login a
    /// 503, never a login that skips the count).
    ///
    /// # Errors
    /// [`Error::Usage`] when the settings ask for a store this build cannot use (settings read
    /// by [`Settings::from_table`] were checked already).
    pub fn from_settings(settings: &Settings) -> Result<Self, Error> {
        let mut throttle = Throttle::new(&settings.auth);
        if settings.auth.throttle_store == crate::settings::ThrottleStore::Cache {
            throttle.store = cache_store(settings)?;
        }
        Ok(throttle)
    }

    /// `Err(Throttled)` when `username` or `address` already has the most failures allowed in
    /// the window. One read of the store per thing counted (two with an address).
    ///
    /// # Errors
    /// The store's, inside `Ok(Err(..))`'s outer `Result`.
    pub async fn check(
        &self,
        db: &Database,
        username: &str,
        address: Option<std::net::IpAddr>,
    ) -> Result<Result<(), Throttled>, Error> {
        if self.failures == 0 {
            return Ok(Ok(()));
        }
        let username = username_key(username);
        let counted = std::iter::once(Counted::Username(&username))
            .chain(address.map(Counted::Address))
            .collect::<Vec<_>>();
        let since = Utc::now() - self.window;
        let limit = self.failures as usize;
        let mut oldest_counted: Option<DateTime<Utc>> = None;
        for what in counted {
            // The newest `limit` failures: over the limit when there are that many, and the
            // request may come back when the oldest of them leaves the window.
            let newest = match &self.store {
                Store::Database => database::newest(db, what, since, limit).await?,
                #[cfg(feature = "redis")]
                Store::Redis(counts) => counts.newest(what, since, limit).await?,
            };
            if newest.len() >= limit
                && let Some(last) = newest.iter().min()
            {
                oldest_counted = Some(oldest_counted.map_or(*last, |o| o.max(*last)));
            }
        }
        Ok(match oldest_counted {
            None => Ok(()),
            Some(at) => {
                let left = (at + self.window - Utc::now()).num_seconds().max(1);
                Err(Throttled {
                    retry_after: u64::try_from(left).unwrap_or(1),
                })
            }
        })
    }

    /// Counts a failed login, for its username and (when known) its address, and forgets the
    /// failures that left the window.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn record_failure(
        &self,
        db: &Database,
        username: &str,
        address: Option<std::net::IpAddr>,
    ) -> Result<(), Error> {
        if self.failures == 0 {
            return Ok(());
        }
        let username = username_key(username);
        let since = Utc::now() - self.window;
        match &self.store {
            Store::Database => database::record(db, &username, address, since).await,
            #[cfg(feature = "redis")]
            Store::Redis(counts) => counts.record(&username, address, self.window).await,
        }
    }

    /// Forgets `username`'s failures: after a successful login. The address's stay, so one
    /// address trying many usernames is still slowed down.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn reset(&self, db: &Database, username: &str) -> Result<(), Error> {
        let username = username_key(username);
        match &self.store {
            Store::Database => database::reset(db, &username).await,
            #[cfg(feature = "redis")]
            Store::Redis(counts) => counts.reset(&username).await,
        }
    }
}

#[cfg(feature = "redis")]
fn cache_store(settings: &Settings) -> Result<Store, Error> {
    let url = settings.sessions.redis_url.as_ref().ok_or_else(|| {
        Error::Usage("AUTH_THROTTLE_STORE = \"cache\" needs SESSION_REDIS_URL".to_owned())
    })?;
    let counts = cache::RedisCounts::open(
        url,
        settings.auth.throttle_redis_prefix.clone(),
        settings.sessions.store_timeout,
    )
    .map_err(Error::Usage)?;
    Ok(Store::Redis(std::sync::Arc::new(counts)))
}

#[cfg(not(feature = "redis"))]
fn cache_store(_: &Settings) -> Result<Store, Error> {
    Err(Error::Usage(
        "AUTH_THROTTLE_STORE = \"cache\" needs fullstack's `redis` cargo feature".to_owned(),
    ))
}
