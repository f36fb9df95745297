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
        // With its places, as Django's `number_format(value, decimal_places)`: a price is
        // `21.90`, whatever the database read back (SQLite keeps `21.9`).
        Value::Decimal(d) => match field.decimal_places {
            Some(places) => format!("{:.*}", places as usize, d.round_dp(places)),
            None => d.to_string(),
        },
        Value::Uuid(u) => u.to_string(),
        Value::Json(j) => j.to_string(),
        Value::Bytes(b) => format!("{} bytes", b.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::ColumnType;
    use crate::model::FieldMeta;

    #[test]
    fn a_decimal_shows_its_places() {
        let price = FieldMeta::new("price", "price", ColumnType::Decimal)
            .max_digits(8)
            .decimal_places(2);
        let read_back = |text: &str| Value::Decimal(text.parse().unwrap());
        assert_eq!(cell(&price, &read_back("21.9")), "21.90");
        assert_eq!(cell(&price, &read_back("7")), "7.00");
        let plain = FieldMeta::new("ratio", "ratio", ColumnType::Decimal);
        assert_eq!(cell(&plain, &read_back("21.9")), "21.9");
    }
}
