//! The project's schema as owned, serialisable data: built from the compiled models, or by
//! replaying migrations' operations (Django's `ProjectState`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::db::ColumnType;
use crate::model::{DefaultValue, FieldMeta, ModelMeta, OnDelete, RelationKind};

/// Every model of the project, by label (`app.Name`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectState {
    /// The models, by `app.Name`.
    pub models: BTreeMap<String, ModelState>,
}

/// One model (or an automatic many-to-many join table).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelState {
    /// The app label.
    pub app: String,
    /// The model's name.
    pub name: String,
    /// The table.
    pub table: String,
    /// The fields, in order.
    pub fields: Vec<FieldState>,
    /// Indexes over several columns, unique ones included (unique together).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<IndexState>,
    /// A many-to-many join table made by the ORM, not a model of the project: its fields follow
    /// the models it joins (renamed with them, without asking).
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_created: bool,
}

/// One field: what the database needs to know of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldState {
    /// The field's name.
    pub name: String,
    /// The column.
    pub column: String,
    /// The column's type.
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Accepts NULL.
    #[serde(default, skip_serializing_if = "is_false")]
    pub null: bool,
    /// The primary key.
    #[serde(default, skip_serializing_if = "is_false")]
    pub primary_key: bool,
    /// Assigned by the database (auto-increment).
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto: bool,
    /// A `UNIQUE` constraint.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// A single-column index.
    #[serde(default, skip_serializing_if = "is_false")]
    pub index: bool,
    /// `VARCHAR(n)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// A decimal's total number of digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_digits: Option<u32>,
    /// A decimal's digits after the point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal_places: Option<u32>,
    /// The column's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultState>,
    /// A foreign key or one-to-one relation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<RelationState>,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}

/// A column default, owned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultState {
    /// `NULL`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text.
    Text(String),
    /// The time of the insert.
    Now,
}

impl From<&DefaultValue> for DefaultState {
    fn from(d: &DefaultValue) -> Self {
        match *d {
            DefaultValue::Null => DefaultState::Null,
            DefaultValue::Bool(b) => DefaultState::Bool(b),
            DefaultValue::Int(i) => DefaultState::Int(i),
            DefaultValue::Float(f) => DefaultState::Float(f),
            DefaultValue::Text(t) => DefaultState::Text(t.to_owned()),
            DefaultValue::Now => DefaultState::Now,
        }
    }
}

/// A relation: the target model by label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelationState {
    /// Foreign key or one-to-one.
    pub kind: RelationKind,
    /// The target, `app.Name`.
    pub to: String,
    /// What the database does when the target row is deleted.
    pub on_delete: OnDelete,
}

/// An index over several fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexState {
    /// The index's name.
    pub name: String,
    /// The fields (by name), in order.
    pub fields: Vec<String>,
    /// A unique index (Django's `unique_together` / `UniqueConstraint`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
}

impl FieldState {
    /// The state of a compiled field.
    pub fn from_meta(f: &FieldMeta) -> FieldState {
        FieldState {
            name: f.name.to_owned(),
            column: f.column.to_owned(),
            ty: f.ty,
            null: f.null,
            primary_key: f.primary_key,
            auto: f.auto,
            // A one-to-one is a unique foreign key.
            unique: f.unique
                || f.relation
                    .is_some_and(|r| r.kind == RelationKind::OneToOne && !f.primary_key),
            index: f.index,
            max_length: f.max_length,
            max_digits: f.max_digits,
            decimal_places: f.decimal_places,
            default: f.default.as_ref().map(DefaultState::from),
            relation: f.relation.map(|r| RelationState {
                kind: r.kind,
                to: (r.to)().label(),
                on_delete: r.on_delete,
            }),
        }
    }

    /// The same definition under another name: what a rename keeps.
    pub(crate) fn same_shape(&self, other: &FieldState) -> bool {
        let mut a = self.clone();
        a.name.clone_from(&other.name);
        a.column.clone_from(&other.column);
        a == *other
    }
}

impl ModelState {
    /// `app.Name`.
    pub fn label(&self) -> String {
        format!("{}.{}", self.app, self.name)
    }

    /// The state of a compiled model (without its many-to-many join tables).
    pub fn from_meta(m: &ModelMeta) -> ModelState {
        ModelState {
            app: m.app.to_owned(),
            name: m.name.to_owned(),
            table: m.table.to_owned(),
            fields: m.fields.iter().map(FieldState::from_meta).collect(),
            indexes: m
                .indexes
                .iter()
                .map(|i| IndexState {
                    name: i.name.to_owned(),
                    fields: i.fields.iter().map(|f| (*f).to_owned()).collect(),
                    unique: i.unique,
                })
                .collect(),
            auto_created: false,
        }
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldState> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The primary key, when there is one.
    pub fn pk(&self) -> Option<&FieldState> {
        self.fields.iter().find(|f| f.primary_key)
    }

    /// The labels of the models this one's foreign keys point at.
    pub(crate) fn references(&self) -> impl Iterator<Item = &str> {
        self.fields
            .iter()
            .filter_map(|f| f.relation.as_ref().map(|r| r.to.as_str()))
    }

    /// The columns of an index, by field name.
    pub(crate) fn columns_of(&self, fields: &[String]) -> Result<Vec<String>, Error> {
        fields
            .iter()
            .map(|n| {
                self.field(n).map(|f| f.column.clone()).ok_or_else(|| {
                    Error::Migration(format!("{} has no field `{n}` to index", self.label()))
                })
            })
            .collect()
    }
}

impl ProjectState {
    /// The state of the compiled models. A many-to-many relation without a `through` model
    /// becomes a join table model named `Model_relation` with an `id` key and one foreign key to
    /// each side, in the columns the metadata names (`<model>_id`, `<target>_id`;
    /// `from_<model>_id`/`to_<model>_id` when a model relates to itself: the derive writes
    /// them), unique together. A join field's name is its column without `_id`.
    pub fn from_models(models: &[&ModelMeta]) -> ProjectState {
        let mut state = ProjectState::default();
        for m in models {
            let ms = ModelState::from_meta(m);
            state.models.insert(ms.label(), ms);
            for m2m in m.many_to_many.iter().filter(|r| r.through.is_none()) {
                let to = (m2m.to)();
                let field_name =
                    |column: &str| column.strip_suffix("_id").unwrap_or(column).to_owned();
                let (from_col, to_col) = (field_name(m2m.from_column), field_name(m2m.to_column));
                let fk = |name: &str, column: &str, target: String| FieldState {
                    name: name.to_owned(),
                    column: column.to_owned(),
                    ty: ColumnType::BigInt,
                    null: false,
                    primary_key: false,
                    auto: false,
                    unique: false,
                    index: false,
                    max_length: None,
                    max_digits: None,
                    decimal_places: None,
                    default: None,
                    relation: Some(RelationState {
                        kind: RelationKind::ForeignKey,
                        to: target,
                        on_delete: OnDelete::Cascade,
                    }),
                };
                let mut from_fk = fk(&from_col, m2m.from_column, m.label());
                from_fk.ty = m.pk().ty;
                // The unique index (from, to) serves lookups by owner; lookups and deletes by
                // target need an index of their own.
                let mut to_fk = fk(&to_col, m2m.to_column, to.label());
                to_fk.ty = to.pk().ty;
                to_fk.index = true;
                let join = ModelState {
                    app: m.app.to_owned(),
                    name: format!("{}_{}", m.name, m2m.name),
                    table: m2m.table.to_owned(),
                    fields: vec![
                        FieldState {
                            primary_key: true,
                            auto: true,
                            relation: None,
                            ..fk("id", "id", String::new())
                        },
                        from_fk,
                        to_fk,
                    ],
                    indexes: vec![IndexState {
                        name: format!("{}_uniq", m2m.table),
                        fields: vec![from_col, to_col],
                        unique: true,
                    }],
                    auto_created: true,
                };
                state.models.insert(join.label(), join);
            }
        }
        state
    }

    /// The model labelled `label`.
    ///
    /// # Errors
    /// When there is no such model.
    pub fn model(&self, label: &str) -> Result<&ModelState, Error> {
        self.models
            .get(label)
            .ok_or_else(|| Error::Migration(format!("no model `{label}` in the migration state")))
    }

    pub(crate) fn model_mut(&mut self, label: &str) -> Result<&mut ModelState, Error> {
        self.models
            .get_mut(label)
            .ok_or_else(|| Error::Migration(format!("no model `{label}` in the migration state")))
    }

    /// The table and column a relation points at.
    pub(crate) fn target(&self, rel: &RelationState) -> Result<(String, String), Error> {
        let to = self.model(&rel.to)?;
        let pk = to
            .pk()
            .ok_or_else(|| Error::Migration(format!("{} has no primary key", rel.to)))?;
        Ok((to.table.clone(), pk.column.clone()))
    }
}
