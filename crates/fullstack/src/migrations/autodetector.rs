//! Compares two project states and lists the operations that turn one into the other.
//!
//! Renames cannot be told apart from a removal plus an addition by looking at states, so, like
//! Django, the autodetector asks a [`Questioner`] when a removed model or field and an added one
//! have the same shape, and for the value existing rows get when a field becomes NOT NULL
//! without a default. A question without an answer stops the diff with an error that names
//! the model and field and the ways to answer it: the autodetector never guesses.

use std::collections::{BTreeMap, BTreeSet};

use super::operations::Operation;
use super::questioner::{self, Questioner, Unanswered};
use super::state::{DefaultState, FieldState, ModelState, ProjectState};
use crate::Error;

/// The operations that turn `from` into `to`, in an order the database accepts: renames, new
/// models (a model pointed at by a foreign key before the model pointing), field changes, and
/// deletions last (models pointing at others before those).
///
/// # Errors
/// [`Error::Migration`] when a question has no answer ([`Unanswered`]): the message lists
/// every such question (a model or field that may have been renamed, a NOT NULL field that
/// needs a value for existing rows) with the ways to answer it, or says the user quit.
pub fn diff(
    from: &ProjectState,
    to: &ProjectState,
    questioner: &mut dyn Questioner,
) -> Result<Vec<Operation>, Error> {
    let mut asker = Asker {
        questioner,
        unanswered: Vec::new(),
        invalid: Vec::new(),
        quit: false,
    };
    let ops = changes(from, to, &mut asker);
    asker.finish()?;
    Ok(ops)
}

fn changes(from: &ProjectState, to: &ProjectState, asker: &mut Asker<'_>) -> Vec<Operation> {
    let mut ops = Vec::new();
    let mut from = from.clone();

    // Renamed models.
    let removed: Vec<ModelState> = from
        .models
        .values()
        .filter(|m| !to.models.contains_key(&m.label()))
        .cloned()
        .collect();
    for old in &removed {
        // Same app, same fields by name and type: a rename may also change a field's
        // options, which become AlterField operations after it.
        let candidate = to.models.values().find(|new| {
            !from.models.contains_key(&new.label())
                && new.app == old.app
                && !new.auto_created
                && new.fields.len() == old.fields.len()
                && new
                    .fields
                    .iter()
                    .zip(&old.fields)
                    .all(|(a, b)| a.name == b.name && a.ty == b.ty)
                && asker.rename_model(old, new)
        });
        if let Some(new) = candidate {
            let op = Operation::RenameModel {
                app: old.app.clone(),
                old_name: old.name.clone(),
                new_name: new.name.clone(),
                new_table: new.table.clone(),
            };
            op.apply_state(&mut from).expect("the model exists");
            ops.push(op);
        }
    }

    // New models, in foreign-key order; a cycle is broken by adding some keys afterwards.
    let mut pending: BTreeMap<String, ModelState> = to
        .models
        .iter()
        .filter(|(l, _)| !from.models.contains_key(*l))
        .map(|(l, m)| (l.clone(), m.clone()))
        .collect();
    let mut deferred = Vec::new();
    let mut deferred_indexes = Vec::new();
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .find(|(l, m)| {
                m.references()
                    .all(|r| r == l.as_str() || !pending.contains_key(r))
            })
            .map(|(l, _)| l.clone());
        let label = match ready {
            Some(l) => l,
            None => {
                // A cycle: create the first model without its keys to models not created yet.
                let waiting: BTreeSet<String> = pending.keys().cloned().collect();
                let (l, m) = pending.iter_mut().next().expect("not empty");
                let keep: Vec<FieldState> = m.fields.clone();
                m.fields.clear();
                for f in keep {
                    let waits = f
                        .relation
                        .as_ref()
                        .is_some_and(|r| r.to != *l && waiting.contains(&r.to));
                    if waits {
                        deferred.push(Operation::AddField {
                            app: m.app.clone(),
                            model: m.name.clone(),
                            field: f,
                            fill: None,
                        });
                    } else {
                        m.fields.push(f);
                    }
                }
                let (keep, later): (Vec<_>, Vec<_>) = std::mem::take(&mut m.indexes)
                    .into_iter()
                    .partition(|i| i.fields.iter().all(|n| m.field(n).is_some()));
                m.indexes = keep;
                deferred_indexes.extend(later.into_iter().map(|index| Operation::AddIndex {
                    app: m.app.clone(),
                    model: m.name.clone(),
                    index,
                }));
                l.clone()
            }
        };
        let model = pending.remove(&label).expect("present");
        ops.push(Operation::CreateModel { model });
    }
    ops.extend(deferred);
    ops.extend(deferred_indexes);

    // Changes to models on both sides.
    for (label, new) in &to.models {
        let Some(old) = from.models.get(label) else {
            continue;
        };
        model_changes(old, new, asker, &mut ops);
    }

    // Deleted models: those pointing at other deleted models first.
    let mut gone: Vec<&ModelState> = from
        .models
        .values()
        .filter(|m| !to.models.contains_key(&m.label()))
        .collect();
    while !gone.is_empty() {
        let pos = gone
            .iter()
            .position(|m| {
                let l = m.label();
                !gone
                    .iter()
                    .any(|o| o.label() != l && o.references().any(|r| r == l))
            })
            .unwrap_or(0);
        let m = gone.remove(pos);
        ops.push(Operation::DeleteModel {
            app: m.app.clone(),
            name: m.name.clone(),
        });
    }
    ops
}

fn model_changes(
    old: &ModelState,
    new: &ModelState,
    asker: &mut Asker<'_>,
    ops: &mut Vec<Operation>,
) {
    let app = || new.app.clone();
    let model = || new.name.clone();
    let mut removed: Vec<&FieldState> = old
        .fields
        .iter()
        .filter(|f| new.field(&f.name).is_none())
        .collect();
    let mut added: Vec<&FieldState> = new
        .fields
        .iter()
        .filter(|f| old.field(&f.name).is_none())
        .collect();

    // Renamed fields.
    let mut renames = Vec::new();
    removed.retain(|r| {
        // Each added field of the same definition is a candidate, asked in turn. A join
        // table's columns follow the models it joins: renamed without asking.
        let Some(pos) = added
            .iter()
            .position(|a| r.same_shape(a) && (new.auto_created || asker.rename_field(old, r, a)))
        else {
            return true;
        };
        let a = added.remove(pos);
        renames.push(Operation::RenameField {
            app: app(),
            model: model(),
            old_name: r.name.clone(),
            new_name: a.name.clone(),
            new_column: a.column.clone(),
        });
        false
    });

    // Indexes that go (or change) are dropped before their fields change.
    for i in &old.indexes {
        if !new.indexes.iter().any(|n| n == &renamed_index(i, &renames)) {
            ops.push(Operation::RemoveIndex {
                app: app(),
                model: model(),
                name: i.name.clone(),
            });
        }
    }
    ops.extend(renames.iter().cloned());
    for f in removed {
        ops.push(Operation::RemoveField {
            app: app(),
            model: model(),
            name: f.name.clone(),
        });
    }
    let needs_value = |f: &FieldState| !f.null && f.default.is_none() && !f.auto;
    for f in added {
        let fill = if needs_value(f) {
            asker.not_null_addition(new, f)
        } else {
            None
        };
        ops.push(Operation::AddField {
            app: app(),
            model: model(),
            field: f.clone(),
            fill,
        });
    }
    for f in &new.fields {
        if let Some(o) = old.field(&f.name)
            && o != f
        {
            let fill = if o.null && needs_value(f) {
                asker.not_null_alteration(new, f)
            } else {
                None
            };
            ops.push(Operation::AlterField {
                app: app(),
                model: model(),
                old: o.clone(),
                new: f.clone(),
                fill,
            });
        }
    }
    for i in &new.indexes {
        if !old.indexes.iter().any(|o| &renamed_index(o, &renames) == i) {
            ops.push(Operation::AddIndex {
                app: app(),
                model: model(),
                index: i.clone(),
            });
        }
    }
}

/// An index as it is after the field renames.
fn renamed_index(i: &super::state::IndexState, renames: &[Operation]) -> super::state::IndexState {
    let mut i = i.clone();
    for r in renames {
        if let Operation::RenameField {
            old_name, new_name, ..
        } = r
        {
            for f in &mut i.fields {
                if f == old_name {
                    f.clone_from(new_name);
                }
            }
        }
    }
    i
}

/// Asks the questioner, and keeps what it could not answer for the error at the end.
struct Asker<'q> {
    questioner: &'q mut dyn Questioner,
    /// One paragraph per question nobody could answer: what changed, and the ways to answer.
    unanswered: Vec<String>,
    /// Answers given up front that do not fit, with why.
    invalid: Vec<String>,
    /// The user chose to stop: nothing more is asked.
    quit: bool,
}

impl Asker<'_> {
    /// `answer`, or `otherwise` with the question recorded (`why` describes it).
    fn answered<T>(
        &mut self,
        answer: Result<T, Unanswered>,
        otherwise: T,
        why: impl FnOnce() -> String,
    ) -> T {
        match answer {
            Ok(a) => a,
            Err(Unanswered::Quit) => {
                self.quit = true;
                otherwise
            }
            Err(Unanswered::NoInput) => {
                self.unanswered.push(why());
                otherwise
            }
            Err(Unanswered::Invalid(reason)) => {
                self.invalid.push(reason);
                otherwise
            }
        }
    }

    fn rename_model(&mut self, old: &ModelState, new: &ModelState) -> bool {
        if self.quit {
            return false;
        }
        let answer = self.questioner.ask_rename_model(old, new);
        self.answered(answer, false, || {
            let (app, o, n) = (&old.app, &old.name, &new.name);
            format!(
                "Model {app}.{o} is gone and {app}.{n}, with the same fields, is new: was it \
                 renamed? Say which:\n  \
                 --rename {app}.{o}={n}   it was renamed: the table {} and its rows are kept\n  \
                 --remove {app}.{o}   it was deleted: the table {} and its rows are dropped",
                old.table, old.table
            )
        })
    }

    fn rename_field(&mut self, model: &ModelState, old: &FieldState, new: &FieldState) -> bool {
        if self.quit {
            return false;
        }
        let answer = self.questioner.ask_rename_field(model, old, new);
        self.answered(answer, false, || {
            let (m, o, n) = (model.label(), &old.name, &new.name);
            format!(
                "Field {m}.{o} is gone and {m}.{n}, {}, is new: was it renamed? Say which:\n  \
                 --rename {m}.{o}={n}   it was renamed: the column {} and its data are kept\n  \
                 --remove {m}.{o}   it was removed: the column {} and its data are dropped",
                questioner::describe(new),
                old.column,
                old.column
            )
        })
    }

    fn not_null_addition(
        &mut self,
        model: &ModelState,
        field: &FieldState,
    ) -> Option<DefaultState> {
        if self.quit {
            return None;
        }
        let answer = self.questioner.ask_not_null_addition(model, field);
        self.answered(answer, None, || {
            not_null_advice(
                model,
                field,
                "is a new field that cannot be NULL and has no default: the rows the table \
                 already has need a value",
            )
        })
    }

    fn not_null_alteration(
        &mut self,
        model: &ModelState,
        field: &FieldState,
    ) -> Option<DefaultState> {
        if self.quit {
            return None;
        }
        let answer = self.questioner.ask_not_null_alteration(model, field);
        self.answered(answer, None, || {
            not_null_advice(
                model,
                field,
                "stops accepting NULL and has no default: the rows that hold NULL need a value",
            )
        })
    }

    /// The error for the questions without an answer, if any.
    fn finish(self) -> Result<(), Error> {
        if self.quit {
            return Err(Error::Migration(
                "makemigrations stopped as asked: nothing was written".into(),
            ));
        }
        let mut parts = Vec::new();
        if !self.invalid.is_empty() {
            parts.push(format!(
                "makemigrations cannot use a value given up front: nothing was written.\n\n{}",
                self.invalid.join("\n")
            ));
        }
        if !self.unanswered.is_empty() {
            parts.push(format!(
                "makemigrations will not guess a change that could lose data, and nobody can be \
                 asked (stdin is not a terminal, or --no-input): nothing was written.\n\n{}",
                self.unanswered.join("\n\n")
            ));
        }
        if parts.is_empty() {
            Ok(())
        } else {
            Err(Error::Migration(parts.join("\n\n")))
        }
    }
}

/// The ways to give a NOT NULL field's existing rows a value.
fn not_null_advice(model: &ModelState, field: &FieldState, what: &str) -> String {
    let (m, f) = (model.label(), &field.name);
    format!(
        "Field {m}.{f} {what}. Do one of:\n  \
         declare a default: #[field(default = ...)]\n  \
         give the existing rows a one-off value: --fill {m}.{f}=VALUE\n  \
         make it nullable: {f}: Option<{}>",
        questioner::rust_type(field)
    )
}
