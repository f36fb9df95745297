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
use super::expr::{Assign, Cond, Hop, Node, Q};
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
        ex: E,
        owner: &M,
        targets: I,
    ) -> impl Future<Output = Result<(), Error>> + Send + use<'a, E, I, M, T>
    where
        T: 'a,
    {
        self.add_extra(ex, owner, targets, "add", Ok(Vec::new()))
    }

    /// As [`add`](Self::add) for a relation through a model `X`, giving the through rows'
    /// other fields values (Django's `through_defaults`):
    /// `Band::MEMBERS.add_with(db, &band, [&ringo], [Membership::ROLE.set("drummer".into())])`.
    ///
    /// # Errors
    /// [`Error::Usage`] when `X` is not the relation's through model, a value is an
    /// expression rather than a plain value, a field without a default is left out, or the
    /// owner or a target is not saved; [`Error::Invalid`] when a decimal does not fit its
    /// field; nothing is written in any of these cases. The driver's error.
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn add_with<'a, X, D, E, I>(
        &self,
        ex: E,
        owner: &M,
        targets: I,
        through_defaults: D,
    ) -> impl Future<Output = Result<(), Error>> + Send + use<'a, X, D, E, I, M, T>
    where
        T: 'a,
        X: Model,
        D: IntoIterator<Item = Assign<X>>,
        E: Executor,
        I: IntoIterator<Item = &'a T>,
    {
        let extra = self.through_values(through_defaults, "add_with", ex.backend());
        self.add_extra(ex, owner, targets, "add_with", extra)
    }

    /// `add` and `add_with`: the checks before the future is made (so it holds values, not
    /// the caller's iterator), then the links, in a transaction when they take several
    /// statements.
    fn add_extra<'a, E: Executor, I: IntoIterator<Item = &'a T>>(
        &self,
        mut ex: E,
        owner: &M,
        targets: I,
        op: &'static str,
        extra: Result<Vec<(&'static str, Value)>, Error>,
    ) -> impl Future<Output = Result<(), Error>> + Send + use<'a, E, I, M, T>
    where
        T: 'a,
    {
        let m = self.meta();
        let field = self.label();
        let prepared = extra
            .and_then(|extra| through_fills_rest(m, op, &field, &extra).map(|()| extra))
            .and_then(|extra| Ok((extra, saved_pk(owner, op, &field, "owner")?)))
            .and_then(|(extra, o)| Ok((extra, o, target_pks(targets, op, &field)?)));
        async move {
            let (extra, owner, pks) = prepared?;
            let several =
                m.symmetrical || m.through.is_some() || pks.len() > chunk_size(ex.backend(), 2);
            if several && let Some(mut tx) = ex.atomic().await? {
                add_in(&mut &mut tx, m, &owner, &pks, &extra).await?;
                tx.commit().await?;
                return Ok(());
            }
            add_in(&mut ex, m, &owner, &pks, &extra).await
        }
    }

    /// The columns and values `through_defaults` give a through model's rows.
    fn through_values<X: Model>(
        &self,
        through_defaults: impl IntoIterator<Item = Assign<X>>,
        op: &str,
        backend: Backend,
    ) -> Result<Vec<(&'static str, Value)>, Error> {
        let m = self.meta();
        if !m.through.is_some_and(|t| std::ptr::eq(t(), X::META)) {
            return Err(Error::Usage(format!(
                "{op} on {}: its rows are not {} rows (through_defaults are for the relation's \
                 through model)",
                self.label(),
                X::META.name
            )));
        }
        let mut out = Vec::new();
        for a in through_defaults {
            let Node::Val(v) = a.value else {
                return Err(Error::Usage(format!(
                    "{op} on {}: the value for `{}` is an expression; through_defaults take \
                     plain values",
                    self.label(),
                    a.column
                )));
            };
            if let Some(f) = X::META.fields.iter().find(|f| f.column == a.column) {
                crate::model::check_value(X::META, f, &v, backend)?;
            }
            out.push((a.column, v));
        }
        Ok(out)
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
            let several = pks.len() > chunk_size(ex.backend(), 2);
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
            let mut cond = eq(m.from_column, owner.clone());
            if m.symmetrical {
                cond = Cond::Or(vec![cond, eq(m.to_column, owner)]);
            }
            let (text, values) = sql::delete_where(ex.backend(), m.table, &cond);
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
        let prepared = through_fills_rest(m, "set", &field, &[])
            .and_then(|()| saved_pk(owner, "set", &field, "owner"))
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

/// With a through model, `add` writes only the two keys, so every other field must fill itself:
/// an auto key, a default or NULL. Otherwise the rows are the caller's to create (Django
/// asks for `through_defaults` there).
fn through_fills_rest(
    m: &ManyToManyMeta,
    op: &str,
    field: &str,
    given: &[(&'static str, Value)],
) -> Result<(), Error> {
    let Some(through) = m.through.map(|t| t()) else {
        return Ok(());
    };
    let keys = [m.from_column, m.to_column];
    match through.fields.iter().find(|f| {
        !f.auto
            && !f.null
            && f.default.is_none()
            && !keys.contains(&f.column)
            && !given.iter().any(|(c, _)| *c == f.column)
    }) {
        None => Ok(()),
        Some(f) => Err(Error::Usage(format!(
            "{op} on {field}: the relation goes through {}, whose field `{}` has no default, \
             so {op} cannot make the rows: give it a value with add_with, create {} rows \
             yourself, or give the field a default",
            through.name, f.name, through.name
        ))),
    }
}

/// Links `owner` to `pks`, both ways when the relation is symmetrical.
async fn add_in<E: Executor>(
    ex: &mut E,
    m: &'static ManyToManyMeta,
    owner: &Value,
    pks: &[Value],
    extra: &[(&'static str, Value)],
) -> Result<(), Error> {
    add_one_way(ex, m, [m.from_column, m.to_column], owner, pks, extra).await?;
    if m.symmetrical {
        add_one_way(ex, m, [m.to_column, m.from_column], owner, pks, extra).await?;
    }
    Ok(())
}

/// Inserts `(owner, pk)` rows into `columns` (near, far) for each of `pks` not linked yet, with
/// the `extra` columns of a through model. The auto join table's unique index skips the
/// existing pairs in the `INSERT` itself; a through model may have no such index, so its
/// existing pairs are read first (in the caller's transaction).
async fn add_one_way<E: Executor>(
    ex: &mut E,
    m: &'static ManyToManyMeta,
    columns: [&'static str; 2],
    owner: &Value,
    pks: &[Value],
    extra: &[(&'static str, Value)],
) -> Result<(), Error> {
    let backend = ex.backend();
    let Some(through) = m.through.map(|t| t()) else {
        for chunk in pks.chunks(chunk_size(backend, 2)) {
            let (text, values) = sql::insert_links(backend, m.table, columns, owner, chunk);
            conn(ex).execute(&text, values).await?;
        }
        return Ok(());
    };
    let linked: HashSet<String> = linked(ex, m.table, columns, owner, pks, through)
        .await?
        .iter()
        .map(key)
        .collect();
    let mut all_columns = columns.to_vec();
    all_columns.extend(extra.iter().map(|(c, _)| *c));
    let missing: Vec<Vec<Value>> = pks
        .iter()
        .filter(|pk| !linked.contains(&key(pk)))
        .map(|pk| {
            let mut row = vec![owner.clone(), pk.clone()];
            row.extend(extra.iter().map(|(_, v)| v.clone()));
            row
        })
        .collect();
    for chunk in missing.chunks(chunk_size(backend, all_columns.len())) {
        let (text, values) = sql::insert(backend, m.table, &all_columns, chunk.to_vec(), None);
        conn(ex).execute(&text, values).await?;
    }
    Ok(())
}

/// Which of `pks` the `far` column holds in a row whose `near` column is `owner`.
async fn linked<E: Executor>(
    ex: &mut E,
    table: &'static str,
    [near, far]: [&'static str; 2],
    owner: &Value,
    pks: &[Value],
    through: &ModelMeta,
) -> Result<Vec<Value>, Error> {
    let ty = through
        .fields
        .iter()
        .find(|f| f.column == far)
        .map_or(crate::db::ColumnType::BigInt, |f| f.ty);
    let mut out = Vec::new();
    for chunk in pks.chunks(chunk_size(ex.backend(), 1)) {
        let cond = Cond::And(vec![
            eq(near, owner.clone()),
            Cond::In(Node::col(far), chunk.to_vec()),
        ]);
        let (text, values) = sql::select_from(ex.backend(), table, &[Node::col(far)], cond, &[]);
        for row in conn(ex).fetch_all(&text, values).await? {
            out.push(read_value(&row, 0, ty)?);
        }
    }
    Ok(out)
}

/// Unlinks `owner` from `pks`, both ways when the relation is symmetrical.
async fn remove_in<E: Executor>(
    ex: &mut E,
    m: &'static ManyToManyMeta,
    owner: &Value,
    pks: &[Value],
) -> Result<u64, Error> {
    let one_way = |near, far, chunk: &[Value]| {
        Cond::And(vec![
            eq(near, owner.clone()),
            Cond::In(Node::col(far), chunk.to_vec()),
        ])
    };
    let mut removed = 0;
    for chunk in pks.chunks(chunk_size(ex.backend(), 2)) {
        let mut cond = one_way(m.from_column, m.to_column, chunk);
        if m.symmetrical {
            cond = Cond::Or(vec![cond, one_way(m.to_column, m.from_column, chunk)]);
        }
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
        add_in(ex, m, owner, &missing, &[]).await?;
    }
    Ok(())
}

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
    /// # mod polls { include!("../../../../docs/fullstack/polls.rs"); }
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
    fn targets_sql(&self, backend: Backend, owners: &[Value]) -> (String, Vec<Value>) {
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

#[cfg(test)]
mod tests;
