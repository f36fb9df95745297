//! Migrations, Django's way: the schema is described by the models; `makemigrations` compares
//! them with the state the existing migrations build and writes the difference as a new,
//! reviewable migration file; `migrate` applies the files a database lacks, and rolls back.
//!
//! The parts, as in Django: [`state`] (the schema as data), the autodetector ([`diff`]: two states to a
//! list of [`Operation`]s), the writer and loader (JSON files `migrations/<app>/0001_initial.json`,
//! embeddable in the binary), the executor and recorder (the `fullstack_migrations` table), and a
//! schema editor that writes each backend's DDL.
//!
//! ```no_run
//! # async fn demo(models: &[&fullstack::ModelMeta], db: &fullstack::Database) -> Result<(), fullstack::Error> {
//! use fullstack::migrations::{self, NonInteractive, MigrationSet, Target};
//! let dir = std::path::Path::new("migrations");
//! let written = migrations::make_migrations(models, dir, &mut NonInteractive)?;
//! let set = MigrationSet::from_dir(dir)?;
//! let report = migrations::migrate(db, &set, &Target::Latest).await?;
//! # Ok(()) }
//! ```

mod autodetector;
mod check;
mod ddl;
mod executor;
mod loader;
mod operations;
mod questioner;
mod recorder;
pub mod state;
mod writer;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use autodetector::diff;
pub use check::check;
pub use executor::{
    Executor, MigrateReport, MigrationFuture, MigrationProgress, MigrationStatus, MigrationTx,
    ProgressFn, RustMigrationFn, RustRegistry, Target,
};
pub(crate) use loader::read_app_dir;
pub use loader::{Migration, MigrationSet};
pub use operations::Operation;
pub use questioner::{Answer, FlagQuestioner, Interactive, NonInteractive, Questioner, Unanswered};
pub use recorder::DEFAULT_TABLE;
pub use state::{FieldState, IndexState, ModelState, ProjectState};
pub use writer::{auto_name, write_embedded_index, write_migration};

use crate::db::Backend;
use crate::model::ModelMeta;
use crate::{Database, Error};

/// The new migrations `models` need, given those in `set`, one per app that changed (not
/// written). Foreign keys to another app's models add a dependency on that app's latest
/// migration.
///
/// # Errors
/// When the existing migrations cannot be replayed, or a question has no answer (see
/// [`diff`]).
pub fn plan_migrations(
    models: &[&ModelMeta],
    set: &MigrationSet,
    questioner: &mut dyn Questioner,
) -> Result<Vec<Migration>, Error> {
    let from = set.state()?;
    let to = ProjectState::from_models(models);
    let ops = diff(&from, &to, questioner)?;
    let mut by_app: Vec<(String, Vec<Operation>)> = Vec::new();
    for op in ops {
        let app = op.app().unwrap_or_default().to_owned();
        match by_app.iter_mut().find(|(a, _)| *a == app) {
            Some((_, v)) => v.push(op),
            None => by_app.push((app, vec![op])),
        }
    }
    let mut new: Vec<Migration> = by_app
        .into_iter()
        .map(|(app, ops)| writer::next_migration(set, &app, ops))
        .collect();
    // Cross-app foreign keys: depend on the target app's newest migration.
    let latest: Vec<(String, String)> = new
        .iter()
        .map(|m| (m.app.clone(), m.name.clone()))
        .chain(
            set.migrations()
                .iter()
                .filter(|m| !new.iter().any(|n| n.app == m.app))
                .filter_map(|m| set.latest(&m.app).map(|l| (l.app.clone(), l.name.clone()))),
        )
        .collect();
    for m in &mut new {
        let mut targets: Vec<String> = Vec::new();
        for op in &m.operations {
            match op {
                Operation::CreateModel { model } => {
                    targets.extend(model.references().map(str::to_owned));
                }
                Operation::AddField { field, .. } | Operation::AlterField { new: field, .. } => {
                    targets.extend(field.relation.iter().map(|r| r.to.clone()));
                }
                _ => {}
            }
        }
        for t in targets {
            let app = t.split('.').next().unwrap_or_default();
            if app == m.app {
                continue;
            }
            if let Some(dep) = latest.iter().find(|(a, _)| a == app)
                && !m.dependencies.contains(dep)
            {
                m.dependencies.push(dep.clone());
            }
        }
    }
    Ok(new)
}

/// `makemigrations`: writes the migrations `models` need into `dir/<app>/` (and refreshes
/// `dir/embedded.rs`). Returns the files written, none when the migrations are up to date. No
/// database is needed.
///
/// # Errors
/// When the existing migrations cannot be read, a question has no answer (see [`diff`]: then
/// nothing is written), or the files cannot be written.
pub fn make_migrations(
    models: &[&ModelMeta],
    dir: &Path,
    questioner: &mut dyn Questioner,
) -> Result<Vec<PathBuf>, Error> {
    let set = MigrationSet::from_dir(dir)?;
    let new = plan_migrations(models, &set, questioner)?;
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let mut written = Vec::new();
    for m in &new {
        written.push(write_migration(dir, m)?);
    }
    let mut all = set.migrations().to_vec();
    all.extend(new);
    write_embedded_index(dir, &MigrationSet::new(all)?)?;
    Ok(written)
}

/// `migrate`: brings `db` to `target`, recording in `fullstack_migrations`. Use [`Executor`]
/// for Rust data migrations or another recorder table.
///
/// # Errors
/// As [`Executor::migrate`].
pub async fn migrate(
    db: &Database,
    migrations: &MigrationSet,
    target: &Target,
) -> Result<MigrateReport, Error> {
    Executor::new(db, migrations).migrate(target).await
}

/// `showmigrations`: every migration, applied or not.
///
/// # Errors
/// The driver's error.
pub async fn show_migrations(
    db: &Database,
    migrations: &MigrationSet,
) -> Result<Vec<MigrationStatus>, Error> {
    Executor::new(db, migrations).status().await
}

/// `sqlmigrate`: the SQL migration `app.name` runs on `backend` (backwards when `backward`).
/// No database is needed.
///
/// # Errors
/// When there is no such migration, or it is irreversible and `backward` is asked.
pub fn sql_migrate(
    migrations: &MigrationSet,
    app: &str,
    name: &str,
    backend: Backend,
    backward: bool,
) -> Result<Vec<String>, Error> {
    let pos = migrations
        .position(app, name)
        .ok_or_else(|| Error::Migration(format!("there is no migration {app}.{name}")))?;
    let m = &migrations.migrations()[pos];
    let mut state = migrations.state_after(pos)?;
    let mut states = Vec::new();
    for op in &m.operations {
        states.push(state.clone());
        op.apply_state(&mut state)?;
    }
    let mut out = Vec::new();
    if backward {
        for (op, before) in m.operations.iter().zip(&states).rev() {
            out.extend(op.backward_sql(backend, before)?);
        }
    } else {
        for (op, before) in m.operations.iter().zip(&states) {
            out.extend(op.forward_sql(backend, before)?);
        }
    }
    Ok(out)
}
