//! Cleaned values: what each field kind turns its input into.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use micro::UploadedFile;
use rust_decimal::Decimal;
use uuid::Uuid;

/// The cleaned value of one field.
#[derive(Debug)]
#[non_exhaustive]
pub enum FormValue {
    /// A field left empty that is not required (an unchecked box is `Bool(false)` instead).
    Empty,
    /// Text, email, URL, slug, and a choice's value.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// An exact decimal.
    Decimal(Decimal),
    /// A finite float.
    Float(f64),
    /// A checkbox.
    Bool(bool),
    /// A date.
    Date(NaiveDate),
    /// A date and time (naive: the form does not know a time zone).
    DateTime(NaiveDateTime),
    /// A time.
    Time(NaiveTime),
    /// A UUID.
    Uuid(Uuid),
    /// The values of a multiple choice, in the order sent.
    List(Vec<String>),
    /// An upload.
    File(UploadedFile),
}

/// The cleaned values of a valid form, by field name, in the form's order.
#[derive(Debug, Default)]
pub struct CleanedData {
    values: Vec<(String, FormValue)>,
}

impl CleanedData {
    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&FormValue> {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The text of `name`, if it is text.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(FormValue::Text(s)) => Some(s),
            _ => None,
        }
    }

    /// Takes the value of `name` out (`Empty` when there is none), for a typed conversion.
    pub fn take(&mut self, name: &str) -> FormValue {
        match self.values.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => std::mem::replace(v, FormValue::Empty),
            None => FormValue::Empty,
        }
    }

    /// Sets the value of `name`, for a `clean` hook that changes it.
    pub fn set(&mut self, name: &str, value: FormValue) {
        match self.values.iter_mut().find(|(k, _)| k == name) {
            Some((_, v)) => *v = value,
            None => self.values.push((name.to_owned(), value)),
        }
    }

    /// The names and values, in the form's order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FormValue)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }
}
