//! The many-to-many API on [`ManyToManyField`]: reading the related rows (`of`, `owners_of`),
//! filtering by them (`any`, `any_owner`), changing the join table (`add`, `remove`, `clear`,
//! `set`) and prefetching (`prefetch_many`). Django's `question.tags.all()`, `tag.question_set`,
//! `filter(tags__name=...)`, `question.tags.add(...)` and `prefetch_related("tags")`.
//!
//! Everything goes through the join table the metadata names ([`ManyToManyMeta`]): its
//! `from_column` points at the owner `M`, its `to_column` at the target `T`.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use super::executor::{Executor, conn};
use super::expr::{Cond, Hop, Node, Q};
use super::instance::read_value;
use super::queryset::QuerySet;
use super::related::key;
use super::sql;
use crate::db::Value;
use crate::model::{ManyToManyMeta, ModelMeta};
use crate::{Backend, Error, ManyToManyField, Model};

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

    /// Relates `owner` to each of `targets` (Django's `question.tags.add(...)`), with one
    /// `INSERT` (more only past the parameter limit, then in a transaction of their own on a
    /// pool). Pairs already related are skipped, not duplicated, and not an error.
    ///
    /// # Errors
    /// [`Error::Usage`] when the owner or a target is not saved (nothing is written), or the
    /// driver's error (a target whose row does not exist fails the foreign key).
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn add<'a, E: Executor, I: IntoIterator<Item = &'a T>>(
        &self,
        mut ex: E,
        owner: &M,
        targets: I,
    ) -> impl Future<Output = Result<(), Error>> + Send + use<'a, E, I, M, T>
    where
        T: 'a,
    {
        let m = self.meta();
        let field = self.label();
        // Checked before the future is made, so it holds values, not the caller's iterator.
        let prepared = saved_pk(owner, "add", &field, "owner")
            .and_then(|o| Ok((o, target_pks(targets, "add", &field)?)));
        async move {
            let (owner, pks) = prepared?;
            let several = pks.len() > chunk_size(ex.backend(), 2);
            if several && let Some(mut tx) = ex.atomic().await? {
                add_in(&mut &mut tx, m, &owner, &pks).await?;
                tx.commit().await?;
                return Ok(());
            }
            add_in(&mut ex, m, &owner, &pks).await
        }
    }

    /// Unrelates `owner` from each of `targets` (Django's `question.tags.remove(...)`): one
    /// `DELETE` on the join table; the targets themselves stay. Returns the links removed.
    ///
    /// # Errors
    /// [`Error::Usage`] when the owner or a target is not saved, or the driver's error.
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn remove<'a, E: Executor, I: IntoIterator<Item = &'a T>>(
        &self,
        mut ex: E,
        owner: &M,
        targets: I,
    ) -> impl Future<Output = Result<u64, Error>> + Send + use<'a, E, I, M, T>
    where
        T: 'a,
    {
        let m = self.meta();
        let field = self.label();
        let prepared = saved_pk(owner, "remove", &field, "owner")
            .and_then(|o| Ok((o, target_pks(targets, "remove", &field)?)));
        async move {
            let (owner, pks) = prepared?;
            let several = pks.len() > chunk_size(ex.backend(), 1);
            if several && let Some(mut tx) = ex.atomic().await? {
                let n = remove_in(&mut &mut tx, m, &owner, &pks).await?;
                tx.commit().await?;
                return Ok(n);
            }
            remove_in(&mut ex, m, &owner, &pks).await
        }
    }

    /// Unrelates `owner` from every target (Django's `question.tags.clear()`): one `DELETE`.
    /// Returns the links removed.
    ///
    /// # Errors
    /// [`Error::Usage`] when the owner is not saved, or the driver's error.
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn clear<E: Executor>(
        &self,
        mut ex: E,
        owner: &M,
    ) -> impl Future<Output = Result<u64, Error>> + Send + use<E, M, T> {
        let m = self.meta();
        let prepared = saved_pk(owner, "clear", &self.label(), "owner");
        async move {
            let owner = prepared?;
            let (text, values) =
                sql::delete_where(ex.backend(), m.table, &eq(m.from_column, owner));
            conn(&mut ex).execute(&text, values).await
        }
    }

    /// Makes `targets` exactly the targets of `owner` (Django's `question.tags.set(...)`):
    /// reads the current links, removes those not listed and adds the missing ones, in one
    /// transaction (its own on a pool or a held connection; the caller's in a transaction).
    ///
    /// # Errors
    /// [`Error::Usage`] when the owner or a target is not saved (nothing is changed), or the
    /// driver's error.
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn set<'a, E: Executor, I: IntoIterator<Item = &'a T>>(
        &self,
        mut ex: E,
        owner: &M,
        targets: I,
    ) -> impl Future<Output = Result<(), Error>> + Send + use<'a, E, I, M, T>
    where
        T: 'a,
    {
        let m = self.meta();
        let field = self.label();
        let prepared = saved_pk(owner, "set", &field, "owner")
            .and_then(|o| Ok((o, target_pks(targets, "set", &field)?)));
        async move {
            let (owner, pks) = prepared?;
            if let Some(mut tx) = ex.atomic().await? {
                set_in::<_, T>(&mut &mut tx, m, &owner, pks).await?;
                tx.commit().await?;
                return Ok(());
            }
            set_in::<_, T>(&mut ex, m, &owner, pks).await
        }
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

async fn add_in<E: Executor>(
    ex: &mut E,
    m: &'static ManyToManyMeta,
    owner: &Value,
    pks: &[Value],
) -> Result<(), Error> {
    let columns = [m.from_column, m.to_column];
    for chunk in pks.chunks(chunk_size(ex.backend(), 2)) {
        let (text, values) = sql::insert_links(ex.backend(), m.table, columns, owner, chunk);
        conn(ex).execute(&text, values).await?;
    }
    Ok(())
}

async fn remove_in<E: Executor>(
    ex: &mut E,
    m: &'static ManyToManyMeta,
    owner: &Value,
    pks: &[Value],
) -> Result<u64, Error> {
    let mut removed = 0;
    for chunk in pks.chunks(chunk_size(ex.backend(), 1)) {
        let cond = Cond::And(vec![
            eq(m.from_column, owner.clone()),
            Cond::In(Node::col(m.to_column), chunk.to_vec()),
        ]);
        let (text, values) = sql::delete_where(ex.backend(), m.table, &cond);
        removed += conn(ex).execute(&text, values).await?;
    }
    Ok(removed)
}

async fn set_in<E: Executor, T: Model>(
    ex: &mut E,
    m: &'static ManyToManyMeta,
    owner: &Value,
    pks: Vec<Value>,
) -> Result<(), Error> {
    let (text, values) = sql::select_from(
        ex.backend(),
        m.table,
        &[Node::col(m.to_column)],
        eq(m.from_column, owner.clone()),
        &[],
    );
    let ty = T::META.pk().ty;
    let mut current = Vec::new();
    for row in conn(ex).fetch_all(&text, values).await? {
        current.push(read_value(&row, 0, ty)?);
    }
    let wanted: HashSet<String> = pks.iter().map(key).collect();
    let have: HashSet<String> = current.iter().map(key).collect();
    let stale: Vec<Value> = current
        .into_iter()
        .filter(|v| !wanted.contains(&key(v)))
        .collect();
    let missing: Vec<Value> = pks
        .into_iter()
        .filter(|v| !have.contains(&key(v)))
        .collect();
    if !stale.is_empty() {
        remove_in(ex, m, owner, &stale).await?;
    }
    if !missing.is_empty() {
        add_in(ex, m, owner, &missing).await?;
    }
    Ok(())
}

impl<M: Model> QuerySet<M> {
    /// Reads, for each row, its targets of the many-to-many `field` (Django's
    /// `prefetch_related("tags")`) with one extra query for all rows: the join table joined
    /// to the targets, `WHERE owner IN (...)`. Two queries in all (more only past the
    /// parameter limit). Targets come in their model's default order, then by key.
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn prefetch_many<T: Model>(self, field: ManyToManyField<M, T>) -> PrefetchMany<M, T> {
        PrefetchMany {
            meta: field.meta(),
            qs: self,
            _target: std::marker::PhantomData,
        }
    }
}

/// A queryset that reads each row with its many-to-many targets: see
/// [`QuerySet::prefetch_many`].
pub struct PrefetchMany<M, T> {
    qs: QuerySet<M>,
    meta: &'static ManyToManyMeta,
    _target: std::marker::PhantomData<fn() -> T>,
}

impl<M, T> std::fmt::Debug for PrefetchMany<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrefetchMany")
            .field("qs", &self.qs)
            .field("relation", &self.meta.name)
            .finish()
    }
}

impl<M: Model, T: Model> PrefetchMany<M, T> {
    /// The second statement, for `owners` (their keys): `SELECT join.owner, target.* FROM join
    /// LEFT JOIN target ON target.pk = join.target WHERE join.owner IN (...)`.
    fn targets_sql(&self, backend: Backend, owners: &[Value]) -> (String, Vec<Value>) {
        let m = self.meta;
        let hop = Hop {
            fk: m.to_column,
            table: T::META.table,
            pk: T::META.pk().column,
        };
        let mut columns = vec![Node::col(m.from_column)];
        columns.extend(sql::model_columns(T::META, &[hop]));
        // The target's own ordering, read through the join, then its key for a stable order.
        let mut order: Vec<(Node, bool)> = sql::default_order(T::META)
            .into_iter()
            .map(|(node, desc)| match node {
                Node::Col { column, .. } => (
                    Node::Col {
                        path: vec![hop],
                        column,
                    },
                    desc,
                ),
                other => (other, desc),
            })
            .collect();
        order.push((
            Node::Col {
                path: vec![hop],
                column: hop.pk,
            },
            false,
        ));
        let cond = Cond::In(Node::col(m.from_column), owners.to_vec());
        sql::select_from(backend, m.table, &columns, cond, &order)
    }

    /// Every matching row with its targets.
    ///
    /// # Errors
    /// The driver's error, or a row that does not fit a model.
    pub async fn all<E: Executor>(&self, mut ex: E) -> Result<Vec<(M, Vec<T>)>, Error> {
        let owners = self.qs.all(&mut ex).await?;
        if owners.is_empty() {
            return Ok(Vec::new());
        }
        let pks: Vec<Value> = owners.iter().map(Model::pk).collect();
        let owner_ty = M::META.pk().ty;
        let target_pk = 1 + T::META
            .fields
            .iter()
            .position(|f| f.primary_key)
            .unwrap_or(0);
        let mut groups: HashMap<String, Vec<T>> = HashMap::new();
        for chunk in pks.chunks(chunk_size(ex.backend(), 1)) {
            let (text, values) = self.targets_sql(ex.backend(), chunk);
            for row in conn(&mut ex).fetch_all(&text, values).await? {
                // A link to a row that is gone (no foreign key constraint) joins to NULLs.
                if crate::db::is_null(&row, target_pk)? {
                    continue;
                }
                let owner = read_value(&row, 0, owner_ty)?;
                groups
                    .entry(key(&owner))
                    .or_default()
                    .push(T::from_row(&row, 1)?);
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

#[cfg(test)]
mod tests;
