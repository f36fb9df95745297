//! The ORM's errors.

use std::fmt;

/// What can go wrong talking to the database through the ORM.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// `get()` found no row.
    DoesNotExist {
        /// The model.
        model: &'static str,
    },
    /// `get()` found more than one row.
    MultipleObjectsReturned {
        /// The model.
        model: &'static str,
        /// How many rows matched (at least 2).
        count: usize,
    },
    /// A delete refused because of `on_delete = Protect`/`Restrict` rows.
    Protected {
        /// The model being deleted.
        model: &'static str,
        /// The model whose rows point at it.
        referenced_by: &'static str,
    },
    /// The `DATABASE_URL` names no supported backend.
    UnsupportedUrl(String),
    /// A value read from the database did not fit the field's type.
    Decode(String),
    /// A value does not fit its field (a decimal with more digits than the field allows); it
    /// was not sent to the database.
    Invalid(String),
    /// A migration could not be made, read, planned or applied; the message says which and why.
    Migration(String),
    /// A call the ORM cannot carry out as asked (`bulk_update` without fields or with an
    /// unsaved object, ...); the message says what to change.
    Usage(String),
    /// The database driver's error.
    Database(sqlx::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::DoesNotExist { model } => write!(f, "{model} matching the query does not exist"),
            Error::MultipleObjectsReturned { model, count } => {
                write!(
                    f,
                    "get() returned more than one {model}: it returned {count}"
                )
            }
            Error::Protected {
                model,
                referenced_by,
            } => write!(
                f,
                "cannot delete this {model}: {referenced_by} rows point at it with on_delete PROTECT/RESTRICT"
            ),
            Error::UnsupportedUrl(url) => write!(
                f,
                "DATABASE_URL `{url}` names no supported database: use sqlite://, postgres:// or mysql://"
            ),
            Error::Decode(why) => write!(f, "could not read a value from the database: {why}"),
            Error::Invalid(why) => write!(f, "invalid value: {why}"),
            Error::Migration(why) => write!(f, "migrations: {why}"),
            Error::Usage(why) => f.write_str(why),
            Error::Database(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Database(e) => Some(e),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Database(e)
    }
}
