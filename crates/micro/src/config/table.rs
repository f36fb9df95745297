//! Settings read from a file and the environment before they are typed, so that a framework
//! built on micro can take its own keys from the same file and variables and leave micro its.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::lenient::Lenient;
use super::sources::{Origins, merge_env};
use super::{Config, ConfigError, read_file};

/// A table of settings with where each key came from, read from TOML and environment variables
/// as [`Config::load`] reads them (environment values are text, given their type when read).
/// Split off the keys you own with [`split_off`](Self::split_off), read them into your own type
/// with [`deserialize`](Self::deserialize), and the rest with [`into_config`](Self::into_config):
/// one file configures both, and errors still name the key and its file or variable.
///
/// ```
/// use micro::ConfigTable;
///
/// #[derive(serde::Deserialize)]
/// struct Mine { #[serde(rename = "PORT")] port: u16 }
///
/// let mut table = ConfigTable::from_toml_str("DEBUG = true\nPORT = 80").unwrap();
/// table.merge_env("SITE", [("SITE_PORT".to_owned(), "8080".to_owned())]);
/// let mine: Mine = table.split_off(|key| key == "PORT").deserialize().unwrap();
/// assert_eq!(mine.port, 8080);
/// assert!(table.into_config().unwrap().debug);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ConfigTable {
    table: toml::Table,
    origins: Origins,
}

impl ConfigTable {
    /// No settings: every key at its default.
    pub fn new() -> Self {
        ConfigTable::default()
    }

    /// The settings of TOML text.
    ///
    /// # Errors
    /// When the text is not TOML.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let table = text.parse::<toml::Table>().map_err(|e| ConfigError {
            key: "(TOML)".into(),
            message: e.message().to_owned(),
        })?;
        Ok(ConfigTable {
            table,
            origins: Origins::default(),
        })
    }

    /// The settings of a TOML file; errors about its keys will name the file.
    ///
    /// # Errors
    /// When the file cannot be read or is not TOML.
    pub fn from_toml_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let table = read_file(path)?;
        let mut origins = Origins::default();
        origins.record_file(path, &table);
        Ok(ConfigTable { table, origins })
    }

    /// Overrides keys with the variables of `vars` named `PREFIX_KEY` (and `PREFIX_APP_NAME` for
    /// `[APP]` keys), as [`Config::from_env`] reads them; pass `std::env::vars()`. An empty
    /// prefix reads the variables' names as keys (`DATABASE_URL`): pass only those you mean.
    pub fn merge_env(
        &mut self,
        prefix: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> &mut Self {
        merge_env(&mut self.table, &mut self.origins, prefix, vars.into_iter());
        self
    }

    /// The top-level keys present.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.table.keys().map(String::as_str)
    }

    /// Where `key` was read ("in the file `site.toml`", "from the environment variable
    /// `SITE_DEBUG`"), if it was read from a file or a variable.
    pub fn origin(&self, key: &str) -> Option<String> {
        self.origins.get(key).map(ToString::to_string)
    }

    /// Moves the top-level keys for which `owned` is true (and where they came from) into a
    /// table of their own.
    pub fn split_off(&mut self, owned: impl Fn(&str) -> bool) -> ConfigTable {
        let keys: Vec<String> = self.table.keys().filter(|k| owned(k)).cloned().collect();
        let mut taken = ConfigTable::new();
        for key in keys {
            if let Some(value) = self.table.remove(&key) {
                if let Some(origin) = self.origins.remove(&key) {
                    taken.origins.insert(key.clone(), origin);
                }
                taken.table.insert(key, value);
            }
        }
        taken
    }

    /// Reads the table into `T` with micro's rules: text from the environment is read as the
    /// field's type, and errors name the key and where it was read.
    ///
    /// # Errors
    /// When a key is malformed, or unknown to `T` (with `deny_unknown_fields`).
    pub fn deserialize<T: DeserializeOwned>(self) -> Result<T, ConfigError> {
        let read = serde_path_to_error::deserialize(Lenient::new(toml::Value::Table(self.table)));
        read.map_err(|err| {
            let message = err.inner().to_string();
            super::located(err.path().to_string(), message, &self.origins)
        })
    }

    /// Reads the table as micro's [`Config`].
    ///
    /// # Errors
    /// As [`Config::load`]: a key unknown to micro, or malformed.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        Config::from_table(self.table, self.origins)
    }
}
