//! The ORM's errors, and the HTTP errors they become in a web app ([`http`]).

mod http;

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
    /// was not sent to the database. Caused by the input: a web app answers 422 naming the field.
    Invalid {
        /// The model (`Product`).
        model: &'static str,
        /// The field (`price`).
        field: &'static str,
        /// Why the value does not fit, as a sentence that starts with the value.
        reason: String,
    },
    /// A migration could not be made, read, planned or applied; the message says which and why.
    Migration(String),
    /// A call the ORM cannot carry out as asked (`bulk_update` without fields or with an
    /// unsaved object, ...); the message says what to change.
    Usage(String),
    /// The database driver's error.
    Database(sqlx::Error),
    /// A server the call needs besides the database did not answer, or refused (the Redis of
    /// the login throttle); the message says which and why. A web app answers 503.
    Unavailable(String),
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
            Error::Invalid {
                model,
                field,
                reason,
            } => write!(f, "invalid value: {model}.{field}: {reason}"),
            Error::Migration(why) => write!(f, "migrations: {why}"),
            Error::Usage(why) => f.write_str(why),
            Error::Unavailable(why) => f.write_str(why),
            Error::Database(e) => write!(f, "database error: {e}"),
        }
    }
}

impl Error {
    /// Whether the database could not be reached or was too busy to answer, so that the same
    /// request may succeed later: no free connection within the pool's acquire timeout (which
    /// is also what a server refusing connections ends in), a connection that broke, a server
    /// shutting down or refusing connections (SQLSTATE class 08, PostgreSQL's 57P01 to 57P03),
    /// a SQLite database still locked after its busy timeout; or another server the call needs
    /// ([`Error::Unavailable`]). A web app answers 503.
    ///
    /// ```
    /// let down = fullstack::Error::Database(sqlx::Error::PoolTimedOut);
    /// assert!(down.is_unavailable());
    /// ```
    pub fn is_unavailable(&self) -> bool {
        let e = match self {
            Error::Database(e) => e,
            Error::Unavailable(_) => return true,
            _ => return false,
        };
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
            sqlx::Error::Database(db) => db.code().is_some_and(|code| {
                code.starts_with("08")
                    || matches!(&*code, "57P01" | "57P02" | "57P03")
                    || sqlite_busy(db.as_ref(), &code)
            }),
            _ => false,
        }
    }

    /// Whether the statement named a table the database does not have: a database that was
    /// not migrated (SQLite's "no such table", PostgreSQL's 42P01, MySQL's 42S02).
    pub fn is_missing_table(&self) -> bool {
        let Error::Database(sqlx::Error::Database(db)) = self else {
            return false;
        };
        db.message().starts_with("no such table")
            || db
                .code()
                .is_some_and(|code| matches!(&*code, "42P01" | "42S02"))
    }

    /// Whether the database refused a row because another has the same values in a unique
    /// column or index: a write that raced another (the form's own uniqueness check ran before
    /// the other row was saved). A web app answers 409, asking to reload and try again.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Error::Database(sqlx::Error::Database(db)) if db.is_unique_violation())
    }
}

/// SQLite's `SQLITE_BUSY` (5) and its extended codes (5 plus a multiple of 256).
fn sqlite_busy(db: &(dyn sqlx::error::DatabaseError + 'static), code: &str) -> bool {
    db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
        && code.parse::<u32>().is_ok_and(|c| c & 0xff == 5)
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
