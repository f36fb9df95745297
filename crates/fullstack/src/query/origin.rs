//! Where a queryset came from, when a relation made it, and so what
//! [`QuerySet::create`](super::QuerySet::create) fills in: a reverse accessor
//! (`question.choice_set()`) makes rows that point at its owner, as Django's related managers
//! do.

use super::instance::ModelExt;
use super::queryset::QuerySet;
use crate::db::Value;
use crate::{Column, Error, Model};

/// The relation a queryset was made from.
pub(crate) enum Origin<M> {
    /// The rows of `M` whose foreign key `column` holds `owner`'s key (`question.choice_set()`).
    Owner {
        /// The model pointed at, for messages.
        owner_model: &'static str,
        /// The foreign key's field and column in `M`.
        field: &'static str,
        column: &'static str,
        /// The owner's primary key (NULL while the owner is unsaved).
        key: Value,
        /// Sets the foreign key of an `M` (the derive's reverse accessors give it); without
        /// it, `create` checks that the object points at the owner already.
        fill: Option<fn(&mut M, i64)>,
    },
    /// A many-to-many relation (`Question::TAGS.of(&q)`): creating would also need a link.
    ManyToMany {
        /// `Question.tags`, for messages.
        relation: String,
        /// The handle that adds links, for messages (`Question::TAGS`).
        handle: String,
    },
}

impl<M> Clone for Origin<M> {
    fn clone(&self) -> Self {
        match self {
            Origin::Owner {
                owner_model,
                field,
                column,
                key,
                fill,
            } => Origin::Owner {
                owner_model,
                field,
                column,
                key: key.clone(),
                fill: *fill,
            },
            Origin::ManyToMany { relation, handle } => Origin::ManyToMany {
                relation: relation.clone(),
                handle: handle.clone(),
            },
        }
    }
}

impl<M> std::fmt::Debug for Origin<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Owner {
                owner_model,
                field,
                key,
                ..
            } => write!(f, "Owner({field} = {owner_model} {key:?})"),
            Origin::ManyToMany { relation, .. } => write!(f, "ManyToMany({relation})"),
        }
    }
}

/// An integer key, as foreign keys hold them.
fn integer(v: &Value) -> Option<i64> {
    match *v {
        Value::BigInt(i) => Some(i),
        Value::Int(i) => Some(i64::from(i)),
        Value::SmallInt(i) => Some(i64::from(i)),
        _ => None,
    }
}

impl<M: Model> Origin<M> {
    /// Makes `obj` fit the relation before it is inserted: points it at the owner.
    ///
    /// # Errors
    /// [`Error::Usage`] when the owner is unsaved, when `obj` points elsewhere and the key
    /// cannot be set, or for a many-to-many relation.
    pub(crate) fn prepare(&self, obj: &mut M) -> Result<(), Error> {
        match self {
            Origin::ManyToMany { relation, handle } => Err(Error::Usage(format!(
                "create() on the rows of the many-to-many relation {relation} would have to link \
                 the new {model} too: create it with {model}::objects().create(..), then link it \
                 with {handle}.add(..)",
                model = M::META.name
            ))),
            Origin::Owner {
                owner_model,
                field,
                column,
                key,
                fill,
            } => {
                let Some(id) = integer(key) else {
                    return Err(Error::Usage(format!(
                        "create(): save the {owner_model} first; a {} cannot point at a \
                         {owner_model} without a primary key",
                        M::META.name
                    )));
                };
                if let Some(fill) = fill {
                    fill(obj, id);
                    return Ok(());
                }
                let at = M::META
                    .fields
                    .iter()
                    .position(|f| f.column == *column)
                    .expect("`related` checked the foreign key");
                match integer(&obj.values()[at]) {
                    Some(held) if held == id => Ok(()),
                    held => Err(Error::Usage(format!(
                        "create(): {model}.{field} must point at the {owner_model} {id} this \
                         queryset is about (it holds {}); set it, or create through the \
                         reverse accessor, which sets it",
                        held.map_or_else(|| "NULL".to_owned(), |k| k.to_string()),
                        model = M::META.name
                    ))),
                }
            }
        }
    }
}

/// What the derive's reverse accessors call: [`ModelExt::related`], with the function that
/// points a new row at the owner, so `question.choice_set().create(ex, choice)` fills in
/// `choice.question`.
#[doc(hidden)]
pub fn reverse_accessor<O: Model, C: Model, K>(
    owner: &O,
    fk: Column<C, K>,
    fill: fn(&mut C, i64),
) -> QuerySet<C> {
    let mut qs = owner.related(fk);
    if let Some(Origin::Owner { fill: slot, .. }) = &mut qs.origin {
        *slot = Some(fill);
    }
    qs
}
