//! The session settings: Django's `SESSION_*`.

use std::time::Duration;

/// How sessions are kept and their cookie is set: Django's `SESSION_COOKIE_*` settings. The
/// project's settings object embeds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettings {
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
    /// How long a store may take to answer before the request gets a 503 (five seconds).
    pub store_timeout: Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            cookie_name: "sessionid".to_owned(),
            age: Duration::from_secs(60 * 60 * 24 * 7 * 2),
            expire_at_browser_close: false,
            cookie_domain: None,
            cookie_path: "/".to_owned(),
            cookie_secure: false,
            cookie_http_only: true,
            cookie_same_site: micro::SameSite::Lax,
            store_timeout: Duration::from_secs(5),
        }
    }
}
