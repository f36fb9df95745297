//! Typed configuration from defaults, a TOML file and `MICRO_` environment variables.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// The settings micro reads, Flask's names in Flask's case. Later sources override earlier ones:
/// defaults, then a TOML file, then environment variables prefixed `MICRO_`.
///
/// ```
/// use micro::Config;
///
/// let config = Config::from_toml_str(r#"
///     DEBUG = true
///     SECRET_KEY = "change me"
///     MAX_CONTENT_LENGTH = 1_048_576
///
///     [APP]
///     greeting = "hello"
/// "#).unwrap();
/// assert!(config.debug);
/// assert_eq!(config.max_content_length, 1_048_576);
///
/// #[derive(serde::Deserialize)]
/// struct Mine { greeting: String }
/// assert_eq!(config.app::<Mine>().unwrap().greeting, "hello");
///
/// // Unknown and malformed keys are errors that name the key:
/// let err = Config::from_toml_str("DEBGU = true").unwrap_err();
/// assert!(err.to_string().contains("DEBGU"));
/// let err = Config::from_toml_str("MAX_CONTENT_LENGTH = \"big\"").unwrap_err();
/// assert!(err.to_string().contains("MAX_CONTENT_LENGTH"));
/// ```
///
/// | key | default | what |
/// |---|---|---|
/// | `DEBUG` | `false` | readable error pages, template reload, a temporary secret key if none |
/// | `SECRET_KEY` | none | signs session cookies; required outside debug by [`App::from_config`](crate::App::from_config) |
/// | `SECRET_KEY_FALLBACKS` | `[]` | older keys still accepted, for key rotation |
/// | `MAX_CONTENT_LENGTH` | 2 MiB | the body limit of extractors (413 beyond) |
/// | `TEMPLATES_FOLDER` | `"templates"` | where templates are loaded from |
/// | `TEMPLATES_AUTO_RELOAD` | `DEBUG` | reload templates when their files change |
/// | `STATIC_FOLDER` | `"static"` | the folder served under `STATIC_URL_PATH` |
/// | `STATIC_URL_PATH` | `"/" + the folder's name` | where the static folder is served |
/// | `SEND_FILE_MAX_AGE_DEFAULT` | none | seconds of `Cache-Control: max-age` for static files (`no-cache` when unset) |
/// | `SESSION_COOKIE_NAME` | `"session"` | |
/// | `SESSION_COOKIE_DOMAIN` | none | |
/// | `SESSION_COOKIE_PATH` | `"/"` | |
/// | `SESSION_COOKIE_HTTPONLY` | `true` | |
/// | `SESSION_COOKIE_SECURE` | `false` | set `true` behind HTTPS |
/// | `SESSION_COOKIE_SAMESITE` | `"Lax"` | `"Lax"`, `"Strict"` or `"None"` |
/// | `SESSION_LIFETIME` | 1 day | seconds a browser-session (not permanent) cookie is accepted after it was last signed; it is signed again, unchanged, once a tenth of this old |
/// | `PERMANENT_SESSION_LIFETIME` | 31 days | seconds: the `Max-Age` of a permanent session's cookie, and how long it is accepted after it was last signed (signed again likewise) |
/// | `TRUSTED_ORIGINS` | `[]` | origins (`"https://app.example.com"`) whose pages may send unsafe requests here; see [`CrossOriginProtection`](crate::CrossOriginProtection) |
/// | `[APP]` | empty | your own settings, read with [`Config::app`] |
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[allow(missing_docs)] // the table above documents each field
#[non_exhaustive]
pub struct Config {
    #[serde(rename = "DEBUG", deserialize_with = "lenient_bool")]
    pub debug: bool,
    #[serde(rename = "SECRET_KEY")]
    pub secret_key: Option<Secret>,
    #[serde(rename = "SECRET_KEY_FALLBACKS")]
    pub secret_key_fallbacks: Vec<Secret>,
    #[serde(rename = "MAX_CONTENT_LENGTH")]
    pub max_content_length: usize,
    #[serde(rename = "TEMPLATES_FOLDER")]
    pub templates_folder: PathBuf,
    #[serde(
        rename = "TEMPLATES_AUTO_RELOAD",
        deserialize_with = "lenient_opt_bool"
    )]
    pub templates_auto_reload: Option<bool>,
    #[serde(rename = "STATIC_FOLDER")]
    pub static_folder: PathBuf,
    #[serde(rename = "STATIC_URL_PATH")]
    pub static_url_path: Option<String>,
    #[serde(rename = "SEND_FILE_MAX_AGE_DEFAULT", deserialize_with = "opt_seconds")]
    pub send_file_max_age_default: Option<Duration>,
    #[serde(rename = "SESSION_COOKIE_NAME")]
    pub session_cookie_name: String,
    #[serde(rename = "SESSION_COOKIE_DOMAIN")]
    pub session_cookie_domain: Option<String>,
    #[serde(rename = "SESSION_COOKIE_PATH")]
    pub session_cookie_path: String,
    #[serde(rename = "SESSION_COOKIE_HTTPONLY", deserialize_with = "lenient_bool")]
    pub session_cookie_httponly: bool,
    #[serde(rename = "SESSION_COOKIE_SECURE", deserialize_with = "lenient_bool")]
    pub session_cookie_secure: bool,
    #[serde(rename = "SESSION_COOKIE_SAMESITE")]
    pub session_cookie_samesite: SameSite,
    #[serde(rename = "SESSION_LIFETIME", deserialize_with = "seconds")]
    pub session_lifetime: Duration,
    #[serde(rename = "PERMANENT_SESSION_LIFETIME", deserialize_with = "seconds")]
    pub permanent_session_lifetime: Duration,
    #[serde(rename = "TRUSTED_ORIGINS", deserialize_with = "origins")]
    pub trusted_origins: Vec<String>,
    #[serde(rename = "APP")]
    pub app: toml::Table,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            debug: false,
            secret_key: None,
            secret_key_fallbacks: Vec::new(),
            max_content_length: crate::app::DEFAULT_BODY_LIMIT,
            templates_folder: PathBuf::from("templates"),
            templates_auto_reload: None,
            static_folder: PathBuf::from("static"),
            static_url_path: None,
            send_file_max_age_default: None,
            session_cookie_name: "session".into(),
            session_cookie_domain: None,
            session_cookie_path: "/".into(),
            session_cookie_httponly: true,
            session_cookie_secure: false,
            session_cookie_samesite: SameSite::Lax,
            session_lifetime: Duration::from_secs(24 * 3600),
            permanent_session_lifetime: Duration::from_secs(31 * 24 * 3600),
            trusted_origins: Vec::new(),
            app: toml::Table::new(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("debug", &self.debug)
            .field("secret_key", &self.secret_key)
            .field("max_content_length", &self.max_content_length)
            .field("templates_folder", &self.templates_folder)
            .field("session_cookie_name", &self.session_cookie_name)
            .field("session_cookie_secure", &self.session_cookie_secure)
            .field("trusted_origins", &self.trusted_origins)
            .finish_non_exhaustive()
    }
}

/// A secret that never shows in `Debug` output or logs.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// The `SameSite` attribute of the session cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[allow(missing_docs)]
pub enum SameSite {
    Lax,
    Strict,
    None,
}

/// A configuration key that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The key (`SECRET_KEY`, `APP.port`, ...) or the file.
    pub key: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration `{}`: {}", self.key, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Defaults, then `micro.toml` in the working directory if it exists (or the file named by
    /// `MICRO_CONFIG`), then `MICRO_*` environment variables.
    ///
    /// # Errors
    /// When the file cannot be read or parsed, or a key is unknown or malformed.
    pub fn load() -> Result<Config, ConfigError> {
        let named = std::env::var_os("MICRO_CONFIG").map(PathBuf::from);
        let path = named.clone().unwrap_or_else(|| PathBuf::from("micro.toml"));
        let mut table = toml::Table::new();
        if named.is_some() || path.exists() {
            table = read_file(&path)?;
        }
        merge_env(&mut table, "MICRO", std::env::vars())?;
        Self::from_table(table)
    }

    /// Only a TOML file (over the defaults).
    ///
    /// # Errors
    /// When the file cannot be read or parsed, or a key is unknown or malformed.
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        Self::from_table(read_file(path.as_ref())?)
    }

    /// Only TOML text (over the defaults).
    ///
    /// # Errors
    /// When the text is not TOML, or a key is unknown or malformed.
    pub fn from_toml_str(text: &str) -> Result<Config, ConfigError> {
        let table = text.parse::<toml::Table>().map_err(|e| ConfigError {
            key: "(TOML)".into(),
            message: e.message().to_owned(),
        })?;
        Self::from_table(table)
    }

    /// Only environment variables with `prefix` (`MICRO` reads `MICRO_DEBUG`, `MICRO_SECRET_KEY`,
    /// `MICRO_APP_GREETING` into `[APP] greeting`...), over the defaults. Values are read as TOML
    /// when they parse (`true`, `5`, `["a"]`), as text otherwise.
    ///
    /// # Errors
    /// When a variable names an unknown key or has a malformed value.
    pub fn from_env(prefix: &str) -> Result<Config, ConfigError> {
        let mut table = toml::Table::new();
        merge_env(&mut table, prefix, std::env::vars())?;
        Self::from_table(table)
    }

    fn from_table(table: toml::Table) -> Result<Config, ConfigError> {
        serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|err| {
            let message = err.inner().to_string();
            // An unknown key is reported at its parent: name the key itself.
            let key = match message.strip_prefix("unknown field `") {
                Some(rest) => rest.split('`').next().unwrap_or("").to_owned(),
                None => err.path().to_string(),
            };
            ConfigError { key, message }
        })
    }

    /// Your own settings from the `[APP]` table, deserialised into `T`.
    ///
    /// # Errors
    /// When the table does not fit `T`; the error names the key.
    pub fn app<T: serde::de::DeserializeOwned>(&self) -> Result<T, ConfigError> {
        serde_path_to_error::deserialize(toml::Value::Table(self.app.clone())).map_err(|err| {
            ConfigError {
                key: format!("APP.{}", err.path()),
                message: err.inner().to_string(),
            }
        })
    }

    /// Whether templates reload when their files change: `TEMPLATES_AUTO_RELOAD`, else `DEBUG`.
    pub fn templates_auto_reload(&self) -> bool {
        self.templates_auto_reload.unwrap_or(self.debug)
    }
}

fn read_file(path: &Path) -> Result<toml::Table, ConfigError> {
    let key = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        key: key.clone(),
        message: format!("cannot read the file: {e}"),
    })?;
    text.parse::<toml::Table>().map_err(|e| ConfigError {
        key,
        message: e.to_string(),
    })
}

/// Folds `PREFIX_KEY=value` variables into the table; `PREFIX_APP_X` goes to `[APP] x`.
fn merge_env(
    table: &mut toml::Table,
    prefix: &str,
    vars: impl Iterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    let prefix = format!("{prefix}_");
    for (name, raw) in vars {
        let Some(key) = name.strip_prefix(&prefix) else {
            continue;
        };
        if key == "CONFIG" {
            continue; // the file's path, read by `load`
        }
        let value = parse_env_value(&raw);
        if let Some(app_key) = key.strip_prefix("APP_") {
            let app = table
                .entry("APP")
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(app) = app {
                app.insert(app_key.to_ascii_lowercase(), value);
            }
        } else {
            table.insert(key.to_owned(), value);
        }
    }
    Ok(())
}

fn parse_env_value(raw: &str) -> toml::Value {
    let wrapped = format!("v = {raw}");
    match wrapped.parse::<toml::Table>() {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

/// Booleans as people write them in environments: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
fn lenient_bool<'de, D: Deserializer<'de>>(de: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loose {
        Bool(bool),
        Int(i64),
        Text(String),
    }
    match Loose::deserialize(de)? {
        Loose::Bool(b) => Ok(b),
        Loose::Int(1) => Ok(true),
        Loose::Int(0) => Ok(false),
        Loose::Text(t) => match t.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" | "" => Ok(false),
            _ => Err(serde::de::Error::custom(format!(
                "`{t}` is not a boolean (use true or false)"
            ))),
        },
        Loose::Int(n) => Err(serde::de::Error::custom(format!(
            "`{n}` is not a boolean (use true or false)"
        ))),
    }
}

fn lenient_opt_bool<'de, D: Deserializer<'de>>(de: D) -> Result<Option<bool>, D::Error> {
    lenient_bool(de).map(Some)
}

fn opt_seconds<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Duration>, D::Error> {
    seconds(de).map(Some)
}

fn seconds<'de, D: Deserializer<'de>>(de: D) -> Result<Duration, D::Error> {
    u64::deserialize(de).map(Duration::from_secs)
}

/// A list of origins, or one string of them separated by spaces or commas (as an environment
/// variable holds them), each checked to be `scheme://host[:port]`.
fn origins<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<String>),
        One(String),
    }
    let origins = match OneOrMany::deserialize(de)? {
        OneOrMany::Many(list) => list,
        OneOrMany::One(text) => text
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    for origin in &origins {
        crate::cross_origin::canonical_origin(origin).map_err(serde::de::Error::custom)?;
    }
    Ok(origins)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut table = toml::Table::new();
        merge_env(
            &mut table,
            "MICRO",
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )?;
        Config::from_table(table)
    }

    #[test]
    fn env_overrides_with_lenient_values() {
        let c = env(&[
            ("MICRO_DEBUG", "1"),
            ("MICRO_SECRET_KEY", "s3cret with spaces"),
            ("MICRO_MAX_CONTENT_LENGTH", "1024"),
            ("MICRO_SESSION_COOKIE_SECURE", "yes"),
            ("MICRO_APP_GREETING", "hi"),
            ("OTHER_DEBUG", "false"),
        ])
        .unwrap();
        assert!(c.debug && c.session_cookie_secure);
        assert_eq!(c.secret_key.unwrap().expose(), "s3cret with spaces");
        assert_eq!(c.max_content_length, 1024);
        assert_eq!(c.app["greeting"].as_str(), Some("hi"));
    }

    #[test]
    fn errors_name_the_key() {
        let err = env(&[("MICRO_DEBUG", "maybe")]).unwrap_err();
        assert_eq!(err.key, "DEBUG", "{err}");
        let err = env(&[("MICRO_SECRTE_KEY", "x")]).unwrap_err();
        assert_eq!(err.key, "SECRTE_KEY", "{err}");
        let err = env(&[("MICRO_MAX_CONTENT_LENGTH", "-5")]).unwrap_err();
        assert_eq!(err.key, "MAX_CONTENT_LENGTH", "{err}");
        let err = Config::from_toml_str("SESSION_COOKIE_SAMESITE = \"Sometimes\"").unwrap_err();
        assert_eq!(err.key, "SESSION_COOKIE_SAMESITE", "{err}");
        let err = Config::from_toml_str("DEBUG = ").unwrap_err();
        assert_eq!(err.key, "(TOML)", "{err}");
    }

    #[test]
    fn trusted_origins_are_checked_when_read() {
        let c = Config::from_toml_str(r#"TRUSTED_ORIGINS = ["https://app.example.com"]"#).unwrap();
        assert_eq!(c.trusted_origins, ["https://app.example.com"]);
        let c = env(&[(
            "MICRO_TRUSTED_ORIGINS",
            "https://a.example, http://b.example:8080",
        )])
        .unwrap();
        assert_eq!(
            c.trusted_origins,
            ["https://a.example", "http://b.example:8080"]
        );
        let err = Config::from_toml_str(
            r#"TRUSTED_ORIGINS = ["https://ok.example", "https://app.example.com/"]"#,
        )
        .unwrap_err();
        assert_eq!(err.key, "TRUSTED_ORIGINS", "{err}");
        assert!(err.message.contains("`https://app.example.com/`"), "{err}");
        let err = env(&[("MICRO_TRUSTED_ORIGINS", "app.example.com")]).unwrap_err();
        assert_eq!(err.key, "TRUSTED_ORIGINS", "{err}");
        assert!(err.message.contains("no scheme"), "{err}");
    }

    #[test]
    fn session_lifetimes_are_seconds() {
        let c = Config::default();
        assert_eq!(c.session_lifetime, Duration::from_secs(86_400));
        let c = Config::from_toml_str("SESSION_LIFETIME = 1800").unwrap();
        assert_eq!(c.session_lifetime, Duration::from_secs(1800));
    }

    #[test]
    fn secrets_do_not_leak_into_debug_output() {
        let c = Config::from_toml_str("SECRET_KEY = \"hunter2\"").unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
