//! Migrations read from an app's folder (at run time) or from strings embedded in the binary,
//! ordered by their dependencies.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::operations::Operation;
use super::state::ProjectState;
use crate::Error;

/// One migration: the operations of one app, applied together.
#[derive(Debug, Clone, PartialEq)]
pub struct Migration {
    /// The app (the folder's name).
    pub app: String,
    /// The name (`0002_add_question_votes`, the file's name without `.json`).
    pub name: String,
    /// Migrations applied before this one: the previous one of the app and other apps' that
    /// its foreign keys need.
    pub dependencies: Vec<(String, String)>,
    /// What it does.
    pub operations: Vec<Operation>,
}

/// The content of a migration file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MigrationFile {
    #[serde(default)]
    pub(crate) dependencies: Vec<(String, String)>,
    pub(crate) operations: Vec<Operation>,
}

impl Migration {
    /// Parses a migration file's JSON.
    ///
    /// # Errors
    /// When the JSON is not a migration; the message names the migration and the place.
    pub fn parse(app: &str, name: &str, json: &str) -> Result<Migration, Error> {
        let file: MigrationFile = serde_json::from_str(json)
            .map_err(|e| Error::Migration(format!("{app}/{name}.json: {e}")))?;
        Ok(Migration {
            app: app.to_owned(),
            name: name.to_owned(),
            dependencies: file.dependencies,
            operations: file.operations,
        })
    }

    /// The migration as its file's JSON.
    pub fn to_json(&self) -> String {
        let file = MigrationFile {
            dependencies: self.dependencies.clone(),
            operations: self.operations.clone(),
        };
        let mut s = serde_json::to_string_pretty(&file).expect("plain data serialises");
        s.push('\n');
        s
    }

    /// `app.name`.
    pub fn label(&self) -> String {
        format!("{}.{}", self.app, self.name)
    }

    /// The leading number of the name (`2` for `0002_...`).
    pub(crate) fn number(&self) -> u32 {
        self.name
            .split('_')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }
}

/// Every migration of a project, in an order that respects the dependencies (and, within an
/// app, the names' order).
#[derive(Debug, Clone, Default)]
pub struct MigrationSet {
    migrations: Vec<Migration>,
}

impl MigrationSet {
    /// Orders `migrations`.
    ///
    /// # Errors
    /// When a dependency is missing, a name is used twice, or the dependencies form a cycle.
    pub fn new(migrations: Vec<Migration>) -> Result<MigrationSet, Error> {
        let mut by_key: BTreeMap<(String, String), Migration> = BTreeMap::new();
        for m in migrations {
            let key = (m.app.clone(), m.name.clone());
            if by_key.insert(key, m).is_some() {
                return Err(Error::Migration("a migration is listed twice".into()));
            }
        }
        // Each migration implicitly follows the previous one of its app.
        let mut deps: BTreeMap<(String, String), BTreeSet<(String, String)>> = BTreeMap::new();
        let mut prev: Option<(String, String)> = None;
        for (key, m) in &by_key {
            let mut d: BTreeSet<(String, String)> = m.dependencies.iter().cloned().collect();
            if let Some(p) = &prev
                && p.0 == key.0
            {
                d.insert(p.clone());
            }
            for dep in &d {
                if !by_key.contains_key(dep) {
                    return Err(Error::Migration(format!(
                        "{} depends on {}.{}, which does not exist",
                        m.label(),
                        dep.0,
                        dep.1
                    )));
                }
            }
            deps.insert(key.clone(), d);
            prev = Some(key.clone());
        }
        let total = by_key.len();
        let mut ordered = Vec::with_capacity(total);
        let mut done: BTreeSet<(String, String)> = BTreeSet::new();
        while done.len() < total {
            let next = deps
                .iter()
                .find(|(k, d)| !done.contains(*k) && d.iter().all(|x| done.contains(x)))
                .map(|(k, _)| k.clone())
                .ok_or_else(|| {
                    Error::Migration("the migrations' dependencies form a cycle".into())
                })?;
            done.insert(next.clone());
            ordered.push(by_key.remove(&next).expect("present"));
        }
        Ok(MigrationSet {
            migrations: ordered,
        })
    }

    /// Reads `dir/<app>/*.json`: one folder per app.
    ///
    /// # Errors
    /// When a file cannot be read or parsed, or the set is inconsistent.
    pub fn from_dir(dir: &Path) -> Result<MigrationSet, Error> {
        let io = |e: std::io::Error| Error::Migration(format!("{}: {e}", dir.display()));
        let mut all = Vec::new();
        if !dir.exists() {
            return Ok(MigrationSet::default());
        }
        for app in std::fs::read_dir(dir).map_err(io)? {
            let app = app.map_err(io)?;
            if !app.file_type().map_err(io)?.is_dir() {
                continue;
            }
            let app_name = app.file_name().to_string_lossy().into_owned();
            all.extend(read_app_dir(&app_name, &app.path())?);
        }
        MigrationSet::new(all)
    }

    /// Migrations embedded in the binary as `(app, name, json)`: what `embedded.rs`, written
    /// by [`make_migrations`](super::make_migrations) beside the migration folders, holds.
    ///
    /// ```ignore
    /// static MIGRATIONS: &[(&str, &str, &str)] = include!("../migrations/embedded.rs");
    /// let set = fullstack::migrations::MigrationSet::from_embedded(MIGRATIONS)?;
    /// ```
    ///
    /// # Errors
    /// When a migration cannot be parsed, or the set is inconsistent.
    pub fn from_embedded(files: &[(&str, &str, &str)]) -> Result<MigrationSet, Error> {
        let all = files
            .iter()
            .map(|(app, name, json)| Migration::parse(app, name, json))
            .collect::<Result<Vec<_>, _>>()?;
        MigrationSet::new(all)
    }

    /// The migrations, in the order they apply.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// The position of `app.name`.
    pub(crate) fn position(&self, app: &str, name: &str) -> Option<usize> {
        self.migrations
            .iter()
            .position(|m| m.app == app && m.name == name)
    }

    /// The state after the first `n` migrations.
    ///
    /// # Errors
    /// When an operation does not fit the state built so far.
    pub fn state_after(&self, n: usize) -> Result<ProjectState, Error> {
        let mut state = ProjectState::default();
        for m in &self.migrations[..n] {
            for op in &m.operations {
                op.apply_state(&mut state)
                    .map_err(|e| Error::Migration(format!("{}: {e}", m.label())))?;
            }
        }
        Ok(state)
    }

    /// The state after every migration.
    ///
    /// # Errors
    /// As [`state_after`](Self::state_after).
    pub fn state(&self) -> Result<ProjectState, Error> {
        self.state_after(self.migrations.len())
    }

    /// The last migration of `app`.
    pub fn latest(&self, app: &str) -> Option<&Migration> {
        self.migrations
            .iter()
            .filter(|m| m.app == app)
            .max_by(|a, b| a.name.cmp(&b.name))
    }
}

/// Reads one app's migrations: every `*.json` file of `dir`, named by its file stem.
///
/// # Errors
/// When the folder or a file cannot be read, or a file does not parse.
pub(crate) fn read_app_dir(app: &str, dir: &Path) -> Result<Vec<Migration>, Error> {
    let io = |e: std::io::Error| Error::Migration(format!("{}: {e}", dir.display()));
    let mut out = Vec::new();
    for file in std::fs::read_dir(dir).map_err(io)? {
        let path = file.map_err(io)?.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::Migration(format!("{}: {e}", path.display())))?;
        out.push(Migration::parse(app, &name, &text)?);
    }
    Ok(out)
}
