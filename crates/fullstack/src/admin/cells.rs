//! A value as the change list prints it: Django's `display_for_field`. The template escapes
//! the text; nothing here is markup.

use crate::db::Value;
use crate::model::FieldMeta;

/// What an empty value shows (Django's `empty_value_display`).
pub(crate) const EMPTY: &str = "-";

/// `value` of `field` as text: the label of a choice, "Yes"/"No" for booleans, dates without
/// seconds' fractions, `-` for NULL.
pub(crate) fn cell(field: &FieldMeta, value: &Value) -> String {
    if let Value::Text(v) = value
        && let Some((_, label)) = field.choices.iter().find(|(c, _)| c == v)
    {
        return (*label).to_owned();
    }
    match value {
        Value::Null(_) => EMPTY.to_owned(),
        Value::Bool(b) => if *b { "Yes" } else { "No" }.to_owned(),
        Value::SmallInt(n) => n.to_string(),
        Value::Int(n) => n.to_string(),
        Value::BigInt(n) => n.to_string(),
        Value::Float(n) => n.to_string(),
        Value::Real(n) => n.to_string(),
        Value::Text(t) if t.is_empty() => EMPTY.to_owned(),
        Value::Text(t) => t.clone(),
        Value::DateTime(d) => d.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::Time(t) => t.format("%H:%M:%S").to_string(),
        Value::NaiveDateTime(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
        Value::Decimal(d) => d.to_string(),
        Value::Uuid(u) => u.to_string(),
        Value::Json(j) => j.to_string(),
        Value::Bytes(b) => format!("{} bytes", b.len()),
    }
}
