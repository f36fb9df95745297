//! `check`: models changed without a migration.

use super::autodetector::{NonInteractive, diff};
use super::loader::MigrationSet;
use super::state::ProjectState;
use crate::model::ModelMeta;

/// One line per change the models have and the migrations lack (empty when they agree), or
/// the reason the migrations cannot be read. Run it at startup and in CI.
pub fn check(models: &[&ModelMeta], migrations: &MigrationSet) -> Vec<String> {
    let from = match migrations.state() {
        Ok(s) => s,
        Err(e) => return vec![e.to_string()],
    };
    let to = ProjectState::from_models(models);
    diff(&from, &to, &mut NonInteractive)
        .iter()
        .map(|op| {
            format!(
                "{}: {} has no migration (run makemigrations)",
                op.app().unwrap_or("?"),
                op.describe()
            )
        })
        .collect()
}
