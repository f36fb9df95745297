//! `QuerySet<M>`: a lazy, cloneable description of a query on one model. Nothing runs until a
//! method that takes an [`Executor`] is awaited.

use std::marker::PhantomData;
use std::ops::Range;

use super::aggregate::{self, Aggregates, Values};
use super::executor::{Executor, conn};
use super::expr::{Assign, Cond, Node, Order, Q, Selected};
use super::instance::{self, DeletionPlan, ModelSet};
use super::origin::Origin;
use super::sql::{self, Parts};
use crate::db::Value;
use crate::{Backend, Error, FieldRef, Model};

/// A query on model `M`: filters, order, slice. Cheap to clone; each builder method returns a
/// new queryset, so a base queryset can be reused.
///
/// ```
/// use fullstack::query::QuerySet;
/// # use fullstack::{Column, Model};
/// # fn demo<Question: Model>(votes: Column<Question, i32>) {
/// let popular = QuerySet::<Question>::new()
///     .filter(votes.gt(10))
///     .order_by([votes.desc()])
///     .limit(5);
/// let (sql, values) = popular.to_sql(fullstack::Backend::Postgres);
/// assert!(sql.contains("WHERE") && sql.ends_with("LIMIT 5"));
/// assert_eq!(values, [fullstack::Value::Int(10)]);
/// # }
/// ```
pub struct QuerySet<M> {
    pub(crate) parts: Parts,
    /// The relation that made the queryset, if one did: what [`create`](Self::create) fills in.
    pub(crate) origin: Option<Origin<M>>,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for QuerySet<M> {
    fn clone(&self) -> Self {
        QuerySet {
            parts: self.parts.clone(),
            origin: self.origin.clone(),
            _model: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for QuerySet<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuerySet")
            .field("parts", &self.parts)
            .field("origin", &self.origin)
            .finish()
    }
}

impl<M: Model> Default for QuerySet<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Model> QuerySet<M> {
    /// Every row of the model (`M::objects()` is the usual spelling).
    pub fn new() -> Self {
        QuerySet {
            parts: Parts::default(),
            origin: None,
            _model: PhantomData,
        }
    }

    /// Keeps the rows matching `q` (combined with earlier filters by `AND`).
    pub fn filter(mut self, q: Q<M>) -> Self {
        self.parts.and(q.cond);
        self
    }

    /// Drops the rows matching `q`.
    pub fn exclude(mut self, q: Q<M>) -> Self {
        self.parts.and(Cond::Not(Box::new(q.cond)));
        self
    }

    /// Orders by these terms, replacing earlier ones and the model's default ordering.
    pub fn order_by(mut self, order: impl IntoIterator<Item = Order<M>>) -> Self {
        self.parts.order = Some(order.into_iter().map(|o| (o.node, o.desc)).collect());
        self
    }

    /// Drops any ordering, the default one included.
    pub fn unordered(mut self) -> Self {
        self.parts.order = Some(Vec::new());
        self
    }

    /// At most `n` rows (`LIMIT`).
    pub fn limit(mut self, n: u64) -> Self {
        self.parts.limit = Some(n);
        self
    }

    /// Skips `n` rows (`OFFSET`).
    pub fn offset(mut self, n: u64) -> Self {
        self.parts.offset = Some(n);
        self
    }

    /// The rows at positions `range`, Django's `qs[5:10]`.
    pub fn slice(self, range: Range<u64>) -> Self {
        let len = range.end.saturating_sub(range.start);
        self.offset(range.start).limit(len)
    }

    /// `SELECT DISTINCT`.
    pub fn distinct(mut self) -> Self {
        self.parts.distinct = true;
        self
    }

    /// The `SELECT` this queryset runs, for a backend: the text and the bound values.
    pub fn to_sql(&self, backend: Backend) -> (String, Vec<Value>) {
        sql::select(
            backend,
            M::META,
            &self.parts,
            &sql::model_columns(M::META, &[]),
            &[],
        )
    }

    /// Every matching row.
    ///
    /// # Errors
    /// The driver's error, or a row that does not fit the model.
    pub async fn all<E: Executor>(&self, mut ex: E) -> Result<Vec<M>, Error> {
        let (text, values) = self.to_sql(ex.backend());
        let rows = conn(&mut ex).fetch_all(&text, values).await?;
        rows.iter().map(|r| M::from_row(r, 0)).collect()
    }

    /// The first row in the queryset's order (by primary key when it has none), if any.
    ///
    /// # Errors
    /// As [`all`](Self::all).
    pub async fn first<E: Executor>(&self, ex: E) -> Result<Option<M>, Error> {
        Ok(self
            .clone()
            .ordered_by_pk_if_unordered()
            .limit(1)
            .all(ex)
            .await?
            .pop())
    }

    /// The queryset ordered by primary key when it has no order of its own (nor a default
    /// one): what makes "the first row" or "page 2" mean the same rows on every run.
    pub(crate) fn ordered_by_pk_if_unordered(mut self) -> Self {
        let unordered = match &self.parts.order {
            Some(o) => o.is_empty(),
            None => M::META.ordering.is_empty(),
        };
        if unordered {
            self.parts.order = Some(vec![(
                Node::Col {
                    path: Vec::new(),
                    column: M::META.pk().column,
                },
                false,
            )]);
        }
        self
    }

    /// The rows at `range` of this queryset's own rows: unlike [`slice`](Self::slice), which
    /// replaces an earlier slice, this one is taken inside it (Django's `qs[10:20][2:5]`).
    pub(crate) fn within_slice(mut self, range: Range<u64>) -> Self {
        let start = self.parts.offset.unwrap_or(0).saturating_add(range.start);
        let mut len = range.end.saturating_sub(range.start);
        if let Some(limit) = self.parts.limit {
            len = len.min(limit.saturating_sub(range.start));
        }
        self.parts.offset = (start > 0).then_some(start);
        self.parts.limit = Some(len);
        self
    }

    /// The one matching row.
    ///
    /// # Errors
    /// [`Error::DoesNotExist`] when none matches, [`Error::MultipleObjectsReturned`] when
    /// several do (it reads at most 21 rows to say how many; a filter on the primary key or
    /// a unique field reads the one row without a `LIMIT`), or the driver's error.
    pub async fn get<E: Executor>(&self, mut ex: E) -> Result<M, Error> {
        let mut qs = self.clone();
        let unsliced = qs.parts.limit.is_none() && qs.parts.offset.is_none();
        if unsliced && qs.parts.picks_one_row(M::META) {
            // `pk = ?` (or a unique column): one row at most, read as such; no LIMIT, no order.
            qs.parts.order = Some(Vec::new());
            let (text, values) = qs.to_sql(ex.backend());
            return match conn(&mut ex).fetch_optional(&text, values).await? {
                Some(row) => M::from_row(&row, 0),
                None => Err(Error::DoesNotExist {
                    model: M::META.name,
                }),
            };
        }
        if unsliced {
            // One row is expected: no order needed, and 21 rows are enough to report "more
            // than 20" (as Django does) without reading a whole table.
            qs.parts.limit = Some(21);
            qs.parts.order = Some(Vec::new());
        }
        let mut rows = qs.all(ex).await?;
        match rows.len() {
            0 => Err(Error::DoesNotExist {
                model: M::META.name,
            }),
            1 => Ok(rows.pop().expect("one row")),
            count => Err(Error::MultipleObjectsReturned {
                model: M::META.name,
                count,
            }),
        }
    }

    /// The number of matching rows (`SELECT COUNT(*)`, no rows are read).
    ///
    /// # Errors
    /// The driver's error.
    pub async fn count<E: Executor>(&self, mut ex: E) -> Result<u64, Error> {
        let (text, values) = sql::count(ex.backend(), M::META, &self.parts);
        let rows = conn(&mut ex).fetch_all(&text, values).await?;
        let n: i64 = rows
            .first()
            .ok_or_else(|| Error::Decode("COUNT(*) returned no row".into()))?
            .get(0)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Whether any row matches (`SELECT 1 ... LIMIT 1`).
    ///
    /// # Errors
    /// The driver's error.
    pub async fn exists<E: Executor>(&self, mut ex: E) -> Result<bool, Error> {
        let mut parts = self.parts.clone();
        parts.order = Some(Vec::new());
        parts.limit = Some(1);
        let (text, values) = sql::select(
            ex.backend(),
            M::META,
            &parts,
            &[Node::Val(Value::Int(1))],
            &[],
        );
        Ok(conn(&mut ex).fetch_optional(&text, values).await?.is_some())
    }

    /// Sets columns on every matching row in one `UPDATE`; returns the rows changed. Values
    /// can be expressions evaluated by the database: `VOTES.set(VOTES.f() + 1)`.
    ///
    /// # Errors
    /// [`Error::Invalid`] when a decimal value has more digits than its field allows (as in
    /// `save`; an expression is the database's to compute, so it is not checked), and nothing
    /// is written; the driver's error.
    pub async fn update<E: Executor>(
        &self,
        mut ex: E,
        assignments: impl IntoIterator<Item = Assign<M>>,
    ) -> Result<u64, Error> {
        let assignments: Vec<_> = assignments
            .into_iter()
            .map(|a| (a.column, a.value))
            .collect();
        if assignments.is_empty() {
            return Ok(0);
        }
        // Only decimals are checked: no field lookup for any other value.
        for (column, value) in &assignments {
            if let Node::Val(v @ Value::Decimal(_)) = value
                && let Some(f) = M::META.fields.iter().find(|f| f.column == *column)
            {
                crate::model::check_value(M::META, f, v, ex.backend())?;
            }
        }
        let (text, values) = sql::update(ex.backend(), M::META, &self.parts, &assignments);
        conn(&mut ex).execute(&text, values).await
    }

    /// Deletes every matching row, applying the `on_delete` of the project's models that
    /// point at `M` (the [installed](super::registry) ones); returns the rows of `M` deleted.
    ///
    /// # Errors
    /// [`Error::Usage`] when no models are installed, [`Error::Protected`] when a
    /// `Protect`/`Restrict` relation has rows pointing at a matching row (nothing is deleted in
    /// either case), or the driver's error. On a `&Database` the cascade runs in a transaction
    /// of its own; on a `&mut Transaction`, in that one.
    pub async fn delete<E: Executor>(&self, ex: E) -> Result<u64, Error> {
        let models = super::registry::for_delete(M::META)?;
        self.delete_with(ex, &models).await
    }

    /// [`delete`](Self::delete) with the models given (see [`ModelSet`]), for code outside a
    /// project.
    ///
    /// # Errors
    /// As `delete`, and [`Error::Usage`] when `models` leaves out an installed model that
    /// points at a deleted row.
    pub async fn delete_with<E: Executor>(
        &self,
        mut ex: E,
        models: &ModelSet,
    ) -> Result<u64, Error> {
        let pks = self.pks(&mut ex).await?;
        instance::delete_pks(&mut ex, M::META, pks, models).await
    }

    /// What [`delete`](Self::delete) would remove, without removing anything (Django's
    /// `NestedObjects` collector, which the admin's delete confirmation shows): the rows of each
    /// model the cascade reaches, these first, and the columns it would set to NULL.
    ///
    /// # Errors
    /// [`Error::Protected`] when a `protect`/`restrict` reference would refuse the delete, as
    /// `delete` would; the driver's error.
    pub async fn deletion_plan<E: Executor>(&self, ex: E) -> Result<DeletionPlan, Error> {
        let models = super::registry::for_delete(M::META)?;
        self.deletion_plan_with(ex, &models).await
    }

    /// [`deletion_plan`](Self::deletion_plan) with the models given, as
    /// [`delete_with`](Self::delete_with).
    ///
    /// # Errors
    /// As `deletion_plan`.
    pub async fn deletion_plan_with<E: Executor>(
        &self,
        mut ex: E,
        models: &ModelSet,
    ) -> Result<DeletionPlan, Error> {
        let pks = self.pks(&mut ex).await?;
        instance::deletion_plan(&mut ex, M::META, pks, models).await
    }

    /// The primary keys of the matching rows.
    async fn pks<E: Executor>(&self, ex: &mut E) -> Result<Vec<Value>, Error> {
        let mut parts = self.parts.clone();
        if parts.limit.is_none() && parts.offset.is_none() {
            // The order matters only to pick a slice.
            parts.order = Some(Vec::new());
        }
        let pk = M::META.pk().column;
        let (text, values) = sql::select(
            ex.backend(),
            M::META,
            &parts,
            &[Node::Col {
                path: Vec::new(),
                column: pk,
            }],
            &[],
        );
        let rows = conn(ex).fetch_all(&text, values).await?;
        rows.iter()
            .map(|r| instance::read_value(r, 0, M::META.pk().ty))
            .collect()
    }

    /// Aggregates over the matching rows: one (`VOTES.sum()`) or a tuple
    /// (`(VOTES.min(), VOTES.max())`), read back typed.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn aggregate<A: Aggregates<M>, E: Executor>(
        &self,
        ex: E,
        aggregates: A,
    ) -> Result<A::Output, Error> {
        aggregate::aggregate::<M, A, E>(&self.parts, &aggregates, ex).await
    }

    /// A projection on these expressions; add [`annotate`](Values::annotate) to group by them.
    /// Without annotations the rows are the distinct values.
    pub fn values(self, columns: impl IntoIterator<Item = Selected<M>>) -> Values<M> {
        Values::new(self.parts, columns.into_iter().collect())
    }

    /// Inserts `obj` and returns it with its primary key (Django's `create`), whatever the
    /// queryset's filters. From a reverse accessor, the new row points at the accessor's
    /// owner: `question.choice_set().create(ex, choice)` sets `choice.question` to
    /// `question` first.
    ///
    /// ```no_run
    /// # use fullstack::query::prelude::*;
    /// # use fullstack::{Column, Model};
    /// # async fn demo<Question: Model>(db: &fullstack::Database, q: Question) -> Result<(), fullstack::Error> {
    /// let q = Question::objects().create(db, q).await?;   // INSERT ... (RETURNING id)
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Usage`] from a reverse accessor whose owner was never saved, or from a
    /// many-to-many relation's queryset (create the row, then `add` it); from
    /// [`ModelExt::related`](super::ModelExt::related), when `obj` points at another row than
    /// the owner (`related` cannot set the key); [`Error::Invalid`] when a decimal has more
    /// digits than its field allows; the driver's error (a duplicate key among them). Nothing
    /// is written on error.
    pub async fn create<E: Executor>(&self, mut ex: E, obj: M) -> Result<M, Error> {
        let mut obj = obj;
        if let Some(origin) = &self.origin {
            origin.prepare(&mut obj)?;
        }
        instance::insert(&mut ex, &mut obj).await?;
        Ok(obj)
    }

    /// The row matching `lookup`, or a new one from `create` saved now; `true` when created.
    ///
    /// # Errors
    /// [`Error::MultipleObjectsReturned`] or the driver's error.
    pub async fn get_or_create<E: Executor>(
        &self,
        mut ex: E,
        lookup: Q<M>,
        create: impl FnOnce() -> M + Send,
    ) -> Result<(M, bool), Error> {
        match self.clone().filter(lookup).get(&mut ex).await {
            Ok(found) => Ok((found, false)),
            Err(Error::DoesNotExist { .. }) => {
                let mut obj = create();
                instance::insert(&mut ex, &mut obj).await?;
                Ok((obj, true))
            }
            Err(e) => Err(e),
        }
    }

    /// Writes `fields` of every object in `objects` to its row, in one `UPDATE` per 500
    /// objects (Django's `bulk_update`; when there are several, in a transaction: the database
    /// scans a statement's `CASE` for each row, so a bigger statement would cost more than
    /// it saves). An object listed twice gets its last values, as if each had been saved
    /// in turn. The objects' keys pick the rows, among those the queryset's filters keep.
    /// Returns the rows updated (on MySQL, the rows whose values changed).
    ///
    /// ```no_run
    /// # use fullstack::query::prelude::*;
    /// # use fullstack::{Column, Model};
    /// # async fn demo<World: Model>(
    /// #     db: &fullstack::Database, worlds: Vec<World>, number: Column<World, i32>,
    /// # ) -> Result<(), fullstack::Error> {
    /// // UPDATE world SET randomnumber = CASE id WHEN ? THEN ? ... END WHERE id IN (...)
    /// World::objects().bulk_update(db, &worlds, [number.into()]).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Usage`] when `fields` is empty, names the primary key, or an object was never
    /// saved, [`Error::Invalid`] when a value does not fit its field (nothing is written in
    /// either case); the driver's error.
    pub async fn bulk_update<E: Executor>(
        &self,
        mut ex: E,
        objects: &[M],
        fields: impl IntoIterator<Item = FieldRef<M>>,
    ) -> Result<u64, Error> {
        let fields: Vec<FieldRef<M>> = fields.into_iter().collect();
        instance::bulk_update(&mut ex, &self.parts, objects, &fields).await
    }

    /// Inserts `objects` with as few multi-row `INSERT`s as the backend's parameter limit allows,
    /// and returns them with their new primary keys (read with `RETURNING` on SQLite and
    /// PostgreSQL; on MySQL from `LAST_INSERT_ID()`, which is the first of the consecutive ids
    /// InnoDB gives one multi-row insert).
    ///
    /// # Errors
    /// [`Error::Invalid`] when a decimal of any object has more digits than its field allows
    /// (nothing is written), or the driver's error.
    pub async fn bulk_create<E: Executor>(
        &self,
        mut ex: E,
        objects: Vec<M>,
    ) -> Result<Vec<M>, Error> {
        instance::bulk_insert(&mut ex, objects).await
    }
}
