//! Typed configuration from defaults, a TOML file and `MICRO_` environment variables.

mod lenient;
mod sources;
mod table;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use lenient::Lenient;
pub(crate) use sources::Origin;
use sources::{Origins, merge_env};
pub use table::ConfigTable;

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
/// // Unknown and malformed keys are errors that name the key (and, when read from a file or
/// // the environment, where it came from):
/// let err = Config::from_toml_str("DEBGU = true").unwrap_err();
/// assert!(err.to_string().contains("DEBGU"));
/// let err = Config::from_toml_str("MAX_CONTENT_LENGTH = \"big\"").unwrap_err();
/// assert!(err.to_string().contains("MAX_CONTENT_LENGTH"));
/// ```
///
/// | key | default | what |
/// |---|---|---|
/// | `DEBUG` | `false` | readable error pages, template reload, a temporary secret key if none |
/// | `TESTING` | `false` | the app is under test: error pages show their hidden cause, as in debug mode |
/// | `ROOT_PATH` | the crate's folder with [`app!`](crate::app!), else the working directory | what relative folders are resolved against |
/// | `SECRET_KEY` | none | signs session cookies; required outside debug by [`App::from_config`](crate::App::from_config) |
/// | `SECRET_KEY_FALLBACKS` | `[]` | older keys still accepted, for key rotation |
/// | `MAX_CONTENT_LENGTH` | 2 MiB | the body limit of extractors (413 beyond) |
/// | `TEMPLATES_FOLDER` | `"templates"` | where templates are loaded from (under the root) |
/// | `TEMPLATES_AUTO_RELOAD` | `DEBUG` | reload templates when their files change |
/// | `STATIC_FOLDER` | `"static"` | the folder served under `STATIC_URL_PATH` (under the root) |
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
/// | `TRUSTED_HOSTS` | `[]` | the hosts answered (`"example.com"`, `".example.com"` with its subdomains); any other `Host` is a 400; empty answers every host; see [`App::trusted_hosts`](crate::App::trusted_hosts) |
/// | `TRUSTED_ORIGINS` | `[]` | origins (`"https://app.example.com"`) whose pages may send unsafe requests here; see [`CrossOriginProtection`](crate::CrossOriginProtection) |
/// | `[APP]` | empty | your own settings, read with [`Config::app`] |
///
/// A folder you name (`TEMPLATES_FOLDER`, `STATIC_FOLDER`, `ROOT_PATH`) must exist: the app
/// refuses to start otherwise, naming it. The default folders may be missing (an app without
/// templates has no `templates/`).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[allow(missing_docs)] // the table above documents each field
#[non_exhaustive]
pub struct Config {
    #[serde(rename = "DEBUG")]
    pub debug: bool,
    #[serde(rename = "TESTING")]
    pub testing: bool,
    #[serde(rename = "ROOT_PATH")]
    pub root_path: Option<PathBuf>,
    #[serde(rename = "SECRET_KEY")]
    pub secret_key: Option<Secret>,
    #[serde(rename = "SECRET_KEY_FALLBACKS")]
    pub secret_key_fallbacks: Vec<Secret>,
    #[serde(rename = "MAX_CONTENT_LENGTH")]
    pub max_content_length: usize,
    #[serde(rename = "TEMPLATES_FOLDER")]
    pub templates_folder: PathBuf,
    #[serde(rename = "TEMPLATES_AUTO_RELOAD")]
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
    #[serde(rename = "SESSION_COOKIE_HTTPONLY")]
    pub session_cookie_httponly: bool,
    #[serde(rename = "SESSION_COOKIE_SECURE")]
    pub session_cookie_secure: bool,
    #[serde(rename = "SESSION_COOKIE_SAMESITE")]
    pub session_cookie_samesite: SameSite,
    #[serde(rename = "SESSION_LIFETIME", deserialize_with = "seconds")]
    pub session_lifetime: Duration,
    #[serde(rename = "PERMANENT_SESSION_LIFETIME", deserialize_with = "seconds")]
    pub permanent_session_lifetime: Duration,
    #[serde(rename = "TRUSTED_HOSTS", deserialize_with = "list")]
    pub trusted_hosts: Vec<String>,
    #[serde(rename = "TRUSTED_ORIGINS", deserialize_with = "origins")]
    pub trusted_origins: Vec<String>,
    #[serde(rename = "APP")]
    pub app: toml::Table,
    /// Where each key read from a file or the environment came from, for error messages.
    #[serde(skip)]
    origins: Origins,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            debug: false,
            testing: false,
            root_path: None,
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
            trusted_hosts: Vec::new(),
            trusted_origins: Vec::new(),
            app: toml::Table::new(),
            origins: Origins::default(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("debug", &self.debug)
            .field("testing", &self.testing)
            .field("root_path", &self.root_path)
            .field("secret_key", &self.secret_key)
            .field("max_content_length", &self.max_content_length)
            .field("templates_folder", &self.templates_folder)
            .field("session_cookie_name", &self.session_cookie_name)
            .field("session_cookie_secure", &self.session_cookie_secure)
            .field("trusted_hosts", &self.trusted_hosts)
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
    /// What is wrong with it, and where the key was read (a file, an environment variable) when
    /// it was read from one.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration `{}`: {}", self.key, self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The secrets that sign values, current first: `SECRET_KEY` (in debug mode without one, a
    /// random key made once for this process), then `SECRET_KEY_FALLBACKS`. Every signer of the
    /// process (micro's session cookie, fullstack's signed cookies) reads them here, so they agree
    /// even on the random debug key.
    ///
    /// # Errors
    /// When `SECRET_KEY` is missing or empty outside debug mode.
    pub fn signing_secrets(&self) -> Result<Vec<String>, ConfigError> {
        let mut secrets = Vec::with_capacity(1 + self.secret_key_fallbacks.len());
        match &self.secret_key {
            Some(key) if !key.expose().is_empty() => secrets.push(key.expose().to_owned()),
            _ if self.debug => secrets.push(crate::signing::process_secret().to_owned()),
            _ => {
                return Err(ConfigError {
                    key: "SECRET_KEY".into(),
                    message: "is required outside debug mode: it signs the session cookies. Set SECRET_KEY in micro.toml or MICRO_SECRET_KEY in the environment to a long random value (for example the output of `openssl rand -hex 32`)".into(),
                });
            }
        }
        secrets.extend(
            self.secret_key_fallbacks
                .iter()
                .map(|s| s.expose().to_owned()),
        );
        Ok(secrets)
    }

    /// A [`Signer`](crate::Signer) over [`signing_secrets`](Self::signing_secrets) for the
    /// purpose `salt`.
    ///
    /// # Errors
    /// When `SECRET_KEY` is missing or empty outside debug mode.
    pub fn signer(&self, salt: &str) -> Result<crate::Signer, ConfigError> {
        let secrets = self.signing_secrets()?;
        Ok(crate::Signer::new(secrets.iter().map(String::as_str), salt))
    }

    /// Defaults, then `micro.toml` in the working directory if it exists (or the file named by
    /// `MICRO_CONFIG`), then `MICRO_*` environment variables.
    ///
    /// # Errors
    /// When the file cannot be read or parsed, or a key is unknown or malformed; the error names
    /// the key and the file or variable it came from.
    pub fn load() -> Result<Config, ConfigError> {
        let named = std::env::var_os("MICRO_CONFIG").map(PathBuf::from);
        let path = named.clone().unwrap_or_else(|| PathBuf::from("micro.toml"));
        let mut table = toml::Table::new();
        let mut origins = Origins::default();
        if named.is_some() || path.exists() {
            table = read_file(&path)?;
            origins.record_file(&path, &table);
        }
        merge_env(&mut table, &mut origins, "MICRO", std::env::vars());
        Self::from_table(table, origins)
    }

    /// Only a TOML file (over the defaults).
    ///
    /// # Errors
    /// When the file cannot be read or parsed, or a key is unknown or malformed.
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let table = read_file(path)?;
        let mut origins = Origins::default();
        origins.record_file(path, &table);
        Self::from_table(table, origins)
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
        Self::from_table(table, Origins::default())
    }

    /// Only environment variables with `prefix` (`MICRO` reads `MICRO_DEBUG`, `MICRO_SECRET_KEY`,
    /// `MICRO_APP_GREETING` into `[APP] greeting`...), over the defaults. Values are text, read
    /// as the type their setting has: `MICRO_DEBUG=1` is a boolean, `MICRO_SECRET_KEY=123456`
    /// stays text.
    ///
    /// # Errors
    /// When a variable names an unknown key or has a malformed value.
    pub fn from_env(prefix: &str) -> Result<Config, ConfigError> {
        let mut table = toml::Table::new();
        let mut origins = Origins::default();
        merge_env(&mut table, &mut origins, prefix, std::env::vars());
        Self::from_table(table, origins)
    }

    fn from_table(table: toml::Table, origins: Origins) -> Result<Config, ConfigError> {
        let read = serde_path_to_error::deserialize(Lenient::new(toml::Value::Table(table)));
        let mut config: Config = read.map_err(|err| {
            let message = err.inner().to_string();
            // An unknown key is reported at its parent: name the key itself.
            let Some(rest) = message.strip_prefix("unknown field `") else {
                let key = err.path().to_string();
                return located(key, message, &origins);
            };
            let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
            let known = expected
                .trim_start_matches(", expected one of ")
                .trim_start_matches(", expected ");
            let mut message = format!(
                "is not one of micro's settings ({known}); your own settings go under [APP]"
            );
            if let Some(origin @ Origin::Env(name)) = origins.get(key) {
                let prefix = name.strip_suffix(key).unwrap_or("MICRO_");
                message = format!(
                    "{message} ({origin}: for your own setting, name it `{prefix}APP_{key}`)"
                );
            } else if let Some(origin) = origins.get(key) {
                message = format!("{message} ({origin})");
            }
            ConfigError {
                key: key.to_owned(),
                message,
            }
        })?;
        config.origins = origins;
        Ok(config)
    }

    /// Your own settings from the `[APP]` table, deserialised into `T`. Keys match `T`'s fields
    /// ignoring case (`[APP] DATABASE`, or `MICRO_APP_DATABASE`, fills `database`), and text
    /// from the environment is read as the field's type (`MICRO_APP_PORT=8000` fills `port: u16`,
    /// `MICRO_APP_TOKEN=007` fills `token: String` with its zeros).
    ///
    /// # Errors
    /// When the table does not fit `T`; the error names the key, and the file or variable it
    /// came from.
    pub fn app<T: serde::de::DeserializeOwned>(&self) -> Result<T, ConfigError> {
        let table = toml::Value::Table(self.app.clone());
        serde_path_to_error::deserialize(Lenient::folding_case(table)).map_err(|err| {
            let message = err.inner().to_string();
            let path = err.path().to_string();
            if let Some(field) = message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
            {
                let key = if path == "." {
                    field.to_owned()
                } else {
                    format!("{path}.{field}")
                };
                let message = format!(
                    "is missing: set `{field}` under [APP] in micro.toml, or MICRO_APP_{}",
                    key.replace('.', "_").to_ascii_uppercase()
                );
                return ConfigError {
                    key: format!("APP.{key}"),
                    message,
                };
            }
            located(format!("APP.{path}"), message, &self.origins)
        })
    }

    /// The `[APP.public]` table: the only part of `[APP]` templates see (as
    /// `config.APP.public`), since the rest can hold tokens. Set its keys in the file, or with
    /// `MICRO_APP_PUBLIC_NAME` variables.
    ///
    /// ```
    /// let config = micro::Config::from_toml_str(
    ///     "[APP]\napi_token = \"s3cret\"\n[APP.public]\nsite_name = \"Polls\"",
    /// ).unwrap();
    /// assert_eq!(config.public_app()["site_name"].as_str(), Some("Polls"));
    /// assert!(!config.public_app().contains_key("api_token"));
    /// ```
    pub fn public_app(&self) -> toml::Table {
        self.app
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("public"))
            .and_then(|(_, value)| value.as_table().cloned())
            .unwrap_or_default()
    }

    /// Whether templates reload when their files change: `TEMPLATES_AUTO_RELOAD`, else `DEBUG`.
    pub fn templates_auto_reload(&self) -> bool {
        self.templates_auto_reload.unwrap_or(self.debug)
    }

    /// Where `key` (`STATIC_FOLDER`, `APP.database`) was read, if from a file or a variable.
    pub(crate) fn origin(&self, key: &str) -> Option<&Origin> {
        self.origins.get(key)
    }

    /// The top-level keys micro reads (`DEBUG`, `SECRET_KEY`, ..., `APP`), for a framework on
    /// micro that reads the same file and reports a key neither of them knows.
    pub const KEYS: &'static [&'static str] = &[
        "DEBUG",
        "TESTING",
        "ROOT_PATH",
        "SECRET_KEY",
        "SECRET_KEY_FALLBACKS",
        "MAX_CONTENT_LENGTH",
        "TEMPLATES_FOLDER",
        "TEMPLATES_AUTO_RELOAD",
        "STATIC_FOLDER",
        "STATIC_URL_PATH",
        "SEND_FILE_MAX_AGE_DEFAULT",
        "SESSION_COOKIE_NAME",
        "SESSION_COOKIE_DOMAIN",
        "SESSION_COOKIE_PATH",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_SAMESITE",
        "SESSION_LIFETIME",
        "PERMANENT_SESSION_LIFETIME",
        "TRUSTED_HOSTS",
        "TRUSTED_ORIGINS",
        "APP",
    ];
}

/// An error about `key`, saying where the key was read when that is known.
fn located(key: String, message: String, origins: &Origins) -> ConfigError {
    let message = match origins.get(&key) {
        Some(origin) => format!("{message} ({origin})"),
        None => message,
    };
    ConfigError { key, message }
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

fn opt_seconds<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Duration>, D::Error> {
    seconds(de).map(Some)
}

fn seconds<'de, D: Deserializer<'de>>(de: D) -> Result<Duration, D::Error> {
    u64::deserialize(de).map(Duration::from_secs)
}

/// A list of strings: a TOML array, or (from the environment) one string of items separated
/// by commas or spaces.
fn list<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<String>),
        One(String),
    }
    Ok(match OneOrMany::deserialize(de)? {
        OneOrMany::Many(list) => list,
        OneOrMany::One(text) => text
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// A [`list`] of origins, each checked to be `scheme://host[:port]`.
fn origins<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    let origins = list(de)?;
    for origin in &origins {
        crate::cross_origin::canonical_origin(origin).map_err(serde::de::Error::custom)?;
    }
    Ok(origins)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_file_and_env(file: &str, pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let table: toml::Table = file.parse().unwrap();
        let mut origins = Origins::default();
        origins.record_file(Path::new("site.toml"), &table);
        let mut table = table;
        merge_env(
            &mut table,
            &mut origins,
            "MICRO",
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        );
        Config::from_table(table, origins)
    }

    fn env(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        with_file_and_env("", pairs)
    }

    #[test]
    fn env_overrides_with_lenient_values() {
        let c = env(&[
            ("MICRO_DEBUG", "1"),
            ("MICRO_TESTING", "yes"),
            ("MICRO_SECRET_KEY", "s3cret with spaces"),
            ("MICRO_MAX_CONTENT_LENGTH", "1024"),
            ("MICRO_SESSION_COOKIE_SECURE", "yes"),
            ("MICRO_SESSION_COOKIE_SAMESITE", "Strict"),
            ("MICRO_SECRET_KEY_FALLBACKS", r#"["old", "older"]"#),
            ("MICRO_PERMANENT_SESSION_LIFETIME", "60"),
            ("MICRO_SEND_FILE_MAX_AGE_DEFAULT", "3600"),
            ("MICRO_ROOT_PATH", "/srv/site"),
            ("MICRO_APP_GREETING", "hi"),
            ("OTHER_DEBUG", "false"),
        ])
        .unwrap();
        assert!(c.debug && c.testing && c.session_cookie_secure);
        assert_eq!(c.secret_key.unwrap().expose(), "s3cret with spaces");
        assert_eq!(c.max_content_length, 1024);
        assert_eq!(c.session_cookie_samesite, SameSite::Strict);
        assert_eq!(c.secret_key_fallbacks.len(), 2);
        assert_eq!(c.permanent_session_lifetime, Duration::from_secs(60));
        assert_eq!(c.send_file_max_age_default, Some(Duration::from_secs(3600)));
        assert_eq!(c.root_path.as_deref(), Some(Path::new("/srv/site")));
        assert_eq!(c.app["greeting"].as_str(), Some("hi"));
        // One value where a list is expected is a list of one.
        let c = env(&[("MICRO_SECRET_KEY_FALLBACKS", "old")]).unwrap();
        assert_eq!(c.secret_key_fallbacks, [Secret::new("old")]);
    }

    #[test]
    fn env_values_are_text_unless_the_setting_says_otherwise() {
        let c = env(&[
            ("MICRO_SECRET_KEY", "123456"),
            ("MICRO_APP_TOKEN", "007"),
            ("MICRO_APP_PORT", "8000"),
            ("MICRO_APP_RATIO", "0.5"),
            ("MICRO_APP_VERBOSE", "on"),
        ])
        .unwrap();
        assert_eq!(c.secret_key.as_ref().unwrap().expose(), "123456");
        assert_eq!(c.app["token"].as_str(), Some("007"));

        #[derive(serde::Deserialize)]
        struct Mine {
            token: String,
            port: u16,
            ratio: f64,
            verbose: bool,
        }
        let mine: Mine = c.app().unwrap();
        assert_eq!(mine.token, "007");
        assert_eq!(mine.port, 8000);
        assert_eq!(mine.ratio, 0.5);
        assert!(mine.verbose);
    }

    #[test]
    fn an_app_key_and_its_variable_meet_whatever_the_case() {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Flaskish {
            database: String,
        }
        let file = "SECRET_KEY = \"k\"\n[APP]\nDATABASE = \"instance/app.sqlite\"";
        let c = with_file_and_env(file, &[]).unwrap();
        assert_eq!(c.app::<Flaskish>().unwrap().database, "instance/app.sqlite");
        let c = with_file_and_env(file, &[("MICRO_APP_DATABASE", "/tmp/test.sqlite")]).unwrap();
        assert_eq!(c.app["DATABASE"].as_str(), Some("/tmp/test.sqlite"));
        assert_eq!(c.app::<Flaskish>().unwrap().database, "/tmp/test.sqlite");
        // No key in the file: the variable alone fills the field.
        let c = env(&[("MICRO_APP_DATABASE", "/tmp/x.sqlite")]).unwrap();
        assert_eq!(c.app::<Flaskish>().unwrap().database, "/tmp/x.sqlite");
    }

    #[test]
    fn errors_name_the_key_and_where_it_came_from() {
        let err = env(&[("MICRO_DEBUG", "maybe")]).unwrap_err();
        assert_eq!(err.key, "DEBUG", "{err}");
        assert!(err.message.contains("`maybe` is not a boolean"), "{err}");
        assert!(
            err.message.contains("environment variable `MICRO_DEBUG`"),
            "{err}"
        );
        let err = env(&[("MICRO_SECRTE_KEY", "x")]).unwrap_err();
        assert_eq!(err.key, "SECRTE_KEY", "{err}");
        assert!(err.message.contains("`MICRO_SECRTE_KEY`"), "{err}");
        let err = env(&[("MICRO_DATABASE", "x")]).unwrap_err();
        assert_eq!(err.key, "DATABASE", "{err}");
        assert!(
            err.message.contains("name it `MICRO_APP_DATABASE`"),
            "{err}"
        );
        assert!(
            err.message.contains("`SECRET_KEY`"),
            "lists the keys: {err}"
        );
        let err = env(&[("MICRO_MAX_CONTENT_LENGTH", "-5")]).unwrap_err();
        assert_eq!(err.key, "MAX_CONTENT_LENGTH", "{err}");
        let err = with_file_and_env("DEBGU = true", &[]).unwrap_err();
        assert_eq!(err.key, "DEBGU", "{err}");
        assert!(err.message.contains("in the file `site.toml`"), "{err}");
        let err = with_file_and_env("MAX_CONTENT_LENGTH = \"big\"", &[]).unwrap_err();
        assert_eq!(err.key, "MAX_CONTENT_LENGTH", "{err}");
        assert!(err.message.contains("in the file `site.toml`"), "{err}");
        let err = Config::from_toml_str("SESSION_COOKIE_SAMESITE = \"Sometimes\"").unwrap_err();
        assert_eq!(err.key, "SESSION_COOKIE_SAMESITE", "{err}");
        let err = Config::from_toml_str("DEBUG = ").unwrap_err();
        assert_eq!(err.key, "(TOML)", "{err}");
    }

    #[test]
    fn app_errors_name_the_key_and_where_it_came_from() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Mine {
            port: u16,
        }
        let c = env(&[("MICRO_APP_PORT", "eighty")]).unwrap();
        let err = c.app::<Mine>().unwrap_err();
        assert_eq!(err.key, "APP.port", "{err}");
        assert!(err.message.contains("`MICRO_APP_PORT`"), "{err}");
        let c = with_file_and_env("[APP]\nPORT = 99999", &[]).unwrap();
        let err = c.app::<Mine>().unwrap_err();
        assert_eq!(err.key, "APP.port", "{err}");
        assert!(err.message.contains("site.toml"), "{err}");
        let err = Config::default().app::<Mine>().unwrap_err();
        assert_eq!(err.key, "APP.port", "{err}");
        assert!(err.message.contains("MICRO_APP_PORT"), "{err}");
    }

    #[test]
    fn trusted_hosts_read_from_a_list_or_the_environment() {
        let c =
            Config::from_toml_str(r#"TRUSTED_HOSTS = ["example.com", ".example.org"]"#).unwrap();
        assert_eq!(c.trusted_hosts, ["example.com", ".example.org"]);
        let c = env(&[("MICRO_TRUSTED_HOSTS", "example.com, .example.org")]).unwrap();
        assert_eq!(c.trusted_hosts, ["example.com", ".example.org"]);
        assert!(Config::default().trusted_hosts.is_empty());
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
    fn keys_lists_every_setting() {
        let err = Config::from_toml_str("NOPE = 1").unwrap_err();
        let listed: Vec<&str> = err.message.split('`').skip(1).step_by(2).collect();
        assert_eq!(listed, Config::KEYS, "{err}");
    }

    #[test]
    fn a_table_split_between_two_readers_keeps_its_origins() {
        #[derive(serde::Deserialize)]
        struct Mine {
            #[serde(rename = "ALLOWED")]
            allowed: Vec<String>,
        }
        let mut table = ConfigTable::new();
        table.merge_env(
            "SITE",
            [
                ("SITE_ALLOWED".to_owned(), "a.example".to_owned()),
                ("SITE_DEBUG".to_owned(), "nope".to_owned()),
            ],
        );
        let mine: Mine = table.split_off(|k| k == "ALLOWED").deserialize().unwrap();
        assert_eq!(mine.allowed, ["a.example"]);
        assert!(table.origin("ALLOWED").is_none());
        let err = table.into_config().unwrap_err();
        assert_eq!(err.key, "DEBUG");
        assert!(err.message.contains("`SITE_DEBUG`"), "{err}");
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Port {
            #[serde(rename = "PORT")]
            port: u16,
        }
        let mut table = ConfigTable::new();
        table.merge_env("SITE", [("SITE_PORT".to_owned(), "eighty".to_owned())]);
        let err = table.deserialize::<Port>().unwrap_err();
        assert_eq!(err.key, "PORT");
        assert!(err.message.contains("`SITE_PORT`"), "{err}");
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
