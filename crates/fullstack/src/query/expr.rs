//! The expression tree querysets are made of: typed on the outside (`F<M, T>`, `Q<M>`), an
//! untyped [`Node`]/[`Cond`] tree inside that the SQL writer turns into text and parameters.

use std::marker::PhantomData;
use std::ops;

use crate::db::{ColumnType, DbType, Value};

/// One step across a foreign key: from the column `fk` to the primary key of `table`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hop {
    pub(crate) fk: &'static str,
    pub(crate) table: &'static str,
    pub(crate) pk: &'static str,
}

/// A part of a date or moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DatePart {
    Year,
    Month,
    Day,
}

/// An SQL aggregate function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AggFn {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// A scalar expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A column of the queried model, or of a model reached through `path`.
    Col {
        path: Vec<Hop>,
        column: &'static str,
    },
    /// A column of the enclosing query's table, from inside an `EXISTS` subquery.
    Outer {
        table: &'static str,
        column: &'static str,
    },
    /// A bound value.
    Val(Value),
    /// `a op b` for `+ - * /`.
    Arith(Box<Node>, &'static str, Box<Node>),
    /// `LOWER(x)`.
    Lower(Box<Node>),
    /// A date part as an integer.
    Part(DatePart, ColumnType, Box<Node>),
    /// `COUNT(*)` (no argument) or an aggregate of an expression; `ty` is the result's type.
    Agg(AggFn, Option<Box<Node>>, ColumnType),
}

impl Node {
    /// A column of the queried model itself (no join).
    pub(crate) fn col(column: &'static str) -> Node {
        Node::Col {
            path: Vec::new(),
            column,
        }
    }

    /// Every join path the expression uses.
    pub(crate) fn paths<'a>(&'a self, out: &mut Vec<&'a [Hop]>) {
        match self {
            Node::Col { path, .. } if !path.is_empty() => out.push(path),
            Node::Col { .. } | Node::Val(_) | Node::Outer { .. } => {}
            Node::Arith(a, _, b) => {
                a.paths(out);
                b.paths(out);
            }
            Node::Lower(a) | Node::Part(_, _, a) => a.paths(out),
            Node::Agg(_, a, _) => {
                if let Some(a) = a {
                    a.paths(out);
                }
            }
        }
    }
}

/// Which LIKE pattern a string lookup builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LikeKind {
    Contains,
    StartsWith,
    EndsWith,
}

/// A condition: what `WHERE` holds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Cmp(Node, &'static str, Node),
    In(Node, Vec<Value>),
    Between(Node, Node, Node),
    IsNull(Node, bool),
    Like {
        lhs: Node,
        text: String,
        kind: LikeKind,
        case_insensitive: bool,
    },
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    /// Some row of `table` has `fk` = the enclosing row's `outer_pk` (and meets `cond`).
    Exists {
        table: &'static str,
        fk: &'static str,
        outer_pk: &'static str,
        cond: Option<Box<Cond>>,
    },
    Const(bool),
}

impl Cond {
    pub(crate) fn paths<'a>(&'a self, out: &mut Vec<&'a [Hop]>) {
        match self {
            Cond::Cmp(a, _, b) => {
                a.paths(out);
                b.paths(out);
            }
            Cond::In(a, _) | Cond::IsNull(a, _) | Cond::Like { lhs: a, .. } => a.paths(out),
            Cond::Between(a, b, c) => {
                a.paths(out);
                b.paths(out);
                c.paths(out);
            }
            Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| c.paths(out)),
            Cond::Not(c) => c.paths(out),
            // The subquery has joins of its own.
            Cond::Exists { .. } | Cond::Const(_) => {}
        }
    }
}

/// A typed SQL expression over model `M` giving a `T`: a column (`Question::VOTES.f()`), a column
/// across a foreign key, arithmetic on those (`Question::VOTES.f() + 1`), or a date part. Django's
/// `F()`: it is evaluated by the database, so `update(VOTES.set(VOTES.f() + 1))` is race free.
pub struct F<M, T> {
    pub(crate) node: Node,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M, T> F<M, T> {
    pub(crate) fn new(node: Node) -> Self {
        F {
            node,
            _types: PhantomData,
        }
    }
}

impl<M, T> Clone for F<M, T> {
    fn clone(&self) -> Self {
        F::new(self.node.clone())
    }
}

impl<M, T> std::fmt::Debug for F<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "F({:?})", self.node)
    }
}

/// A plain value is an expression too, so `set(5)` and `set(VOTES.f() + 1)` both work.
impl<M, T: DbType> From<T> for F<M, T> {
    fn from(v: T) -> Self {
        F::new(Node::Val(v.to_value()))
    }
}

/// Numbers that `+ - * /` apply to.
pub trait Numeric: DbType {}
impl Numeric for i16 {}
impl Numeric for i32 {}
impl Numeric for i64 {}
impl Numeric for f32 {}
impl Numeric for f64 {}
impl Numeric for rust_decimal::Decimal {}
impl<T: Numeric> Numeric for Option<T> {}

macro_rules! arith {
    ($trait:ident, $method:ident, $op:literal) => {
        impl<M, T: Numeric> ops::$trait<T> for F<M, T> {
            type Output = F<M, T>;
            fn $method(self, rhs: T) -> F<M, T> {
                F::new(Node::Arith(
                    Box::new(self.node),
                    $op,
                    Box::new(Node::Val(rhs.to_value())),
                ))
            }
        }

        impl<M, T: Numeric> ops::$trait<F<M, T>> for F<M, T> {
            type Output = F<M, T>;
            fn $method(self, rhs: F<M, T>) -> F<M, T> {
                F::new(Node::Arith(Box::new(self.node), $op, Box::new(rhs.node)))
            }
        }
    };
}

arith!(Add, add, "+");
arith!(Sub, sub, "-");
arith!(Mul, mul, "*");
arith!(Div, div, "/");

/// A condition on model `M`, Django's `Q`: combine with `&`, `|` and `!`.
///
/// ```
/// # use fullstack::query::Q;
/// # struct Question;
/// # const VOTES: fullstack::Column<Question, i32> = fullstack::Column::new("votes", "votes");
/// let q: Q<Question> = VOTES.gt(5) & !VOTES.eq(7) | VOTES.is_in([1, 2]);
/// # let _ = q;
/// ```
pub struct Q<M> {
    pub(crate) cond: Cond,
    _model: PhantomData<fn() -> M>,
}

impl<M> Q<M> {
    pub(crate) fn new(cond: Cond) -> Self {
        Q {
            cond,
            _model: PhantomData,
        }
    }

    /// A condition every row meets.
    pub fn all() -> Self {
        Q::new(Cond::Const(true))
    }
}

impl<M: crate::Model> Q<M> {
    /// `pk = value`, for code that holds the key as a [`Value`] (a view reading it from a URL).
    pub(crate) fn pk_eq(value: crate::Value) -> Self {
        Q::new(Cond::Cmp(
            Node::col(M::META.pk().column),
            "=",
            Node::Val(value),
        ))
    }
}

impl<M> Clone for Q<M> {
    fn clone(&self) -> Self {
        Q::new(self.cond.clone())
    }
}

impl<M> std::fmt::Debug for Q<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Q({:?})", self.cond)
    }
}

impl<M> ops::BitAnd for Q<M> {
    type Output = Q<M>;
    fn bitand(self, rhs: Q<M>) -> Q<M> {
        Q::new(match self.cond {
            Cond::And(mut cs) => {
                cs.push(rhs.cond);
                Cond::And(cs)
            }
            c => Cond::And(vec![c, rhs.cond]),
        })
    }
}

impl<M> ops::BitOr for Q<M> {
    type Output = Q<M>;
    fn bitor(self, rhs: Q<M>) -> Q<M> {
        Q::new(match self.cond {
            Cond::Or(mut cs) => {
                cs.push(rhs.cond);
                Cond::Or(cs)
            }
            c => Cond::Or(vec![c, rhs.cond]),
        })
    }
}

impl<M> ops::Not for Q<M> {
    type Output = Q<M>;
    fn not(self) -> Q<M> {
        Q::new(Cond::Not(Box::new(self.cond)))
    }
}

/// One `ORDER BY` term: `Question::PUB_DATE.desc()`.
pub struct Order<M> {
    pub(crate) node: Node,
    pub(crate) desc: bool,
    _model: PhantomData<fn() -> M>,
}

impl<M> Order<M> {
    pub(crate) fn new(node: Node, desc: bool) -> Self {
        Order {
            node,
            desc,
            _model: PhantomData,
        }
    }
}

impl<M> Clone for Order<M> {
    fn clone(&self) -> Self {
        Order::new(self.node.clone(), self.desc)
    }
}

impl<M> std::fmt::Debug for Order<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Order({:?}, desc: {})", self.node, self.desc)
    }
}

/// An assignment for `update()`: `Question::VOTES.set(Question::VOTES.f() + 1)`.
pub struct Assign<M> {
    pub(crate) column: &'static str,
    pub(crate) value: Node,
    _model: PhantomData<fn() -> M>,
}

impl<M> Assign<M> {
    pub(crate) fn new(column: &'static str, value: Node) -> Self {
        Assign {
            column,
            value,
            _model: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for Assign<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Assign({} = {:?})", self.column, self.value)
    }
}

/// An expression of model `M` in a `values()` projection (`Choice::QUESTION.into()`), with the
/// name and type its JSON form uses.
pub struct Selected<M> {
    pub(crate) node: Node,
    pub(crate) name: String,
    pub(crate) ty: ColumnType,
    _model: PhantomData<fn() -> M>,
}

impl<M> Selected<M> {
    pub(crate) fn new(node: Node, name: String, ty: ColumnType) -> Self {
        Selected {
            node,
            name,
            ty,
            _model: PhantomData,
        }
    }

    /// The same expression under another name (the JSON key of [`Values::json`](super::Values::json)).
    pub fn named(mut self, name: &str) -> Self {
        name.clone_into(&mut self.name);
        self
    }
}

impl<M> Clone for Selected<M> {
    fn clone(&self) -> Self {
        Selected::new(self.node.clone(), self.name.clone(), self.ty)
    }
}

impl<M> std::fmt::Debug for Selected<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Selected({}: {:?})", self.name, self.node)
    }
}

/// Django's default names: `votes`, `pub_date__year`, `votes__sum`, `count`.
pub(crate) fn default_name(node: &Node) -> String {
    match node {
        Node::Col { path, column } => {
            let mut name: Vec<&str> = path.iter().map(|h| h.fk).collect();
            name.push(column);
            name.join("__")
        }
        Node::Part(part, _, a) => {
            let part = match part {
                DatePart::Year => "year",
                DatePart::Month => "month",
                DatePart::Day => "day",
            };
            format!("{}__{part}", default_name(a))
        }
        Node::Lower(a) => format!("{}__lower", default_name(a)),
        Node::Agg(f, arg, _) => {
            let f = match f {
                AggFn::Count => "count",
                AggFn::Sum => "sum",
                AggFn::Avg => "avg",
                AggFn::Min => "min",
                AggFn::Max => "max",
            };
            match arg {
                Some(a) => format!("{}__{f}", default_name(a)),
                None => f.to_owned(),
            }
        }
        Node::Arith(..) | Node::Val(_) | Node::Outer { .. } => "expr".to_owned(),
    }
}

impl<M, T: DbType> From<F<M, T>> for Selected<M> {
    fn from(f: F<M, T>) -> Self {
        let name = default_name(&f.node);
        Selected::new(f.node, name, T::COLUMN)
    }
}

impl<M, T: DbType> From<crate::Column<M, T>> for Selected<M> {
    fn from(c: crate::Column<M, T>) -> Self {
        Selected::new(
            Node::Col {
                path: Vec::new(),
                column: c.column,
            },
            c.name.to_owned(),
            T::COLUMN,
        )
    }
}
