//! The typed layer over the runtime forms: `#[derive(Form)]` emits a [`FormSpec`] from the
//! struct's fields (each type gives its [`Field`] through [`FormField`]) and the conversion of
//! the cleaned values into the struct. Cleaning itself is the runtime's, shared.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use micro::UploadedFile;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{BoundForm, Field, FieldKind, FormData, FormSpec, FormValue};

/// A form whose cleaned value is `Self`; derive it with `#[derive(Form)]` (see the guide).
pub trait Form: Sized + Send + 'static {
    /// The form's fields, built once.
    fn spec() -> Arc<FormSpec>;

    /// Converts the cleaned values of a form whose fields are all valid into `Self`, running
    /// the `clean` hooks; `None` when a hook added an error (now on `form`).
    fn from_form(form: &mut BoundForm) -> Option<Self>;

    /// The form shown empty (with each field's initial value).
    fn unbound() -> BoundForm {
        Self::spec().unbound()
    }

    /// Binds `data` and cleans it: the value and the form when valid, the form with its errors
    /// when not.
    ///
    /// # Errors
    /// The bound form, with its errors, when any field or hook fails.
    fn bind(data: FormData) -> Result<(Self, BoundForm), BoundForm> {
        let mut form = Self::spec().bind(data);
        if !form.is_valid() {
            return Err(form);
        }
        match Self::from_form(&mut form) {
            Some(value) if form.is_valid() => Ok((value, form)),
            _ => Err(form),
        }
    }
}

/// A type that can be a field of a `#[derive(Form)]` struct: its field spec and the conversion
/// of its cleaned value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a form field",
    label = "unsupported form field type",
    note = "form fields can be String, bool, i8..i64, u8..u64, f32, f64, Decimal, NaiveDate, NaiveDateTime, NaiveTime, Uuid, UploadedFile, an enum deriving `Choices`, Vec of such an enum or Vec<String> (multiple choice), or Option of any of these; or implement `fullstack::forms::FormField`"
)]
pub trait FormField: Sized {
    /// The field named `name`, with this type's kind and limits.
    fn field(name: &str) -> Field;

    /// The typed value of a cleaned value.
    ///
    /// # Errors
    /// A message when the cleaned value is not of this type (a spec changed by hand).
    fn from_value(value: FormValue) -> Result<Self, String>;
}

/// An enum whose variants are the choices of a field; derive it with `#[derive(Choices)]`.
pub trait Choices: Sized {
    /// The `(value, label)` pairs, in declaration order.
    fn choices() -> Vec<(String, String)>;

    /// The variant whose value is `value`.
    fn from_choice(value: &str) -> Option<Self>;

    /// This variant's value.
    fn choice_value(&self) -> &'static str;
}

fn mismatch(value: &FormValue) -> String {
    format!("Unexpected value for this field: {value:?}")
}

impl FormField for String {
    fn field(name: &str) -> Field {
        Field::text(name)
    }

    fn from_value(value: FormValue) -> Result<Self, String> {
        match value {
            FormValue::Text(s) => Ok(s),
            FormValue::Empty => Ok(String::new()),
            other => Err(mismatch(&other)),
        }
    }
}

macro_rules! integers {
    ($($t:ty => $bounds:expr),*) => {$(
        impl FormField for $t {
            /// Limited to the type's range, so a number that does not fit is Django's
            /// "Ensure this value is less than or equal to ..." rather than an overflow.
            fn field(name: &str) -> Field {
                let (min, max): (Option<f64>, Option<f64>) = $bounds;
                let mut field = Field::integer(name);
                field.min_value = min;
                field.max_value = max;
                field
            }

            fn from_value(value: FormValue) -> Result<Self, String> {
                match value {
                    FormValue::Integer(n) => <$t>::try_from(n).map_err(|e| e.to_string()),
                    other => Err(mismatch(&other)),
                }
            }
        }
    )*};
}
// i64's own range is checked exactly by the cleaning (an f64 bound would print it rounded);
// u64 is cleaned within i64.
integers!(
    i8 => (Some(f64::from(i8::MIN)), Some(f64::from(i8::MAX))),
    i16 => (Some(f64::from(i16::MIN)), Some(f64::from(i16::MAX))),
    i32 => (Some(f64::from(i32::MIN)), Some(f64::from(i32::MAX))),
    i64 => (None, None),
    u8 => (Some(0.0), Some(f64::from(u8::MAX))),
    u16 => (Some(0.0), Some(f64::from(u16::MAX))),
    u32 => (Some(0.0), Some(f64::from(u32::MAX))),
    u64 => (Some(0.0), None)
);

impl FormField for f64 {
    fn field(name: &str) -> Field {
        Field::new(name, FieldKind::Float)
    }

    fn from_value(value: FormValue) -> Result<Self, String> {
        match value {
            FormValue::Float(n) => Ok(n),
            other => Err(mismatch(&other)),
        }
    }
}

impl FormField for f32 {
    fn field(name: &str) -> Field {
        Field::new(name, FieldKind::Float)
            .min_value(f64::from(f32::MIN))
            .max_value(f64::from(f32::MAX))
    }

    fn from_value(value: FormValue) -> Result<Self, String> {
        match value {
            #[allow(clippy::cast_possible_truncation)]
            FormValue::Float(n) => Ok(n as f32),
            other => Err(mismatch(&other)),
        }
    }
}

macro_rules! simple {
    ($($t:ty => $kind:ident / $variant:ident),*) => {$(
        impl FormField for $t {
            fn field(name: &str) -> Field {
                Field::new(name, FieldKind::$kind)
            }

            fn from_value(value: FormValue) -> Result<Self, String> {
                match value {
                    FormValue::$variant(v) => Ok(v),
                    other => Err(mismatch(&other)),
                }
            }
        }
    )*};
}
simple!(
    Decimal => Decimal / Decimal,
    NaiveDate => Date / Date,
    NaiveDateTime => DateTime / DateTime,
    NaiveTime => Time / Time,
    Uuid => Uuid / Uuid,
    UploadedFile => File / File
);

/// A checkbox: not required, as a `bool` has an answer when unchecked (`false`). Make it
/// required (`#[form(required)]`) for an "I agree" box.
impl FormField for bool {
    fn field(name: &str) -> Field {
        Field::new(name, FieldKind::Boolean).required(false)
    }

    fn from_value(value: FormValue) -> Result<Self, String> {
        match value {
            FormValue::Bool(b) => Ok(b),
            FormValue::Empty => Ok(false),
            other => Err(mismatch(&other)),
        }
    }
}

/// Not required; left empty it is `None`.
impl<T: FormField> FormField for Option<T> {
    fn field(name: &str) -> Field {
        T::field(name).required(false)
    }

    fn from_value(value: FormValue) -> Result<Self, String> {
        match value {
            FormValue::Empty => Ok(None),
            FormValue::List(l) if l.is_empty() => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// A multiple choice of the enum's variants.
impl<T: Choices> FormField for Vec<T> {
    fn field(name: &str) -> Field {
        Field::new(name, FieldKind::MultipleChoice).choices(T::choices())
    }

    fn from_value(value: FormValue) -> Result<Self, String> {
        match value {
            FormValue::List(values) => values
                .iter()
                .map(|v| T::from_choice(v).ok_or_else(|| format!("Unknown choice {v:?}")))
                .collect(),
            FormValue::Empty => Ok(Vec::new()),
            other => Err(mismatch(&other)),
        }
    }
}

/// Converts a choice field's cleaned value into a [`Choices`] enum (used by its derive).
///
/// # Errors
/// When the value is not one of the enum's (a spec whose choices were changed by hand).
pub fn choice_from_value<T: Choices>(value: FormValue) -> Result<T, String> {
    match value {
        FormValue::Text(v) => T::from_choice(&v).ok_or_else(|| format!("Unknown choice {v:?}")),
        other => Err(mismatch(&other)),
    }
}

/// A multiple choice whose choices the field's `choices` attribute gives.
impl FormField for Vec<String> {
    fn field(name: &str) -> Field {
        Field::new(name, FieldKind::MultipleChoice)
    }

    fn from_value(value: FormValue) -> Result<Self, String> {
        match value {
            FormValue::List(values) => Ok(values),
            FormValue::Empty => Ok(Vec::new()),
            other => Err(mismatch(&other)),
        }
    }
}

/// The numbers `#[derive(Form)]` takes in `min`, `max` and `max_size`: any integer or float
/// expression (a literal, a constant), converted without a cast written in the user's code.
#[doc(hidden)]
pub trait AsBound: Copy {
    /// As a bound of a number field.
    fn as_bound(self) -> f64;
    /// As a size in bytes (negative is 0).
    fn as_size(self) -> u64;
}

macro_rules! as_bound {
    ($($t:ty),*) => {$(
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        impl AsBound for $t {
            fn as_bound(self) -> f64 {
                self as f64
            }

            fn as_size(self) -> u64 {
                if self <= (0 as $t) { 0 } else { self as u64 }
            }
        }
    )*};
}
as_bound!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);
