//! Compares two project states and lists the operations that turn one into the other.
//!
//! Renames cannot be told apart from a removal plus an addition by looking at states, so, like
//! Django, the autodetector asks a [`Questioner`] when a removed model or field and an added one
//! have the same shape. The default questioner answers no: it never guesses.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

use super::operations::Operation;
use super::state::{DefaultState, FieldState, ModelState, ProjectState};

/// Answers the autodetector's questions.
pub trait Questioner {
    /// Was model `old` renamed to `new`?
    fn ask_rename_model(&mut self, old: &ModelState, new: &ModelState) -> bool;
    /// Was field `old` of `model` renamed to `new`?
    fn ask_rename_field(&mut self, model: &ModelState, old: &FieldState, new: &FieldState) -> bool;

    /// A NOT NULL field without a default is added to `model`: the value its existing rows
    /// get, once (not kept as a default). `None` (the default answer) leaves the migration to
    /// fail on a table that has rows.
    fn ask_not_null_addition(
        &mut self,
        _model: &ModelState,
        _field: &FieldState,
    ) -> Option<DefaultState> {
        None
    }

    /// Field `field` of `model` stops accepting NULL and has no default: the value existing
    /// NULLs get. `None` leaves the migration to fail when there are NULLs.
    fn ask_not_null_alteration(
        &mut self,
        _model: &ModelState,
        _field: &FieldState,
    ) -> Option<DefaultState> {
        None
    }
}

/// Reads a one-off value typed for `field` (`0`, `1.5`, `true`, text).
pub(crate) fn parse_value(field: &FieldState, text: &str) -> Option<DefaultState> {
    use crate::db::ColumnType;
    match field.ty {
        ColumnType::SmallInt | ColumnType::Int | ColumnType::BigInt => {
            text.trim().parse().ok().map(DefaultState::Int)
        }
        ColumnType::Float | ColumnType::Real => text.trim().parse().ok().map(DefaultState::Float),
        ColumnType::Bool => match text.trim() {
            "true" | "1" => Some(DefaultState::Bool(true)),
            "false" | "0" => Some(DefaultState::Bool(false)),
            _ => None,
        },
        ColumnType::DateTime if text.trim() == "now" => Some(DefaultState::Now),
        // Written as a quoted literal, which every backend converts exactly.
        ColumnType::Decimal => text
            .trim()
            .parse::<rust_decimal::Decimal>()
            .ok()
            .map(|d| DefaultState::Text(d.to_string())),
        _ => Some(DefaultState::Text(text.to_owned())),
    }
}

/// Answers no to everything: a possible rename becomes a removal and an addition. What runs in
/// CI and scripts.
#[derive(Debug, Clone, Copy, Default)]
pub struct NonInteractive;

impl Questioner for NonInteractive {
    fn ask_rename_model(&mut self, _: &ModelState, _: &ModelState) -> bool {
        false
    }
    fn ask_rename_field(&mut self, _: &ModelState, _: &FieldState, _: &FieldState) -> bool {
        false
    }
}

/// Answers from renames given up front, as a command's `--rename` flags:
/// `polls.Poll=Question` renames a model, `polls.Question.text=question_text` a field.
#[derive(Debug, Clone, Default)]
pub struct FlagQuestioner {
    models: BTreeSet<(String, String)>,
    fields: BTreeSet<(String, String, String)>,
    fills: BTreeMap<(String, String), String>,
}

impl FlagQuestioner {
    /// No renames yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `app.Old=New` (a model) or `app.Model.old=new` (a field).
    ///
    /// # Errors
    /// When the flag has neither form.
    pub fn parse(flags: &[&str]) -> Result<Self, crate::Error> {
        let mut q = Self::new();
        for flag in flags {
            let bad = || {
                crate::Error::Migration(format!(
                    "`--rename {flag}`: write app.OldModel=NewModel or app.Model.old_field=new_field"
                ))
            };
            let (left, new) = flag.split_once('=').ok_or_else(bad)?;
            let parts: Vec<&str> = left.split('.').collect();
            match parts.as_slice() {
                [app, old] => q = q.rename_model(&format!("{app}.{old}"), &format!("{app}.{new}")),
                [app, model, old] => q = q.rename_field(&format!("{app}.{model}"), old, new),
                _ => return Err(bad()),
            }
        }
        Ok(q)
    }

    /// Model `old` (`app.Name`) was renamed to `new` (`app.NewName`).
    #[must_use]
    pub fn rename_model(mut self, old: &str, new: &str) -> Self {
        self.models.insert((old.to_owned(), new.to_owned()));
        self
    }

    /// Field `old` of `model` (`app.Name`) was renamed to `new`.
    #[must_use]
    pub fn rename_field(mut self, model: &str, old: &str, new: &str) -> Self {
        self.fields
            .insert((model.to_owned(), old.to_owned(), new.to_owned()));
        self
    }

    /// The one-off value existing rows get when NOT NULL field `field` of `model` (`app.Name`)
    /// is added or stops accepting NULL without a default (a `--fill app.Model.field=0` flag).
    #[must_use]
    pub fn fill(mut self, model: &str, field: &str, value: &str) -> Self {
        self.fills
            .insert((model.to_owned(), field.to_owned()), value.to_owned());
        self
    }

    /// Parses a `--fill app.Model.field=value` flag into [`fill`](Self::fill).
    ///
    /// # Errors
    /// When the flag is not of that form.
    pub fn parse_fill(self, flag: &str) -> Result<Self, crate::Error> {
        let bad =
            || crate::Error::Migration(format!("`--fill {flag}`: write app.Model.field=value"));
        let (left, value) = flag.split_once('=').ok_or_else(bad)?;
        let (model, field) = left.rsplit_once('.').ok_or_else(bad)?;
        if !model.contains('.') {
            return Err(bad());
        }
        Ok(self.fill(model, field, value))
    }

    fn fill_for(&self, model: &ModelState, field: &FieldState) -> Option<DefaultState> {
        let text = self.fills.get(&(model.label(), field.name.clone()))?;
        parse_value(field, text)
    }
}

impl Questioner for FlagQuestioner {
    fn ask_rename_model(&mut self, old: &ModelState, new: &ModelState) -> bool {
        self.models.contains(&(old.label(), new.label()))
    }
    fn ask_rename_field(&mut self, model: &ModelState, old: &FieldState, new: &FieldState) -> bool {
        self.fields
            .contains(&(model.label(), old.name.clone(), new.name.clone()))
    }
    fn ask_not_null_addition(
        &mut self,
        model: &ModelState,
        field: &FieldState,
    ) -> Option<DefaultState> {
        self.fill_for(model, field)
    }
    fn ask_not_null_alteration(
        &mut self,
        model: &ModelState,
        field: &FieldState,
    ) -> Option<DefaultState> {
        self.fill_for(model, field)
    }
}

/// Asks on the terminal, `y/N`, like Django's `makemigrations`.
#[derive(Debug)]
pub struct Interactive<R, W> {
    input: R,
    output: W,
}

impl Interactive<std::io::StdinLock<'static>, std::io::Stdout> {
    /// Reads answers from stdin.
    pub fn stdio() -> Self {
        Interactive {
            input: std::io::stdin().lock(),
            output: std::io::stdout(),
        }
    }
}

impl<R: BufRead, W: Write> Interactive<R, W> {
    /// Reads answers from `input`, writes questions to `output`.
    pub fn new(input: R, output: W) -> Self {
        Interactive { input, output }
    }

    fn ask_value(&mut self, model: &ModelState, field: &FieldState) -> Option<DefaultState> {
        let _ = write!(
            self.output,
            "{}.{} cannot be NULL and has no default: the value for existing rows (empty: none)? ",
            model.name, field.name
        );
        let _ = self.output.flush();
        let mut line = String::new();
        self.input.read_line(&mut line).ok()?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            None
        } else {
            parse_value(field, line)
        }
    }

    fn ask(&mut self, question: &str) -> bool {
        let _ = write!(self.output, "{question} [y/N] ");
        let _ = self.output.flush();
        let mut line = String::new();
        if self.input.read_line(&mut line).is_err() {
            return false;
        }
        matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
    }
}

impl<R: BufRead, W: Write> Questioner for Interactive<R, W> {
    fn ask_rename_model(&mut self, old: &ModelState, new: &ModelState) -> bool {
        self.ask(&format!(
            "Was the model {} renamed to {}?",
            old.label(),
            new.name
        ))
    }
    fn ask_rename_field(&mut self, model: &ModelState, old: &FieldState, new: &FieldState) -> bool {
        self.ask(&format!(
            "Was {}.{} renamed to {}.{} (a field of the same type)?",
            model.name, old.name, model.name, new.name
        ))
    }
    fn ask_not_null_addition(
        &mut self,
        model: &ModelState,
        field: &FieldState,
    ) -> Option<DefaultState> {
        self.ask_value(model, field)
    }
    fn ask_not_null_alteration(
        &mut self,
        model: &ModelState,
        field: &FieldState,
    ) -> Option<DefaultState> {
        self.ask_value(model, field)
    }
}

/// The operations that turn `from` into `to`, in an order the database accepts: renames, new
/// models (a model pointed at by a foreign key before the model pointing), field changes, and
/// deletions last (models pointing at others before those).
pub fn diff(
    from: &ProjectState,
    to: &ProjectState,
    questioner: &mut dyn Questioner,
) -> Vec<Operation> {
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
                && questioner.ask_rename_model(old, new)
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
        model_changes(old, new, questioner, &mut ops);
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
    questioner: &mut dyn Questioner,
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
        let Some(pos) = added.iter().position(|a| r.same_shape(a)) else {
            return true;
        };
        // A join table's columns follow the models it joins: renamed without asking.
        if new.auto_created || questioner.ask_rename_field(old, r, added[pos]) {
            let a = added.remove(pos);
            renames.push(Operation::RenameField {
                app: app(),
                model: model(),
                old_name: r.name.clone(),
                new_name: a.name.clone(),
                new_column: a.column.clone(),
            });
            false
        } else {
            true
        }
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
            questioner.ask_not_null_addition(new, f)
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
                questioner.ask_not_null_alteration(new, f)
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
