//! Aggregates over a whole queryset (`aggregate`) and per group (`values(..).annotate(..)`).

use std::marker::PhantomData;

use super::executor::{Executor, conn};
use super::expr::{AggFn, Node, Selected, default_name};
use super::instance::read_value;
use super::sql::{self, Parts};
use crate::db::{ColumnType, DbType, Row, Value};
use crate::{Error, Model};

/// An aggregate of model `M` read back as `R`: `Question::VOTES.sum()` is an
/// `Agg<Question, Option<i64>>`.
pub struct Agg<M, R> {
    pub(crate) node: Node,
    _types: PhantomData<fn() -> (M, R)>,
}

impl<M, R> Agg<M, R> {
    pub(crate) fn new(node: Node) -> Self {
        Agg {
            node,
            _types: PhantomData,
        }
    }
}

impl<M, R> Clone for Agg<M, R> {
    fn clone(&self) -> Self {
        Agg::new(self.node.clone())
    }
}

impl<M, R> std::fmt::Debug for Agg<M, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Agg({:?})", self.node)
    }
}

impl<M, R> From<Agg<M, R>> for Selected<M> {
    fn from(a: Agg<M, R>) -> Self {
        let ty = match &a.node {
            Node::Agg(_, _, ty) => *ty,
            _ => ColumnType::BigInt,
        };
        let name = default_name(&a.node);
        Selected::new(a.node, name, ty)
    }
}

/// `COUNT(*)`: the number of rows (of the group, under `annotate`).
pub fn count<M>() -> Agg<M, i64> {
    Agg::new(Node::Agg(AggFn::Count, None, ColumnType::BigInt))
}

/// One aggregate or a tuple of them, read back as one value or a tuple.
pub trait Aggregates<M> {
    /// What the aggregates read back as.
    type Output;

    /// The aggregate expressions, in order.
    fn selected(&self) -> Vec<Selected<M>>;

    /// Reads the values from the result row.
    ///
    /// # Errors
    /// When a value does not fit its type.
    fn read(row: &Row) -> Result<Self::Output, Error>;
}

impl<M, R: DbType> Aggregates<M> for Agg<M, R> {
    type Output = R;

    fn selected(&self) -> Vec<Selected<M>> {
        vec![self.clone().into()]
    }

    fn read(row: &Row) -> Result<R, Error> {
        row.get(0)
    }
}

macro_rules! tuples {
    ($(($($name:ident $idx:tt),+)),+) => {
        $(
            impl<M, $($name: DbType),+> Aggregates<M> for ($(Agg<M, $name>,)+) {
                type Output = ($($name,)+);

                fn selected(&self) -> Vec<Selected<M>> {
                    vec![$(self.$idx.clone().into()),+]
                }

                fn read(row: &Row) -> Result<Self::Output, Error> {
                    Ok(($(row.get::<$name>($idx)?,)+))
                }
            }
        )+
    };
}

tuples!((A 0, B 1), (A 0, B 1, C 2), (A 0, B 1, C 2, D 3), (A 0, B 1, C 2, D 3, E 4));

/// Runs `SELECT aggregates FROM ... WHERE ...`.
pub(crate) async fn aggregate<M: Model, A: Aggregates<M>, E: Executor>(
    parts: &Parts,
    aggregates: &A,
    mut ex: E,
) -> Result<A::Output, Error> {
    let nodes: Vec<Node> = aggregates.selected().into_iter().map(|s| s.node).collect();
    let (text, values) = sql::aggregate(ex.backend(), M::META, parts, &nodes);
    let rows = conn(&mut ex).fetch_all(&text, values).await?;
    let row = rows
        .first()
        .ok_or_else(|| Error::Decode("an aggregate query returned no row".into()))?;
    A::read(row)
}

/// A grouped projection, Django's `values(..).annotate(..)`: one row per distinct value of the
/// grouped columns, with the annotations computed per group. Rows come back as [`Row`]s whose
/// columns are the grouped expressions then the annotations, in the order given; read them with
/// [`Row::get`].
pub struct Values<M> {
    pub(crate) parts: Parts,
    pub(crate) group: Vec<Selected<M>>,
    pub(crate) annotations: Vec<Selected<M>>,
    _model: PhantomData<fn() -> M>,
}

impl<M> std::fmt::Debug for Values<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Values")
            .field("group", &self.group)
            .field("annotations", &self.annotations)
            .finish_non_exhaustive()
    }
}

impl<M> Clone for Values<M> {
    fn clone(&self) -> Self {
        Values {
            parts: self.parts.clone(),
            group: self.group.clone(),
            annotations: self.annotations.clone(),
            _model: PhantomData,
        }
    }
}

impl<M: Model> Values<M> {
    pub(crate) fn new(parts: Parts, group: Vec<Selected<M>>) -> Self {
        Values {
            parts,
            group,
            annotations: Vec::new(),
            _model: PhantomData,
        }
    }

    /// Adds an aggregate computed per group (named like Django's: `count`, `votes__sum`).
    pub fn annotate(mut self, aggregate: impl Into<Selected<M>>) -> Self {
        self.annotations.push(aggregate.into());
        self
    }

    /// The statement this runs, for a backend.
    pub fn to_sql(&self, backend: crate::Backend) -> (String, Vec<crate::Value>) {
        let columns: Vec<Node> = self
            .group
            .iter()
            .chain(&self.annotations)
            .map(|s| s.node.clone())
            .collect();
        let mut parts = self.parts.clone();
        if parts.order.is_none() {
            // The model's default order would add columns outside the GROUP BY.
            parts.order = Some(Vec::new());
        }
        let group = if self.annotations.is_empty() {
            parts.distinct = true;
            Vec::new()
        } else {
            self.group.iter().map(|s| s.node.clone()).collect()
        };
        sql::select(backend, M::META, &parts, &columns, &group)
    }

    /// Runs the query.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn all<E: Executor>(&self, mut ex: E) -> Result<Vec<Row>, Error> {
        let (text, values) = self.to_sql(ex.backend());
        conn(&mut ex).fetch_all(&text, values).await
    }

    /// Runs the query and returns each row as a JSON object keyed by the expressions' names
    /// (field names, `pub_date__year`, `votes__sum`, `count`, or [`Selected::named`]); moments
    /// are RFC 3339 strings, decimals strings, bytes base64.
    ///
    /// # Errors
    /// The driver's error, or a value that does not fit its expression's type.
    pub async fn json<E: Executor>(
        &self,
        ex: E,
    ) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, Error> {
        let rows = self.all(ex).await?;
        let columns: Vec<&Selected<M>> = self.group.iter().chain(&self.annotations).collect();
        rows.iter()
            .map(|row| {
                columns
                    .iter()
                    .enumerate()
                    .map(|(i, s)| Ok((s.name.clone(), to_json(read_value(row, i, s.ty)?))))
                    .collect()
            })
            .collect()
    }
}

/// A value as JSON.
fn to_json(value: Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        Value::Null(_) => J::Null,
        Value::Bool(b) => J::Bool(b),
        Value::SmallInt(i) => J::from(i),
        Value::Real(f) => J::from(f),
        // Base64, as Django's serializers write a BinaryField.
        Value::Bytes(b) => J::String(base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            b,
        )),
        Value::Int(i) => J::from(i),
        Value::BigInt(i) => J::from(i),
        Value::Float(f) => J::from(f),
        Value::Text(s) => J::String(s),
        Value::DateTime(d) => J::String(d.to_rfc3339()),
        Value::Date(d) => J::String(d.to_string()),
        Value::Time(t) => J::String(t.to_string()),
        Value::NaiveDateTime(d) => J::String(d.format("%FT%T%.f").to_string()),
        // A string, as Django REST framework writes decimals: a JSON number would be a float.
        Value::Decimal(d) => J::String(d.to_string()),
        Value::Uuid(u) => J::String(u.to_string()),
        Value::Json(j) => j,
    }
}
