//! Values bound to SQL statements. Every value the ORM sends is a bound parameter, never text
//! spliced into SQL.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

/// The column types the ORM knows, and so the SQL type of a NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// `bool`
    Bool,
    /// `i16`: `SMALLINT`.
    SmallInt,
    /// `i32`
    Int,
    /// `i64`
    BigInt,
    /// `f64`
    Float,
    /// `f32`: single precision (`REAL`; `FLOAT` on MySQL).
    Real,
    /// `String` with a `max_length`: `VARCHAR(n)`.
    VarChar,
    /// `String` without a length: `TEXT`.
    Text,
    /// `DateTime<Utc>`: a moment, with time zone.
    DateTime,
    /// `NaiveDate`: a calendar date.
    Date,
    /// `NaiveTime`: a time of day, without date or time zone.
    Time,
    /// `NaiveDateTime`: a date and time without time zone (Django's `DateTimeField` with
    /// `USE_TZ = False`).
    NaiveDateTime,
    /// `Decimal`: an exact decimal number with `max_digits` digits, `decimal_places` of them
    /// after the point (`NUMERIC(p, s)`).
    Decimal,
    /// `Uuid`
    Uuid,
    /// `serde_json::Value`
    Json,
    /// `Vec<u8>`: raw bytes (`BYTEA`, `BLOB`), Django's `BinaryField`.
    Binary,
}

/// A value to bind, or read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL, typed so PostgreSQL accepts it for the column.
    Null(ColumnType),
    /// A boolean.
    Bool(bool),
    /// A 16-bit integer.
    SmallInt(i16),
    /// A 32-bit integer.
    Int(i32),
    /// A 64-bit integer.
    BigInt(i64),
    /// A float.
    Float(f64),
    /// A single-precision float.
    Real(f32),
    /// Text.
    Text(String),
    /// A moment in UTC.
    DateTime(DateTime<Utc>),
    /// A calendar date.
    Date(NaiveDate),
    /// A time of day.
    Time(NaiveTime),
    /// A date and time without time zone.
    NaiveDateTime(NaiveDateTime),
    /// An exact decimal number.
    Decimal(Decimal),
    /// A UUID.
    Uuid(Uuid),
    /// JSON.
    Json(serde_json::Value),
    /// Bytes.
    Bytes(Vec<u8>),
}

impl Value {
    /// `text` as a value of a column of type `ty`, as a query string or a form carries it:
    /// `1`/`0`, `true`/`false` for booleans, numbers, ISO 8601 dates and moments, UUIDs, text.
    /// `None` when it is not one (JSON and bytes are never read from text).
    pub fn from_text(ty: ColumnType, text: &str) -> Option<Value> {
        let text = text.trim();
        Some(match ty {
            ColumnType::Bool => Value::Bool(match text.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => return None,
            }),
            ColumnType::SmallInt => Value::SmallInt(text.parse().ok()?),
            ColumnType::Int => Value::Int(text.parse().ok()?),
            ColumnType::BigInt => Value::BigInt(text.parse().ok()?),
            ColumnType::Float => Value::Float(text.parse().ok().filter(|f: &f64| f.is_finite())?),
            ColumnType::Real => Value::Real(text.parse().ok().filter(|f: &f32| f.is_finite())?),
            ColumnType::VarChar | ColumnType::Text => Value::Text(text.to_owned()),
            ColumnType::DateTime => Value::DateTime(
                DateTime::parse_from_rfc3339(text)
                    .map(|d| d.with_timezone(&Utc))
                    .ok()
                    .or_else(|| {
                        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
                            .ok()
                            .map(|d| d.and_utc())
                    })
                    .or_else(|| {
                        NaiveDate::parse_from_str(text, "%Y-%m-%d")
                            .ok()
                            .map(|d| d.and_time(NaiveTime::MIN).and_utc())
                    })?,
            ),
            ColumnType::Date => Value::Date(NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?),
            ColumnType::Time => Value::Time(
                NaiveTime::parse_from_str(text, "%H:%M:%S")
                    .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
                    .ok()?,
            ),
            ColumnType::NaiveDateTime => Value::NaiveDateTime(
                NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
                    .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
                    .ok()?,
            ),
            ColumnType::Decimal => Value::Decimal(text.parse().ok()?),
            ColumnType::Uuid => Value::Uuid(text.parse().ok()?),
            // Not something a query string filters on.
            _ => return None,
        })
    }

    /// The value's column type.
    pub fn column_type(&self) -> ColumnType {
        match self {
            Value::Null(t) => *t,
            Value::Bool(_) => ColumnType::Bool,
            Value::SmallInt(_) => ColumnType::SmallInt,
            Value::Real(_) => ColumnType::Real,
            Value::Bytes(_) => ColumnType::Binary,
            Value::Int(_) => ColumnType::Int,
            Value::BigInt(_) => ColumnType::BigInt,
            Value::Float(_) => ColumnType::Float,
            Value::Text(_) => ColumnType::Text,
            Value::DateTime(_) => ColumnType::DateTime,
            Value::Date(_) => ColumnType::Date,
            Value::Time(_) => ColumnType::Time,
            Value::NaiveDateTime(_) => ColumnType::NaiveDateTime,
            Value::Decimal(_) => ColumnType::Decimal,
            Value::Uuid(_) => ColumnType::Uuid,
            Value::Json(_) => ColumnType::Json,
        }
    }

    /// Whether this is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null(_))
    }
}

macro_rules! from_impls {
    ($($ty:ty => $variant:ident),*) => {
        $(
            impl From<$ty> for Value {
                fn from(v: $ty) -> Self {
                    Value::$variant(v.into())
                }
            }
        )*
    };
}

from_impls!(
    bool => Bool, i16 => SmallInt, i32 => Int, f32 => Real, Vec<u8> => Bytes, &[u8] => Bytes, i64 => BigInt, f64 => Float, String => Text, &str => Text,
    DateTime<Utc> => DateTime, NaiveDate => Date, NaiveTime => Time,
    NaiveDateTime => NaiveDateTime, Decimal => Decimal, Uuid => Uuid, serde_json::Value => Json
);
