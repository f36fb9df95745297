//! The schema editor: the DDL each backend needs for each change of the project state.
//!
//! Constraint and index names are derived from the table and column (`<table>_<column>_fk`,
//! `_uniq`, `_idx`), so a later migration can drop them by name on every backend. SQLite cannot
//! alter a column or drop a constrained one, so there the table is rebuilt (create a new table,
//! copy the rows, drop the old one, rename), as SQLite's own documentation prescribes; the
//! executor switches foreign-key enforcement off around it so the drop cascades nothing.

use std::fmt::Write as _;

use super::state::{DefaultState, FieldState, ModelState, ProjectState};
use crate::Error;
use crate::db::{Backend, ColumnType};
use crate::model::OnDelete;

/// A name for a constraint or index that fits every backend's limit (63 bytes on PostgreSQL).
pub(crate) fn constraint_name(table: &str, column: &str, suffix: &str) -> String {
    let name = format!("{table}_{column}_{suffix}");
    if name.len() <= 60 {
        return name;
    }
    // FNV-1a, stable across releases and platforms.
    let mut hash: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    let mut cut = 45;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hash:08x}_{suffix}", &name[..cut])
}

/// The DDL writer for one backend.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ddl {
    pub(crate) backend: Backend,
}

impl Ddl {
    fn q(self, ident: &str) -> String {
        self.backend.quote(ident)
    }

    fn quote_text(self, text: &str) -> String {
        let mut out = String::from("'");
        for c in text.chars() {
            match c {
                '\'' => out.push_str("''"),
                '\\' if self.backend == Backend::MySql => out.push_str("\\\\"),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    }

    /// The column's SQL type.
    pub(crate) fn column_type(self, f: &FieldState) -> String {
        use Backend::{MySql, Postgres, Sqlite};
        match (f.ty, self.backend) {
            (ColumnType::Bool, _) => "BOOLEAN".into(),
            (ColumnType::SmallInt, _) => "SMALLINT".into(),
            (ColumnType::Int, _) => "INTEGER".into(),
            (ColumnType::BigInt, _) => "BIGINT".into(),
            (ColumnType::Float, Sqlite) => "REAL".into(),
            (ColumnType::Float, MySql) => "DOUBLE".into(),
            (ColumnType::Float, Postgres) => "DOUBLE PRECISION".into(),
            (ColumnType::Real, Sqlite | Postgres) => "REAL".into(),
            (ColumnType::Real, MySql) => "FLOAT".into(),
            (ColumnType::Binary, Postgres) => "BYTEA".into(),
            (ColumnType::Binary, MySql) => "LONGBLOB".into(),
            (ColumnType::Binary, Sqlite) => "BLOB".into(),
            (ColumnType::VarChar, _) => format!("VARCHAR({})", f.max_length.unwrap_or(255)),
            (ColumnType::Text, _) => "TEXT".into(),
            (ColumnType::DateTime, Postgres) => "TIMESTAMPTZ".into(),
            (ColumnType::DateTime, MySql) => "DATETIME(6)".into(),
            (ColumnType::Date, Postgres | MySql) => "DATE".into(),
            (ColumnType::Time, Postgres) => "TIME".into(),
            (ColumnType::Time, MySql) => "TIME(6)".into(),
            (ColumnType::NaiveDateTime, Postgres) => "TIMESTAMP".into(),
            (ColumnType::NaiveDateTime, MySql) => "DATETIME(6)".into(),
            // SQLite ignores the digits but takes NUMERIC affinity from `DECIMAL` (why this
            // works is in `db/decimal.rs`); they stay in the schema for whoever reads it.
            (ColumnType::Decimal, _) => {
                let name = if self.backend == Postgres {
                    "NUMERIC"
                } else {
                    "DECIMAL"
                };
                match (f.max_digits, f.decimal_places) {
                    (Some(p), Some(s)) => format!("{name}({p}, {s})"),
                    // Only a hand-written field lacks them: as wide as the backend allows.
                    _ if self.backend == MySql => "DECIMAL(65, 30)".into(),
                    _ => name.into(),
                }
            }
            (ColumnType::Uuid, Postgres) => "UUID".into(),
            (ColumnType::Uuid, MySql) => "CHAR(36)".into(),
            (ColumnType::Json, Postgres) => "JSONB".into(),
            (ColumnType::Json, MySql) => "JSON".into(),
            // sqlx writes dates and times as ISO 8601 text, which sorts as they do.
            (
                ColumnType::DateTime
                | ColumnType::Date
                | ColumnType::Time
                | ColumnType::NaiveDateTime
                | ColumnType::Uuid
                | ColumnType::Json,
                Sqlite,
            ) => "TEXT".into(),
        }
    }

    /// A default as a SQL literal (or expression).
    pub(crate) fn default_sql(self, f: &FieldState, d: &DefaultState) -> String {
        let lit = match d {
            DefaultState::Null => return "NULL".into(),
            DefaultState::Bool(b) => {
                return if *b { "TRUE" } else { "FALSE" }.into();
            }
            DefaultState::Int(i) => return i.to_string(),
            DefaultState::Float(x) => return format!("{x:?}"),
            // MySQL's DATETIME takes no offset: the moment, in UTC, without one.
            DefaultState::Text(t)
                if self.backend == Backend::MySql && f.ty == ColumnType::DateTime =>
            {
                match chrono::DateTime::parse_from_rfc3339(t) {
                    Ok(at) => self.quote_text(
                        &at.with_timezone(&chrono::Utc)
                            .format("%Y-%m-%d %H:%M:%S%.6f")
                            .to_string(),
                    ),
                    Err(_) => self.quote_text(t),
                }
            }
            DefaultState::Text(t) => self.quote_text(t),
            // A date column takes today, as `Model::new` gives a `NaiveDate` (a timestamp
            // would not read back as a date).
            DefaultState::Now if f.ty == ColumnType::Date => {
                return match self.backend {
                    Backend::Postgres => "CURRENT_DATE".into(),
                    Backend::MySql => "(CURRENT_DATE)".into(),
                    Backend::Sqlite => "(date('now'))".into(),
                };
            }
            DefaultState::Now => {
                return match self.backend {
                    Backend::Postgres => "CURRENT_TIMESTAMP".into(),
                    Backend::MySql => "CURRENT_TIMESTAMP(6)".into(),
                    Backend::Sqlite => "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))".into(),
                };
            }
        };
        // MySQL takes defaults on TEXT, JSON and BLOB columns only as expressions.
        if self.backend == Backend::MySql
            && matches!(
                f.ty,
                ColumnType::Text | ColumnType::Json | ColumnType::Binary
            )
        {
            format!("({lit})")
        } else {
            lit
        }
    }

    /// `"col" TYPE [PRIMARY KEY ...] [NOT NULL] [DEFAULT ..]`; `create` adds the primary key
    /// clause (MySQL's `MODIFY` keeps the existing key).
    pub(crate) fn column_def(self, f: &FieldState, create: bool) -> String {
        let mut s = self.q(&f.column);
        s.push(' ');
        if f.primary_key && f.auto {
            match self.backend {
                Backend::Sqlite => {
                    s.push_str("INTEGER PRIMARY KEY AUTOINCREMENT");
                    return s;
                }
                Backend::Postgres => {
                    s.push_str(if f.ty == ColumnType::Int {
                        "SERIAL"
                    } else {
                        "BIGSERIAL"
                    });
                    if create {
                        s.push_str(" PRIMARY KEY");
                    }
                    return s;
                }
                Backend::MySql => {
                    s.push_str(&self.column_type(f));
                    s.push_str(" NOT NULL AUTO_INCREMENT");
                    if create {
                        s.push_str(" PRIMARY KEY");
                    }
                    return s;
                }
            }
        }
        s.push_str(&self.column_type(f));
        if f.primary_key && create {
            s.push_str(" PRIMARY KEY");
        }
        if !f.null {
            s.push_str(" NOT NULL");
        }
        if let Some(d) = &f.default {
            s.push_str(" DEFAULT ");
            s.push_str(&self.default_sql(f, d));
        }
        s
    }

    fn on_delete(d: OnDelete) -> &'static str {
        match d {
            OnDelete::Cascade => "CASCADE",
            OnDelete::SetNull => "SET NULL",
            OnDelete::Restrict => "RESTRICT",
            // PROTECT is enforced by the ORM before the delete; DO_NOTHING leaves it to the
            // constraint, which then refuses at the end of the statement.
            OnDelete::Protect | OnDelete::DoNothing => "NO ACTION",
        }
    }

    /// `CONSTRAINT name FOREIGN KEY (col) REFERENCES target (pk) ON DELETE ..`.
    fn fk_clause(self, state: &ProjectState, table: &str, f: &FieldState) -> Result<String, Error> {
        let rel = f.relation.as_ref().expect("a relation");
        let (to_table, to_col) = if state.models.contains_key(&rel.to) {
            state.target(rel)?
        } else {
            return Err(Error::Migration(format!(
                "field `{}` of table `{table}` points at `{}`, which no migration creates",
                f.name, rel.to
            )));
        };
        Ok(format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {}",
            self.q(&constraint_name(table, &f.column, "fk")),
            self.q(&f.column),
            self.q(&to_table),
            self.q(&to_col),
            Self::on_delete(rel.on_delete)
        ))
    }

    fn unique_clause(self, table: &str, f: &FieldState) -> String {
        format!(
            "CONSTRAINT {} UNIQUE ({})",
            self.q(&constraint_name(table, &f.column, "uniq")),
            self.q(&f.column)
        )
    }

    /// `CREATE TABLE` for `model` (named `table`), without its indexes.
    fn create_table_as(
        self,
        state: &ProjectState,
        model: &ModelState,
        table: &str,
    ) -> Result<String, Error> {
        let mut parts: Vec<String> = model
            .fields
            .iter()
            .map(|f| self.column_def(f, true))
            .collect();
        for f in &model.fields {
            if f.unique && !f.primary_key {
                parts.push(self.unique_clause(&model.table, f));
            }
        }
        for f in model.fields.iter().filter(|f| f.relation.is_some()) {
            parts.push(self.fk_clause(state, &model.table, f)?);
        }
        Ok(format!(
            "CREATE TABLE {} ({})",
            self.q(table),
            parts.join(", ")
        ))
    }

    /// The table and its indexes.
    pub(crate) fn create_model(
        self,
        state: &ProjectState,
        model: &ModelState,
    ) -> Result<Vec<String>, Error> {
        let mut out = vec![self.create_table_as(state, model, &model.table)?];
        out.extend(self.all_indexes(model)?);
        Ok(out)
    }

    /// Every index of a model: single-field ones and composite ones.
    fn all_indexes(self, model: &ModelState) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        for f in model.fields.iter().filter(|f| self.has_field_index(f)) {
            out.push(self.create_field_index(&model.table, f));
        }
        for i in &model.indexes {
            out.push(self.create_index(model, &i.name, &i.fields, i.unique)?);
        }
        Ok(out)
    }

    /// Whether `f` has an index of its own, `<table>_<column>_idx`. Unique columns and the
    /// primary key are indexed by their constraint. On MySQL a foreign key is not: InnoDB
    /// indexes the column when the constraint is added (an index named after the
    /// constraint), and a second one would only cost writes. Django skips it there too.
    fn has_field_index(self, f: &FieldState) -> bool {
        let innodb_indexes_it = self.backend == Backend::MySql && f.relation.is_some();
        f.index && !f.unique && !f.primary_key && !innodb_indexes_it
    }

    fn create_field_index(self, table: &str, f: &FieldState) -> String {
        format!(
            "CREATE INDEX {} ON {} ({})",
            self.q(&constraint_name(table, &f.column, "idx")),
            self.q(table),
            self.q(&f.column)
        )
    }

    /// `CREATE [UNIQUE] INDEX`.
    pub(crate) fn create_index(
        self,
        model: &ModelState,
        name: &str,
        fields: &[String],
        unique: bool,
    ) -> Result<String, Error> {
        let cols = model
            .columns_of(fields)?
            .iter()
            .map(|c| self.q(c))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(format!(
            "CREATE {}INDEX {} ON {} ({cols})",
            if unique { "UNIQUE " } else { "" },
            self.q(name),
            self.q(&model.table)
        ))
    }

    /// `DROP INDEX`.
    pub(crate) fn drop_index(self, table: &str, name: &str) -> String {
        match self.backend {
            Backend::MySql => format!("DROP INDEX {} ON {}", self.q(name), self.q(table)),
            _ => format!("DROP INDEX {}", self.q(name)),
        }
    }

    /// `DROP TABLE`.
    pub(crate) fn drop_table(self, table: &str) -> String {
        format!("DROP TABLE {}", self.q(table))
    }

    /// `ALTER TABLE .. RENAME TO`.
    pub(crate) fn rename_table(self, old: &str, new: &str) -> String {
        match self.backend {
            Backend::MySql => format!("RENAME TABLE {} TO {}", self.q(old), self.q(new)),
            _ => format!("ALTER TABLE {} RENAME TO {}", self.q(old), self.q(new)),
        }
    }

    /// Renames `model`'s table from `from` to `to`, and the constraints and indexes whose names
    /// derive from the table, so later migrations find them (`state` resolves foreign keys).
    pub(crate) fn rename_model(
        self,
        state: &ProjectState,
        model: &ModelState,
        from: &str,
        to: &str,
    ) -> Result<Vec<String>, Error> {
        let mut out = vec![self.rename_table(from, to)];
        if self.backend == Backend::Sqlite {
            // Rebuilds recreate every index by its current name; nothing else is named.
            return Ok(out);
        }
        let t = self.q(to);
        let name = |table: &str, f: &FieldState, suffix: &str| {
            self.q(&constraint_name(table, &f.column, suffix))
        };
        for f in &model.fields {
            if f.primary_key {
                continue;
            }
            if f.relation.is_some() {
                if self.backend == Backend::Postgres {
                    out.push(format!(
                        "ALTER TABLE {t} RENAME CONSTRAINT {} TO {}",
                        name(from, f, "fk"),
                        name(to, f, "fk")
                    ));
                } else {
                    // MySQL cannot rename a foreign key: drop it and add it again.
                    out.push(format!(
                        "ALTER TABLE {t} DROP FOREIGN KEY {}",
                        name(from, f, "fk")
                    ));
                    out.push(format!(
                        "ALTER TABLE {t} ADD {}",
                        self.fk_clause(state, to, f)?
                    ));
                }
            }
            let indexed = if f.unique {
                Some("uniq")
            } else if self.has_field_index(f) {
                Some("idx")
            } else {
                None
            };
            if let Some(suffix) = indexed {
                out.push(match (self.backend, suffix) {
                    (Backend::Postgres, "uniq") => format!(
                        "ALTER TABLE {t} RENAME CONSTRAINT {} TO {}",
                        name(from, f, suffix),
                        name(to, f, suffix)
                    ),
                    (Backend::Postgres, _) => format!(
                        "ALTER INDEX {} RENAME TO {}",
                        name(from, f, suffix),
                        name(to, f, suffix)
                    ),
                    _ => format!(
                        "ALTER TABLE {t} RENAME INDEX {} TO {}",
                        name(from, f, suffix),
                        name(to, f, suffix)
                    ),
                });
            }
        }
        Ok(out)
    }

    /// SQLite's table rebuild: `after` replaces `before`, copying `copy` (new column, SELECT
    /// expression over the old table) and letting the other columns take their defaults.
    fn rebuild(
        self,
        state: &ProjectState,
        before: &ModelState,
        after: &ModelState,
        copy: &[(String, String)],
    ) -> Result<Vec<String>, Error> {
        let tmp = format!("new__{}", after.table);
        let mut out = vec![self.create_table_as(state, after, &tmp)?];
        if !copy.is_empty() {
            let cols: Vec<String> = copy.iter().map(|(c, _)| self.q(c)).collect();
            let exprs: Vec<&str> = copy.iter().map(|(_, e)| e.as_str()).collect();
            out.push(format!(
                "INSERT INTO {} ({}) SELECT {} FROM {}",
                self.q(&tmp),
                cols.join(", "),
                exprs.join(", "),
                self.q(&before.table)
            ));
        }
        out.push(self.drop_table(&before.table));
        out.push(self.rename_table(&tmp, &after.table));
        out.extend(self.all_indexes(after)?);
        Ok(out)
    }

    /// Columns kept as they are by a rebuild.
    fn identity_copy(self, before: &ModelState, after: &ModelState) -> Vec<(String, String)> {
        after
            .fields
            .iter()
            .filter(|f| before.fields.iter().any(|b| b.column == f.column))
            .map(|f| (f.column.clone(), self.q(&f.column)))
            .collect()
    }

    /// Adds `field` (already in `after`, the model after the change).
    pub(crate) fn add_field(
        self,
        state: &ProjectState,
        before: &ModelState,
        after: &ModelState,
        field: &FieldState,
        fill: Option<&DefaultState>,
    ) -> Result<Vec<String>, Error> {
        let table = &after.table;
        // A one-off fill is the column's default while it is added, then dropped.
        let fill = fill.filter(|_| field.default.is_none());
        let with_fill = FieldState {
            default: fill.cloned().or_else(|| field.default.clone()),
            ..field.clone()
        };
        let add = format!(
            "ALTER TABLE {} ADD COLUMN {}",
            self.q(table),
            self.column_def(&with_fill, false)
        );
        if let (Some(f), Backend::Sqlite) = (fill, self.backend) {
            let mut copy = self.identity_copy(before, after);
            copy.push((field.column.clone(), self.default_sql(field, f)));
            return self.rebuild(state, before, after, &copy);
        }
        let mut out = Vec::new();
        match self.backend {
            Backend::Sqlite => {
                // ADD COLUMN cannot add a UNIQUE/PRIMARY KEY column, a NOT NULL one without a
                // default, a non-constant default, or a foreign key with a non-NULL default.
                let simple = !field.unique
                    && !field.primary_key
                    && (field.null || field.default.is_some())
                    && !matches!(field.default, Some(DefaultState::Now))
                    && (field.relation.is_none()
                        || matches!(field.default, None | Some(DefaultState::Null)));
                if !simple {
                    return self.rebuild(state, before, after, &self.identity_copy(before, after));
                }
                let mut s = add;
                if let Some(rel) = &field.relation {
                    let (t, c) = state.target(rel)?;
                    let _ = write!(
                        s,
                        " REFERENCES {} ({}) ON DELETE {}",
                        self.q(&t),
                        self.q(&c),
                        Self::on_delete(rel.on_delete)
                    );
                }
                out.push(s);
            }
            Backend::Postgres | Backend::MySql => {
                out.push(add);
                if fill.is_some() {
                    out.push(format!(
                        "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                        self.q(table),
                        self.q(&field.column)
                    ));
                }
                if field.unique && !field.primary_key {
                    out.push(format!(
                        "ALTER TABLE {} ADD {}",
                        self.q(table),
                        self.unique_clause(table, field)
                    ));
                }
                if field.relation.is_some() {
                    out.push(format!(
                        "ALTER TABLE {} ADD {}",
                        self.q(table),
                        self.fk_clause(state, table, field)?
                    ));
                }
            }
        }
        if self.has_field_index(field) {
            out.push(self.create_field_index(table, field));
        }
        Ok(out)
    }

    /// Removes `field` (still in `before`).
    pub(crate) fn remove_field(
        self,
        state_after: &ProjectState,
        before: &ModelState,
        after: &ModelState,
        field: &FieldState,
    ) -> Result<Vec<String>, Error> {
        let table = &before.table;
        match self.backend {
            Backend::Sqlite => self.rebuild(
                state_after,
                before,
                after,
                &self.identity_copy(before, after),
            ),
            Backend::Postgres | Backend::MySql => {
                let mut out = Vec::new();
                if self.backend == Backend::MySql && field.relation.is_some() {
                    out.push(self.drop_fk(table, field));
                }
                out.push(format!(
                    "ALTER TABLE {} DROP COLUMN {}",
                    self.q(table),
                    self.q(&field.column)
                ));
                Ok(out)
            }
        }
    }

    fn drop_fk(self, table: &str, f: &FieldState) -> String {
        let name = self.q(&constraint_name(table, &f.column, "fk"));
        match self.backend {
            Backend::MySql => format!("ALTER TABLE {} DROP FOREIGN KEY {name}", self.q(table)),
            _ => format!("ALTER TABLE {} DROP CONSTRAINT {name}", self.q(table)),
        }
    }

    fn drop_unique(self, table: &str, f: &FieldState) -> String {
        let name = self.q(&constraint_name(table, &f.column, "uniq"));
        match self.backend {
            Backend::MySql => format!("ALTER TABLE {} DROP INDEX {name}", self.q(table)),
            _ => format!("ALTER TABLE {} DROP CONSTRAINT {name}", self.q(table)),
        }
    }

    /// Changes field `old` of `before` into `new` of `after` (type, NULL, default, length,
    /// unique, index, relation, column name). Existing NULLs become the new default when the
    /// column stops accepting NULL.
    pub(crate) fn alter_field(
        self,
        state_after: &ProjectState,
        before: &ModelState,
        after: &ModelState,
        old: &FieldState,
        new: &FieldState,
        one_off: Option<&DefaultState>,
    ) -> Result<Vec<String>, Error> {
        let table = &after.table;
        let only_the_index = FieldState {
            index: new.index,
            ..old.clone()
        } == *new;
        if only_the_index {
            // Every backend creates or drops an index in place: no table rebuild on SQLite.
            return Ok(
                match (self.has_field_index(old), self.has_field_index(new)) {
                    (false, true) => vec![self.create_field_index(table, new)],
                    (true, false) => {
                        vec![self.drop_index(table, &constraint_name(table, &old.column, "idx"))]
                    }
                    _ => Vec::new(),
                },
            );
        }
        let t = self.q(table);
        let fill_nulls = old.null && !new.null;
        let fill = new
            .default
            .as_ref()
            .or(one_off)
            .filter(|d| fill_nulls && !matches!(d, DefaultState::Null))
            .map(|d| self.default_sql(new, d));
        if self.backend == Backend::Sqlite {
            let copy = after
                .fields
                .iter()
                .filter_map(|f| {
                    if f.name == new.name {
                        let col = self.q(&old.column);
                        let expr = match &fill {
                            Some(d) => format!("COALESCE({col}, {d})"),
                            None => col,
                        };
                        Some((f.column.clone(), expr))
                    } else {
                        before
                            .fields
                            .iter()
                            .any(|b| b.column == f.column)
                            .then(|| (f.column.clone(), self.q(&f.column)))
                    }
                })
                .collect::<Vec<_>>();
            return self.rebuild(state_after, before, after, &copy);
        }
        if old.primary_key != new.primary_key || old.auto != new.auto {
            return Err(Error::Migration(format!(
                "{}.{}: changing the primary key or auto-increment of a column is only supported \
                 on SQLite; write the migration with RunSql",
                after.label(),
                new.name
            )));
        }
        let renamed = old.column != new.column;
        let retyped = old.ty != new.ty
            || old.max_length != new.max_length
            || old.max_digits != new.max_digits
            || old.decimal_places != new.decimal_places;
        let mut out = Vec::new();
        let fk_changed = old.relation != new.relation || renamed || retyped;
        if old.relation.is_some() && fk_changed {
            out.push(self.drop_fk(table, old));
        }
        if old.unique && !old.primary_key && (!new.unique || renamed) {
            out.push(self.drop_unique(table, old));
        }
        let old_indexed = self.has_field_index(old);
        let new_indexed = self.has_field_index(new);
        if old_indexed && (!new_indexed || renamed) {
            out.push(self.drop_index(table, &constraint_name(table, &old.column, "idx")));
        }
        if renamed {
            out.push(format!(
                "ALTER TABLE {t} RENAME COLUMN {} TO {}",
                self.q(&old.column),
                self.q(&new.column)
            ));
        }
        let c = self.q(&new.column);
        if let Some(d) = &fill {
            out.push(format!("UPDATE {t} SET {c} = {d} WHERE {c} IS NULL"));
        }
        match self.backend {
            Backend::Postgres => {
                if retyped && old.default.is_some() {
                    // The old default may not convert to the new type: set again below.
                    out.push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
                }
                if retyped {
                    // A cast only when the kind changes: a shorter VARCHAR must refuse long
                    // values, not truncate them as an explicit cast would.
                    let ty = self.column_type(new);
                    out.push(if old.ty == new.ty {
                        format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty}")
                    } else {
                        format!("ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::{ty}")
                    });
                }
                if old.default != new.default || (retyped && new.default.is_some()) {
                    out.push(match &new.default {
                        Some(d) => format!(
                            "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {}",
                            self.default_sql(new, d)
                        ),
                        None => format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"),
                    });
                }
                if old.null != new.null {
                    out.push(format!(
                        "ALTER TABLE {t} ALTER COLUMN {c} {} NOT NULL",
                        if new.null { "DROP" } else { "SET" }
                    ));
                }
            }
            Backend::MySql => {
                if retyped || old.null != new.null || old.default != new.default {
                    out.push(format!(
                        "ALTER TABLE {t} MODIFY COLUMN {}",
                        self.column_def(new, false)
                    ));
                }
            }
            Backend::Sqlite => unreachable!("rebuilt above"),
        }
        if new.unique && !new.primary_key && (!old.unique || renamed) {
            out.push(format!(
                "ALTER TABLE {t} ADD {}",
                self.unique_clause(table, new)
            ));
        }
        if new_indexed && (!old_indexed || renamed) {
            out.push(self.create_field_index(table, new));
        }
        if new.relation.is_some() && fk_changed {
            out.push(format!(
                "ALTER TABLE {t} ADD {}",
                self.fk_clause(state_after, table, new)?
            ));
        }
        Ok(out)
    }

    /// `ALTER TABLE .. RENAME COLUMN` (SQLite 3.25+, MySQL 8.0+, MariaDB 10.5+).
    pub(crate) fn rename_column(self, table: &str, old: &str, new: &str) -> String {
        format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            self.q(table),
            self.q(old),
            self.q(new)
        )
    }
}
