//! The many-to-many API on [`ManyToManyField`]: reading the related rows (`of`, `owners_of`),
//! filtering by them (`any`, `any_owner`), changing the join table (`add`, `remove`, `clear`,
//! `set`, in `write`) and prefetching (`prefetch_many`, in `prefetch`). Django's
//! `question.tags.all()`, `tag.question_set`, `filter(tags__name=...)`,
//! `question.tags.add(...)` and `prefetch_related("tags")`.
//!
//! Everything goes through the join table the metadata names ([`ManyToManyMeta`]): its
//! `from_column` points at the owner `M`, its `to_column` at the target `T`. With a `through`
//! model, that model's table and keys; with a symmetrical relation, every link is stored both
//! ways.

mod prefetch;
mod write;

pub use write::{linked_keys, set_linked_keys};

use std::collections::HashSet;

use super::expr::{Cond, Node, Q};
use super::origin::Origin;
use super::queryset::QuerySet;
use super::related::key;
use super::sql;
use crate::db::Value;
use crate::model::{ManyToManyMeta, ModelMeta};
use crate::{Backend, Error, ManyToManyField, Model};

pub use prefetch::PrefetchMany;

/// `column = value`.
fn eq(column: &'static str, value: Value) -> Cond {
    Cond::Cmp(Node::col(column), "=", Node::Val(value))
}

/// The primary key of a saved instance; an unsaved one (NULL key) is a usage error, as the join
/// table cannot point at it.
fn saved_pk<X: Model>(obj: &X, op: &str, field: &str, role: &str) -> Result<Value, Error> {
    let pk = obj.pk();
    if pk.is_null() {
        return Err(Error::Usage(format!(
            "{op} on {field}: the {role} {} is not saved (its primary key is NULL); save it first",
            X::META.name
        )));
    }
    Ok(pk)
}

/// The keys of `targets`, each once, in order.
fn target_pks<'a, T: Model>(
    targets: impl IntoIterator<Item = &'a T>,
    op: &str,
    field: &str,
) -> Result<Vec<Value>, Error> {
    let mut seen = HashSet::new();
    let mut pks = Vec::new();
    for t in targets {
        let pk = saved_pk(t, op, field, "target")?;
        if seen.insert(key(&pk)) {
            pks.push(pk);
        }
    }
    Ok(pks)
}

/// How many targets one statement holds: the parameter limit with room to spare.
fn chunk_size(backend: Backend, per_target: usize) -> usize {
    ((sql::max_params(backend) - 100) / per_target).max(1)
}

impl<M: Model, T: Model> ManyToManyField<M, T> {
    /// `Question.tags` in messages.
    fn label(&self) -> String {
        format!("{}.{}", M::META.name, self.name())
    }

    /// What `create` on `of`/`owners_of` says: it would have to link as well.
    fn origin<X>(&self) -> Origin<X> {
        Origin::ManyToMany {
            relation: self.label(),
            handle: format!("{}::{}", M::META.name, self.name().to_uppercase()),
        }
    }

    /// The targets related to `owner` (Django's `question.tags.all()`): a lazy queryset, so
    /// filters, order, `count` and the rest apply. Each target once, however the join table
    /// is filled: the relation is an `EXISTS` on the join table, not a join. An unsaved owner
    /// has none.
    ///
    /// # Panics
    /// When `M` has no such relation (see [`meta`](Self::meta)).
    pub fn of(&self, owner: &M) -> QuerySet<T> {
        let m = self.meta();
        let mut qs = QuerySet::new();
        qs.parts.and(Cond::Exists {
            table: m.table,
            fk: m.to_column,
            outer_pk: T::META.pk().column,
            cond: Some(Box::new(eq(m.from_column, owner.pk()))),
        });
        qs.origin = Some(self.origin());
        qs
    }

    /// The owners related to `target`, the reverse direction (Django's
    /// `tag.question_set.all()`). As lazy as [`of`](Self::of).
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn owners_of(&self, target: &T) -> QuerySet<M> {
        let m = self.meta();
        let mut qs = QuerySet::new();
        qs.parts.and(Cond::Exists {
            table: m.table,
            fk: m.from_column,
            outer_pk: M::META.pk().column,
            cond: Some(Box::new(eq(m.to_column, target.pk()))),
        });
        qs.origin = Some(self.origin());
        qs
    }

    /// Owners with at least one related target meeting `q` (Django's
    /// `filter(tags__name="rust")`): `EXISTS` on the join table, then on the target table, so
    /// an owner is never repeated. `any(Q::all())` keeps the owners with any target at all.
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn any(&self, q: Q<T>) -> Q<M> {
        let m = self.meta();
        Q::new(link(
            m,
            M::META,
            T::META,
            m.from_column,
            m.to_column,
            q.cond,
        ))
    }

    /// Targets with at least one related owner meeting `q`, the reverse of [`any`](Self::any)
    /// (Django's `Tag.objects.filter(question__text=...)`).
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn any_owner(&self, q: Q<M>) -> Q<T> {
        let m = self.meta();
        Q::new(link(
            m,
            T::META,
            M::META,
            m.to_column,
            m.from_column,
            q.cond,
        ))
    }
}

/// `EXISTS (SELECT 1 FROM join WHERE join.near = outer.pk AND EXISTS (SELECT 1 FROM far WHERE
/// far.pk = join.far_column AND cond))`: rows of `outer` related to a row of `far` meeting
/// `cond`. The inner `EXISTS` is left out when `cond` holds for every row.
fn link(
    m: &'static ManyToManyMeta,
    outer: &'static ModelMeta,
    far: &'static ModelMeta,
    near_column: &'static str,
    far_column: &'static str,
    cond: Cond,
) -> Cond {
    let far_cond = match cond {
        Cond::Const(true) => None,
        cond => Some(Box::new(Cond::Exists {
            table: far.table,
            fk: far.pk().column,
            outer_pk: far_column,
            cond: Some(Box::new(cond)),
        })),
    };
    Cond::Exists {
        table: m.table,
        fk: near_column,
        outer_pk: outer.pk().column,
        cond: far_cond,
    }
}

#[cfg(test)]
mod tests;
