//! The errors of a bound form: per field, and for the whole form.

use std::collections::BTreeMap;

/// The errors of a bound form: messages per field name, and the form's own ("non-field")
/// errors, which Django keys `__all__`.
///
/// ```
/// use fullstack::forms::FormErrors;
///
/// let mut errors = FormErrors::new();
/// errors.add("end", "The end must come after the start.");
/// errors.add_non_field("Nothing changed.");
/// assert_eq!(errors.field("end"), ["The end must come after the start."]);
/// assert!(!errors.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors {
    fields: BTreeMap<String, Vec<String>>,
    non_field: Vec<String>,
}

/// Django's key for the errors of the whole form.
pub const NON_FIELD_ERRORS: &str = "__all__";

impl FormErrors {
    /// No errors.
    pub fn new() -> FormErrors {
        FormErrors::default()
    }

    /// Adds an error to the field `name` ([`NON_FIELD_ERRORS`] adds it to the form's).
    pub fn add(&mut self, name: &str, message: impl Into<String>) {
        if name == NON_FIELD_ERRORS {
            self.non_field.push(message.into());
        } else {
            self.fields
                .entry(name.to_owned())
                .or_default()
                .push(message.into());
        }
    }

    /// Adds an error of the whole form.
    pub fn add_non_field(&mut self, message: impl Into<String>) {
        self.non_field.push(message.into());
    }

    /// The errors of the field `name` (empty when it has none).
    pub fn field(&self, name: &str) -> &[String] {
        self.fields.get(name).map_or(&[], Vec::as_slice)
    }

    /// The errors of the whole form.
    pub fn non_field(&self) -> &[String] {
        &self.non_field
    }

    /// Each field with errors and its messages, by name.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.fields.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Whether there is no error at all.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.non_field.is_empty()
    }

    /// Adds every error of `other`.
    pub fn extend(&mut self, other: FormErrors) {
        for (name, messages) in other.fields {
            self.fields.entry(name).or_default().extend(messages);
        }
        self.non_field.extend(other.non_field);
    }
}
