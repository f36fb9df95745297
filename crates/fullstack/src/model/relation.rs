//! The field types of relations: [`ForeignKey`], [`OneToOne`] and [`ManyToMany`], and the
//! [`ManyToManyField`] handle the derive makes for a many-to-many field.
//!
//! A foreign key is stored as the primary key it points at (an integer), so loading a row never
//! loads the row it points at: [`ForeignKey::get`] does, with one query.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use super::{ManyToManyMeta, Model};
use crate::Error;
use crate::db::{ColumnType, Database, DbType, Row, Value};

macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<T> {
            id: i64,
            _to: PhantomData<fn() -> T>,
        }

        impl<T> $name<T> {
            /// A key pointing at the row whose primary key is `id`.
            pub const fn new(id: i64) -> Self {
                $name {
                    id,
                    _to: PhantomData,
                }
            }

            /// The primary key of the row pointed at (Django's `question_id`).
            pub const fn id(&self) -> i64 {
                self.id
            }
        }

        impl<T: Model> $name<T> {
            /// Loads the row pointed at, with one query.
            ///
            /// # Errors
            /// [`Error::DoesNotExist`] when no row has this key, or the driver's error.
            pub async fn get(&self, db: &Database) -> Result<T, Error> {
                fetch_by_pk::<T>(db, self.id).await
            }
        }

        impl<T> From<i64> for $name<T> {
            fn from(id: i64) -> Self {
                $name::new(id)
            }
        }

        impl<T: Model> From<&T> for $name<T> {
            /// A key pointing at `target`, which must have been saved (its primary key an
            /// integer): an unsaved target gives key 0.
            fn from(target: &T) -> Self {
                let id = match target.pk() {
                    Value::BigInt(id) => id,
                    Value::Int(id) => i64::from(id),
                    _ => 0,
                };
                $name::new(id)
            }
        }

        impl<T> Clone for $name<T> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<T> Copy for $name<T> {}

        impl<T> PartialEq for $name<T> {
            fn eq(&self, other: &Self) -> bool {
                self.id == other.id
            }
        }

        impl<T> Eq for $name<T> {}

        impl<T> Hash for $name<T> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.id.hash(state);
            }
        }

        impl<T> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.id)
            }
        }

        /// The key's id, so a model deriving `serde::Serialize` shows `"question": 7`, as
        /// Django's serializers do.
        impl<T> serde::Serialize for $name<T> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.id)
            }
        }

        /// From the id, so a form or JSON body can name the row it points at.
        impl<'de, T> serde::Deserialize<'de> for $name<T> {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                i64::deserialize(d).map($name::new)
            }
        }

        impl<T: 'static> DbType for $name<T> {
            const COLUMN: ColumnType = ColumnType::BigInt;

            fn decode(row: &Row, index: usize) -> Result<Self, Error> {
                i64::decode(row, index).map($name::new)
            }

            fn to_value(&self) -> Value {
                Value::BigInt(self.id)
            }

            fn from_value(value: Value) -> Result<Self, Error> {
                i64::from_value(value).map($name::new)
            }
        }
    };
}

key_type! {
    /// A many-to-one relation to model `T`, stored as `T`'s primary key in the column
    /// `{field}_id`. Declare it on a model field: `question: ForeignKey<Question>` with
    /// `#[field(on_delete = cascade)]`; `Option<ForeignKey<T>>` when the column is nullable.
    ///
    /// ```
    /// # use fullstack::model::ForeignKey;
    /// # struct Question;
    /// let fk: ForeignKey<Question> = 7.into();
    /// assert_eq!(fk.id(), 7);
    /// // With serde, a key is its id.
    /// assert_eq!(serde_json::to_string(&fk).unwrap(), "7");
    /// let back: ForeignKey<Question> = serde_json::from_str("7").unwrap();
    /// assert_eq!(back, fk);
    /// ```
    ForeignKey
}

key_type! {
    /// A one-to-one relation to model `T`: a [`ForeignKey`] whose column is also unique.
    OneToOne
}

/// A field holding a key to model `T` (`ForeignKey<T>`, `OneToOne<T>`, nullable or not): the
/// derive checks a through model's keys with it, so a key to the wrong model is a compile
/// error at the `through` attribute.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "the through model's field is `{Self}`, not a key to `{T}`",
    label = "not a `ForeignKey<{T}>`",
    note = "a through model needs a `ForeignKey` (or `OneToOne`) to each side; name them with \
            `through_fields = (\"to_this_model\", \"to_the_target\")`"
)]
pub trait KeyTo<T> {}

impl<T> KeyTo<T> for ForeignKey<T> {}
impl<T> KeyTo<T> for OneToOne<T> {}
impl<T, K: KeyTo<T>> KeyTo<T> for Option<K> {}

/// Compiles only when `key` is a key to `T`.
#[doc(hidden)]
pub fn key_to<T, K: KeyTo<T>>(key: &K) -> &K {
    key
}

/// A many-to-many relation to model `T`. Not a column: the derive records it in
/// [`ModelMeta::many_to_many`](super::ModelMeta::many_to_many) with a join table
/// `{table}_{field}`, and skips it in `values()` and `from_row`. The field holds nothing: the
/// related rows are reached through the [`ManyToManyField`] constant the derive generates
/// (`Question::TAGS.of(&question)`).
pub struct ManyToMany<T> {
    _to: PhantomData<fn() -> T>,
}

impl<T> ManyToMany<T> {
    /// The marker; `Default::default()` also makes one.
    pub const fn new() -> Self {
        ManyToMany { _to: PhantomData }
    }
}

impl<T> Default for ManyToMany<T> {
    fn default() -> Self {
        ManyToMany::new()
    }
}

impl<T> Clone for ManyToMany<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for ManyToMany<T> {}

impl<T> PartialEq for ManyToMany<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for ManyToMany<T> {}

impl<T> fmt::Debug for ManyToMany<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ManyToMany")
    }
}

/// A typed handle on the many-to-many relation `name` of model `M` to model `T`; the derive makes
/// one per `ManyToMany<T>` field (`Question::TAGS: ManyToManyField<Question, Tag>`). It reads,
/// filters and changes the join table: [`of`](Self::of), [`owners_of`](Self::owners_of),
/// [`any`](Self::any), [`any_owner`](Self::any_owner), [`add`](Self::add),
/// [`remove`](Self::remove), [`clear`](Self::clear), [`set`](Self::set), and
/// [`prefetch_many`](crate::query::QuerySet::prefetch_many).
pub struct ManyToManyField<M, T> {
    name: &'static str,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M, T> ManyToManyField<M, T> {
    /// A handle on the relation named `name` (the field's name); the derive makes one per
    /// many-to-many field.
    pub const fn new(name: &'static str) -> Self {
        ManyToManyField {
            name,
            _types: PhantomData,
        }
    }

    /// The relation's name (`tags`).
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<M: Model, T: Model> ManyToManyField<M, T> {
    /// The relation's metadata, found by name in `M::META.many_to_many`.
    ///
    /// # Panics
    /// When `M` has no many-to-many relation of that name to `T`. The derive never makes such
    /// a handle.
    pub fn meta(&self) -> &'static ManyToManyMeta {
        let meta = M::META
            .many_to_many
            .iter()
            .find(|r| r.name == self.name)
            .unwrap_or_else(|| {
                panic!(
                    "{} has no many-to-many relation `{}`",
                    M::META.name,
                    self.name
                )
            });
        let to = (meta.to)();
        assert!(
            to.table == T::META.table,
            "{}.{} relates to {}, not {}",
            M::META.name,
            self.name,
            to.name,
            T::META.name
        );
        meta
    }
}

impl<M, T> Clone for ManyToManyField<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, T> Copy for ManyToManyField<M, T> {}

impl<M, T> fmt::Debug for ManyToManyField<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ManyToManyField({})", self.name)
    }
}

/// `SELECT` every field of `M` for the row whose primary key is `pk`.
async fn fetch_by_pk<M: Model>(db: &Database, pk: i64) -> Result<M, Error> {
    let backend = db.backend();
    let meta = M::META;
    let mut sql = String::from("SELECT ");
    for (i, field) in meta.fields.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        backend.quote_into(&mut sql, field.column);
    }
    sql.push_str(" FROM ");
    backend.quote_into(&mut sql, meta.table);
    sql.push_str(" WHERE ");
    backend.quote_into(&mut sql, meta.pk().column);
    sql.push_str(" = ");
    backend.placeholder_into(&mut sql, 1);
    let pk = match meta.pk().ty {
        ColumnType::Int => i32::try_from(pk).map_or(Value::BigInt(pk), Value::Int),
        _ => Value::BigInt(pk),
    };
    match db.fetch_optional(&sql, vec![pk]).await? {
        Some(row) => M::from_row(&row, 0),
        None => Err(Error::DoesNotExist { model: meta.name }),
    }
}
