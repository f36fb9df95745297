//! The escape hatch: hand-written SQL, with values still bound as parameters.

use super::executor::{Executor, conn};
use crate::db::{Row, Value};
use crate::{Error, Model};

/// Runs hand-written SQL and reads each row as an `M`; the query must select `M`'s columns in
/// field order (`SELECT * FROM polls_question WHERE ...` does when the table was made from the
/// model). Write placeholders for the backend (`?`, or `$1` on PostgreSQL) and pass values:
/// never format user input into `sql`.
///
/// # Errors
/// The driver's error, or a row that does not fit the model.
pub async fn raw<M: Model, E: Executor>(
    mut ex: E,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<M>, Error> {
    let rows = conn(&mut ex).fetch_all(sql, values).await?;
    rows.iter().map(|r| M::from_row(r, 0)).collect()
}

/// Runs hand-written SQL and returns the rows as they are.
///
/// # Errors
/// The driver's error.
pub async fn raw_rows<E: Executor>(
    mut ex: E,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<Row>, Error> {
    conn(&mut ex).fetch_all(sql, values).await
}

/// Runs a hand-written statement; returns the rows affected.
///
/// # Errors
/// The driver's error.
pub async fn raw_execute<E: Executor>(
    mut ex: E,
    sql: &str,
    values: Vec<Value>,
) -> Result<u64, Error> {
    conn(&mut ex).execute(sql, values).await
}
