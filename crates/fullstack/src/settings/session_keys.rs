//! The `SESSION_*` keys, read into [`SessionSettings`] (the sessions app's settings).
//!
//! micro knows the `SESSION_COOKIE_*` flags too (for its signed-cookie session and flash): read
//! here, they are copied to micro's configuration as well, so every session cookie of a project
//! follows one set of flags; only the name stays micro's own (`session`), so micro's cookie and
//! the sessions app's (`sessionid`) never overwrite each other.

use std::time::Duration;

use micro::ConfigError;
use serde::{Deserialize, Deserializer};

use super::sessions::{SessionEngine, SessionSettings};

/// The keys read here, before micro sees the table.
pub(super) const SESSION_KEYS: &[&str] = &[
    "SESSION_ENGINE",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_AGE",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "SESSION_SAVE_EVERY_REQUEST",
    "SESSION_REDIS_URL",
    "SESSION_REDIS_PREFIX",
    "SESSION_STORE_TIMEOUT",
];

/// The `SESSION_*` keys with [`SessionSettings::default`]'s values as defaults.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(super) struct SessionKeys {
    #[serde(rename = "SESSION_ENGINE")]
    engine: SessionEngine,
    #[serde(rename = "SESSION_COOKIE_NAME")]
    cookie_name: String,
    #[serde(rename = "SESSION_COOKIE_AGE")]
    cookie_age: u64,
    #[serde(rename = "SESSION_COOKIE_DOMAIN")]
    cookie_domain: Option<String>,
    #[serde(rename = "SESSION_COOKIE_PATH")]
    cookie_path: String,
    #[serde(rename = "SESSION_COOKIE_SECURE")]
    cookie_secure: bool,
    #[serde(rename = "SESSION_COOKIE_HTTPONLY")]
    cookie_httponly: bool,
    #[serde(rename = "SESSION_COOKIE_SAMESITE")]
    cookie_samesite: micro::SameSite,
    #[serde(rename = "SESSION_EXPIRE_AT_BROWSER_CLOSE")]
    expire_at_browser_close: bool,
    #[serde(rename = "SESSION_SAVE_EVERY_REQUEST")]
    save_every_request: bool,
    #[serde(rename = "SESSION_REDIS_URL")]
    redis_url: Option<micro::Secret>,
    #[serde(rename = "SESSION_REDIS_PREFIX")]
    redis_prefix: String,
    #[serde(rename = "SESSION_STORE_TIMEOUT", deserialize_with = "seconds")]
    store_timeout: Duration,
}

impl Default for SessionKeys {
    fn default() -> Self {
        let s = SessionSettings::default();
        SessionKeys {
            engine: s.engine,
            cookie_name: s.cookie_name,
            cookie_age: s.age.as_secs(),
            cookie_domain: s.cookie_domain,
            cookie_path: s.cookie_path,
            cookie_secure: s.cookie_secure,
            cookie_httponly: s.cookie_http_only,
            cookie_samesite: s.cookie_same_site,
            expire_at_browser_close: s.expire_at_browser_close,
            save_every_request: s.save_every_request,
            redis_url: s.redis_url,
            redis_prefix: s.redis_prefix,
            store_timeout: s.store_timeout,
        }
    }
}

/// Seconds, whole or not (`0.5`).
fn seconds<'de, D: Deserializer<'de>>(de: D) -> Result<Duration, D::Error> {
    let secs = f64::deserialize(de)?;
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            serde::de::Error::custom(format!("{secs} is not a positive number of seconds"))
        })
}

fn error(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.into(),
        message: message.into(),
    }
}

impl SessionKeys {
    /// The settings, checked: a cookie name a browser would refuse, a zero age or an engine
    /// that cannot work are errors at startup, not at the first request.
    pub(super) fn into_settings(self) -> Result<SessionSettings, ConfigError> {
        let name_ok = !self.cookie_name.is_empty()
            && self
                .cookie_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !name_ok {
            return Err(error(
                "SESSION_COOKIE_NAME",
                format!(
                    "`{}` is not a cookie name (letters, digits, `-`, `_`, `.`)",
                    self.cookie_name
                ),
            ));
        }
        if self.cookie_age == 0 {
            return Err(error(
                "SESSION_COOKIE_AGE",
                "must be a positive number of seconds (SESSION_EXPIRE_AT_BROWSER_CLOSE ends sessions with the browser)",
            ));
        }
        let redis_url = self.redis_url.filter(|url| !url.expose().is_empty());
        if self.engine == SessionEngine::Cache {
            check_redis(redis_url.as_ref())?;
        }
        Ok(SessionSettings {
            engine: self.engine,
            cookie_name: self.cookie_name,
            age: Duration::from_secs(self.cookie_age),
            expire_at_browser_close: self.expire_at_browser_close,
            cookie_domain: self.cookie_domain.filter(|d| !d.is_empty()),
            cookie_path: self.cookie_path,
            cookie_secure: self.cookie_secure,
            cookie_http_only: self.cookie_httponly,
            cookie_same_site: self.cookie_samesite,
            save_every_request: self.save_every_request,
            redis_url,
            redis_prefix: self.redis_prefix,
            store_timeout: self.store_timeout,
        })
    }
}

#[cfg(feature = "redis")]
fn check_redis(url: Option<&micro::Secret>) -> Result<(), ConfigError> {
    let Some(url) = url else {
        return Err(error(
            "SESSION_REDIS_URL",
            "is required with SESSION_ENGINE = \"cache\" (for example \"redis://127.0.0.1:6379/0\")",
        ));
    };
    // The URL may carry a password: the message never repeats it.
    redis_client(url)
        .map(|_| ())
        .map_err(|e| error("SESSION_REDIS_URL", e))
}

/// A client for `url`, checked but not connected; errors never repeat the URL (it may carry
/// a password).
#[cfg(feature = "redis")]
pub(crate) fn redis_client(url: &micro::Secret) -> Result<redis::Client, String> {
    redis::Client::open(url.expose())
        .map_err(|_| "is not a Redis URL (redis://[:password@]host[:port][/db])".to_owned())
}

#[cfg(not(feature = "redis"))]
fn check_redis(_: Option<&micro::Secret>) -> Result<(), ConfigError> {
    Err(error(
        "SESSION_ENGINE",
        "\"cache\" keeps sessions in Redis, which needs fullstack's `redis` cargo feature \
         (fullstack = { ..., features = [\"redis\"] } in Cargo.toml)",
    ))
}

/// Copies the cookie flags to micro's configuration (see the module's comment).
pub(super) fn share_flags(sessions: &SessionSettings, web: &mut micro::Config) {
    web.session_cookie_domain
        .clone_from(&sessions.cookie_domain);
    web.session_cookie_path.clone_from(&sessions.cookie_path);
    web.session_cookie_secure = sessions.cookie_secure;
    web.session_cookie_httponly = sessions.cookie_http_only;
    web.session_cookie_samesite = sessions.cookie_same_site;
}
