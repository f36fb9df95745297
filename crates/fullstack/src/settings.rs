//! A project's settings, Django's `settings.py`: one typed object read from defaults, a TOML
//! file and the environment. micro's keys (`DEBUG`, `SECRET_KEY`, the session cookie,
//! `TRUSTED_ORIGINS`, `[APP]`, ...) fill [`Settings::web`], a [`micro::Config`]; fullstack's own
//! keys (`ALLOWED_HOSTS`, `DATABASE_URL`, `SECURE_*`, `X_FRAME_OPTIONS`, ...) fill the other
//! fields. See `docs/fullstack/settings.md`.
//!
//! ```
//! use fullstack::Settings;
//!
//! let settings = Settings::from_toml_str(r#"
//!     DEBUG = true
//!     ALLOWED_HOSTS = [".example.com"]
//!     SECURE_HSTS_SECONDS = 3600
//!
//!     [APP.public]
//!     site_name = "Polls"
//! "#).unwrap();
//! assert!(settings.web.debug);
//! assert_eq!(settings.allowed_hosts, [".example.com"]);
//! assert_eq!(settings.secure_hsts_seconds, 3600);
//!
//! // A key neither fullstack nor micro knows is an error naming it:
//! let err = Settings::from_toml_str("ALLOWED_HOST = []").unwrap_err();
//! assert_eq!(err.key, "ALLOWED_HOST");
//! ```

mod auth;
mod deploy;
mod keys;
mod mail;
mod messages;
mod safe;
mod session_keys;
mod sessions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use micro::{ConfigError, ConfigTable};

pub use auth::{AuthSettings, ThrottleStore};
pub use deploy::{Check, Level, deploy_checks};
pub use keys::{FrameOptions, ProxySslHeader};
use keys::{OWN_KEYS, Own};
pub use mail::{EmailBackend, MailSettings};
pub(crate) use messages::LEVEL_NAMES as MESSAGE_LEVEL_NAMES;
pub use messages::{MessageSettings, MessageStorage};
pub use safe::{MASK, is_sensitive, mask_url_password};
use session_keys::{SESSION_KEYS, SessionKeys};

#[cfg(feature = "redis")]
pub(crate) use session_keys::redis_client;
pub use sessions::{SessionEngine, SessionSettings};

/// Every setting of a project. Build it with [`Settings::load_from`] (or
/// [`settings!`](crate::settings!)), [`Settings::from_toml_str`], or [`Settings::default`] and
/// field updates; give it to [`Project::settings`](crate::Project::settings).
///
/// | key | default | what |
/// |---|---|---|
/// | micro's keys | see [`micro::Config`] | `DEBUG`, `SECRET_KEY`, `SECRET_KEY_FALLBACKS`, `SESSION_LIFETIME`, `TEMPLATES_FOLDER`, `STATIC_FOLDER`, `TRUSTED_ORIGINS`, `[APP]`, ... |
/// | `ALLOWED_HOSTS` | `[]` | host names this site answers to (`"example.com"`, `".example.com"` with its subdomains, `"*"`); in `DEBUG` an empty list means `localhost`, `127.0.0.1` and `[::1]` |
/// | `USE_X_FORWARDED_HOST` | `false` | trust the `X-Forwarded-Host` header (behind a proxy that sets it) |
/// | `CSRF_TRUSTED_ORIGINS` | `[]` | origins (`"https://app.example.com"`) whose pages may post here; added to micro's `TRUSTED_ORIGINS` |
/// | `DATABASE_URL` | the `DATABASE_URL` variable, else [`DEFAULT_DATABASE_URL`](crate::project::DEFAULT_DATABASE_URL) | the database the commands and the web app use |
/// | `SECURE_CONTENT_TYPE_NOSNIFF` | `true` | `X-Content-Type-Options: nosniff` |
/// | `SECURE_REFERRER_POLICY` | `"same-origin"` | the `Referrer-Policy` header; `""` sends none |
/// | `SECURE_CROSS_ORIGIN_OPENER_POLICY` | `"same-origin"` | the `Cross-Origin-Opener-Policy` header; `""` sends none |
/// | `SECURE_HSTS_SECONDS` | `0` | `Strict-Transport-Security` max-age on HTTPS responses; `0` sends none |
/// | `SECURE_HSTS_INCLUDE_SUBDOMAINS` | `false` | adds `includeSubDomains` |
/// | `SECURE_HSTS_PRELOAD` | `false` | adds `preload` |
/// | `SECURE_SSL_REDIRECT` | `false` | redirects plain-HTTP requests to HTTPS (301) |
/// | `SECURE_PROXY_SSL_HEADER` | none | `"X-Forwarded-Proto: https"`: the header and value a trusted proxy sets on HTTPS requests |
/// | `X_FRAME_OPTIONS` | `"DENY"` | `"DENY"` or `"SAMEORIGIN"` |
/// | `LOGIN_URL` | `"/accounts/login/"` | where login-required pages send visitors (for the auth app) |
/// | `LOGIN_REDIRECT_URL` | `"/accounts/profile/"` | where a login goes without `next` |
/// | `LOGOUT_REDIRECT_URL` | none | where a logout goes |
/// | `MIDDLEWARE_SECURITY` | `true` | the security headers, HSTS and the HTTPS redirect |
/// | `MIDDLEWARE_CLICKJACKING` | `true` | `X-Frame-Options` |
/// | `SECURE_CSP` | `{}` | the `Content-Security-Policy`, a table of directives (`script-src = ["'self'", "nonce"]`); empty sends none |
/// | `SECURE_CSP_REPORT_ONLY` | `{}` | the `Content-Security-Policy-Report-Only` policy, likewise |
/// | `MIDDLEWARE_CSP` | `true` | the two CSP headers and the per-request nonce |
/// | `MIDDLEWARE_CSRF` | `true` | the CSRF token check on `POST`, `PUT`, `PATCH` and `DELETE` |
/// | `CSRF_COOKIE_NAME` | `"csrftoken"` | the cookie holding the CSRF secret |
/// | `CSRF_COOKIE_AGE` | `31449600` (a year) | its `Max-Age` in seconds; `0` for a browser-session cookie |
/// | `CSRF_COOKIE_DOMAIN` | none | its domain (`".example.com"` for subdomains); the HTTPS `Referer` check accepts it too |
/// | `CSRF_COOKIE_PATH` | `"/"` | its path |
/// | `CSRF_COOKIE_SECURE` | `false` | sent over HTTPS only |
/// | `CSRF_COOKIE_HTTPONLY` | `false` | hidden from scripts (which then read the token from the page) |
/// | `CSRF_COOKIE_SAMESITE` | `"Lax"` | `"Lax"`, `"Strict"` or `"None"` |
/// | `CSRF_HEADER_NAME` | `"X-CSRFToken"` | the header scripts send the token in (Django's `HTTP_X_CSRFTOKEN` form works too) |
/// | `CSRF_FAILURE_TEMPLATE` | `"403_csrf.html"` | the template of the 403 page, given `reason`, when the project has it |
/// | `MESSAGE_LEVEL`, `MESSAGE_TAGS`, `MESSAGE_STORAGE` | see [`MessageSettings`] | the [messages](crate::messages) app's |
/// | `SESSION_*` | see [`SessionSettings`] | the sessions app's engine and cookie, in [`sessions`](Self::sessions): `SESSION_ENGINE` (`"db"`, `"cache"`, `"cached_db"`, `"signed_cookies"`), `SESSION_COOKIE_NAME` (`"sessionid"`), `SESSION_COOKIE_AGE` (two weeks, in seconds), `SESSION_COOKIE_DOMAIN`, `SESSION_COOKIE_PATH`, `SESSION_COOKIE_SECURE`, `SESSION_COOKIE_HTTPONLY`, `SESSION_COOKIE_SAMESITE`, `SESSION_EXPIRE_AT_BROWSER_CLOSE`, `SESSION_SAVE_EVERY_REQUEST`, `SESSION_REDIS_URL`, `SESSION_REDIS_PREFIX`, `SESSION_STORE_TIMEOUT` (seconds); the cookie flags apply to micro's session cookie too |
/// | `AUTH_THROTTLE_FAILURES`, `AUTH_THROTTLE_WINDOW` | `5`, `900` | login throttling, see [`AuthSettings`] |
/// | `AUTH_THROTTLE_STORE`, `AUTH_THROTTLE_REDIS_PREFIX` | `"db"`, `"fullstack.throttle:"` | where the throttle counts: the database, or `"cache"` for the Redis at `SESSION_REDIS_URL` |
/// | `AUTH_USER_CACHE` | `0` | seconds the logged-in user is kept in the session, see [`AuthSettings`] |
/// | `PASSWORD_RESET_TIMEOUT` | `259200` | seconds a password reset link works (three days) |
/// | `EMAIL_BACKEND` | `"console"` in `DEBUG`, else `"smtp"` | where email goes (`"memory"` for tests), see [`MailSettings`] |
/// | `EMAIL_HOST`, `EMAIL_PORT`, `EMAIL_HOST_USER`, `EMAIL_HOST_PASSWORD` | `"localhost"`, `25`, `""`, none | the SMTP server |
/// | `EMAIL_USE_TLS`, `EMAIL_USE_SSL`, `EMAIL_TIMEOUT` | `false`, `false`, none | STARTTLS, or TLS from the start; seconds |
/// | `DEFAULT_FROM_EMAIL` | `"webmaster@localhost"` | the sender of a message that names none |
#[derive(Clone, Debug)]
#[non_exhaustive]
#[allow(missing_docs)] // the table above documents each field
pub struct Settings {
    /// micro's settings, read from the same file and variables.
    pub web: micro::Config,
    pub allowed_hosts: Vec<String>,
    pub use_x_forwarded_host: bool,
    pub csrf_trusted_origins: Vec<String>,
    pub database_url: Option<String>,
    pub secure_content_type_nosniff: bool,
    pub secure_referrer_policy: String,
    pub secure_cross_origin_opener_policy: String,
    pub secure_hsts_seconds: u64,
    pub secure_hsts_include_subdomains: bool,
    pub secure_hsts_preload: bool,
    pub secure_ssl_redirect: bool,
    pub secure_proxy_ssl_header: Option<ProxySslHeader>,
    pub x_frame_options: FrameOptions,
    pub login_url: String,
    pub login_redirect_url: String,
    pub logout_redirect_url: Option<String>,
    pub middleware_security: bool,
    pub middleware_clickjacking: bool,
    pub secure_csp: BTreeMap<String, Vec<String>>,
    pub secure_csp_report_only: BTreeMap<String, Vec<String>>,
    pub middleware_csp: bool,
    pub middleware_csrf: bool,
    pub csrf_cookie_name: String,
    pub csrf_cookie_age: u64,
    pub csrf_cookie_domain: Option<String>,
    pub csrf_cookie_path: String,
    pub csrf_cookie_secure: bool,
    pub csrf_cookie_httponly: bool,
    pub csrf_cookie_samesite: micro::SameSite,
    pub csrf_header_name: String,
    pub csrf_failure_template: String,
    /// The messages app's `MESSAGE_*` keys (see [`MessageSettings`]).
    pub messages: MessageSettings,
    /// The sessions app's settings, from the `SESSION_*` keys.
    pub sessions: SessionSettings,
    /// The auth app's `AUTH_*` keys (login throttling) and `PASSWORD_RESET_TIMEOUT`.
    pub auth: AuthSettings,
    /// The `EMAIL_*` keys and `DEFAULT_FROM_EMAIL`: how [`mail`](crate::mail) sends.
    pub mail: MailSettings,
    /// The crate folder [`load_from`](Self::load_from) was given: the web app's root.
    root: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_parts(
            micro::Config::default(),
            Own::default(),
            SessionSettings::default(),
        )
    }
}

/// The settings of the calling crate: [`Settings::load_from`] its folder (the one with its
/// `Cargo.toml`), so `settings.toml` beside `Cargo.toml` is read and the web app's `templates/`
/// and `static/` are found there, as with [`micro::app!`]. A `Result`.
///
/// ```no_run
/// fn main() -> Result<std::process::ExitCode, micro::ConfigError> {
///     let settings = fullstack::settings!()?;
///     Ok(fullstack::Project::new("mysite").settings(settings).run())
/// }
/// ```
#[macro_export]
macro_rules! settings {
    () => {
        $crate::Settings::load_from(::core::env!("CARGO_MANIFEST_DIR"))
    };
}

impl Settings {
    /// The settings file's name, looked for in the crate's folder.
    pub const FILE: &'static str = "settings.toml";
    /// The prefix of the environment variables: `FULLSTACK_DEBUG`, `FULLSTACK_SECRET_KEY`,
    /// `FULLSTACK_ALLOWED_HOSTS`, `FULLSTACK_APP_TOKEN`... `FULLSTACK_SETTINGS` names another
    /// settings file.
    pub const ENV_PREFIX: &'static str = "FULLSTACK";

    /// Defaults, then `settings.toml` in `crate_dir` if it exists (or the file named by
    /// `FULLSTACK_SETTINGS`, which must exist), then the `DATABASE_URL` variable, then
    /// `FULLSTACK_*` variables. `crate_dir` is also the web app's root (as with
    /// [`micro::app!`]), unless `ROOT_PATH` is set.
    ///
    /// # Errors
    /// When the file cannot be read or parsed, or a key is unknown or malformed; the error names
    /// the key and the file or variable it came from.
    pub fn load_from(crate_dir: impl AsRef<Path>) -> Result<Settings, ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Self::load_with(crate_dir.as_ref(), vars)
    }

    pub(crate) fn load_with(
        crate_dir: &Path,
        vars: Vec<(String, String)>,
    ) -> Result<Settings, ConfigError> {
        let named = vars
            .iter()
            .find(|(name, _)| name == "FULLSTACK_SETTINGS")
            .map(|(_, path)| PathBuf::from(path));
        let file = named.clone().unwrap_or_else(|| crate_dir.join(Self::FILE));
        let mut table = if named.is_some() || file.exists() {
            ConfigTable::from_toml_file(&file)?
        } else {
            ConfigTable::new()
        };
        // The conventional name (Heroku, docker-compose) loses to the prefixed one.
        let plain = vars
            .iter()
            .filter(|(name, value)| name == "DATABASE_URL" && !value.is_empty());
        table.merge_env("", plain.cloned());
        let prefixed = vars
            .into_iter()
            .filter(|(name, _)| name != "FULLSTACK_SETTINGS");
        table.merge_env(Self::ENV_PREFIX, prefixed);
        let mut settings = Self::from_table(table)?;
        settings.root = Some(crate_dir.to_path_buf());
        Ok(settings)
    }

    /// Only TOML text, over the defaults (for tests and examples).
    ///
    /// # Errors
    /// When the text is not TOML, or a key is unknown or malformed.
    pub fn from_toml_str(text: &str) -> Result<Settings, ConfigError> {
        Self::from_table(ConfigTable::from_toml_str(text)?)
    }

    /// Reads a table of settings: fullstack's keys into these fields, micro's into
    /// [`web`](Self::web).
    ///
    /// # Errors
    /// When a key is unknown to both, or malformed.
    pub fn from_table(mut table: ConfigTable) -> Result<Settings, ConfigError> {
        let auth = AuthSettings::take(&mut table)?;
        let mail = MailSettings::take(&mut table)?;
        if let Some(unknown) = table.keys().find(|key| !Self::known_key(key)) {
            let known: Vec<String> = Self::known_keys().map(|k| format!("`{k}`")).collect();
            let mut message = format!(
                "is not a setting of fullstack or micro ({}); your own settings go under [APP]",
                known.join(", ")
            );
            if let Some(origin) = table.origin(unknown) {
                message = format!("{message} ({origin})");
            }
            return Err(ConfigError {
                key: unknown.to_owned(),
                message,
            });
        }
        let messages = messages::take(&mut table)?;
        let own: Own = table
            .split_off(|key| OWN_KEYS.contains(&key))
            .deserialize()?;
        let sessions = table
            .split_off(|key| SESSION_KEYS.contains(&key))
            .deserialize::<SessionKeys>()?
            .into_settings()?;
        // Checked by micro's own rules now, not when the web app is built.
        let mut checker = micro::App::new();
        for origin in &own.csrf_trusted_origins {
            checker.trusted_origin(origin).map_err(|err| ConfigError {
                key: "CSRF_TRUSTED_ORIGINS".into(),
                message: err.to_string(),
            })?;
        }
        csrf_header(&own.csrf_header_name).map_err(|message| ConfigError {
            key: "CSRF_HEADER_NAME".into(),
            message,
        })?;
        auth::check_store(&auth, &sessions)?;
        // One list of hosts: micro's would be checked besides Django's, under another name.
        if table.keys().any(|key| key == "TRUSTED_HOSTS") {
            return Err(ConfigError {
                key: "TRUSTED_HOSTS".into(),
                message: "is micro's; a fullstack project lists the hosts it answers to in \
                          ALLOWED_HOSTS"
                    .into(),
            });
        }
        let mut web = table.into_config()?;
        session_keys::share_flags(&sessions, &mut web);
        Ok(Settings {
            messages,
            auth,
            mail,
            ..Self::from_parts(web, own, sessions)
        })
    }

    fn from_parts(web: micro::Config, own: Own, sessions: SessionSettings) -> Settings {
        Settings {
            web,
            allowed_hosts: own.allowed_hosts,
            use_x_forwarded_host: own.use_x_forwarded_host,
            csrf_trusted_origins: own.csrf_trusted_origins,
            database_url: own.database_url.filter(|url| !url.is_empty()),
            secure_content_type_nosniff: own.secure_content_type_nosniff,
            secure_referrer_policy: own.secure_referrer_policy,
            secure_cross_origin_opener_policy: own.secure_cross_origin_opener_policy,
            secure_hsts_seconds: own.secure_hsts_seconds,
            secure_hsts_include_subdomains: own.secure_hsts_include_subdomains,
            secure_hsts_preload: own.secure_hsts_preload,
            secure_ssl_redirect: own.secure_ssl_redirect,
            secure_proxy_ssl_header: own.secure_proxy_ssl_header,
            x_frame_options: own.x_frame_options,
            login_url: own.login_url,
            login_redirect_url: own.login_redirect_url,
            logout_redirect_url: own.logout_redirect_url,
            middleware_security: own.middleware_security,
            middleware_clickjacking: own.middleware_clickjacking,
            secure_csp: own.secure_csp,
            secure_csp_report_only: own.secure_csp_report_only,
            middleware_csp: own.middleware_csp,
            middleware_csrf: own.middleware_csrf,
            csrf_cookie_name: own.csrf_cookie_name,
            csrf_cookie_age: own.csrf_cookie_age,
            csrf_cookie_domain: own.csrf_cookie_domain.filter(|d| !d.is_empty()),
            csrf_cookie_path: own.csrf_cookie_path,
            csrf_cookie_secure: own.csrf_cookie_secure,
            csrf_cookie_httponly: own.csrf_cookie_httponly,
            csrf_cookie_samesite: own.csrf_cookie_samesite,
            csrf_header_name: own.csrf_header_name,
            csrf_failure_template: own.csrf_failure_template,
            messages: MessageSettings::default(),
            sessions,
            auth: AuthSettings::default(),
            mail: MailSettings::default(),
            root: None,
        }
    }

    /// Every top-level key a settings file may hold: fullstack's, the messages app's, micro's.
    pub fn known_keys() -> impl Iterator<Item = &'static str> {
        // micro's SESSION_COOKIE_* keys are read as fullstack's and shared with micro's cookie.
        OWN_KEYS
            .iter()
            .chain(messages::KEYS)
            .chain(auth::KEYS)
            .chain(mail::KEYS)
            .chain(SESSION_KEYS)
            .chain(
                micro::Config::KEYS
                    .iter()
                    .filter(|k| !SESSION_KEYS.contains(k)),
            )
            .copied()
    }

    fn known_key(key: &str) -> bool {
        Self::known_keys().any(|k| k == key)
    }

    /// Settings whose micro part is `web`, the rest at their defaults.
    pub fn from_config(web: micro::Config) -> Settings {
        Settings {
            web,
            ..Settings::default()
        }
    }

    /// The crate folder the settings were loaded for: the web app's root.
    pub fn crate_root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The web app these settings describe: [`micro::App::from_config`], rooted at the crate's
    /// folder when loaded with [`load_from`](Self::load_from) (else at `fallback_root`, the
    /// project's), with `CSRF_TRUSTED_ORIGINS` trusted.
    pub(crate) fn web_app(&self, fallback_root: Option<&Path>) -> Result<micro::App, ConfigError> {
        let mut config = self.web.clone();
        for origin in &self.csrf_trusted_origins {
            if !config.trusted_origins.contains(origin) {
                config.trusted_origins.push(origin.clone());
            }
        }
        match self.root.as_deref().or(fallback_root) {
            Some(root) => micro::App::from_config_with_crate_root(config, root),
            None => micro::App::from_config(config),
        }
    }

    /// The proxy headers `USE_X_FORWARDED_HOST` and `SECURE_PROXY_SSL_HEADER` trust: one reading
    /// for the host check, the HTTPS redirect and the CSRF check.
    pub fn trusted_proxy(&self) -> micro::TrustedProxy {
        let proxy = micro::TrustedProxy::new().use_x_forwarded_host(self.use_x_forwarded_host);
        match &self.secure_proxy_ssl_header {
            Some(header) => proxy.ssl_header(header.name().clone(), header.value()),
            None => proxy,
        }
    }

    /// micro's CSRF check as these settings configure it (`CSRF_*`, `USE_X_FORWARDED_HOST`,
    /// `SECURE_PROXY_SSL_HEADER`), which [`Project::web_app`](crate::Project::web_app)
    /// installs when `MIDDLEWARE_CSRF` is on.
    ///
    /// # Errors
    /// When `CSRF_HEADER_NAME` is not a header name or a trusted origin is not an origin.
    pub fn csrf(&self) -> Result<micro::Csrf, ConfigError> {
        let mut csrf = micro::Csrf::new();
        let header = csrf_header(&self.csrf_header_name).map_err(|message| ConfigError {
            key: "CSRF_HEADER_NAME".into(),
            message,
        })?;
        csrf.cookie_name(self.csrf_cookie_name.clone())
            .cookie_age(
                (self.csrf_cookie_age > 0)
                    .then(|| std::time::Duration::from_secs(self.csrf_cookie_age)),
            )
            .cookie_domain(self.csrf_cookie_domain.clone())
            .cookie_path(self.csrf_cookie_path.clone())
            .cookie_secure(self.csrf_cookie_secure)
            .cookie_httponly(self.csrf_cookie_httponly)
            .cookie_samesite(Some(self.csrf_cookie_samesite))
            .header_name(header)
            .trusted_proxy(self.trusted_proxy())
            .failure_template(self.csrf_failure_template.clone());
        for origin in &self.csrf_trusted_origins {
            csrf.trusted_origin(origin)?;
        }
        Ok(csrf)
    }
}

/// `X-CSRFToken`, or Django's `HTTP_X_CSRFTOKEN` spelling of it, as a header name.
fn csrf_header(text: &str) -> Result<micro::http::HeaderName, String> {
    let name = text.strip_prefix("HTTP_").unwrap_or(text).replace('_', "-");
    micro::http::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("`{text}` is not a header name (write X-CSRFToken)"))
}

#[cfg(test)]
mod tests;
