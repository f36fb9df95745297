//! The options one form is built with (Django's form keyword arguments): a prefix for its
//! input names, initial values, whether it may be left empty, and whether its inputs carry
//! `required`.

use std::collections::BTreeMap;

/// How one form is bound or shown, beside its [`FormSpec`](super::FormSpec): what Django passes
/// to a form's constructor. [`FormSpec::bind`](super::FormSpec::bind) and
/// [`unbound`](super::FormSpec::unbound) use the defaults.
///
/// ```
/// use std::sync::Arc;
/// use fullstack::forms::{Field, FormData, FormOptions, FormSpec};
///
/// let spec = Arc::new(FormSpec::new().field(Field::text("title")));
/// let options = FormOptions::new().prefix("book").initial("title", ["Dune"]);
/// let form = spec.bind_with(FormData::from_urlencoded(b"book-title=Emma"), &options);
/// assert_eq!(form.cleaned_data().text("title"), Some("Emma"));
/// assert!(form.has_changed());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FormOptions {
    /// Put before each input's name and id with a hyphen (`book-title`, `id_book-title`), so
    /// several forms share a page; cleaned values and errors keep the bare names.
    pub prefix: Option<String>,
    /// Values shown in place of the fields' own `initial`, by field name, and what
    /// [`has_changed`](super::BoundForm::has_changed) compares the submitted values to.
    pub initial: BTreeMap<String, Vec<String>>,
    /// Whether the form is valid, with no errors, when nothing in it changed from its initial
    /// values (an extra form of a formset left blank).
    pub empty_permitted: bool,
    /// Whether the inputs of required fields carry the HTML `required` attribute (`true`).
    pub use_required_attribute: bool,
}

impl Default for FormOptions {
    fn default() -> Self {
        FormOptions {
            prefix: None,
            initial: BTreeMap::new(),
            empty_permitted: false,
            use_required_attribute: true,
        }
    }
}

impl FormOptions {
    /// The defaults: no prefix, no initial values, not empty-permitted, `required` shown.
    pub fn new() -> FormOptions {
        FormOptions::default()
    }

    /// Sets the prefix.
    pub fn prefix(mut self, prefix: impl Into<String>) -> FormOptions {
        self.prefix = Some(prefix.into());
        self
    }

    /// Sets the initial values of the field `name` (several for a multiple choice).
    pub fn initial(
        mut self,
        name: impl Into<String>,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> FormOptions {
        self.initial
            .insert(name.into(), values.into_iter().map(Into::into).collect());
        self
    }

    /// Sets whether an unchanged form is valid without checks.
    pub fn empty_permitted(mut self, permitted: bool) -> FormOptions {
        self.empty_permitted = permitted;
        self
    }

    /// Sets whether required inputs carry `required`.
    pub fn use_required_attribute(mut self, used: bool) -> FormOptions {
        self.use_required_attribute = used;
        self
    }

    /// The name an input of the field `name` has: `<prefix>-<name>`, or the bare name.
    pub fn html_name(&self, name: &str) -> String {
        html_name(self.prefix.as_deref(), name)
    }
}

/// `<prefix>-<name>`, or `name` without a prefix (Django's `add_prefix`).
pub(crate) fn html_name(prefix: Option<&str>, name: &str) -> String {
    match prefix {
        Some(prefix) => format!("{prefix}-{name}"),
        None => name.to_owned(),
    }
}
