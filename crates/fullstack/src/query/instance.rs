//! One model instance: `save`, `delete` (with `on_delete`), `refresh`, the reverse accessor, and
//! the inserts `save`, `get_or_create` and `bulk_create` share.

use std::future::Future;
use std::pin::Pin;

use super::executor::{Executor, conn};
use super::expr::{Cond, Node};
use super::lookup::hop;
use super::origin::Origin;
use super::queryset::QuerySet;
use super::sql::{self, Parts};
use crate::db::{ColumnType, DbType, Row, Value};
use crate::model::{ModelMeta, OnDelete};
use crate::{Column, Error, FieldRef, Model};

/// A list of models, which `delete_with` consults for `on_delete`: the models whose foreign
/// keys point at the deleted one. `delete()` uses the project's models instead (see
/// [`registry`](super::registry)); an explicit set is for code outside a project. When a
/// registry is installed, a set that leaves out one of its models pointing at the deleted one
/// is refused ([`Error::Usage`]); without one, a model missing from the set is not cascaded
/// to, and its foreign key constraint (if any) decides.
#[derive(Debug, Clone, Default)]
pub struct ModelSet {
    models: Vec<&'static ModelMeta>,
}

impl ModelSet {
    /// A set of models.
    pub fn new(models: impl IntoIterator<Item = &'static ModelMeta>) -> Self {
        ModelSet {
            models: models.into_iter().collect(),
        }
    }

    /// No models: deletes apply no `on_delete` rules (the database's constraints still do).
    pub fn empty() -> Self {
        ModelSet::default()
    }

    /// The models in the set.
    pub fn models(&self) -> &[&'static ModelMeta] {
        &self.models
    }

    /// The many-to-many join tables holding rows that point at `target`, as `(join table,
    /// column)`: those of `target`'s own relations, and those of the set's models relating to
    /// it. A join row goes with either of the rows it links, as Django deletes them.
    fn join_rows(&self, target: &'static ModelMeta) -> Vec<(&'static str, &'static str)> {
        let mut out: Vec<(&'static str, &'static str)> = Vec::new();
        let owned = target.many_to_many.iter().map(|r| (r, r.from_column));
        let pointing = self.models.iter().flat_map(|m| {
            m.many_to_many
                .iter()
                .filter(|r| (r.to)().table == target.table)
                .map(|r| (r, r.to_column))
        });
        for (r, column) in owned.chain(pointing) {
            // A through model is a model of its own: its foreign keys cascade like any other.
            if r.through.is_none() && !out.contains(&(r.table, column)) {
                out.push((r.table, column));
            }
        }
        out
    }

    /// Every `(model, foreign key column, on_delete)` pointing at `target`.
    fn referencing(&self, target: &ModelMeta) -> Vec<(&'static ModelMeta, &'static str, OnDelete)> {
        let mut out = Vec::new();
        for m in &self.models {
            for f in m.fields {
                if let Some(rel) = f.relation
                    && (rel.to)().table == target.table
                {
                    out.push((*m, f.column, rel.on_delete));
                }
            }
        }
        out
    }
}

/// Instance methods for every model: `question.save(&db)`, `Question::objects()`.
pub trait ModelExt: Model {
    /// A queryset over every row of the model.
    fn objects() -> QuerySet<Self> {
        QuerySet::new()
    }

    /// Inserts the instance when its auto primary key is unset (and sets it), updates its row
    /// otherwise (inserting when no row has that key).
    ///
    /// # Errors
    /// [`Error::Invalid`] when a decimal has more digits than its field allows (nothing is
    /// written), or the driver's error.
    fn save<E: Executor>(&mut self, ex: E) -> impl Future<Output = Result<(), Error>> + Send {
        save(ex, self)
    }

    /// Deletes the instance's row, applying the `on_delete` rules of the project's models
    /// that point at it (the [installed](super::registry) ones); returns the rows of this
    /// model deleted (0 or 1).
    ///
    /// # Errors
    /// [`Error::Usage`] when no models are installed (nothing deleted), [`Error::Protected`]
    /// (nothing deleted), or the driver's error.
    fn delete<E: Executor>(&self, mut ex: E) -> impl Future<Output = Result<u64, Error>> + Send {
        let pk = Model::pk(self);
        async move {
            let models = super::registry::for_delete(Self::META)?;
            delete_pks(&mut ex, Self::META, vec![pk], &models).await
        }
    }

    /// [`delete`](Self::delete) with the models given, for code outside a project.
    ///
    /// # Errors
    /// As `delete`, and [`Error::Usage`] when `models` leaves out an installed model that
    /// points at a deleted row.
    fn delete_with<E: Executor>(
        &self,
        mut ex: E,
        models: &ModelSet,
    ) -> impl Future<Output = Result<u64, Error>> + Send {
        let pk = Model::pk(self);
        async move { delete_pks(&mut ex, Self::META, vec![pk], models).await }
    }

    /// Reloads every field from the database.
    ///
    /// # Errors
    /// [`Error::DoesNotExist`] when the row is gone, or the driver's error.
    fn refresh<E: Executor>(&mut self, ex: E) -> impl Future<Output = Result<(), Error>> + Send {
        async move {
            *self = by_pk::<Self>(Model::pk(self)).get(ex).await?;
            Ok(())
        }
    }

    /// The rows of `C` whose foreign key `fk` points at this instance, Django's
    /// `question.choice_set.all()`: what the reverse accessors the derive generates are
    /// (`question.choice_set()`), except that their [`create`](QuerySet::create) also sets the
    /// new row's key, which this one can only check.
    ///
    /// # Panics
    /// When `fk` is not a foreign key of `C` to this model.
    fn related<C: Model, K>(&self, fk: Column<C, K>) -> QuerySet<C> {
        hop::<C, Self>(fk.column);
        let mut qs = QuerySet::new();
        let key = Model::pk(self);
        qs.parts
            .and(Cond::Cmp(Node::col(fk.column), "=", Node::Val(key.clone())));
        qs.origin = Some(Origin::Owner {
            owner_model: Self::META.name,
            field: fk.name,
            column: fk.column,
            key,
            fill: None,
        });
        qs
    }
}

impl<M: Model> ModelExt for M {}

fn by_pk<M: Model>(pk: Value) -> QuerySet<M> {
    let mut qs = QuerySet::new();
    qs.parts.and(Cond::Cmp(
        Node::col(M::META.pk().column),
        "=",
        Node::Val(pk),
    ));
    qs
}

async fn save<M: Model, E: Executor>(mut ex: E, obj: &mut M) -> Result<(), Error> {
    let meta = M::META;
    let pk_field = meta.pk();
    if pk_field.auto && obj.pk().is_null() {
        return insert(&mut ex, obj).await;
    }
    crate::model::check_values(obj, ex.backend())?;
    let assignments: Vec<_> = meta
        .fields
        .iter()
        .zip(obj.values())
        .filter(|(f, _)| !f.primary_key)
        .map(|(f, v)| (f.column, Node::Val(v)))
        .collect();
    let changed = if assignments.is_empty() {
        0
    } else {
        let parts = by_pk::<M>(obj.pk()).parts;
        let (text, values) = sql::update(ex.backend(), meta, &parts, &assignments);
        conn(&mut ex).execute(&text, values).await?
    };
    if changed == 0 && !by_pk::<M>(obj.pk()).exists(&mut ex).await? {
        insert(&mut ex, obj).await?;
    }
    Ok(())
}

/// Columns and values to insert: the auto primary key is left out while unset.
fn insert_columns<M: Model>(obj: &M) -> (Vec<&'static str>, Vec<Value>, bool) {
    let omit_pk = M::META.pk().auto && obj.pk().is_null();
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for (f, v) in M::META.fields.iter().zip(obj.values()) {
        if omit_pk && f.primary_key {
            continue;
        }
        columns.push(f.column);
        values.push(v);
    }
    (columns, values, omit_pk)
}

/// Inserts one instance, setting its generated primary key.
pub(crate) async fn insert<M: Model, E: Executor>(ex: &mut E, obj: &mut M) -> Result<(), Error> {
    let backend = ex.backend();
    crate::model::check_values(obj, backend)?;
    let (columns, values, generated) = insert_columns(obj);
    let pk = M::META.pk().column;
    if generated && backend.supports_returning() {
        let (text, values) = sql::insert(backend, M::META.table, &columns, vec![values], Some(pk));
        let rows = conn(ex).fetch_all(&text, values).await?;
        let id: i64 = rows
            .first()
            .ok_or_else(|| Error::Decode("INSERT ... RETURNING returned no row".into()))?
            .get(0)?;
        obj.set_pk(id);
    } else {
        let (text, values) = sql::insert(backend, M::META.table, &columns, vec![values], None);
        let (_, id) = conn(ex).execute_insert(&text, values).await?;
        if generated {
            obj.set_pk(id.ok_or_else(|| Error::Decode("no id for the inserted row".into()))?);
        }
    }
    Ok(())
}

/// Multi-row inserts, chunked under the backend's parameter limit; in a transaction of their
/// own when there are several chunks and the executor is the pool.
pub(crate) async fn bulk_insert<M: Model, E: Executor>(
    ex: &mut E,
    objects: Vec<M>,
) -> Result<Vec<M>, Error> {
    let per_row = M::META.fields.len().max(1);
    let several = objects.len() > sql::max_params(ex.backend()) / per_row;
    if several && let Some(mut tx) = ex.atomic().await? {
        let objects = bulk_insert_in(&mut &mut tx, objects).await?;
        tx.commit().await?;
        return Ok(objects);
    }
    bulk_insert_in(ex, objects).await
}

async fn bulk_insert_in<M: Model, E: Executor>(
    ex: &mut E,
    mut objects: Vec<M>,
) -> Result<Vec<M>, Error> {
    let backend = ex.backend();
    for obj in &objects {
        crate::model::check_values(obj, backend)?;
    }
    let pk = M::META.pk().column;
    let mut start = 0;
    while start < objects.len() {
        let (columns, _, generated) = insert_columns(&objects[start]);
        let per_row = columns.len().max(1);
        let max_rows = (sql::max_params(backend) / per_row).max(1);
        // A chunk holds rows that agree on whether the key is generated.
        let mut end = start;
        let mut rows = Vec::new();
        while end < objects.len() && end - start < max_rows {
            let (_, values, g) = insert_columns(&objects[end]);
            if g != generated {
                break;
            }
            rows.push(values);
            end += 1;
        }
        if columns.is_empty() {
            for obj in &mut objects[start..end] {
                insert(ex, obj).await?;
            }
        } else if generated && backend.supports_returning() {
            let (text, values) = sql::insert(backend, M::META.table, &columns, rows, Some(pk));
            let ids = conn(ex).fetch_all(&text, values).await?;
            for (obj, row) in objects[start..end].iter_mut().zip(&ids) {
                obj.set_pk(row.get(0)?);
            }
        } else {
            let (text, values) = sql::insert(backend, M::META.table, &columns, rows, None);
            let (_, first) = conn(ex).execute_insert(&text, values).await?;
            if generated {
                let first =
                    first.ok_or_else(|| Error::Decode("no id for the inserted rows".into()))?;
                for (i, obj) in (0_i64..).zip(objects[start..end].iter_mut()) {
                    obj.set_pk(first + i);
                }
            }
        }
        start = end;
    }
    Ok(objects)
}

/// The most rows one `bulk_update` statement writes.
pub(crate) const BULK_UPDATE_ROWS: usize = 500;

/// Writes `fields` of every object back with as few `UPDATE`s as the backend's parameter limit
/// allows (one, usually); in a transaction of its own when there are several and the
/// executor is not one already. Returns the rows updated.
pub(crate) async fn bulk_update<M: Model, E: Executor>(
    ex: &mut E,
    parts: &Parts,
    objects: &[M],
    fields: &[FieldRef<M>],
) -> Result<u64, Error> {
    let meta = M::META;
    let mut indexes = Vec::with_capacity(fields.len());
    for f in fields {
        let index = meta.field_index(f.name).ok_or_else(|| {
            Error::Usage(format!(
                "bulk_update: {} has no field {}",
                meta.name, f.name
            ))
        })?;
        if meta.fields[index].primary_key {
            return Err(Error::Usage(format!(
                "bulk_update: {}.{} is the primary key; it identifies the rows and cannot be updated",
                meta.name, f.name
            )));
        }
        indexes.push(index);
    }
    if indexes.is_empty() {
        return Err(Error::Usage(
            "bulk_update: name the fields to write, e.g. [Model::FIELD.into()]".to_owned(),
        ));
    }
    let columns: Vec<&'static str> = indexes.iter().map(|&i| meta.fields[i].column).collect();
    let mut rows = Vec::with_capacity(objects.len());
    for obj in objects {
        crate::model::check_values(obj, ex.backend())?;
        let key = obj.pk();
        if key.is_null() {
            return Err(Error::Usage(format!(
                "bulk_update: every {} must be saved first (one has no primary key)",
                meta.name
            )));
        }
        let mut values = obj.values();
        let picked = indexes
            .iter()
            .map(|&i| std::mem::replace(&mut values[i], Value::Null(meta.fields[i].ty)))
            .collect();
        rows.push((key, picked));
    }
    // Per row: the key in the IN list, and a key and a value per column; the filters' values
    // come on top. And at most BULK_UPDATE_ROWS rows: the database scans a CASE's WHENs in
    // turn for every row, so one statement's cost grows with the square of its rows.
    let per_row = 1 + 2 * columns.len();
    let chunk = ((sql::max_params(ex.backend()) - 100) / per_row).clamp(1, BULK_UPDATE_ROWS);
    if rows.len() > chunk
        && let Some(mut tx) = ex.atomic().await?
    {
        let updated = bulk_update_in(&mut &mut tx, meta, parts, &columns, &rows, chunk).await?;
        tx.commit().await?;
        return Ok(updated);
    }
    bulk_update_in(ex, meta, parts, &columns, &rows, chunk).await
}

async fn bulk_update_in<E: Executor>(
    ex: &mut E,
    meta: &'static ModelMeta,
    parts: &Parts,
    columns: &[&'static str],
    rows: &[(Value, Vec<Value>)],
    chunk: usize,
) -> Result<u64, Error> {
    let mut updated = 0;
    for rows in rows.chunks(chunk) {
        let (text, values) = sql::bulk_update(ex.backend(), meta, parts, columns, rows);
        updated += conn(ex).execute(&text, values).await?;
    }
    Ok(updated)
}

/// Reads column `index` as a [`Value`] of type `ty` (NULL-aware).
pub(crate) fn read_value(row: &Row, index: usize, ty: ColumnType) -> Result<Value, Error> {
    fn read<T: DbType>(row: &Row, index: usize) -> Result<Value, Error> {
        Ok(Option::<T>::decode(row, index)?.to_value())
    }
    if crate::db::is_null(row, index)? {
        return Ok(Value::Null(ty));
    }
    match ty {
        ColumnType::Bool => read::<bool>(row, index),
        ColumnType::SmallInt => read::<i16>(row, index),
        ColumnType::Real => read::<f32>(row, index),
        ColumnType::Binary => read::<Vec<u8>>(row, index),
        ColumnType::Int => read::<i32>(row, index),
        ColumnType::BigInt => read::<i64>(row, index),
        ColumnType::Float => read::<f64>(row, index),
        ColumnType::VarChar | ColumnType::Text => read::<String>(row, index),
        ColumnType::DateTime => read::<chrono::DateTime<chrono::Utc>>(row, index),
        ColumnType::Date => read::<chrono::NaiveDate>(row, index),
        ColumnType::Time => read::<chrono::NaiveTime>(row, index),
        ColumnType::NaiveDateTime => read::<chrono::NaiveDateTime>(row, index),
        ColumnType::Decimal => read::<rust_decimal::Decimal>(row, index),
        ColumnType::Uuid => read::<uuid::Uuid>(row, index),
        ColumnType::Json => read::<serde_json::Value>(row, index),
    }
}

/// `column IN (values)` in chunks small enough to bind.
fn in_chunks(backend: crate::Backend, column: &'static str, values: &[Value]) -> Vec<Cond> {
    values
        .chunks(sql::max_params(backend) - 10)
        .map(|chunk| Cond::In(Node::col(column), chunk.to_vec()))
        .collect()
}

/// What a delete will do: rows to delete per model (parents first) and columns to set NULL.
#[derive(Default)]
struct Plan {
    deletes: Vec<(&'static ModelMeta, Vec<Value>)>,
    set_null: Vec<(&'static ModelMeta, &'static str, Vec<Value>)>,
}

/// What a delete would remove, read before anything is removed
/// ([`QuerySet::deletion_plan`](super::QuerySet::deletion_plan)).
#[derive(Debug, Clone, Default)]
pub struct DeletionPlan {
    /// For each model reached, the primary keys of its rows that would go: the deleted
    /// model's own rows first, then what the cascade reaches, in the order it reaches them (a
    /// model reached twice is listed twice).
    pub deletes: Vec<(&'static ModelMeta, Vec<Value>)>,
    /// The rows whose foreign key column would be set to NULL (`on_delete = set_null`), as
    /// (model, column, the primary keys of the rows they point at).
    pub set_null: Vec<(&'static ModelMeta, &'static str, Vec<Value>)>,
}

impl DeletionPlan {
    /// How many rows of each model would go, models in the order first reached
    /// (Django's summary: "Questions: 1, Choices: 3").
    pub fn counts(&self) -> Vec<(&'static ModelMeta, usize)> {
        let mut out: Vec<(&'static ModelMeta, usize)> = Vec::new();
        for (meta, pks) in &self.deletes {
            match out.iter_mut().find(|(m, _)| std::ptr::eq(*m, *meta)) {
                Some((_, n)) => *n += pks.len(),
                None => out.push((meta, pks.len())),
            }
        }
        out
    }
}

/// [`DeletionPlan`] of deleting rows `pks` of `meta`: the same walk as the delete, nothing
/// changed.
pub(crate) async fn deletion_plan<E: Executor>(
    ex: &mut E,
    meta: &'static ModelMeta,
    pks: Vec<Value>,
    models: &ModelSet,
) -> Result<DeletionPlan, Error> {
    let mut plan = Plan::default();
    collect(ex, meta, pks, models, &mut plan).await?;
    Ok(DeletionPlan {
        deletes: plan.deletes,
        set_null: plan.set_null,
    })
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Collects the rows a delete reaches through `Cascade`, refusing on `Protect`/`Restrict`,
/// before anything is changed.
fn collect<'a, E: Executor>(
    ex: &'a mut E,
    meta: &'static ModelMeta,
    pks: Vec<Value>,
    models: &'a ModelSet,
    plan: &'a mut Plan,
) -> BoxFuture<'a, Result<(), Error>> {
    Box::pin(async move {
        if pks.is_empty() {
            return Ok(());
        }
        super::registry::check_complete(models, meta)?;
        plan.deletes.push((meta, pks.clone()));
        for (child, fk, on_delete) in models.referencing(meta) {
            let backend = ex.backend();
            match on_delete {
                OnDelete::DoNothing => {}
                OnDelete::SetNull => plan.set_null.push((child, fk, pks.clone())),
                OnDelete::Protect | OnDelete::Restrict => {
                    for cond in in_chunks(backend, fk, &pks) {
                        let parts = Parts {
                            cond: Some(cond),
                            order: Some(Vec::new()),
                            limit: Some(1),
                            ..Parts::default()
                        };
                        let (text, values) =
                            sql::select(backend, child, &parts, &[Node::Val(Value::Int(1))], &[]);
                        if conn(ex).fetch_optional(&text, values).await?.is_some() {
                            return Err(Error::Protected {
                                model: meta.name,
                                referenced_by: child.name,
                            });
                        }
                    }
                }
                OnDelete::Cascade => {
                    let mut child_pks = Vec::new();
                    for cond in in_chunks(backend, fk, &pks) {
                        let parts = Parts {
                            cond: Some(cond),
                            order: Some(Vec::new()),
                            ..Parts::default()
                        };
                        let pk = child.pk();
                        let (text, values) =
                            sql::select(backend, child, &parts, &[Node::col(pk.column)], &[]);
                        for row in conn(ex).fetch_all(&text, values).await? {
                            child_pks.push(read_value(&row, 0, pk.ty)?);
                        }
                    }
                    collect(ex, child, child_pks, models, plan).await?;
                }
            }
        }
        Ok(())
    })
}

/// Deletes rows of `meta` by primary key, applying `on_delete` first; returns the rows of
/// `meta` deleted. On the pool, the whole cascade runs in a transaction of its own.
pub(crate) async fn delete_pks<E: Executor>(
    ex: &mut E,
    meta: &'static ModelMeta,
    pks: Vec<Value>,
    models: &ModelSet,
) -> Result<u64, Error> {
    let needs_tx = !models.referencing(meta).is_empty() || !models.join_rows(meta).is_empty();
    if needs_tx && let Some(mut tx) = ex.atomic().await? {
        let deleted = delete_pks_in(&mut &mut tx, meta, pks, models).await?;
        tx.commit().await?;
        return Ok(deleted);
    }
    delete_pks_in(ex, meta, pks, models).await
}

async fn delete_pks_in<E: Executor>(
    ex: &mut E,
    meta: &'static ModelMeta,
    pks: Vec<Value>,
    models: &ModelSet,
) -> Result<u64, Error> {
    let mut plan = Plan::default();
    collect(ex, meta, pks, models, &mut plan).await?;
    let backend = ex.backend();
    for (child, fk, pks) in &plan.set_null {
        let ty = child
            .fields
            .iter()
            .find(|f| f.column == *fk)
            .map_or(ColumnType::BigInt, |f| f.ty);
        for cond in in_chunks(backend, fk, pks) {
            let parts = Parts {
                cond: Some(cond),
                ..Parts::default()
            };
            let (text, values) =
                sql::update(backend, child, &parts, &[(*fk, Node::Val(Value::Null(ty)))]);
            conn(ex).execute(&text, values).await?;
        }
    }
    // Many-to-many links before the rows they link: the database would cascade them where
    // migrations made the join table, but not everywhere (a table made by hand).
    for (m, pks) in &plan.deletes {
        for (table, column) in models.join_rows(m) {
            for cond in in_chunks(backend, column, pks) {
                let (text, values) = sql::delete_where(backend, table, &cond);
                conn(ex).execute(&text, values).await?;
            }
        }
    }
    let mut deleted = 0;
    // Children first, so foreign key constraints hold at every step.
    for (i, (m, pks)) in plan.deletes.iter().enumerate().rev() {
        for cond in in_chunks(backend, m.pk().column, pks) {
            let parts = Parts {
                cond: Some(cond),
                ..Parts::default()
            };
            let (text, values) = sql::delete(backend, m, &parts);
            let n = conn(ex).execute(&text, values).await?;
            if i == 0 {
                deleted += n;
            }
        }
    }
    Ok(deleted)
}
