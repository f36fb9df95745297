//! Prefetching: each owner with its targets, in one extra query.

use std::collections::HashMap;

use super::{chunk_size, key};
use crate::db::Value;
use crate::model::ManyToManyMeta;
use crate::query::executor::{Executor, conn};
use crate::query::expr::{Cond, Hop, Node};
use crate::query::instance::read_value;
use crate::query::queryset::QuerySet;
use crate::query::sql;
use crate::{Backend, Error, ManyToManyField, Model};

impl<M: Model> QuerySet<M> {
    /// Reads, for each row, its targets of the many-to-many `field` (Django's
    /// `prefetch_related("tags")`) with one extra query for all rows: the targets joined to
    /// the join table, `WHERE owner IN (...)`. Two queries in all (more only past the
    /// parameter limit). Targets come in their model's default order, then by key.
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn prefetch_many<T: Model>(self, field: ManyToManyField<M, T>) -> PrefetchMany<M, T> {
        self.prefetch_many_with(field, QuerySet::new())
    }

    /// As [`prefetch_many`](Self::prefetch_many), reading the targets through `targets`: its
    /// filters and order apply (Django's `Prefetch("tags", queryset=...)`), in the same one
    /// extra query. A sliced `targets` is refused when the prefetch runs ([`Error::Usage`]):
    /// a limit would apply to all owners' targets together, not to each owner's.
    ///
    /// ```
    /// # mod polls { include!("../../../../../docs/fullstack/polls.rs"); }
    /// # use polls::*;
    /// # use fullstack::query::prelude::*;
    /// # async fn demo(db: &fullstack::Database) -> Result<(), fullstack::Error> {
    /// let newest_tags_first = Tag::objects()
    ///     .exclude(Tag::NAME.eq("draft"))
    ///     .order_by([Tag::ID.desc()]);
    /// let rows: Vec<(Question, Vec<Tag>)> = Question::objects()
    ///     .prefetch_many_with(Question::TAGS, newest_tags_first)
    ///     .all(db)
    ///     .await?;
    /// # let _ = rows; Ok(()) }
    /// ```
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn prefetch_many_with<T: Model>(
        self,
        field: ManyToManyField<M, T>,
        targets: QuerySet<T>,
    ) -> PrefetchMany<M, T> {
        PrefetchMany {
            meta: field.meta(),
            qs: self,
            targets,
        }
    }
}

/// A queryset that reads each row with its many-to-many targets: see
/// [`QuerySet::prefetch_many`].
pub struct PrefetchMany<M, T> {
    qs: QuerySet<M>,
    meta: &'static ManyToManyMeta,
    targets: QuerySet<T>,
}

impl<M, T> std::fmt::Debug for PrefetchMany<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrefetchMany")
            .field("qs", &self.qs)
            .field("relation", &self.meta.name)
            .field("targets", &self.targets)
            .finish()
    }
}

impl<M: Model, T: Model> PrefetchMany<M, T> {
    /// The second statement, for `owners` (their keys): `SELECT target.*, join.owner FROM
    /// target LEFT JOIN join ON join.target = target.pk WHERE join.owner IN (...) AND
    /// <targets' filter> ORDER BY <targets' order>, target.pk`: one row per link.
    pub(super) fn targets_sql(&self, backend: Backend, owners: &[Value]) -> (String, Vec<Value>) {
        let m = self.meta;
        let pk = T::META.pk().column;
        // A hop backwards, from the target's key to the join table's column that holds it.
        let link = vec![Hop {
            fk: pk,
            table: m.table,
            pk: m.to_column,
        }];
        let mut columns = sql::model_columns(T::META, &[]);
        columns.push(Node::Col {
            path: link.clone(),
            column: m.from_column,
        });
        let mut parts = self.targets.parts.clone();
        parts.and(Cond::In(
            Node::Col {
                path: link,
                column: m.from_column,
            },
            owners.to_vec(),
        ));
        let mut order = parts
            .order
            .take()
            .unwrap_or_else(|| sql::default_order(T::META));
        order.push((Node::col(pk), false));
        parts.order = Some(order);
        sql::select(backend, T::META, &parts, &columns, &[])
    }

    /// Every matching row with its targets.
    ///
    /// # Errors
    /// [`Error::Usage`] when the targets' queryset is sliced; the driver's error, or a row that
    /// does not fit a model.
    pub async fn all<E: Executor>(&self, mut ex: E) -> Result<Vec<(M, Vec<T>)>, Error> {
        if self.targets.parts.limit.is_some() || self.targets.parts.offset.is_some() {
            return Err(Error::Usage(format!(
                "prefetch_many_with on {}.{}: the targets' queryset is sliced, and a slice \
                 would apply to every owner's targets together; slice each owner's list instead",
                M::META.name,
                self.meta.name
            )));
        }
        let owners = self.qs.all(&mut ex).await?;
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        let pks: Vec<Value> = owners.iter().map(Model::pk).collect();
        let owner_ty = M::META.pk().ty;
        let owner_at = T::META.fields.len();
        let mut groups: HashMap<String, Vec<T>> = HashMap::new();
        for chunk in pks.chunks(chunk_size(ex.backend(), 1)) {
            let (text, values) = self.targets_sql(ex.backend(), chunk);
            for row in conn(&mut ex).fetch_all(&text, values).await? {
                let owner = read_value(&row, owner_at, owner_ty)?;
                groups
                    .entry(key(&owner))
                    .or_default()
                    .push(T::from_row(&row, 0)?);
            }
        }
        Ok(owners
            .into_iter()
            .map(|o| {
                let targets = groups.remove(&key(&o.pk())).unwrap_or_default();
                (o, targets)
            })
            .collect())
    }
}
