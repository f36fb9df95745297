//! Writes new migrations: numbered files in the app's folder, and the `embedded.rs` index that
//! lets a binary carry them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::loader::{Migration, MigrationSet};
use super::operations::Operation;
use crate::Error;

/// Django's automatic name: `initial` for an app's first migration, else the operations'
/// fragments (`add_question_votes`), or `auto_<date>_<time>` when they make a long name.
pub fn auto_name(operations: &[Operation], initial: bool) -> String {
    if initial {
        return "initial".into();
    }
    let name = operations
        .iter()
        .map(Operation::name_fragment)
        .collect::<Vec<_>>()
        .join("_");
    if name.is_empty() || name.len() > 52 {
        format!("auto_{}", chrono::Utc::now().format("%Y%m%d_%H%M"))
    } else {
        name
    }
}

/// The next migration of `app` after those in `set`: numbered, named, depending on the app's
/// previous migration.
pub(crate) fn next_migration(
    set: &MigrationSet,
    app: &str,
    operations: Vec<Operation>,
) -> Migration {
    let latest = set.latest(app);
    let number = latest.map_or(1, |m| m.number() + 1);
    let name = format!("{number:04}_{}", auto_name(&operations, latest.is_none()));
    Migration {
        app: app.to_owned(),
        name,
        dependencies: latest
            .map(|m| vec![(m.app.clone(), m.name.clone())])
            .unwrap_or_default(),
        operations,
    }
}

/// Writes `dir/<app>/<name>.json`.
///
/// # Errors
/// When the file cannot be written.
pub fn write_migration(dir: &Path, migration: &Migration) -> Result<PathBuf, Error> {
    let folder = dir.join(&migration.app);
    std::fs::create_dir_all(&folder)
        .map_err(|e| Error::Migration(format!("{}: {e}", folder.display())))?;
    let path = folder.join(format!("{}.json", migration.name));
    std::fs::write(&path, migration.to_json())
        .map_err(|e| Error::Migration(format!("{}: {e}", path.display())))?;
    Ok(path)
}

/// Writes `dir/embedded.rs`, listing every migration of `set` with `include_str!`, for
/// [`MigrationSet::from_embedded`].
///
/// # Errors
/// When the file cannot be written.
pub fn write_embedded_index(dir: &Path, set: &MigrationSet) -> Result<PathBuf, Error> {
    let mut s = String::from(
        "// Written by makemigrations: every migration of this folder, embedded in the binary.\n\
         // Use: static MIGRATIONS: &[(&str, &str, &str)] = include!(\"<this file>\");\n&[\n",
    );
    for m in set.migrations() {
        let _ = writeln!(
            s,
            "    ({:?}, {:?}, include_str!({:?})),",
            m.app,
            m.name,
            format!("{}/{}.json", m.app, m.name)
        );
    }
    s.push_str("]\n");
    let path = dir.join("embedded.rs");
    std::fs::write(&path, s).map_err(|e| Error::Migration(format!("{}: {e}", path.display())))?;
    Ok(path)
}
