//! Changing the links: `add`, `add_with`, `remove`, `clear` and `set`.

use std::collections::HashSet;
use std::future::Future;

use super::{chunk_size, eq, key, saved_pk, target_pks};
use crate::db::Value;
use crate::model::{ManyToManyMeta, ModelMeta};
use crate::query::executor::{Executor, conn};
use crate::query::expr::{Assign, Cond, Node};
use crate::query::instance::read_value;
use crate::query::sql;
use crate::{Backend, Error, ManyToManyField, Model};

/// A through model's other columns and their values, for the rows `add` and `set` make.
type Extra = Vec<(&'static str, Value)>;

impl<M: Model, T: Model> ManyToManyField<M, T> {
    /// Relates `owner` to each of `targets` (Django's `question.tags.add(...)`), with one
    /// `INSERT`. More statements, in a transaction of their own on a pool or held connection,
    /// past the parameter limit, for a symmetrical relation (both directions) and through a
    /// model (the existing pairs are read first, as the through table may have no unique
    /// index). Pairs already related are skipped, not duplicated, and not an error.
    ///
    /// # Errors
    /// [`Error::Usage`] when the owner or a target is not saved, or a through model has a
    /// field that neither fills itself nor is given (see [`add_with`](Self::add_with));
    /// nothing is written then. The driver's error (a target whose row does not exist fails
    /// the foreign key).
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

    /// `add` and `add_with`: the checks before the future is made, then the links, in a
    /// transaction when they take several statements.
    fn add_extra<'a, E: Executor, I: IntoIterator<Item = &'a T>>(
        &self,
        mut ex: E,
        owner: &M,
        targets: I,
        op: &'static str,
        extra: Result<Extra, Error>,
    ) -> impl Future<Output = Result<(), Error>> + Send + use<'a, E, I, M, T>
    where
        T: 'a,
    {
        let m = self.meta();
        let prepared = self.prepare(owner, targets, op, extra);
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
    ) -> Result<Extra, Error> {
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
    /// `DELETE` on the join table; the targets themselves stay. Returns the join rows removed
    /// (two per pair for a symmetrical relation, whose links go both ways).
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
    /// Returns the join rows removed (both directions of a symmetrical relation).
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
    /// [`Error::Usage`] when the owner or a target is not saved, or a through model has a
    /// field that neither fills itself nor is given (see [`set_with`](Self::set_with)); nothing
    /// is changed then. The driver's error.
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn set<'a, E: Executor, I: IntoIterator<Item = &'a T>>(
        &self,
        ex: E,
        owner: &M,
        targets: I,
    ) -> impl Future<Output = Result<(), Error>> + Send + use<'a, E, I, M, T>
    where
        T: 'a,
    {
        self.set_extra(ex, owner, targets, "set", Ok(Vec::new()))
    }

    /// As [`set`](Self::set) for a relation through a model `X`, giving the through rows it
    /// adds values for their other fields (Django's `set(..., through_defaults=...)`); the
    /// links that stay keep their rows as they are.
    ///
    /// # Errors
    /// As [`add_with`](Self::add_with).
    ///
    /// # Panics
    /// When `M` has no such relation.
    pub fn set_with<'a, X, D, E, I>(
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
        let extra = self.through_values(through_defaults, "set_with", ex.backend());
        self.set_extra(ex, owner, targets, "set_with", extra)
    }

    /// The checks of `add` and `set`, made before their future is (so it holds values, not the
    /// caller's iterator): the through model's fields filled, owner and targets saved. Gives
    /// the extra columns, the owner's key and the targets' keys.
    fn prepare<'a, I: IntoIterator<Item = &'a T>>(
        &self,
        owner: &M,
        targets: I,
        op: &str,
        extra: Result<Extra, Error>,
    ) -> Result<(Extra, Value, Vec<Value>), Error>
    where
        T: 'a,
    {
        let field = self.label();
        let extra = extra?;
        through_fills_rest(self.meta(), op, &field, &extra)?;
        let owner = saved_pk(owner, op, &field, "owner")?;
        Ok((extra, owner, target_pks(targets, op, &field)?))
    }

    /// `set` and `set_with`: the checks before the future is made, then the difference, in
    /// one transaction.
    fn set_extra<'a, E: Executor, I: IntoIterator<Item = &'a T>>(
        &self,
        mut ex: E,
        owner: &M,
        targets: I,
        op: &'static str,
        extra: Result<Extra, Error>,
    ) -> impl Future<Output = Result<(), Error>> + Send + use<'a, E, I, M, T>
    where
        T: 'a,
    {
        let m = self.meta();
        let prepared = self.prepare(owner, targets, op, extra);
        async move {
            let (extra, owner, pks) = prepared?;
            if let Some(mut tx) = ex.atomic().await? {
                set_in(&mut &mut tx, m, &owner, pks, &extra).await?;
                tx.commit().await?;
                return Ok(());
            }
            set_in(&mut ex, m, &owner, pks, &extra).await
        }
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

async fn set_in<E: Executor>(
    ex: &mut E,
    m: &'static ManyToManyMeta,
    owner: &Value,
    pks: Vec<Value>,
    extra: &[(&'static str, Value)],
) -> Result<(), Error> {
    let (text, values) = sql::select_from(
        ex.backend(),
        m.table,
        &[Node::col(m.to_column)],
        eq(m.from_column, owner.clone()),
        &[],
    );
    let ty = (m.to)().pk().ty;
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
        add_in(ex, m, owner, &missing, extra).await?;
    }
    Ok(())
}

/// The primary keys `owner` is linked to through the relation `m` (one query): for code that
/// holds only the metadata, such as a model form showing a row's many-to-many values.
///
/// # Errors
/// The driver's error.
pub async fn linked_keys<E: Executor>(
    mut ex: E,
    m: &'static ManyToManyMeta,
    owner: Value,
) -> Result<Vec<Value>, Error> {
    let (text, values) = sql::select_from(
        ex.backend(),
        m.table,
        &[Node::col(m.to_column)],
        eq(m.from_column, owner),
        &[],
    );
    let ty = (m.to)().pk().ty;
    conn(&mut ex)
        .fetch_all(&text, values)
        .await?
        .iter()
        .map(|row| read_value(row, 0, ty))
        .collect()
}

/// Links `owner` through the relation `m` to exactly the rows `pks` (those missing added,
/// the others removed, in one transaction): [`ManyToManyField::set`] for code that holds only
/// the metadata. A through model's other fields must fill themselves (auto, default, NULL).
///
/// # Errors
/// [`Error::Usage`] when the through model has a field that does not fill itself; the
/// driver's error.
pub async fn set_linked_keys<E: Executor>(
    mut ex: E,
    m: &'static ManyToManyMeta,
    owner: Value,
    pks: Vec<Value>,
) -> Result<(), Error> {
    through_fills_rest(m, "set", m.name, &[])?;
    if let Some(mut tx) = ex.atomic().await? {
        set_in(&mut &mut tx, m, &owner, pks, &[]).await?;
        tx.commit().await?;
        return Ok(());
    }
    set_in(&mut ex, m, &owner, pks, &[]).await
}
