//! The operations a migration is made of. Each one changes the project state
//! ([`apply_state`](Operation::apply_state)) and knows the SQL that makes the database follow,
//! forwards and, where possible, backwards (Django's `database_forwards`/`database_backwards`).

use serde::{Deserialize, Serialize};

use super::ddl::Ddl;
use super::state::{DefaultState, FieldState, IndexState, ModelState, ProjectState};
use crate::Error;
use crate::db::Backend;

/// One change to the schema, as written in a migration file (`"op": "add_field"`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Operation {
    /// Creates a model's table (with its indexes and foreign keys). Many-to-many join tables are
    /// models of their own, created the same way.
    CreateModel {
        /// The model.
        model: ModelState,
    },
    /// Drops a model's table. Reversible: the table is recreated empty.
    DeleteModel {
        /// The app.
        app: String,
        /// The model.
        name: String,
    },
    /// Renames a model and its table; the rows stay.
    RenameModel {
        /// The app.
        app: String,
        /// The old name.
        old_name: String,
        /// The new name.
        new_name: String,
        /// The new table (the old one is in the state).
        new_table: String,
    },
    /// Adds a column; existing rows take the field's default.
    AddField {
        /// The app.
        app: String,
        /// The model.
        model: String,
        /// The field.
        field: FieldState,
        /// A one-off value for the existing rows of a NOT NULL field without a default (Django's
        /// `preserve_default=False`): not kept as the column's default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fill: Option<DefaultState>,
    },
    /// Drops a column. Reversible in schema: going back re-adds the column, but its data is gone.
    RemoveField {
        /// The app.
        app: String,
        /// The model.
        model: String,
        /// The field's name.
        name: String,
    },
    /// Changes a field's definition (type, length, NULL, default, unique, index, relation).
    AlterField {
        /// The app.
        app: String,
        /// The model.
        model: String,
        /// The definition before.
        old: FieldState,
        /// The definition after.
        new: FieldState,
        /// A one-off value for existing NULLs when the field stops accepting NULL and has no
        /// default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fill: Option<DefaultState>,
    },
    /// Renames a field (and its column); the data stays.
    RenameField {
        /// The app.
        app: String,
        /// The model.
        model: String,
        /// The old field name.
        old_name: String,
        /// The new field name.
        new_name: String,
        /// The new column.
        new_column: String,
    },
    /// Adds an index over several fields; a unique one is Django's unique together.
    AddIndex {
        /// The app.
        app: String,
        /// The model.
        model: String,
        /// The index.
        index: IndexState,
    },
    /// Drops an index.
    RemoveIndex {
        /// The app.
        app: String,
        /// The model.
        model: String,
        /// The index's name.
        name: String,
    },
    /// Hand-written SQL, run as is on every backend. Irreversible without `backward`.
    RunSql {
        /// Statements run forwards.
        forward: Vec<String>,
        /// Statements that undo them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        backward: Option<Vec<String>>,
    },
    /// A data migration: a Rust function registered under `name` in the
    /// [`RustRegistry`](super::RustRegistry) given to the executor. Irreversible without
    /// `backward`.
    RunRust {
        /// The registered function run forwards.
        name: String,
        /// The registered function that undoes it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        backward: Option<String>,
    },
}

fn label(app: &str, name: &str) -> String {
    format!("{app}.{name}")
}

/// SQL, or a data migration to call, in the order the executor runs them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Sql(String),
    Rust(String),
}

impl Operation {
    /// Applies the operation to the in-memory state.
    ///
    /// # Errors
    /// When the operation does not fit the state (a model or field that does not exist).
    pub fn apply_state(&self, state: &mut ProjectState) -> Result<(), Error> {
        match self {
            Operation::CreateModel { model } => {
                if state.models.insert(model.label(), model.clone()).is_some() {
                    return Err(Error::Migration(format!(
                        "{} is created twice",
                        model.label()
                    )));
                }
            }
            Operation::DeleteModel { app, name } => {
                let l = label(app, name);
                state
                    .models
                    .remove(&l)
                    .ok_or_else(|| Error::Migration(format!("cannot delete {l}: no such model")))?;
            }
            Operation::RenameModel {
                app,
                old_name,
                new_name,
                new_table,
            } => {
                let old = label(app, old_name);
                let new = label(app, new_name);
                let mut m = state.models.remove(&old).ok_or_else(|| {
                    Error::Migration(format!("cannot rename {old}: no such model"))
                })?;
                m.name.clone_from(new_name);
                m.table.clone_from(new_table);
                state.models.insert(new.clone(), m);
                for other in state.models.values_mut() {
                    for f in &mut other.fields {
                        if let Some(r) = &mut f.relation
                            && r.to == old
                        {
                            r.to.clone_from(&new);
                        }
                    }
                }
            }
            Operation::AddField {
                app, model, field, ..
            } => {
                let m = state.model_mut(&label(app, model))?;
                if m.field(&field.name).is_some() {
                    return Err(Error::Migration(format!(
                        "{}.{} already exists",
                        m.label(),
                        field.name
                    )));
                }
                m.fields.push(field.clone());
            }
            Operation::RemoveField { app, model, name } => {
                let m = state.model_mut(&label(app, model))?;
                let before = m.fields.len();
                m.fields.retain(|f| f.name != *name);
                if m.fields.len() == before {
                    return Err(Error::Migration(format!(
                        "{}.{name} does not exist",
                        m.label()
                    )));
                }
            }
            Operation::AlterField {
                app, model, new, ..
            } => {
                let m = state.model_mut(&label(app, model))?;
                let label = m.label();
                let f = m
                    .fields
                    .iter_mut()
                    .find(|f| f.name == new.name)
                    .ok_or_else(|| {
                        Error::Migration(format!("{label}.{} does not exist", new.name))
                    })?;
                *f = new.clone();
            }
            Operation::RenameField {
                app,
                model,
                old_name,
                new_name,
                new_column,
            } => {
                let m = state.model_mut(&label(app, model))?;
                let label = m.label();
                let f = m
                    .fields
                    .iter_mut()
                    .find(|f| f.name == *old_name)
                    .ok_or_else(|| {
                        Error::Migration(format!("{label}.{old_name} does not exist"))
                    })?;
                f.name.clone_from(new_name);
                f.column.clone_from(new_column);
                for i in &mut m.indexes {
                    for n in &mut i.fields {
                        if n == old_name {
                            n.clone_from(new_name);
                        }
                    }
                }
            }
            Operation::AddIndex { app, model, index } => {
                state
                    .model_mut(&label(app, model))?
                    .indexes
                    .push(index.clone());
            }
            Operation::RemoveIndex { app, model, name } => {
                let m = state.model_mut(&label(app, model))?;
                let before = m.indexes.len();
                m.indexes.retain(|i| i.name != *name);
                if m.indexes.len() == before {
                    return Err(Error::Migration(format!(
                        "{} has no index `{name}`",
                        m.label()
                    )));
                }
            }
            Operation::RunSql { .. } | Operation::RunRust { .. } => {}
        }
        Ok(())
    }

    /// Whether the operation can be undone.
    pub fn is_reversible(&self) -> bool {
        match self {
            Operation::RunSql { backward, .. } => backward.is_some(),
            Operation::RunRust { backward, .. } => backward.is_some(),
            _ => true,
        }
    }

    /// The SQL that applies the operation to a database at state `before`.
    ///
    /// # Errors
    /// When the operation does not fit the state.
    pub fn forward_sql(
        &self,
        backend: Backend,
        before: &ProjectState,
    ) -> Result<Vec<String>, Error> {
        Ok(self
            .forward_steps(backend, before)?
            .into_iter()
            .map(|s| match s {
                Step::Sql(s) => s,
                Step::Rust(name) => format!("-- Rust data migration `{name}`"),
            })
            .collect())
    }

    /// The SQL that undoes the operation, `before` being the state it was applied to (the state
    /// to return to).
    ///
    /// # Errors
    /// When the operation is irreversible or does not fit the state.
    pub fn backward_sql(
        &self,
        backend: Backend,
        before: &ProjectState,
    ) -> Result<Vec<String>, Error> {
        Ok(self
            .backward_steps(backend, before)?
            .into_iter()
            .map(|s| match s {
                Step::Sql(s) => s,
                Step::Rust(name) => format!("-- Rust data migration `{name}`"),
            })
            .collect())
    }

    pub(crate) fn forward_steps(
        &self,
        backend: Backend,
        before: &ProjectState,
    ) -> Result<Vec<Step>, Error> {
        let ddl = Ddl { backend };
        let mut after = before.clone();
        self.apply_state(&mut after)?;
        let sql = match self {
            Operation::CreateModel { model } => ddl.create_model(&after, model)?,
            Operation::DeleteModel { app, name } => {
                vec![ddl.drop_table(&before.model(&label(app, name))?.table)]
            }
            Operation::RenameModel {
                app,
                old_name,
                new_table,
                ..
            } => {
                let old = before.model(&label(app, old_name))?;
                if old.table == *new_table {
                    Vec::new()
                } else {
                    ddl.rename_model(&after, old, &old.table, new_table)?
                }
            }
            Operation::AddField {
                app,
                model,
                field,
                fill,
            } => {
                let l = label(app, model);
                ddl.add_field(
                    &after,
                    before.model(&l)?,
                    after.model(&l)?,
                    field,
                    fill.as_ref(),
                )?
            }
            Operation::RemoveField { app, model, name } => {
                let l = label(app, model);
                let b = before.model(&l)?;
                let field = b
                    .field(name)
                    .ok_or_else(|| Error::Migration(format!("{l}.{name} does not exist")))?;
                ddl.remove_field(&after, b, after.model(&l)?, field)?
            }
            Operation::AlterField {
                app,
                model,
                new,
                fill,
                ..
            } => {
                let l = label(app, model);
                let b = before.model(&l)?;
                // The state, not the file's `old`, says what the database has.
                let old = b
                    .field(&new.name)
                    .ok_or_else(|| Error::Migration(format!("{l}.{} does not exist", new.name)))?;
                ddl.alter_field(&after, b, after.model(&l)?, old, new, fill.as_ref())?
            }
            Operation::RenameField {
                app,
                model,
                old_name,
                new_name,
                ..
            } => {
                let l = label(app, model);
                let (b, a) = (before.model(&l)?, after.model(&l)?);
                let old = b
                    .field(old_name)
                    .ok_or_else(|| Error::Migration(format!("{l}.{old_name} does not exist")))?;
                let new = a.field(new_name).expect("renamed above");
                if old.column == new.column {
                    Vec::new()
                } else if backend == Backend::Sqlite {
                    vec![ddl.rename_column(&b.table, &old.column, &new.column)]
                } else {
                    // Renames the column and re-creates its named constraints.
                    ddl.alter_field(&after, b, a, old, new, None)?
                }
            }
            Operation::AddIndex { app, model, index } => {
                let m = after.model(&label(app, model))?;
                vec![ddl.create_index(m, &index.name, &index.fields, index.unique)?]
            }
            Operation::RemoveIndex { app, model, name } => {
                vec![ddl.drop_index(&before.model(&label(app, model))?.table, name)]
            }
            Operation::RunSql { forward, .. } => forward.clone(),
            Operation::RunRust { name, .. } => return Ok(vec![Step::Rust(name.clone())]),
        };
        Ok(sql.into_iter().map(Step::Sql).collect())
    }

    pub(crate) fn backward_steps(
        &self,
        backend: Backend,
        before: &ProjectState,
    ) -> Result<Vec<Step>, Error> {
        let ddl = Ddl { backend };
        let mut after = before.clone();
        self.apply_state(&mut after)?;
        let sql = match self {
            Operation::CreateModel { model } => vec![ddl.drop_table(&model.table)],
            Operation::DeleteModel { app, name } => {
                ddl.create_model(before, before.model(&label(app, name))?)?
            }
            Operation::RenameModel {
                app,
                old_name,
                new_table,
                ..
            } => {
                let old = before.model(&label(app, old_name))?;
                if old.table == *new_table {
                    Vec::new()
                } else {
                    ddl.rename_model(before, old, new_table, &old.table)?
                }
            }
            Operation::AddField {
                app, model, field, ..
            } => {
                let l = label(app, model);
                ddl.remove_field(before, after.model(&l)?, before.model(&l)?, field)?
            }
            Operation::RemoveField { app, model, name } => {
                let l = label(app, model);
                let b = before.model(&l)?;
                let field = b.field(name).expect("checked by apply_state");
                ddl.add_field(before, after.model(&l)?, b, field, None)?
            }
            Operation::AlterField {
                app, model, new, ..
            } => {
                let l = label(app, model);
                let b = before.model(&l)?;
                let old = b.field(&new.name).expect("checked by apply_state");
                ddl.alter_field(before, after.model(&l)?, b, new, old, None)?
            }
            Operation::RenameField {
                app,
                model,
                old_name,
                new_name,
                ..
            } => {
                let l = label(app, model);
                let (b, a) = (before.model(&l)?, after.model(&l)?);
                let old = b.field(old_name).expect("checked by apply_state");
                let new = a.field(new_name).expect("renamed");
                if old.column == new.column {
                    Vec::new()
                } else if backend == Backend::Sqlite {
                    vec![ddl.rename_column(&b.table, &new.column, &old.column)]
                } else {
                    ddl.alter_field(before, a, b, new, old, None)?
                }
            }
            Operation::AddIndex { app, model, index } => {
                vec![ddl.drop_index(&before.model(&label(app, model))?.table, &index.name)]
            }
            Operation::RemoveIndex { app, model, name } => {
                let m = before.model(&label(app, model))?;
                let i = m
                    .indexes
                    .iter()
                    .find(|i| i.name == *name)
                    .expect("checked by apply_state");
                vec![ddl.create_index(m, &i.name, &i.fields, i.unique)?]
            }
            Operation::RunSql { backward, .. } => backward.clone().ok_or_else(|| {
                Error::Migration("a RunSql operation without `backward` cannot be undone".into())
            })?,
            Operation::RunRust { name, backward } => {
                let back = backward.clone().ok_or_else(|| {
                    Error::Migration(format!(
                        "the Rust data migration `{name}` has no `backward` and cannot be undone"
                    ))
                })?;
                return Ok(vec![Step::Rust(back)]);
            }
        };
        Ok(sql.into_iter().map(Step::Sql).collect())
    }

    /// A short description, for `check` and `makemigrations` output.
    pub fn describe(&self) -> String {
        match self {
            Operation::CreateModel { model } => format!("Create model {}", model.label()),
            Operation::DeleteModel { app, name } => format!("Delete model {app}.{name}"),
            Operation::RenameModel {
                app,
                old_name,
                new_name,
                ..
            } => format!("Rename model {app}.{old_name} to {new_name}"),
            Operation::AddField {
                app, model, field, ..
            } => {
                format!("Add field {} to {app}.{model}", field.name)
            }
            Operation::RemoveField { app, model, name } => {
                format!("Remove field {name} from {app}.{model}")
            }
            Operation::AlterField {
                app,
                model,
                old,
                new,
                ..
            } => {
                let only_the_index = FieldState {
                    index: new.index,
                    ..old.clone()
                } == *new;
                match (only_the_index, new.index) {
                    (true, true) => format!("Add an index to field {} of {app}.{model}", new.name),
                    (true, false) => {
                        format!("Remove the index of field {} of {app}.{model}", new.name)
                    }
                    _ => format!("Alter field {} on {app}.{model}", new.name),
                }
            }
            Operation::RenameField {
                app,
                model,
                old_name,
                new_name,
                ..
            } => format!("Rename field {old_name} on {app}.{model} to {new_name}"),
            Operation::AddIndex { app, model, index } => {
                format!("Create index {} on {app}.{model}", index.name)
            }
            Operation::RemoveIndex { app, model, name } => {
                format!("Remove index {name} from {app}.{model}")
            }
            Operation::RunSql { .. } => "Raw SQL operation".into(),
            Operation::RunRust { name, .. } => format!("Rust data migration {name}"),
        }
    }

    /// The fragment of an automatic migration name (`add_question_votes`).
    pub(crate) fn name_fragment(&self) -> String {
        let lower = |s: &str| s.to_ascii_lowercase();
        match self {
            Operation::CreateModel { model } => lower(&model.name),
            Operation::DeleteModel { name, .. } => format!("delete_{}", lower(name)),
            Operation::RenameModel {
                old_name, new_name, ..
            } => format!("rename_{}_{}", lower(old_name), lower(new_name)),
            Operation::AddField { model, field, .. } => {
                format!("add_{}_{}", lower(model), lower(&field.name))
            }
            Operation::RemoveField { model, name, .. } => {
                format!("remove_{}_{}", lower(model), lower(name))
            }
            Operation::AlterField { model, new, .. } => {
                format!("alter_{}_{}", lower(model), lower(&new.name))
            }
            Operation::RenameField {
                model,
                old_name,
                new_name,
                ..
            } => format!(
                "rename_{}_{}_{}",
                lower(model),
                lower(old_name),
                lower(new_name)
            ),
            Operation::AddIndex { index, .. } => lower(&index.name),
            Operation::RemoveIndex { model, name, .. } => {
                format!("remove_{}_{}", lower(model), lower(name))
            }
            Operation::RunSql { .. } => "run_sql".into(),
            Operation::RunRust { name, .. } => lower(name),
        }
    }

    /// The app the operation changes (`None` for raw SQL and Rust).
    pub fn app(&self) -> Option<&str> {
        match self {
            Operation::CreateModel { model } => Some(&model.app),
            Operation::DeleteModel { app, .. }
            | Operation::RenameModel { app, .. }
            | Operation::AddField { app, .. }
            | Operation::RemoveField { app, .. }
            | Operation::AlterField { app, .. }
            | Operation::RenameField { app, .. }
            | Operation::AddIndex { app, .. }
            | Operation::RemoveIndex { app, .. } => Some(app),
            Operation::RunSql { .. } | Operation::RunRust { .. } => None,
        }
    }
}
