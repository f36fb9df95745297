//! Login throttling, what Django users add django-axes for: failures are counted per username
//! and per client address in the database (the `auth_login_failure` table, which every
//! instance of the site shares), and past `AUTH_THROTTLE_FAILURES` within
//! `AUTH_THROTTLE_WINDOW` seconds the login answers 429 with `Retry-After`. A successful login
//! clears its username's failures.

use chrono::{DateTime, Duration, Utc};

use super::LoginFailure;
use crate::query::prelude::*;
use crate::settings::AuthSettings;
use crate::{Database, Error};

/// Counts failed logins; made from the settings' [`AuthSettings`].
#[derive(Debug, Clone)]
pub struct Throttle {
    failures: u32,
    window: Duration,
}

/// Too many failures: try again in `retry_after` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Seconds until the oldest failure counted leaves the window.
    pub retry_after: u64,
}

/// The address stored for a client whose address is unknown (a test client, a server that does
/// not say). Such failures count for their username only: counting them together would let one
/// client lock every other out.
const UNKNOWN_ADDRESS: &str = "unknown";

fn username_key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(150).collect()
}

fn address_key(address: Option<std::net::IpAddr>) -> String {
    address.map_or_else(|| UNKNOWN_ADDRESS.to_owned(), |a| a.to_string())
}

impl Throttle {
    /// The limits of `settings`.
    pub fn new(settings: &AuthSettings) -> Self {
        Throttle {
            failures: settings.throttle_failures,
            window: Duration::seconds(
                i64::try_from(settings.throttle_window).unwrap_or(i64::MAX / 1000),
            ),
        }
    }

    fn since(&self) -> DateTime<Utc> {
        Utc::now() - self.window
    }

    /// `Err(Throttled)` when `username` or `address` already has the most failures allowed in
    /// the window. Two queries (one without an address).
    ///
    /// # Errors
    /// The database's, inside `Ok(Err(..))`'s outer `Result`.
    pub async fn check(
        &self,
        db: &Database,
        username: &str,
        address: Option<std::net::IpAddr>,
    ) -> Result<Result<(), Throttled>, Error> {
        if self.failures == 0 {
            return Ok(Ok(()));
        }
        let since = self.since();
        let by_user = LoginFailure::objects()
            .filter(LoginFailure::USERNAME.eq(username_key(username)) & LoginFailure::AT.gt(since))
            .order_by([LoginFailure::AT.desc()]);
        let by_address = address.map(|a| {
            LoginFailure::objects()
                .filter(LoginFailure::ADDRESS.eq(address_key(Some(a))) & LoginFailure::AT.gt(since))
                .order_by([LoginFailure::AT.desc()])
        });
        let limit = self.failures as usize;
        let mut oldest_counted: Option<DateTime<Utc>> = None;
        for qs in std::iter::once(by_user).chain(by_address) {
            // The newest `limit` failures: over the limit when there are that many, and the
            // request may come back when the oldest of them leaves the window.
            let rows = qs.limit(limit as u64).all(db).await?;
            if rows.len() >= limit
                && let Some(last) = rows.last()
            {
                oldest_counted = Some(oldest_counted.map_or(last.at, |o| o.max(last.at)));
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

    /// Counts a failed login, and deletes the failures that left the window.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn record_failure(
        &self,
        db: &Database,
        username: &str,
        address: Option<std::net::IpAddr>,
    ) -> Result<(), Error> {
        if self.failures == 0 {
            return Ok(());
        }
        LoginFailure::objects()
            .filter(LoginFailure::AT.lt(self.since()))
            .delete(db)
            .await?;
        LoginFailure::objects()
            .create(
                db,
                LoginFailure {
                    id: 0,
                    username: username_key(username),
                    address: address_key(address),
                    at: Utc::now(),
                },
            )
            .await?;
        Ok(())
    }

    /// Forgets `username`'s failures: after a successful login. The address's stay, so one
    /// address trying many usernames is still slowed down.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn reset(&self, db: &Database, username: &str) -> Result<(), Error> {
        LoginFailure::objects()
            .filter(LoginFailure::USERNAME.eq(username_key(username)))
            .delete(db)
            .await?;
        Ok(())
    }
}
