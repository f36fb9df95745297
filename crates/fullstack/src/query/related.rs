//! Reading related rows without N+1 queries: `select_related` (one `LEFT JOIN`) for the model a
//! foreign key points at, `prefetch_related` (one batched `IN (...)` query) for the rows pointing
//! back.

use std::collections::HashMap;

use super::executor::{Executor, conn};
use super::expr::{Cond, Hop, Node};
use super::lookup::{Rel, hop};
use super::queryset::QuerySet;
use super::sql;
use crate::db::Value;
use crate::{Backend, Column, Error, Model};

impl<M: Model> QuerySet<M> {
    /// Reads the row each `fk` points at in the same query (a `LEFT JOIN`): each result is
    /// `(row, Some(related))`, or `None` when the foreign key is NULL.
    ///
    /// # Panics
    /// When `fk` is not a foreign key of `M` to `R`.
    pub fn select_related<R: Model, K>(self, fk: Column<M, K>) -> SelectRelated<M, R> {
        SelectRelated {
            path: vec![hop::<M, R>(fk.column)],
            qs: self,
            _related: std::marker::PhantomData,
        }
    }

    /// As [`select_related`](Self::select_related), for a model several foreign keys away
    /// (Django's `select_related("choice__question")`): one `LEFT JOIN` per hop, `None` when a
    /// key on the way is NULL.
    ///
    /// ```
    /// # use fullstack::query::prelude::*;
    /// # use fullstack::{Column, Model};
    /// # fn demo<Vote: Model, Choice: Model, Question: Model>(
    /// #     choice: Column<Vote, i64>, question: Column<Choice, i64>,
    /// # ) -> fullstack::query::SelectRelated<Vote, Question> {
    /// // Each vote with its choice's question, in one query.
    /// Vote::objects().select_related_via(choice.rel::<Choice>().then::<Question, _>(question))
    /// # }
    /// ```
    pub fn select_related_via<R: Model>(self, path: Rel<M, R>) -> SelectRelated<M, R> {
        SelectRelated {
            path: path.path,
            qs: self,
            _related: std::marker::PhantomData,
        }
    }

    /// Reads the row each `fk` points at with one extra query (`pk IN (...)` over the distinct
    /// keys) instead of a join: better than [`select_related`](Self::select_related) when many
    /// rows point at few, wide rows. `None` when the key is NULL.
    ///
    /// # Panics
    /// When `fk` is not a foreign key of `M` to `R`.
    pub fn prefetch_one<R: Model + Clone, K>(self, fk: Column<M, K>) -> PrefetchOne<M, R> {
        hop::<M, R>(fk.column);
        PrefetchOne {
            qs: self,
            fk: fk.column,
            _related: std::marker::PhantomData,
        }
    }

    /// Reads, for each row, the rows of `C` whose foreign key `fk` points at it, with one extra
    /// query (`fk IN (...)`) for all of them.
    ///
    /// # Panics
    /// When `fk` is not a foreign key of `C` to `M`.
    pub fn prefetch_related<C: Model, K>(self, fk: Column<C, K>) -> Prefetch<M, C> {
        self.prefetch_related_with(fk, QuerySet::new())
    }

    /// As [`prefetch_related`](Self::prefetch_related), reading the related rows through
    /// `related` (its filters and order apply; Django's `Prefetch(queryset=...)`).
    ///
    /// # Panics
    /// When `fk` is not a foreign key of `C` to `M`.
    pub fn prefetch_related_with<C: Model, K>(
        self,
        fk: Column<C, K>,
        related: QuerySet<C>,
    ) -> Prefetch<M, C> {
        hop::<C, M>(fk.column);
        Prefetch {
            qs: self,
            fk: fk.column,
            related,
        }
    }
}

/// A queryset that reads each row with the row its foreign key points at.
pub struct SelectRelated<M, R> {
    qs: QuerySet<M>,
    path: Vec<Hop>,
    _related: std::marker::PhantomData<fn() -> R>,
}

impl<M, R> std::fmt::Debug for SelectRelated<M, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelectRelated")
            .field("qs", &self.qs)
            .finish_non_exhaustive()
    }
}

impl<M: Model, R: Model> SelectRelated<M, R> {
    /// The statement, for a backend.
    pub fn to_sql(&self, backend: Backend) -> (String, Vec<Value>) {
        let mut columns = sql::model_columns(M::META, &[]);
        columns.extend(sql::model_columns(R::META, &self.path));
        sql::select(backend, M::META, &self.qs.parts, &columns, &[])
    }

    /// Every matching row with its related row, in one query.
    ///
    /// # Errors
    /// The driver's error, or a row that does not fit a model.
    pub async fn all<E: Executor>(&self, mut ex: E) -> Result<Vec<(M, Option<R>)>, Error> {
        let (text, values) = self.to_sql(ex.backend());
        let rows = conn(&mut ex).fetch_all(&text, values).await?;
        let offset = M::META.fields.len();
        let pk = R::META
            .fields
            .iter()
            .position(|f| f.primary_key)
            .unwrap_or(0);
        rows.iter()
            .map(|row| {
                let related = if crate::db::is_null(row, offset + pk)? {
                    None
                } else {
                    Some(R::from_row(row, offset)?)
                };
                Ok((M::from_row(row, 0)?, related))
            })
            .collect()
    }
}

/// A queryset that reads each row with the rows pointing at it.
pub struct Prefetch<M, C> {
    qs: QuerySet<M>,
    fk: &'static str,
    related: QuerySet<C>,
}

impl<M, C> std::fmt::Debug for Prefetch<M, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prefetch")
            .field("qs", &self.qs)
            .field("fk", &self.fk)
            .field("related", &self.related)
            .finish()
    }
}

/// A hashable form of a key value: integers of either width compare equal.
pub(crate) fn key(v: &Value) -> String {
    match v {
        Value::Int(i) => format!("i{i}"),
        Value::BigInt(i) => format!("i{i}"),
        Value::Text(s) => format!("t{s}"),
        Value::Uuid(u) => format!("u{u}"),
        other => format!("{other:?}"),
    }
}

impl<M: Model, C: Model> Prefetch<M, C> {
    /// Every matching row with the rows pointing at it: two queries (more only when the keys
    /// exceed one statement's parameter limit).
    ///
    /// # Errors
    /// The driver's error, or a row that does not fit a model.
    pub async fn all<E: Executor>(&self, mut ex: E) -> Result<Vec<(M, Vec<C>)>, Error> {
        let parents = self.qs.all(&mut ex).await?;
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let pks: Vec<Value> = parents.iter().map(Model::pk).collect();
        let fk_index = C::META
            .fields
            .iter()
            .position(|f| f.column == self.fk)
            .expect("checked when the prefetch was built");
        let mut groups: HashMap<String, Vec<C>> = HashMap::new();
        for chunk in pks.chunks(sql::max_params(ex.backend()) - 100) {
            let mut qs = self.related.clone();
            qs.parts.and(Cond::In(
                Node::Col {
                    path: Vec::new(),
                    column: self.fk,
                },
                chunk.to_vec(),
            ));
            for child in qs.all(&mut ex).await? {
                let fk = child.values().swap_remove(fk_index);
                groups.entry(key(&fk)).or_default().push(child);
            }
        }
        Ok(parents
            .into_iter()
            .map(|p| {
                let children = groups.remove(&key(&p.pk())).unwrap_or_default();
                (p, children)
            })
            .collect())
    }
}

/// A queryset that reads each row with the row its foreign key points at, in a second query.
pub struct PrefetchOne<M, R> {
    qs: QuerySet<M>,
    fk: &'static str,
    _related: std::marker::PhantomData<fn() -> R>,
}

impl<M, R> std::fmt::Debug for PrefetchOne<M, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrefetchOne")
            .field("qs", &self.qs)
            .field("fk", &self.fk)
            .finish_non_exhaustive()
    }
}

impl<M: Model, R: Model + Clone> PrefetchOne<M, R> {
    /// Every matching row with its related row: two queries (more only when the keys exceed
    /// one statement's parameter limit).
    ///
    /// # Errors
    /// The driver's error, or a row that does not fit a model.
    pub async fn all<E: Executor>(&self, mut ex: E) -> Result<Vec<(M, Option<R>)>, Error> {
        let rows = self.qs.all(&mut ex).await?;
        let fk_index = M::META
            .fields
            .iter()
            .position(|f| f.column == self.fk)
            .expect("checked when the prefetch was built");
        let mut keys: Vec<Value> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let fks: Vec<Value> = rows
            .iter()
            .map(|r| r.values().swap_remove(fk_index))
            .collect();
        for fk in &fks {
            if !fk.is_null() && seen.insert(key(fk)) {
                keys.push(fk.clone());
            }
        }
        let mut related: HashMap<String, R> = HashMap::new();
        for chunk in keys.chunks(sql::max_params(ex.backend()) - 100) {
            let mut qs = QuerySet::<R>::new().unordered();
            qs.parts.and(Cond::In(
                Node::Col {
                    path: Vec::new(),
                    column: R::META.pk().column,
                },
                chunk.to_vec(),
            ));
            for r in qs.all(&mut ex).await? {
                related.insert(key(&r.pk()), r);
            }
        }
        Ok(rows
            .into_iter()
            .zip(fks)
            .map(|(row, fk)| {
                let r = related.get(&key(&fk)).cloned();
                (row, r)
            })
            .collect())
    }
}
