//! The auth app's keys: `AUTH_THROTTLE_FAILURES`, `AUTH_THROTTLE_WINDOW`,
//! `AUTH_THROTTLE_STORE`, `AUTH_THROTTLE_REDIS_PREFIX`, `PASSWORD_RESET_TIMEOUT`,
//! `AUTH_USER_CACHE`. Kept apart from the
//! other keys so the auth app's settings stay in one place.

use micro::{ConfigError, ConfigTable};
use serde::Deserialize;

/// The keys [`AuthSettings`] reads.
pub(super) const KEYS: &[&str] = &[
    "AUTH_THROTTLE_FAILURES",
    "AUTH_THROTTLE_WINDOW",
    "AUTH_THROTTLE_STORE",
    "AUTH_THROTTLE_REDIS_PREFIX",
    "PASSWORD_RESET_TIMEOUT",
    "AUTH_USER_CACHE",
];

/// Login throttling and password reset links, read by the [auth app](crate::auth).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// Failed logins allowed for one username, and for one client address, within the window
    /// (`AUTH_THROTTLE_FAILURES`, 5); the next attempt gets a 429. 0 turns throttling off.
    #[serde(rename = "AUTH_THROTTLE_FAILURES")]
    pub throttle_failures: u32,
    /// The window in seconds (`AUTH_THROTTLE_WINDOW`, 900: fifteen minutes).
    #[serde(rename = "AUTH_THROTTLE_WINDOW")]
    pub throttle_window: u64,
    /// Where failures are counted (`AUTH_THROTTLE_STORE`, `"db"`); see [`ThrottleStore`].
    #[serde(rename = "AUTH_THROTTLE_STORE")]
    pub throttle_store: ThrottleStore,
    /// What the throttle's Redis keys start with (`AUTH_THROTTLE_REDIS_PREFIX`,
    /// `"fullstack.throttle:"`), so that sites sharing a Redis count apart.
    #[serde(rename = "AUTH_THROTTLE_REDIS_PREFIX")]
    pub throttle_redis_prefix: String,
    /// How long a password reset link works, in seconds (`PASSWORD_RESET_TIMEOUT`, 259200:
    /// three days, as Django).
    #[serde(rename = "PASSWORD_RESET_TIMEOUT")]
    pub password_reset_timeout: u64,
    /// Seconds a logged-in user's row is kept in their session (`AUTH_USER_CACHE`, 0: off),
    /// so a request reads the session only, one query instead of two. The price: a change to
    /// the user made elsewhere (deactivated, password changed in another session) reaches this
    /// session only when its copy is that old; a password change in this session drops it at
    /// once. The password hash is never copied into the session.
    #[serde(rename = "AUTH_USER_CACHE")]
    pub user_cache: u64,
}

/// Where the login throttle counts failures, shared by every instance of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum ThrottleStore {
    /// `"db"`: the auth app's `auth_login_failure` table (no other server needed).
    #[default]
    #[serde(rename = "db")]
    Db,
    /// `"cache"`: the project's Redis, at `SESSION_REDIS_URL` (the one the sessions' `cache`
    /// engine uses), with the `redis` cargo feature; no write to the database per failure.
    #[serde(rename = "cache")]
    Cache,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            throttle_failures: 5,
            throttle_window: 900,
            throttle_store: ThrottleStore::Db,
            throttle_redis_prefix: "fullstack.throttle:".to_owned(),
            password_reset_timeout: 259_200,
            user_cache: 0,
        }
    }
}

impl AuthSettings {
    /// Takes the `AUTH_*` keys out of `table`.
    pub(super) fn take(table: &mut ConfigTable) -> Result<AuthSettings, ConfigError> {
        table.split_off(|key| KEYS.contains(&key)).deserialize()
    }
}

/// `AUTH_THROTTLE_STORE = "cache"` needs a Redis: the `redis` cargo feature and
/// `SESSION_REDIS_URL`.
pub(super) fn check_store(
    auth: &AuthSettings,
    sessions: &super::SessionSettings,
) -> Result<(), ConfigError> {
    if auth.throttle_store != ThrottleStore::Cache {
        return Ok(());
    }
    let message = if !cfg!(feature = "redis") {
        "\"cache\" counts failures in Redis, which needs fullstack's `redis` cargo feature \
         (fullstack = { ..., features = [\"redis\"] } in Cargo.toml)"
    } else if sessions.redis_url.is_none() {
        "\"cache\" counts failures in the Redis at SESSION_REDIS_URL, which is not set \
         (for example \"redis://127.0.0.1:6379/0\")"
    } else {
        return Ok(());
    };
    Err(ConfigError {
        key: "AUTH_THROTTLE_STORE".to_owned(),
        message: message.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use crate::Settings;

    #[test]
    fn read_from_the_settings_with_defaults() {
        let s = Settings::from_toml_str("AUTH_THROTTLE_FAILURES = 3").unwrap();
        assert_eq!(s.auth.throttle_failures, 3);
        assert_eq!(s.auth.throttle_window, 900);
        assert_eq!(s.auth.password_reset_timeout, 259_200);
        assert_eq!(s.auth.user_cache, 0);
        let s = Settings::from_toml_str("PASSWORD_RESET_TIMEOUT = 60").unwrap();
        assert_eq!(s.auth.password_reset_timeout, 60);
        assert_eq!(Settings::default().auth.throttle_failures, 5);
        let err = Settings::from_toml_str("AUTH_THROTTLE_FAILURE = 3").unwrap_err();
        assert!(err.to_string().contains("AUTH_THROTTLE_FAILURE"), "{err}");
        assert!(Settings::from_toml_str("AUTH_THROTTLE_WINDOW = \"soon\"").is_err());
    }

    #[test]
    fn the_cache_store_needs_the_redis_of_the_sessions() {
        use super::ThrottleStore;
        assert_eq!(Settings::default().auth.throttle_store, ThrottleStore::Db);
        let err = Settings::from_toml_str("AUTH_THROTTLE_STORE = \"memory\"").unwrap_err();
        assert_eq!(err.key, "AUTH_THROTTLE_STORE");
        let err = Settings::from_toml_str("AUTH_THROTTLE_STORE = \"cache\"").unwrap_err();
        assert_eq!(err.key, "AUTH_THROTTLE_STORE");
        #[cfg(feature = "redis")]
        {
            assert!(err.message.contains("SESSION_REDIS_URL"), "{err}");
            let s = Settings::from_toml_str(
                "AUTH_THROTTLE_STORE = \"cache\"\nSESSION_REDIS_URL = \"redis://127.0.0.1:6379\"",
            )
            .unwrap();
            assert_eq!(s.auth.throttle_store, ThrottleStore::Cache);
            assert_eq!(s.auth.throttle_redis_prefix, "fullstack.throttle:");
        }
        #[cfg(not(feature = "redis"))]
        assert!(err.message.contains("`redis` cargo feature"), "{err}");
    }
}
