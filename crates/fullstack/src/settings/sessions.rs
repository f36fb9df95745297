//! The session settings: Django's `SESSION_*`, read by the sessions app (`crate::sessions`).
//! They live with the other settings so the core names no type of a contrib app.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// Where sessions are kept: Django's `SESSION_ENGINE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionEngine {
    /// In the project's database, the `django_session` table (`"db"`, the default).
    #[default]
    Db,
    /// In Redis at `SESSION_REDIS_URL` (`"cache"`); needs fullstack's `redis` cargo feature.
    Cache,
    /// In the database, with an in-process cache in front of it for reads (`"cached_db"`).
    CachedDb,
    /// In the cookie itself, signed with `SECRET_KEY` (`"signed_cookies"`): no server state.
    SignedCookies,
}

impl SessionEngine {
    /// The setting's value: `"db"`, `"cache"`, `"cached_db"` or `"signed_cookies"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionEngine::Db => "db",
            SessionEngine::Cache => "cache",
            SessionEngine::CachedDb => "cached_db",
            SessionEngine::SignedCookies => "signed_cookies",
        }
    }

    /// Reads a setting's value; Django's module paths
    /// (`"django.contrib.sessions.backends.cached_db"`) are accepted too.
    ///
    /// # Errors
    /// When `text` names no engine; the message lists them.
    pub fn parse(text: &str) -> Result<SessionEngine, String> {
        let name = text
            .trim()
            .strip_prefix("django.contrib.sessions.backends.")
            .unwrap_or(text.trim());
        match name {
            "db" => Ok(SessionEngine::Db),
            "cache" => Ok(SessionEngine::Cache),
            "cached_db" => Ok(SessionEngine::CachedDb),
            "signed_cookies" => Ok(SessionEngine::SignedCookies),
            _ => Err(format!(
                "`{text}` is not a session engine (\"db\", \"cache\", \"cached_db\" or \"signed_cookies\")"
            )),
        }
    }
}

impl fmt::Display for SessionEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SessionEngine {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        SessionEngine::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// How sessions are kept and their cookie is set: Django's `SESSION_*` settings. The project's
/// [`Settings::sessions`](crate::Settings::sessions) is one, read from `SESSION_*` keys;
/// [`sessions::app_with`](crate::sessions::app_with) takes one made in code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettings {
    /// Where sessions are kept (`SESSION_ENGINE`, the database by default).
    pub engine: SessionEngine,
    /// The cookie's name (`sessionid`).
    pub cookie_name: String,
    /// How long a session lasts (two weeks, Django's `SESSION_COOKIE_AGE`).
    pub age: Duration,
    /// Whether the cookie ends when the browser closes (`false`: it gets `Max-Age`).
    pub expire_at_browser_close: bool,
    /// The cookie's `Domain` (none: the host that set it only).
    pub cookie_domain: Option<String>,
    /// The cookie's `Path` (`/`).
    pub cookie_path: String,
    /// `Secure`: set it when the site is served over HTTPS.
    pub cookie_secure: bool,
    /// `HttpOnly` (`true`): scripts cannot read the cookie.
    pub cookie_http_only: bool,
    /// `SameSite` (`Lax`).
    pub cookie_same_site: micro::SameSite,
    /// Saves the session (and renews its expiry and cookie) on every response to a request
    /// whose handler took it, changed or not (`SESSION_SAVE_EVERY_REQUEST`, `false`).
    pub save_every_request: bool,
    /// The Redis server of the `cache` engine (`SESSION_REDIS_URL`,
    /// `redis://127.0.0.1:6379/0`); it may hold a password, so it is a [`micro::Secret`].
    pub redis_url: Option<micro::Secret>,
    /// What the `cache` engine puts before every key (`SESSION_REDIS_PREFIX`,
    /// `"fullstack.session:"`), so a Redis shared with other programs keeps them apart.
    pub redis_prefix: String,
    /// How long a store may take to answer before the request gets a 503 (five seconds,
    /// `SESSION_STORE_TIMEOUT`).
    pub store_timeout: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            engine: SessionEngine::Db,
            cookie_name: "sessionid".to_owned(),
            age: Duration::from_secs(60 * 60 * 24 * 7 * 2),
            expire_at_browser_close: false,
            cookie_domain: None,
            cookie_path: "/".to_owned(),
            cookie_secure: false,
            cookie_http_only: true,
            cookie_same_site: micro::SameSite::Lax,
            save_every_request: false,
            redis_url: None,
            redis_prefix: "fullstack.session:".to_owned(),
            store_timeout: Duration::from_secs(5),
        }
    }
}
