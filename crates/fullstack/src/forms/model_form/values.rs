//! A form's cleaned values as the model's column values, and back: what a model form saves,
//! and what an edit form shows.

use chrono::NaiveTime;

use crate::db::{ColumnType, Value};
use crate::forms::FormValue;
use crate::model::{DefaultValue, FieldMeta};

/// The column value of `field` for the cleaned `value`; `None` when they do not fit (a form
/// built from the same metadata never gives such a pair).
pub(super) fn to_value(field: &FieldMeta, value: FormValue) -> Option<Value> {
    let ty = field.ty;
    Some(match value {
        FormValue::Empty => empty(field),
        FormValue::Text(text) if matches!(ty, ColumnType::VarChar | ColumnType::Text) => {
            Value::Text(text)
        }
        // A choice of a non-text field, or a foreign key's select: the value's text.
        FormValue::Text(text) => Value::from_text(ty, &text)?,
        FormValue::Integer(n) => match ty {
            ColumnType::SmallInt => Value::SmallInt(i16::try_from(n).ok()?),
            ColumnType::Int => Value::Int(i32::try_from(n).ok()?),
            ColumnType::BigInt => Value::BigInt(n),
            _ => return None,
        },
        FormValue::Float(f) => match ty {
            ColumnType::Float => Value::Float(f),
            // The form checked the range; f32 keeps what fits.
            #[allow(clippy::cast_possible_truncation)]
            ColumnType::Real => Value::Real(f as f32),
            _ => return None,
        },
        FormValue::Decimal(d) => Value::Decimal(d),
        FormValue::Bool(b) => Value::Bool(b),
        FormValue::Date(d) => match ty {
            ColumnType::Date => Value::Date(d),
            ColumnType::DateTime => Value::DateTime(d.and_time(NaiveTime::MIN).and_utc()),
            _ => return None,
        },
        // The form has no time zone; moments are read as UTC, as the ORM stores them.
        FormValue::DateTime(d) => match ty {
            ColumnType::DateTime => Value::DateTime(d.and_utc()),
            ColumnType::NaiveDateTime => Value::NaiveDateTime(d),
            _ => return None,
        },
        FormValue::Time(t) => Value::Time(t),
        FormValue::Uuid(u) => Value::Uuid(u),
        _ => return None,
    })
}

/// What a field left empty stores: NULL when it may, else the model's default, else the empty
/// text (Django stores `""` for a blank `CharField`), else the type's zero.
pub(super) fn empty(field: &FieldMeta) -> Value {
    if field.null {
        return Value::Null(field.ty);
    }
    if let Some(default) = field.default
        && let Some(v) = default_value(field.ty, default)
    {
        return v;
    }
    zero(field.ty)
}

fn default_value(ty: ColumnType, default: DefaultValue) -> Option<Value> {
    match default {
        DefaultValue::Bool(b) => Some(Value::Bool(b)),
        DefaultValue::Int(n) => Value::from_text(ty, &n.to_string()),
        DefaultValue::Float(f) => Value::from_text(ty, &f.to_string()),
        DefaultValue::Text(t) => Value::from_text(ty, t),
        DefaultValue::Now => Some(match ty {
            ColumnType::Date => Value::Date(chrono::Utc::now().date_naive()),
            ColumnType::NaiveDateTime => Value::NaiveDateTime(chrono::Utc::now().naive_utc()),
            _ => Value::DateTime(chrono::Utc::now()),
        }),
        DefaultValue::Null => None,
    }
}

/// The zero of a column type: what a field no form sets holds until the code sets it.
pub(super) fn zero(ty: ColumnType) -> Value {
    match ty {
        ColumnType::Bool => Value::Bool(false),
        ColumnType::SmallInt => Value::SmallInt(0),
        ColumnType::Int => Value::Int(0),
        ColumnType::BigInt => Value::BigInt(0),
        ColumnType::Float => Value::Float(0.0),
        ColumnType::Real => Value::Real(0.0),
        ColumnType::VarChar | ColumnType::Text => Value::Text(String::new()),
        ColumnType::DateTime => Value::DateTime(chrono::DateTime::UNIX_EPOCH),
        ColumnType::Date => Value::Date(chrono::DateTime::UNIX_EPOCH.date_naive()),
        ColumnType::Time => Value::Time(NaiveTime::MIN),
        ColumnType::NaiveDateTime => Value::NaiveDateTime(chrono::DateTime::UNIX_EPOCH.naive_utc()),
        ColumnType::Decimal => Value::Decimal(rust_decimal::Decimal::ZERO),
        ColumnType::Uuid => Value::Uuid(uuid::Uuid::nil()),
        ColumnType::Json => Value::Json(serde_json::Value::Null),
        ColumnType::Binary => Value::Bytes(Vec::new()),
    }
}

/// The text an input shows for a saved `value` (an edit form); `None` for NULL.
pub(super) fn to_text(value: &Value) -> Option<String> {
    Some(match value {
        Value::Null(_) => return None,
        Value::Bool(true) => "on".to_owned(),
        Value::Bool(false) => return None,
        Value::SmallInt(n) => n.to_string(),
        Value::Int(n) => n.to_string(),
        Value::BigInt(n) => n.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Real(f) => f.to_string(),
        Value::Text(t) => t.clone(),
        // The `datetime-local` input's format.
        Value::DateTime(d) => d.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Time(t) => t.format("%H:%M:%S").to_string(),
        Value::NaiveDateTime(d) => d.format("%Y-%m-%dT%H:%M:%S").to_string(),
        Value::Decimal(d) => d.to_string(),
        Value::Uuid(u) => u.to_string(),
        Value::Json(_) | Value::Bytes(_) => return None,
    })
}
