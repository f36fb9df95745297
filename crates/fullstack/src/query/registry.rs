//! The models of the running project, which `delete()` consults for `on_delete` when no
//! [`ModelSet`] is given: the project installs every app's models when its web app is built or
//! its command line runs ([`Project::install_models`](crate::Project::install_models)).
//!
//! A process-wide list rather than models collected at link time: only the models of the
//! project's apps have tables, so only they can be cascaded to.

use std::sync::RwLock;

use super::instance::ModelSet;
use crate::Error;
use crate::model::ModelMeta;

static INSTALLED: RwLock<Vec<&'static ModelMeta>> = RwLock::new(Vec::new());

/// Adds `models` to the process's registry (a model already in it is not added twice).
/// Several projects in one process (tests) add up: a delete then knows the models of all.
pub fn install(models: impl IntoIterator<Item = &'static ModelMeta>) {
    let mut installed = INSTALLED.write().unwrap_or_else(|e| e.into_inner());
    for m in models {
        if !installed.iter().any(|i| std::ptr::eq(*i, m)) {
            installed.push(m);
        }
    }
}

/// The installed models, as a set.
pub fn installed() -> ModelSet {
    ModelSet::new(
        INSTALLED
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .copied(),
    )
}

/// The registry for a `delete()` of `meta` without a set: refused when nothing is installed,
/// since the models pointing at `meta` are then unknown.
pub(crate) fn for_delete(meta: &ModelMeta) -> Result<ModelSet, Error> {
    let set = installed();
    if set.models().is_empty() {
        return Err(Error::Usage(format!(
            "delete of {}: no models are installed, so the models pointing at it are unknown; \
             run inside a fullstack Project (its web app and commands install every app's \
             models), call fullstack::query::registry::install(..) at start-up, or pass the \
             models with delete_with(.., &ModelSet::new([..]))",
            meta.name
        )));
    }
    Ok(set)
}

/// Refuses a delete with an explicit `set` that leaves out an installed model pointing at
/// `target` (its `on_delete` would be skipped).
pub(crate) fn check_complete(set: &ModelSet, target: &ModelMeta) -> Result<(), Error> {
    let installed = INSTALLED.read().unwrap_or_else(|e| e.into_inner());
    for m in installed.iter() {
        let points = m.fields.iter().any(|f| {
            f.relation
                .is_some_and(|rel| (rel.to)().table == target.table)
        }) || m
            .many_to_many
            .iter()
            .any(|r| (r.to)().table == target.table);
        if points && !set.models().iter().any(|s| s.table == m.table) {
            return Err(Error::Usage(format!(
                "delete of {}: the ModelSet leaves out {}, which points at it, so its on_delete \
                 would be skipped; add it to the set, or call delete() to use the installed \
                 models",
                target.name,
                m.label()
            )));
        }
    }
    Ok(())
}
