//! Where each setting came from (a file, an environment variable), and how environment variables
//! are folded into the settings table.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use toml::Value;

/// Where a key's value was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    File(PathBuf),
    Env(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(path) => write!(f, "in the file `{}`", path.display()),
            Origin::Env(name) => write!(f, "from the environment variable `{name}`"),
        }
    }
}

/// The origin of every key read from a file or the environment, by its path: `DEBUG`,
/// `APP.database`. Keys left at their defaults (or set in code) have none.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins(HashMap<String, Origin>);

impl Origins {
    /// Records `file` as the origin of each of `table`'s keys and of its `[APP]` keys.
    pub(crate) fn record_file(&mut self, file: &Path, table: &toml::Table) {
        for (key, value) in table {
            self.0.insert(key.clone(), Origin::File(file.to_path_buf()));
            if let ("APP", Value::Table(app)) = (key.as_str(), value) {
                for app_key in app.keys() {
                    self.0
                        .insert(format!("APP.{app_key}"), Origin::File(file.to_path_buf()));
                }
            }
        }
    }

    /// Takes `key`'s origin out, as [`ConfigTable::split_off`](super::ConfigTable::split_off)
    /// moves the key.
    pub(crate) fn remove(&mut self, key: &str) -> Option<Origin> {
        self.0.remove(key)
    }

    pub(crate) fn insert(&mut self, key: String, origin: Origin) {
        self.0.insert(key, origin);
    }

    /// Where `key` came from. `[APP]` keys (`APP.DATABASE`) are matched ignoring case, as
    /// [`Config::app`](crate::Config::app) matches them to fields.
    pub(crate) fn get(&self, key: &str) -> Option<&Origin> {
        if let Some(origin) = self.0.get(key) {
            return Some(origin);
        }
        let app_key = key.strip_prefix("APP.")?;
        let first = app_key.split(['.', '[']).next().unwrap_or(app_key);
        self.0.iter().find_map(|(known, origin)| {
            let known = known.strip_prefix("APP.")?;
            known.eq_ignore_ascii_case(first).then_some(origin)
        })
    }
}

/// Folds `PREFIX_KEY=value` variables into `table`, recording their origins. Values are strings:
/// [`Lenient`](super::lenient::Lenient) gives them the type their setting asks for.
/// `PREFIX_APP_NAME` sets the `[APP]` key equal to `NAME` ignoring case if there is one (so it
/// overrides the file's `DATABASE`, `database` or `Database`), and a new key `name` otherwise;
/// `PREFIX_APP_PUBLIC_NAME` likewise sets a key of `[APP.public]`.
pub(crate) fn merge_env(
    table: &mut toml::Table,
    origins: &mut Origins,
    prefix: &str,
    vars: impl Iterator<Item = (String, String)>,
) {
    // No prefix reads the names as they are (`DATABASE_URL`), for conventional variables.
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}_")
    };
    for (name, raw) in vars {
        let Some(key) = name.strip_prefix(&prefix) else {
            continue;
        };
        if key == "CONFIG" {
            continue; // the file's path, read by `load`
        }
        let value = Value::String(raw);
        let origin = Origin::Env(name.clone());
        if let Some(app_key) = key.strip_prefix("APP_") {
            let app = table
                .entry("APP")
                .or_insert_with(|| Value::Table(toml::Table::new()));
            if let Value::Table(app) = app {
                // `PREFIX_APP_PUBLIC_NAME` is `[APP.public] NAME`, what templates may show.
                let (app, app_key, path) = match app_key.strip_prefix("PUBLIC_") {
                    Some(public_key) => {
                        let name = existing_key(app, "public").unwrap_or_else(|| "public".into());
                        let path = format!("APP.{name}.");
                        let public = app
                            .entry(name)
                            .or_insert_with(|| Value::Table(toml::Table::new()));
                        let Value::Table(public) = public else {
                            continue;
                        };
                        (public, public_key, path)
                    }
                    None => (app, app_key, "APP.".to_owned()),
                };
                let existing = app
                    .keys()
                    .find(|known| known.eq_ignore_ascii_case(app_key))
                    .cloned();
                let app_key = existing.unwrap_or_else(|| app_key.to_ascii_lowercase());
                origins.0.insert(format!("{path}{app_key}"), origin);
                app.insert(app_key, value);
            }
        } else {
            origins.0.insert(key.to_owned(), origin);
            table.insert(key.to_owned(), value);
        }
    }
}

/// The key of `table` equal to `name` ignoring case.
fn existing_key(table: &toml::Table, name: &str) -> Option<String> {
    table.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(file: &str, vars: &[(&str, &str)]) -> (toml::Table, Origins) {
        let mut table: toml::Table = file.parse().unwrap();
        let mut origins = Origins::default();
        origins.record_file(Path::new("micro.toml"), &table);
        merge_env(
            &mut table,
            &mut origins,
            "MICRO",
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        );
        (table, origins)
    }

    #[test]
    fn app_variables_meet_the_files_key_whatever_its_case() {
        let (table, origins) = merged(
            "[APP]\nDATABASE = \"from-file\"\nsite = \"x\"",
            &[
                ("MICRO_APP_DATABASE", "from-env"),
                ("MICRO_APP_NEW_KEY", "v"),
            ],
        );
        let app = table["APP"].as_table().unwrap();
        assert_eq!(app["DATABASE"].as_str(), Some("from-env"));
        assert!(!app.contains_key("database"));
        assert_eq!(app["new_key"].as_str(), Some("v"));
        assert_eq!(
            origins.get("APP.database"),
            Some(&Origin::Env("MICRO_APP_DATABASE".into()))
        );
        assert_eq!(
            origins.get("APP.site"),
            Some(&Origin::File("micro.toml".into()))
        );
    }

    #[test]
    fn app_public_variables_fill_the_public_table() {
        let (table, origins) = merged(
            "[APP]\ntoken = \"t\"\n[APP.public]\nSite = \"file\"",
            &[
                ("MICRO_APP_PUBLIC_SITE", "env"),
                ("MICRO_APP_PUBLIC_TAGLINE", "hi"),
            ],
        );
        let public = table["APP"]["public"].as_table().unwrap();
        assert_eq!(public["Site"].as_str(), Some("env"));
        assert_eq!(public["tagline"].as_str(), Some("hi"));
        assert_eq!(table["APP"]["token"].as_str(), Some("t"));
        assert_eq!(
            origins.get("APP.public.tagline"),
            Some(&Origin::Env("MICRO_APP_PUBLIC_TAGLINE".into()))
        );
    }

    #[test]
    fn values_stay_text() {
        let (table, origins) = merged(
            "",
            &[
                ("MICRO_SECRET_KEY", "123456"),
                ("MICRO_APP_TOKEN", "007"),
                ("MICRO_CONFIG", "elsewhere.toml"),
                ("OTHER_DEBUG", "1"),
            ],
        );
        assert_eq!(table["SECRET_KEY"].as_str(), Some("123456"));
        assert_eq!(table["APP"]["token"].as_str(), Some("007"));
        assert!(!table.contains_key("CONFIG") && !table.contains_key("DEBUG"));
        assert_eq!(
            origins.get("SECRET_KEY").unwrap().to_string(),
            "from the environment variable `MICRO_SECRET_KEY`"
        );
    }
}
