//! Lookups on fields named at run time: `"question__pub_date"` for `Choice`, as Django's
//! `filter(**{name: value})`. The admin needs them: its `list_display`, `search_fields`,
//! `list_filter` and the `o=` ordering parameter are strings, checked here against the model's
//! metadata (an unknown name is an error, never text that reaches SQL) and turned into the same
//! [`Q`] and [`Order`] the typed columns give.
//!
//! ```
//! use fullstack::query::FieldPath;
//! use fullstack::query::prelude::*;
//! use fullstack::{ForeignKey, Model};
//!
//! #[derive(Model)]
//! struct Question {
//!     id: i64,
//!     #[field(max_length = 200)]
//!     question_text: String,
//! }
//!
//! #[derive(Model)]
//! struct Choice {
//!     id: i64,
//!     #[field(on_delete = cascade)]
//!     question: ForeignKey<Question>,
//!     #[field(max_length = 200)]
//!     choice_text: String,
//! }
//!
//! let text = FieldPath::<Choice>::parse("question__question_text").unwrap();
//! assert_eq!(text.field().name, "question_text");
//! let (sql, _) = Choice::objects()
//!     .filter(text.icontains("what"))
//!     .order_by([text.desc()])
//!     .to_sql(fullstack::Backend::Sqlite);
//! assert!(sql.contains("LEFT JOIN"));
//!
//! assert!(FieldPath::<Choice>::parse("question__nope").is_err());
//! assert!(FieldPath::<Choice>::parse("choice_text__x").is_err());
//! ```

use std::fmt;
use std::marker::PhantomData;

use crate::db::{ColumnType, Value};
use crate::model::{FieldMeta, Model, ModelMeta};

use super::executor::{Executor, conn};
use super::expr::{Cond, DatePart, Hop, LikeKind, Node, Order, Q, Selected};
use super::instance::read_value;
use super::queryset::QuerySet;
use super::sql;

/// The separator of a path's steps, Django's `__`.
const SEP: &str = "__";

/// A name that is not a field path of the model, or a value that does not fit the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupError(String);

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LookupError {}

/// A field of `M` or of a model reached from `M` through foreign keys, named at run time.
pub struct FieldPath<M> {
    name: String,
    path: Vec<Hop>,
    model: &'static ModelMeta,
    field: &'static FieldMeta,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for FieldPath<M> {
    fn clone(&self) -> Self {
        FieldPath {
            name: self.name.clone(),
            path: self.path.clone(),
            model: self.model,
            field: self.field,
            _model: PhantomData,
        }
    }
}

impl<M> fmt::Debug for FieldPath<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldPath({:?})", self.name)
    }
}

impl<M: Model> FieldPath<M> {
    /// The field `name` names: `"votes"`, or `"question__pub_date"` across the foreign key
    /// `question`. A foreign key named last is its column (the related row's id).
    ///
    /// # Errors
    /// A step that is not a field of its model, or a step before the last that is not a
    /// foreign key.
    pub fn parse(name: &str) -> Result<Self, LookupError> {
        let mut model = M::META;
        let mut path = Vec::new();
        let mut steps = name.split(SEP).peekable();
        while let Some(step) = steps.next() {
            let field = model.field(step).ok_or_else(|| {
                LookupError(format!("{} has no field named {step:?}", model.name))
            })?;
            if steps.peek().is_none() {
                return Ok(FieldPath {
                    name: name.to_owned(),
                    path,
                    model,
                    field,
                    _model: PhantomData,
                });
            }
            let relation = field.relation.ok_or_else(|| {
                LookupError(format!(
                    "{}.{step} is not a relation, so {name:?} cannot go through it",
                    model.name
                ))
            })?;
            let to = (relation.to)();
            path.push(Hop {
                fk: field.column,
                table: to.table,
                pk: to.pk().column,
            });
            model = to;
        }
        Err(LookupError("an empty field name".to_owned()))
    }

    /// The name it was parsed from.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field at the end of the path.
    pub fn field(&self) -> &'static FieldMeta {
        self.field
    }

    /// The model the field belongs to (`M` itself for a path of one step).
    pub fn model(&self) -> &'static ModelMeta {
        self.model
    }

    /// How many foreign keys the path crosses.
    pub fn depth(&self) -> usize {
        self.path.len()
    }

    fn node(&self) -> Node {
        Node::Col {
            path: self.path.clone(),
            column: self.field.column,
        }
    }

    /// The value `text` means for this field, as a query string would carry it: `1`/`0`,
    /// `true`/`false` for booleans, numbers, ISO 8601 dates and moments, UUIDs, text.
    ///
    /// # Errors
    /// Text that is not a value of the field's type (the admin ignores such a filter).
    pub fn value_from_str(&self, text: &str) -> Result<Value, LookupError> {
        Value::from_text(self.field.ty, text).ok_or_else(|| {
            LookupError(format!(
                "{text:?} is not a value of {}.{}",
                self.model.name, self.field.name
            ))
        })
    }

    fn cmp(&self, op: &'static str, value: Value) -> Q<M> {
        Q::new(Cond::Cmp(self.node(), op, Node::Val(value)))
    }

    /// `= value`.
    pub fn eq(&self, value: Value) -> Q<M> {
        self.cmp("=", value)
    }

    /// `<> value`.
    pub fn ne(&self, value: Value) -> Q<M> {
        self.cmp("<>", value)
    }

    /// `< value`.
    pub fn lt(&self, value: Value) -> Q<M> {
        self.cmp("<", value)
    }

    /// `<= value`.
    pub fn lte(&self, value: Value) -> Q<M> {
        self.cmp("<=", value)
    }

    /// `> value`.
    pub fn gt(&self, value: Value) -> Q<M> {
        self.cmp(">", value)
    }

    /// `>= value`.
    pub fn gte(&self, value: Value) -> Q<M> {
        self.cmp(">=", value)
    }

    /// `IN (values)`; no values is a condition no row meets.
    pub fn is_in(&self, values: Vec<Value>) -> Q<M> {
        Q::new(Cond::In(self.node(), values))
    }

    /// `IS NULL` when `null`, else `IS NOT NULL`. Across a foreign key that is null, the
    /// related field is null too (the join is a `LEFT JOIN`).
    pub fn is_null(&self, null: bool) -> Q<M> {
        Q::new(Cond::IsNull(self.node(), null))
    }

    /// Contains `text`, ignoring case (the admin's search); `%` and `_` in it are literal.
    pub fn icontains(&self, text: &str) -> Q<M> {
        self.like(text, LikeKind::Contains, true)
    }

    /// Starts with `text`, ignoring case.
    pub fn istartswith(&self, text: &str) -> Q<M> {
        self.like(text, LikeKind::StartsWith, true)
    }

    /// Equal to `text`, ignoring case.
    pub fn iexact(&self, text: &str) -> Q<M> {
        Q::new(Cond::Cmp(
            Node::Lower(Box::new(self.node())),
            "=",
            Node::Lower(Box::new(Node::Val(Value::Text(text.to_owned())))),
        ))
    }

    fn like(&self, text: &str, kind: LikeKind, case_insensitive: bool) -> Q<M> {
        Q::new(Cond::Like {
            lhs: self.node(),
            text: text.to_owned(),
            kind,
            case_insensitive,
        })
    }

    /// The year of a date or moment equals `year` (the admin's `date_hierarchy`).
    ///
    /// # Errors
    /// The field is not a date or moment.
    pub fn year_eq(&self, year: i32) -> Result<Q<M>, LookupError> {
        self.part_eq(DatePart::Year, year)
    }

    /// The month (1-12) of a date or moment equals `month`.
    ///
    /// # Errors
    /// The field is not a date or moment.
    pub fn month_eq(&self, month: i32) -> Result<Q<M>, LookupError> {
        self.part_eq(DatePart::Month, month)
    }

    /// The day of the month of a date or moment equals `day`.
    ///
    /// # Errors
    /// The field is not a date or moment.
    pub fn day_eq(&self, day: i32) -> Result<Q<M>, LookupError> {
        self.part_eq(DatePart::Day, day)
    }

    fn part_eq(&self, part: DatePart, n: i32) -> Result<Q<M>, LookupError> {
        let lhs = self.part(part)?;
        Ok(Q::new(Cond::Cmp(lhs, "=", Node::Val(Value::Int(n)))))
    }

    fn part(&self, part: DatePart) -> Result<Node, LookupError> {
        let ty = self.field.ty;
        if !matches!(
            ty,
            ColumnType::Date | ColumnType::DateTime | ColumnType::NaiveDateTime
        ) {
            return Err(LookupError(format!(
                "{}.{} is not a date",
                self.model.name, self.field.name
            )));
        }
        Ok(Node::Part(part, ty, Box::new(self.node())))
    }

    /// The year of a date or moment, as a column of `values(..)`: the distinct years of a
    /// queryset are `qs.values([path.year()?])` (the admin's `date_hierarchy`).
    ///
    /// # Errors
    /// The field is not a date or moment.
    pub fn year(&self) -> Result<Selected<M>, LookupError> {
        self.part_selected(DatePart::Year, "year")
    }

    /// The month (1-12) of a date or moment, as a column of `values(..)`.
    ///
    /// # Errors
    /// The field is not a date or moment.
    pub fn month(&self) -> Result<Selected<M>, LookupError> {
        self.part_selected(DatePart::Month, "month")
    }

    /// The day of the month of a date or moment, as a column of `values(..)`.
    ///
    /// # Errors
    /// The field is not a date or moment.
    pub fn day(&self) -> Result<Selected<M>, LookupError> {
        self.part_selected(DatePart::Day, "day")
    }

    fn part_selected(&self, part: DatePart, name: &str) -> Result<Selected<M>, LookupError> {
        Ok(Selected::new(
            self.part(part)?,
            format!("{}__{name}", self.name()),
            ColumnType::Int,
        ))
    }

    /// Ascending order on this field.
    pub fn asc(&self) -> Order<M> {
        Order::new(self.node(), false)
    }

    /// Descending order on this field.
    pub fn desc(&self) -> Order<M> {
        Order::new(self.node(), true)
    }

    /// Order on `"name"` or `"-name"` (descending), as Django's `order_by` strings and the
    /// admin's `ordering`.
    ///
    /// # Errors
    /// As [`FieldPath::parse`].
    pub fn order(spec: &str) -> Result<Order<M>, LookupError> {
        match spec.strip_prefix('-') {
            Some(name) => Ok(FieldPath::<M>::parse(name)?.desc()),
            None => Ok(FieldPath::<M>::parse(spec)?.asc()),
        }
    }
}

impl<M: Model> QuerySet<M> {
    /// Every matching row, each with the values of `extra` (fields of related models, reached
    /// through `LEFT JOIN`s), in one query: the admin's change list shows
    /// `"question__question_text"` for a page of choices without a query per row.
    ///
    /// # Errors
    /// The driver's error, or a row that does not fit the model.
    pub async fn all_with<E: Executor>(
        &self,
        mut ex: E,
        extra: &[FieldPath<M>],
    ) -> Result<Vec<(M, Vec<Value>)>, crate::Error> {
        let mut columns = sql::model_columns(M::META, &[]);
        let own = columns.len();
        columns.extend(extra.iter().map(FieldPath::node));
        let (text, values) = sql::select(ex.backend(), M::META, &self.parts, &columns, &[]);
        let rows = conn(&mut ex).fetch_all(&text, values).await?;
        rows.iter()
            .map(|row| {
                let values = extra
                    .iter()
                    .enumerate()
                    .map(|(i, p)| read_value(row, own + i, p.field.ty))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((M::from_row(row, 0)?, values))
            })
            .collect()
    }
}

/// The primary keys of every row of the model `meta` describes, in its default order: for code
/// that holds only the metadata (a form's select of the rows a foreign key may point at).
///
/// # Errors
/// The driver's error.
pub async fn primary_keys<E: Executor>(
    mut ex: E,
    meta: &'static ModelMeta,
) -> Result<Vec<Value>, crate::Error> {
    let pk = meta.pk();
    let (text, values) = sql::select(
        ex.backend(),
        meta,
        &sql::Parts::default(),
        &[Node::col(pk.column)],
        &[],
    );
    let rows = conn(&mut ex).fetch_all(&text, values).await?;
    rows.iter().map(|r| read_value(r, 0, pk.ty)).collect()
}

#[cfg(test)]
mod tests;
