//! `check`: models changed without a migration.

use super::autodetector::diff;
use super::loader::MigrationSet;
use super::questioner::{Answer, Questioner};
use super::state::ProjectState;
use super::state::{DefaultState, FieldState, ModelState};
use crate::model::ModelMeta;

/// One line per change the models have and the migrations lack (empty when they agree), or
/// the reason the migrations cannot be read. Run it at startup and in CI.
pub fn check(models: &[&ModelMeta], migrations: &MigrationSet) -> Vec<String> {
    let from = match migrations.state() {
        Ok(s) => s,
        Err(e) => return vec![e.to_string()],
    };
    let to = ProjectState::from_models(models);
    let ops = match diff(&from, &to, &mut Unasked) {
        Ok(ops) => ops,
        Err(e) => return vec![e.to_string()],
    };
    ops.iter()
        .map(|op| {
            format!(
                "{}: {} has no migration (run makemigrations)",
                op.app().unwrap_or("?"),
                op.describe()
            )
        })
        .collect()
}

/// Lists the changes without asking: a possible rename is shown as a removal and an
/// addition, which is as much a missing migration as the rename.
struct Unasked;

impl Questioner for Unasked {
    fn ask_rename_model(&mut self, _: &ModelState, _: &ModelState) -> Answer<bool> {
        Ok(false)
    }
    fn ask_rename_field(&mut self, _: &ModelState, _: &FieldState, _: &FieldState) -> Answer<bool> {
        Ok(false)
    }
    fn ask_not_null_addition(
        &mut self,
        _: &ModelState,
        _: &FieldState,
    ) -> Answer<Option<DefaultState>> {
        Ok(None)
    }
    fn ask_not_null_alteration(
        &mut self,
        _: &ModelState,
        _: &FieldState,
    ) -> Answer<Option<DefaultState>> {
        Ok(None)
    }
}
