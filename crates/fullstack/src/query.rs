//! Querysets: lazy, typed queries on models, Django's `Model.objects`.
//!
//! ```
//! use fullstack::query::prelude::*;
//! # use fullstack::{Column, Model};
//! # fn demo<Question: Model>(votes: Column<Question, i32>, text: Column<Question, String>) {
//! let qs = Question::objects()
//!     .filter(votes.gte(5) & !text.icontains("draft"))
//!     .order_by([votes.desc()])
//!     .limit(10);
//! let (sql, _values) = qs.to_sql(fullstack::Backend::Sqlite);
//! assert!(sql.contains(r#"LOWER("#));
//! # }
//! ```
//!
//! Nothing runs until an execution method (`all`, `first`, `get`, `count`, `exists`, `update`,
//! `delete`, `aggregate`, ...) is awaited with an [`Executor`]: `&Database`,
//! `&mut PooledConnection` or `&mut Transaction`. See `docs/fullstack/orm.md` for the guide.

mod aggregate;
mod by_name;
mod executor;
mod expr;
mod instance;
mod lookup;
mod many_to_many;
mod origin;
mod queryset;
mod raw;
pub mod registry;
mod related;
mod sql;

pub use aggregate::{Agg, Aggregates, Values, count};
pub use by_name::{FieldPath, LookupError, primary_keys};
pub use executor::{Connection, Executor};
pub use expr::{Assign, F, Numeric, Order, Q, Selected};
pub use instance::{DeletionPlan, ModelExt, ModelSet};
pub use lookup::{Base, Nullable, Rel, Summable, Temporal, Textual};
pub use many_to_many::{PrefetchMany, linked_keys, set_linked_keys};
#[doc(hidden)]
pub use origin::reverse_accessor;
pub use queryset::QuerySet;
pub use raw::{raw, raw_execute, raw_rows};
pub use related::{Prefetch, PrefetchOne, SelectRelated};

/// The guide, `docs/fullstack/orm.md`, compiled with the doctests so its examples stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/fullstack/orm.md")]
pub struct OrmGuide;

/// What query code needs in scope: `use fullstack::query::prelude::*;`.
pub mod prelude {
    pub use super::{Executor, F, ModelExt, ModelSet, Q, QuerySet, count};
}
