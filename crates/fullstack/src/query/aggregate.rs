//! Aggregates over a whole queryset (`aggregate`) and per group (`values(..).annotate(..)`).

use std::marker::PhantomData;

use super::executor::{Executor, conn};
use super::expr::{AggFn, Node, Selected};
use super::sql::{self, Parts};
use crate::db::{ColumnType, DbType, Row};
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
        Selected::new(a.node)
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
        vec![Selected::new(self.node.clone())]
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
                    vec![$(Selected::new(self.$idx.node.clone())),+]
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
    pub(crate) group: Vec<Node>,
    pub(crate) annotations: Vec<Node>,
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
    pub(crate) fn new(parts: Parts, group: Vec<Node>) -> Self {
        Values {
            parts,
            group,
            annotations: Vec::new(),
            _model: PhantomData,
        }
    }

    /// Adds an aggregate computed per group.
    pub fn annotate<R>(mut self, aggregate: Agg<M, R>) -> Self {
        self.annotations.push(aggregate.node);
        self
    }

    /// The statement this runs, for a backend.
    pub fn to_sql(&self, backend: crate::Backend) -> (String, Vec<crate::Value>) {
        let mut columns = self.group.clone();
        columns.extend(self.annotations.iter().cloned());
        let mut parts = self.parts.clone();
        if parts.order.is_none() {
            // The model's default order would add columns outside the GROUP BY.
            parts.order = Some(Vec::new());
        }
        let group = if self.annotations.is_empty() {
            parts.distinct = true;
            Vec::new()
        } else {
            self.group.clone()
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
}
