//! Rows read back from any backend, and the Rust types a column can be read as.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use sqlx::Row as _;
use uuid::Uuid;

use super::value::{ColumnType, Value};
use crate::Error;

/// A row from SQLite, PostgreSQL or MySQL.
#[derive(Debug)]
pub enum Row {
    /// From SQLite.
    Sqlite(sqlx::sqlite::SqliteRow),
    /// From PostgreSQL.
    Postgres(sqlx::postgres::PgRow),
    /// From MySQL or MariaDB.
    MySql(sqlx::mysql::MySqlRow),
}

impl Row {
    /// Reads column `index` as `T`.
    ///
    /// # Errors
    /// When the column is missing or does not hold a `T`.
    pub fn get<T: DbType>(&self, index: usize) -> Result<T, Error> {
        T::decode(self, index)
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        match self {
            Row::Sqlite(r) => r.len(),
            Row::Postgres(r) => r.len(),
            Row::MySql(r) => r.len(),
        }
    }

    /// Whether the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A Rust type a model field can have: how it is bound and read back on every backend.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a model field",
    label = "not a column type",
    note = "a field is a bool, i16, i32, i64, f32, f64, Decimal, String, Vec<u8>, DateTime<Utc>, \
            NaiveDateTime, NaiveDate, NaiveTime, Uuid, serde_json::Value, ForeignKey<T>, \
            OneToOne<T>, an Option of one of these, or a type that implements \
            `fullstack::DbType`"
)]
pub trait DbType: Sized + Send + Sync + 'static {
    /// The column type (the inner type's for `Option<T>`).
    const COLUMN: ColumnType;
    /// Whether the column accepts NULL (`Option<T>`).
    const NULLABLE: bool = false;

    /// Reads the value at `index`.
    ///
    /// # Errors
    /// When the column does not hold this type.
    fn decode(row: &Row, index: usize) -> Result<Self, Error>;

    /// The value to bind.
    fn to_value(&self) -> Value;

    /// Back from a [`Value`] (what [`to_value`](Self::to_value) gives, or a narrower integer
    /// or float), for code that builds instances from values: forms, the admin.
    ///
    /// # Errors
    /// [`Error::Decode`] when the value is not one of this type; the default refuses every
    /// value (a type of one's own that forms should fill implements it).
    fn from_value(value: Value) -> Result<Self, Error> {
        Err(wrong_value::<Self>(&value))
    }
}

/// The error of a value that is not one of `T`.
pub(crate) fn wrong_value<T>(value: &Value) -> Error {
    Error::Decode(format!(
        "{value:?} is not a value of {}",
        std::any::type_name::<T>()
    ))
}

/// Whether column `index` is NULL.
pub(crate) fn is_null(row: &Row, index: usize) -> Result<bool, Error> {
    Ok(match row {
        Row::Sqlite(r) => sqlx::ValueRef::is_null(&r.try_get_raw(index)?),
        Row::Postgres(r) => sqlx::ValueRef::is_null(&r.try_get_raw(index)?),
        Row::MySql(r) => sqlx::ValueRef::is_null(&r.try_get_raw(index)?),
    })
}

/// Reads a non-NULL value. SQLite's driver would read NULL as `0` or `""`: a NULL where the field
/// cannot hold one is an error instead.
macro_rules! decode_any {
    ($row:expr, $index:expr, $ty:ty) => {{
        not_null($row, $index)?;
        decode_raw!($row, $index, $ty)
    }};
}

fn not_null(row: &Row, index: usize) -> Result<(), Error> {
    if is_null(row, index)? {
        return Err(Error::Decode(format!(
            "column {index} is NULL but the field is not an Option"
        )));
    }
    Ok(())
}

macro_rules! decode_raw {
    ($row:expr, $index:expr, $ty:ty) => {
        match $row {
            Row::Sqlite(r) => r.try_get::<$ty, _>($index),
            Row::Postgres(r) => r.try_get::<$ty, _>($index),
            Row::MySql(r) => r.try_get::<$ty, _>($index),
        }
        .map_err(Error::from)
    };
}

macro_rules! db_types {
    ($($ty:ty => $column:ident, $to:expr, $from:expr);* $(;)?) => {
        $(
            impl DbType for $ty {
                const COLUMN: ColumnType = ColumnType::$column;

                fn decode(row: &Row, index: usize) -> Result<Self, Error> {
                    decode_any!(row, index, $ty)
                }

                fn to_value(&self) -> Value {
                    #[allow(clippy::redundant_closure_call)]
                    ($to)(self)
                }

                fn from_value(value: Value) -> Result<Self, Error> {
                    #[allow(clippy::redundant_closure_call)]
                    let found: Option<$ty> = ($from)(&value);
                    found.ok_or_else(|| wrong_value::<$ty>(&value))
                }
            }
        )*
    };
}

db_types! {
    bool => Bool, |v: &bool| Value::Bool(*v),
        |v: &Value| match v { Value::Bool(b) => Some(*b), _ => None };
    i16 => SmallInt, |v: &i16| Value::SmallInt(*v),
        |v: &Value| match v { Value::SmallInt(n) => Some(*n), Value::Int(n) => i16::try_from(*n).ok(), Value::BigInt(n) => i16::try_from(*n).ok(), _ => None };
    f32 => Real, |v: &f32| Value::Real(*v),
        |v: &Value| match v { Value::Real(f) => Some(*f), _ => None };
    Vec<u8> => Binary, |v: &Vec<u8>| Value::Bytes(v.clone()),
        |v: &Value| match v { Value::Bytes(b) => Some(b.clone()), _ => None };
    i32 => Int, |v: &i32| Value::Int(*v),
        |v: &Value| match v { Value::SmallInt(n) => Some(i32::from(*n)), Value::Int(n) => Some(*n), Value::BigInt(n) => i32::try_from(*n).ok(), _ => None };
    i64 => BigInt, |v: &i64| Value::BigInt(*v),
        |v: &Value| match v { Value::SmallInt(n) => Some(i64::from(*n)), Value::Int(n) => Some(i64::from(*n)), Value::BigInt(n) => Some(*n), _ => None };
    f64 => Float, |v: &f64| Value::Float(*v),
        |v: &Value| match v { Value::Float(f) => Some(*f), Value::Real(f) => Some(f64::from(*f)), _ => None };
    String => Text, |v: &String| Value::Text(v.clone()),
        |v: &Value| match v { Value::Text(t) => Some(t.clone()), _ => None };
    DateTime<Utc> => DateTime, |v: &DateTime<Utc>| Value::DateTime(*v),
        |v: &Value| match v { Value::DateTime(d) => Some(*d), Value::NaiveDateTime(d) => Some(d.and_utc()), _ => None };
    NaiveDate => Date, |v: &NaiveDate| Value::Date(*v),
        |v: &Value| match v { Value::Date(d) => Some(*d), _ => None };
    NaiveTime => Time, |v: &NaiveTime| Value::Time(*v),
        |v: &Value| match v { Value::Time(t) => Some(*t), _ => None };
    NaiveDateTime => NaiveDateTime, |v: &NaiveDateTime| Value::NaiveDateTime(*v),
        |v: &Value| match v { Value::NaiveDateTime(d) => Some(*d), _ => None };
}

/// Decimals are native on PostgreSQL and MySQL. SQLite holds them as an INTEGER or a REAL (see
/// `decimal.rs`), or as TEXT when written by hand.
impl DbType for Decimal {
    const COLUMN: ColumnType = ColumnType::Decimal;

    fn decode(row: &Row, index: usize) -> Result<Self, Error> {
        not_null(row, index)?;
        let r = match row {
            Row::Postgres(r) => return Ok(r.try_get(index)?),
            Row::MySql(r) => return Ok(r.try_get(index)?),
            Row::Sqlite(r) => r,
        };
        let bad = |e: String| Error::Decode(format!("column {index}: {e}"));
        // Each read succeeds only for its storage class.
        if let Ok(i) = r.try_get::<i64, _>(index) {
            Ok(Decimal::from(i))
        } else if let Ok(f) = r.try_get::<f64, _>(index) {
            super::decimal::from_sqlite_real(f).map_err(bad)
        } else {
            let text: String = decode_any!(row, index, String)?;
            text.trim()
                .parse()
                .map_err(|e| bad(format!("{text:?}: {e}")))
        }
    }

    fn to_value(&self) -> Value {
        Value::Decimal(*self)
    }

    fn from_value(value: Value) -> Result<Self, Error> {
        match value {
            Value::Decimal(d) => Ok(d),
            Value::Int(n) => Ok(Decimal::from(n)),
            Value::BigInt(n) => Ok(Decimal::from(n)),
            other => Err(wrong_value::<Decimal>(&other)),
        }
    }
}

/// UUIDs are stored as text on SQLite and MySQL (portable, readable) and natively on PostgreSQL.
impl DbType for Uuid {
    const COLUMN: ColumnType = ColumnType::Uuid;

    fn decode(row: &Row, index: usize) -> Result<Self, Error> {
        match row {
            Row::Postgres(r) => r.try_get::<Uuid, _>(index).map_err(Error::from),
            _ => {
                let text: String = decode_any!(row, index, String)?;
                Uuid::parse_str(&text).map_err(|e| Error::Decode(format!("column {index}: {e}")))
            }
        }
    }

    fn to_value(&self) -> Value {
        Value::Uuid(*self)
    }

    fn from_value(value: Value) -> Result<Self, Error> {
        match value {
            Value::Uuid(u) => Ok(u),
            other => Err(wrong_value::<Uuid>(&other)),
        }
    }
}

impl DbType for serde_json::Value {
    const COLUMN: ColumnType = ColumnType::Json;

    fn decode(row: &Row, index: usize) -> Result<Self, Error> {
        match row {
            Row::Sqlite(_) => {
                let text: String = decode_any!(row, index, String)?;
                serde_json::from_str(&text)
                    .map_err(|e| Error::Decode(format!("column {index}: {e}")))
            }
            _ => decode_any!(row, index, sqlx::types::Json<serde_json::Value>).map(|j| j.0),
        }
    }

    fn to_value(&self) -> Value {
        Value::Json(self.clone())
    }

    fn from_value(value: Value) -> Result<Self, Error> {
        match value {
            Value::Json(j) => Ok(j),
            other => Err(wrong_value::<serde_json::Value>(&other)),
        }
    }
}

impl<T: DbType> DbType for Option<T> {
    const COLUMN: ColumnType = T::COLUMN;
    const NULLABLE: bool = true;

    fn decode(row: &Row, index: usize) -> Result<Self, Error> {
        if is_null(row, index)? {
            Ok(None)
        } else {
            T::decode(row, index).map(Some)
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null(T::COLUMN),
        }
    }

    fn from_value(value: Value) -> Result<Self, Error> {
        match value {
            Value::Null(_) => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}
