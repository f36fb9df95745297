//! The one SQL writer: every statement the ORM runs is built here, from quoted identifiers and
//! placeholders. Values are always bound parameters, never spliced into the text.

use std::fmt::Write as _;

use super::expr::{AggFn, Cond, DatePart, Hop, LikeKind, Node};
use crate::Backend;
use crate::db::{ColumnType, Value};
use crate::model::ModelMeta;

/// What a queryset holds besides its model: the filter, order, slice and `DISTINCT`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Parts {
    pub(crate) cond: Option<Cond>,
    /// `None`: the model's default ordering.
    pub(crate) order: Option<Vec<(Node, bool)>>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: Option<u64>,
    pub(crate) distinct: bool,
}

impl Parts {
    /// Adds a condition with `AND`.
    pub(crate) fn and(&mut self, cond: Cond) {
        self.cond = Some(match self.cond.take() {
            None => cond,
            Some(Cond::And(mut cs)) => {
                cs.push(cond);
                Cond::And(cs)
            }
            Some(c) => Cond::And(vec![c, cond]),
        });
    }

    /// Whether the filter holds `key = value` (ANDed with anything) for the primary key or a
    /// unique column of `meta`: then at most one row matches.
    pub(crate) fn picks_one_row(&self, meta: &ModelMeta) -> bool {
        fn unique_eq(cond: &Cond, meta: &ModelMeta) -> bool {
            match cond {
                Cond::Cmp(Node::Col { path, column }, "=", Node::Val(v)) => {
                    path.is_empty()
                        && !v.is_null()
                        && meta
                            .fields
                            .iter()
                            .any(|f| f.column == *column && (f.primary_key || f.unique))
                }
                Cond::And(cs) => cs.iter().any(|c| unique_eq(c, meta)),
                _ => false,
            }
        }
        self.cond.as_ref().is_some_and(|c| unique_eq(c, meta))
    }

    fn joins(&self) -> bool {
        let mut paths = Vec::new();
        if let Some(c) = &self.cond {
            c.paths(&mut paths);
        }
        !paths.is_empty()
    }
}

/// A statement being written: its text, its bound values, and the aliases of joined tables.
#[derive(Debug)]
pub(crate) struct Sql {
    pub(crate) backend: Backend,
    pub(crate) text: String,
    pub(crate) values: Vec<Value>,
    table: &'static str,
    joins: Vec<(Vec<Hop>, String)>,
}

impl Sql {
    pub(crate) fn new(backend: Backend, table: &'static str) -> Self {
        Sql {
            backend,
            // Most statements fit: one allocation instead of a few doublings.
            text: String::with_capacity(256),
            values: Vec::new(),
            table,
            joins: Vec::new(),
        }
    }

    pub(crate) fn finish(self) -> (String, Vec<Value>) {
        (self.text, self.values)
    }

    pub(crate) fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    pub(crate) fn ident(&mut self, ident: &str) {
        self.backend.quote_into(&mut self.text, ident);
    }

    pub(crate) fn param(&mut self, value: Value) {
        self.values.push(value);
        self.backend
            .placeholder_into(&mut self.text, self.values.len());
    }

    /// Gives every prefix of `path` an alias (`j1`, `j2`, ...), once.
    pub(crate) fn register(&mut self, path: &[Hop]) {
        for n in 1..=path.len() {
            if !self.joins.iter().any(|(p, _)| p == &path[..n]) {
                let alias = format!("j{}", self.joins.len() + 1);
                self.joins.push((path[..n].to_vec(), alias));
            }
        }
    }

    fn register_node(&mut self, node: &Node) {
        let mut paths = Vec::new();
        node.paths(&mut paths);
        for p in paths {
            self.register(p);
        }
    }

    fn register_cond(&mut self, cond: &Cond) {
        let mut paths = Vec::new();
        cond.paths(&mut paths);
        for p in paths {
            self.register(p);
        }
    }

    /// `"table"."column"` or `"j1"."column"`.
    pub(crate) fn column(&mut self, path: &[Hop], column: &str) {
        // Borrowed, not cloned: this runs for every column of every statement.
        let qualifier = if path.is_empty() {
            self.table
        } else {
            self.joins
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, a)| a.as_str())
                .expect("join paths are registered before they are written")
        };
        self.backend.quote_into(&mut self.text, qualifier);
        self.text.push('.');
        self.backend.quote_into(&mut self.text, column);
    }

    /// `FROM "table"` and a `LEFT JOIN` per registered path.
    pub(crate) fn from(&mut self) {
        self.push(" FROM ");
        self.ident(self.table);
        for i in 0..self.joins.len() {
            let (path, alias) = self.joins[i].clone();
            let hop = path[path.len() - 1];
            self.push(" LEFT JOIN ");
            self.ident(hop.table);
            self.push(" ");
            self.ident(&alias);
            self.push(" ON ");
            self.column(&path, hop.pk);
            self.push(" = ");
            self.column(&path[..path.len() - 1], hop.fk);
        }
    }

    pub(crate) fn node(&mut self, node: &Node) {
        match node {
            Node::Col { path, column } => self.column(path, column),
            Node::Val(v) => self.param(v.clone()),
            Node::Outer { table, column } => {
                self.ident(table);
                self.push(".");
                self.ident(column);
            }
            Node::Arith(a, op, b) => {
                self.push("(");
                self.node(a);
                self.push(" ");
                self.push(op);
                self.push(" ");
                self.node(b);
                self.push(")");
            }
            Node::Lower(a) => {
                self.push("LOWER(");
                self.node(a);
                self.push(")");
            }
            Node::Part(part, ty, a) => self.date_part(*part, *ty, a),
            Node::Agg(f, arg, ty) => self.aggregate(*f, arg.as_deref(), *ty),
        }
    }

    fn date_part(&mut self, part: DatePart, ty: ColumnType, a: &Node) {
        let (sqlite, name) = match part {
            DatePart::Year => ("%Y", "YEAR"),
            DatePart::Month => ("%m", "MONTH"),
            DatePart::Day => ("%d", "DAY"),
        };
        match self.backend {
            Backend::Sqlite => {
                self.push("CAST(strftime('");
                self.push(sqlite);
                self.push("', ");
                self.node(a);
                self.push(") AS INTEGER)");
            }
            Backend::Postgres => {
                self.push("CAST(EXTRACT(");
                self.push(name);
                self.push(" FROM ");
                self.node(a);
                if ty == ColumnType::DateTime {
                    self.push(" AT TIME ZONE 'UTC'");
                }
                self.push(") AS INTEGER)");
            }
            Backend::MySql => {
                self.push(name);
                self.push("(");
                self.node(a);
                self.push(")");
            }
        }
    }

    fn aggregate(&mut self, f: AggFn, arg: Option<&Node>, ty: ColumnType) {
        let name = match f {
            AggFn::Count => "COUNT",
            AggFn::Sum => "SUM",
            AggFn::Avg => "AVG",
            AggFn::Min => "MIN",
            AggFn::Max => "MAX",
        };
        // PostgreSQL and MySQL widen SUM/AVG to NUMERIC/DECIMAL: cast back to what Rust reads.
        let cast = match (f, self.backend, ty) {
            // A decimal sum is read as a decimal: nothing to cast.
            (AggFn::Sum, _, ColumnType::Decimal) => None,
            (AggFn::Sum | AggFn::Avg, Backend::Postgres, ColumnType::Float) => {
                Some("DOUBLE PRECISION")
            }
            (AggFn::Sum | AggFn::Avg, Backend::MySql, ColumnType::Float) => Some("DOUBLE"),
            (AggFn::Sum, Backend::Postgres, _) => Some("BIGINT"),
            (AggFn::Sum, Backend::MySql, _) => Some("SIGNED"),
            _ => None,
        };
        if cast.is_some() {
            self.push("CAST(");
        }
        self.push(name);
        self.push("(");
        match arg {
            Some(a) => self.node(a),
            None => self.push("*"),
        }
        self.push(")");
        if let Some(cast) = cast {
            self.push(" AS ");
            self.push(cast);
            self.push(")");
        }
    }

    pub(crate) fn cond(&mut self, cond: &Cond) {
        match cond {
            Cond::Cmp(a, op, b) => {
                self.node(a);
                self.push(" ");
                self.push(op);
                self.push(" ");
                self.node(b);
            }
            Cond::In(_, values) if values.is_empty() => self.push("1 = 0"),
            Cond::In(a, values) => {
                self.node(a);
                self.push(" IN (");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.param(v.clone());
                }
                self.push(")");
            }
            Cond::Between(a, lo, hi) => {
                self.node(a);
                self.push(" BETWEEN ");
                self.node(lo);
                self.push(" AND ");
                self.node(hi);
            }
            Cond::IsNull(a, null) => {
                self.node(a);
                self.push(if *null { " IS NULL" } else { " IS NOT NULL" });
            }
            Cond::Like {
                lhs,
                text,
                kind,
                case_insensitive,
            } => self.like(lhs, text, *kind, *case_insensitive),
            Cond::And(cs) | Cond::Or(cs) if cs.is_empty() => {
                self.push(if matches!(cond, Cond::And(_)) {
                    "1 = 1"
                } else {
                    "1 = 0"
                });
            }
            Cond::And(cs) | Cond::Or(cs) => {
                let sep = if matches!(cond, Cond::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                self.push("(");
                for (i, c) in cs.iter().enumerate() {
                    if i > 0 {
                        self.push(sep);
                    }
                    self.cond(c);
                }
                self.push(")");
            }
            // `NOT (c IS TRUE)`, not `NOT c`: a row where `c` is unknown (a NULL column, a
            // missing joined row) is kept, as Django's `exclude` and `~Q` keep it.
            Cond::Not(c) => {
                self.push("NOT ((");
                self.cond(c);
                self.push(") IS TRUE)");
            }
            Cond::Exists {
                table,
                fk,
                outer_pk,
                cond,
            } => {
                self.push("EXISTS (");
                let mut link = Cond::Cmp(
                    Node::Col {
                        path: Vec::new(),
                        column: fk,
                    },
                    "=",
                    Node::Outer {
                        table: self.table,
                        column: outer_pk,
                    },
                );
                if let Some(c) = cond {
                    link = Cond::And(vec![link, (**c).clone()]);
                }
                let parts = Parts {
                    cond: Some(link),
                    ..Parts::default()
                };
                let mut inner = Sql::new(self.backend, table);
                inner.values = std::mem::take(&mut self.values);
                write_select(&mut inner, &parts, &[Node::Val(Value::Int(1))], &[], &[]);
                self.text.push_str(&inner.text);
                self.values = inner.values;
                self.push(")");
            }
            Cond::Const(true) => self.push("1 = 1"),
            Cond::Const(false) => self.push("1 = 0"),
        }
    }

    /// String lookups. Case-insensitive ones are `LOWER(x) LIKE LOWER(?)` everywhere. SQLite's
    /// `LIKE` ignores ASCII case, so its case-sensitive lookups use `GLOB`; MySQL's follows the
    /// column's collation (usually case-insensitive), so they compare bytes.
    fn like(&mut self, lhs: &Node, text: &str, kind: LikeKind, ci: bool) {
        let (any, wrap): (&str, fn(&str) -> String) = if !ci && self.backend == Backend::Sqlite {
            ("*", escape_glob)
        } else {
            ("%", escape_like)
        };
        let body = wrap(text);
        let pattern = match kind {
            LikeKind::Contains => format!("{any}{body}{any}"),
            LikeKind::StartsWith => format!("{body}{any}"),
            LikeKind::EndsWith => format!("{any}{body}"),
        };
        if ci {
            self.push("LOWER(");
            self.node(lhs);
            self.push(") LIKE LOWER(");
            self.param(Value::Text(pattern));
            self.push(") ESCAPE '!'");
            return;
        }
        match self.backend {
            Backend::Sqlite => {
                self.node(lhs);
                self.push(" GLOB ");
                self.param(Value::Text(pattern));
            }
            Backend::Postgres => {
                self.node(lhs);
                self.push(" LIKE ");
                self.param(Value::Text(pattern));
                self.push(" ESCAPE '!'");
            }
            Backend::MySql => {
                self.push("CAST(");
                self.node(lhs);
                self.push(" AS BINARY) LIKE CAST(");
                self.param(Value::Text(pattern));
                self.push(" AS BINARY) ESCAPE '!'");
            }
        }
    }

    fn where_(&mut self, cond: Option<&Cond>) {
        if let Some(c) = cond {
            self.push(" WHERE ");
            self.cond(c);
        }
    }

    /// `LIMIT`/`OFFSET` as integer literals, not bound values: SQLite re-prepares a statement
    /// whenever a value bound in its `LIMIT` changes (it may change the plan), which cost
    /// `get()` (`LIMIT 21`) a full parse on every call. The numbers are `u64`s the ORM
    /// formats itself, never text from outside.
    fn limit(&mut self, limit: Option<u64>, offset: Option<u64>) {
        let clamp = |n: u64| n.min(i64::MAX as u64);
        match (limit, offset) {
            (None, None) => {}
            (Some(n), _) => {
                let _ = write!(self.text, " LIMIT {}", clamp(n));
            }
            (None, Some(_)) => match self.backend {
                Backend::Sqlite => self.push(" LIMIT -1"),
                Backend::MySql => self.push(" LIMIT 18446744073709551615"),
                Backend::Postgres => {}
            },
        }
        if let Some(n) = offset {
            let _ = write!(self.text, " OFFSET {}", clamp(n));
        }
    }
}

/// `-pub_date` style default ordering, as nodes.
pub(crate) fn default_order(meta: &ModelMeta) -> Vec<(Node, bool)> {
    meta.ordering
        .iter()
        .filter_map(|o| {
            let (name, desc) = match o.strip_prefix('-') {
                Some(name) => (name, true),
                None => (*o, false),
            };
            let field = meta.field(name)?;
            Some((
                Node::Col {
                    path: Vec::new(),
                    column: field.column,
                },
                desc,
            ))
        })
        .collect()
}

/// The model's columns, in field order.
pub(crate) fn model_columns(meta: &ModelMeta, path: &[Hop]) -> Vec<Node> {
    meta.fields
        .iter()
        .map(|f| Node::Col {
            path: path.to_vec(),
            column: f.column,
        })
        .collect()
}

/// `SELECT [DISTINCT] columns FROM ... WHERE ... GROUP BY ... ORDER BY ... LIMIT ... OFFSET ...`.
pub(crate) fn select(
    backend: Backend,
    meta: &'static ModelMeta,
    parts: &Parts,
    columns: &[Node],
    group_by: &[Node],
) -> (String, Vec<Value>) {
    let mut sql = Sql::new(backend, meta.table);
    let order = parts.order.clone().unwrap_or_else(|| default_order(meta));
    write_select(&mut sql, parts, columns, group_by, &order);
    sql.finish()
}

pub(crate) fn write_select(
    sql: &mut Sql,
    parts: &Parts,
    columns: &[Node],
    group_by: &[Node],
    order: &[(Node, bool)],
) {
    columns.iter().for_each(|n| sql.register_node(n));
    if let Some(c) = &parts.cond {
        sql.register_cond(c);
    }
    group_by.iter().for_each(|n| sql.register_node(n));
    order.iter().for_each(|(n, _)| sql.register_node(n));
    sql.push(if parts.distinct {
        "SELECT DISTINCT "
    } else {
        "SELECT "
    });
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.node(c);
    }
    sql.from();
    sql.where_(parts.cond.as_ref());
    if !group_by.is_empty() {
        sql.push(" GROUP BY ");
        for (i, g) in group_by.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.node(g);
        }
    }
    if !order.is_empty() {
        sql.push(" ORDER BY ");
        for (i, (n, desc)) in order.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.node(n);
            sql.push(if *desc { " DESC" } else { " ASC" });
        }
    }
    sql.limit(parts.limit, parts.offset);
}

/// `SELECT aggregates FROM ... WHERE ...`; over a subquery (aliased `sub`, which the aggregates'
/// columns then refer to) when the queryset is sliced or `DISTINCT`, so they apply to its rows.
/// When such aggregates also reach across a join, the joins stay outside and the slice picks
/// the rows by key: `... WHERE pk IN (SELECT sub.pk FROM (SELECT pk ... LIMIT ?) sub)`.
pub(crate) fn aggregate(
    backend: Backend,
    meta: &'static ModelMeta,
    parts: &Parts,
    aggregates: &[Node],
) -> (String, Vec<Value>) {
    let mut paths = Vec::new();
    aggregates.iter().for_each(|n| n.paths(&mut paths));
    let wrap = parts.distinct || parts.limit.is_some() || parts.offset.is_some();
    if wrap && !paths.is_empty() {
        let mut sql = Sql::new(backend, meta.table);
        aggregates.iter().for_each(|n| sql.register_node(n));
        sql.push("SELECT ");
        for (i, a) in aggregates.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.node(a);
        }
        sql.from();
        // The model's rows are distinct already (by key): `DISTINCT` changes nothing here.
        let mut by_key = parts.clone();
        by_key.distinct = false;
        write_target_as(&mut sql, meta, &by_key, true);
        return sql.finish();
    }
    if !wrap {
        let mut parts = parts.clone();
        parts.order = Some(Vec::new());
        let mut sql = Sql::new(backend, meta.table);
        write_select(&mut sql, &parts, aggregates, &[], &[]);
        return sql.finish();
    }
    let mut sql = Sql::new(backend, "sub");
    sql.push("SELECT ");
    for (i, a) in aggregates.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.node(a);
    }
    sql.push(" FROM (");
    let mut inner = Sql::new(backend, meta.table);
    inner.values = std::mem::take(&mut sql.values);
    let order = parts.order.clone().unwrap_or_else(|| default_order(meta));
    write_select(&mut inner, parts, &model_columns(meta, &[]), &[], &order);
    sql.text.push_str(&inner.text);
    sql.values = inner.values;
    sql.push(") ");
    sql.ident("sub");
    sql.finish()
}

/// `SELECT COUNT(*)`, over a subquery when `DISTINCT` or a slice is involved.
pub(crate) fn count(
    backend: Backend,
    meta: &'static ModelMeta,
    parts: &Parts,
) -> (String, Vec<Value>) {
    let mut sql = Sql::new(backend, meta.table);
    if parts.distinct || parts.limit.is_some() || parts.offset.is_some() {
        sql.push("SELECT COUNT(*) FROM (");
        let mut inner = Sql::new(backend, meta.table);
        inner.values = std::mem::take(&mut sql.values);
        write_select(&mut inner, parts, &model_columns(meta, &[]), &[], &[]);
        sql.text.push_str(&inner.text);
        sql.values = inner.values;
        sql.push(") ");
        sql.ident("sub");
    } else {
        write_select(
            &mut sql,
            parts,
            &[Node::Agg(AggFn::Count, None, ColumnType::BigInt)],
            &[],
            &[],
        );
    }
    sql.finish()
}

/// The `WHERE` of an `UPDATE`/`DELETE`: the filter itself, or, when it needs joins or a slice,
/// `pk IN (SELECT pk FROM (SELECT ...) AS sub)` (the derived table keeps MySQL from refusing a
/// subquery on the table being changed).
fn write_target(sql: &mut Sql, meta: &'static ModelMeta, parts: &Parts) {
    write_target_as(sql, meta, parts, false);
}

/// As [`write_target`], naming the key `"table"."pk"` when `qualified` (the statement joins
/// tables that have a column of the same name).
fn write_target_as(sql: &mut Sql, meta: &'static ModelMeta, parts: &Parts, qualified: bool) {
    if parts.joins() || parts.limit.is_some() || parts.offset.is_some() {
        let pk = meta.pk().column;
        sql.push(" WHERE ");
        if qualified {
            sql.column(&[], pk);
        } else {
            sql.ident(pk);
        }
        sql.push(" IN (SELECT ");
        sql.ident("sub");
        sql.push(".");
        sql.ident(pk);
        sql.push(" FROM (");
        let mut inner = Sql::new(sql.backend, meta.table);
        inner.values = std::mem::take(&mut sql.values);
        let order = if parts.limit.is_some() || parts.offset.is_some() {
            parts.order.clone().unwrap_or_else(|| default_order(meta))
        } else {
            Vec::new()
        };
        let pk_node = Node::Col {
            path: Vec::new(),
            column: pk,
        };
        write_select(&mut inner, parts, &[pk_node], &[], &order);
        sql.text.push_str(&inner.text);
        sql.values = inner.values;
        sql.push(") ");
        sql.ident("sub");
        sql.push(")");
    } else {
        sql.where_(parts.cond.as_ref());
    }
}

/// `UPDATE table SET column = expr, ... WHERE ...`.
pub(crate) fn update(
    backend: Backend,
    meta: &'static ModelMeta,
    parts: &Parts,
    assignments: &[(&'static str, Node)],
) -> (String, Vec<Value>) {
    let mut sql = Sql::new(backend, meta.table);
    sql.push("UPDATE ");
    sql.ident(meta.table);
    sql.push(" SET ");
    for (i, (column, value)) in assignments.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.ident(column);
        sql.push(" = ");
        sql.node(value);
    }
    write_target(&mut sql, meta, parts);
    sql.finish()
}

/// One `UPDATE` giving each row its own values (Django's `bulk_update`): for every column
/// `SET column = CASE pk WHEN ? THEN ? ... ELSE column END`, then `WHERE` the queryset's
/// filters and `pk IN (...)`. `rows` holds each object's key and the values of `columns`, in
/// that order. The `WHEN`s go last row first: `CASE` takes the first match, so a key listed
/// twice gets its last values, as if each object had been saved in turn.
pub(crate) fn bulk_update(
    backend: Backend,
    meta: &'static ModelMeta,
    parts: &Parts,
    columns: &[&'static str],
    rows: &[(Value, Vec<Value>)],
) -> (String, Vec<Value>) {
    let pk = meta.pk().column;
    let mut sql = Sql::new(backend, meta.table);
    sql.push("UPDATE ");
    sql.ident(meta.table);
    sql.push(" SET ");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.ident(column);
        sql.push(" = CASE ");
        sql.ident(pk);
        for (key, values) in rows.iter().rev() {
            sql.push(" WHEN ");
            sql.param(key.clone());
            sql.push(" THEN ");
            sql.param(values[i].clone());
        }
        sql.push(" ELSE ");
        sql.ident(column);
        sql.push(" END");
    }
    let mut parts = parts.clone();
    let keys = rows.iter().map(|(key, _)| key.clone()).collect();
    parts.and(Cond::In(Node::col(pk), keys));
    write_target(&mut sql, meta, &parts);
    sql.finish()
}

/// `DELETE FROM table WHERE ...`.
pub(crate) fn delete(
    backend: Backend,
    meta: &'static ModelMeta,
    parts: &Parts,
) -> (String, Vec<Value>) {
    let mut sql = Sql::new(backend, meta.table);
    sql.push("DELETE FROM ");
    sql.ident(meta.table);
    write_target(&mut sql, meta, parts);
    sql.finish()
}

/// `INSERT INTO table (columns) VALUES (...), (...) [RETURNING pk]`.
pub(crate) fn insert(
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    returning: Option<&str>,
) -> (String, Vec<Value>) {
    let mut sql = Sql::new(backend, "");
    sql.push("INSERT INTO ");
    sql.ident(table);
    if columns.is_empty() {
        // A model whose only column is its auto key.
        sql.push(if backend == Backend::MySql {
            " () VALUES ()"
        } else {
            " DEFAULT VALUES"
        });
    } else {
        sql.push(" (");
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.ident(c);
        }
        sql.push(") VALUES ");
        for (r, row) in rows.into_iter().enumerate() {
            if r > 0 {
                sql.push(", ");
            }
            sql.push("(");
            for (i, v) in row.into_iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.param(v);
            }
            sql.push(")");
        }
    }
    if let Some(pk) = returning {
        sql.push(" RETURNING ");
        sql.ident(pk);
    }
    sql.finish()
}

/// `INSERT` of `(owner, target)` rows into a many-to-many join table, skipping the pairs already
/// there (the unique index over the two columns, which migrations create, decides): SQLite's
/// `INSERT OR IGNORE`, PostgreSQL's `ON CONFLICT DO NOTHING`, and on MySQL a no-op
/// `ON DUPLICATE KEY UPDATE` rather than `INSERT IGNORE`, which would also turn a foreign key
/// error (a target deleted meanwhile) into a warning. Foreign keys still fail everywhere
/// (SQLite's conflict clause does not apply to them).
pub(crate) fn insert_links(
    backend: Backend,
    table: &str,
    columns: [&str; 2],
    owner: &Value,
    targets: &[Value],
) -> (String, Vec<Value>) {
    let mut sql = Sql::new(backend, "");
    sql.push(if backend == Backend::Sqlite {
        "INSERT OR IGNORE INTO "
    } else {
        "INSERT INTO "
    });
    sql.ident(table);
    sql.push(" (");
    sql.ident(columns[0]);
    sql.push(", ");
    sql.ident(columns[1]);
    sql.push(") VALUES ");
    for (i, t) in targets.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(");
        sql.param(owner.clone());
        sql.push(", ");
        sql.param(t.clone());
        sql.push(")");
    }
    match backend {
        Backend::Sqlite => {}
        Backend::Postgres => sql.push(" ON CONFLICT DO NOTHING"),
        Backend::MySql => {
            sql.push(" ON DUPLICATE KEY UPDATE ");
            sql.ident(columns[0]);
            sql.push(" = ");
            sql.ident(columns[0]);
        }
    }
    sql.finish()
}

/// `DELETE FROM table WHERE cond`, for a table without model metadata (a join table).
pub(crate) fn delete_where(
    backend: Backend,
    table: &'static str,
    cond: &Cond,
) -> (String, Vec<Value>) {
    let mut sql = Sql::new(backend, table);
    sql.push("DELETE FROM ");
    sql.ident(table);
    sql.where_(Some(cond));
    sql.finish()
}

/// `SELECT columns FROM table [LEFT JOIN ...] WHERE cond ORDER BY ...`, for a table without
/// model metadata (a join table); `columns` and `order` may reach across [`Hop`]s.
pub(crate) fn select_from(
    backend: Backend,
    table: &'static str,
    columns: &[Node],
    cond: Cond,
    order: &[(Node, bool)],
) -> (String, Vec<Value>) {
    let mut sql = Sql::new(backend, table);
    let parts = Parts {
        cond: Some(cond),
        ..Parts::default()
    };
    write_select(&mut sql, &parts, columns, &[], order);
    sql.finish()
}

/// How many parameters one statement may bind.
pub(crate) fn max_params(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 32_766,
        Backend::Postgres | Backend::MySql => 65_535,
    }
}

/// Escapes `!`, `%` and `_` for `LIKE ... ESCAPE '!'` (`!` works the same on every backend,
/// unlike `\`, which MySQL also reads as a string escape).
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '!' | '%' | '_') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

/// Escapes `*`, `?` and `[` for SQLite's `GLOB`.
fn escape_glob(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '*' => out.push_str("[*]"),
            '?' => out.push_str("[?]"),
            '[' => out.push_str("[[]"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
