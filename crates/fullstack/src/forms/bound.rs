//! A form spec, and a form bound to data: its values kept for showing again, its cleaned values
//! and its errors.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::clean::clean;
use super::options::html_name;
use super::{CleanedData, Field, FieldKind, FormData, FormErrors, FormOptions, FormValue};

/// A whole-form check of a runtime form: it reads the cleaned values and adds errors.
type Validator = dyn Fn(&CleanedData, &mut FormErrors) + Send + Sync;

/// A form's fields and whole-form checks, built at run time (the admin builds one per model)
/// or by `#[derive(Form)]`; binding it to data cleans every field.
///
/// ```
/// use std::sync::Arc;
/// use fullstack::forms::{Field, FormData, FormSpec};
///
/// let spec = Arc::new(
///     FormSpec::new()
///         .field(Field::text("title").max_length(10))
///         .field(Field::integer("votes").min_value(0.0)),
/// );
/// let form = spec.bind(FormData::from_urlencoded(b"title=A+very+long+title&votes=-1"));
/// assert!(!form.is_valid());
/// assert_eq!(
///     form.errors().field("title"),
///     ["Ensure this value has at most 10 characters (it has 17)."]
/// );
/// assert_eq!(
///     form.errors().field("votes"),
///     ["Ensure this value is greater than or equal to 0."]
/// );
/// ```
#[derive(Default)]
pub struct FormSpec {
    fields: Vec<Field>,
    validators: Vec<Arc<Validator>>,
}

impl std::fmt::Debug for FormSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormSpec")
            .field("fields", &self.fields)
            .field("validators", &self.validators.len())
            .finish()
    }
}

impl FormSpec {
    /// A form with no fields.
    pub fn new() -> FormSpec {
        FormSpec::default()
    }

    /// Adds a field; they are shown in the order added.
    pub fn field(mut self, field: Field) -> FormSpec {
        self.fields.push(field);
        self
    }

    /// Adds a whole-form check (Django's `clean()`), run when every field is valid.
    pub fn validator(
        mut self,
        check: impl Fn(&CleanedData, &mut FormErrors) + Send + Sync + 'static,
    ) -> FormSpec {
        self.validators.push(Arc::new(check));
        self
    }

    /// The fields, in order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// A copy with `extra` fields after its own and the same whole-form checks (a formset
    /// adds its `DELETE` and `ORDER` fields so).
    pub(crate) fn with_fields(&self, extra: impl IntoIterator<Item = Field>) -> FormSpec {
        FormSpec {
            fields: self.fields.iter().cloned().chain(extra).collect(),
            validators: self.validators.clone(),
        }
    }

    /// The field named `name`.
    pub fn get(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The form not bound to data, showing each field's `initial`.
    pub fn unbound(self: &Arc<Self>) -> BoundForm {
        self.unbound_with(&FormOptions::default())
    }

    /// The form not bound to data, with `options`: showing its initial values (those of the
    /// options over the fields' own) under its prefix.
    pub fn unbound_with(self: &Arc<Self>, options: &FormOptions) -> BoundForm {
        let values = self.initial_values(options);
        BoundForm {
            shown: Arc::new(Shown {
                spec: self.clone(),
                bound: false,
                values,
                errors: FormErrors::new(),
                prefix: options.prefix.clone(),
                use_required_attribute: options.use_required_attribute,
                value_labels: BTreeMap::new(),
                read_only: false,
            }),
            cleaned: CleanedData::default(),
            changed: false,
        }
    }

    /// Binds the form to `data` and cleans it: every field, then (when they are all valid) the
    /// whole-form checks.
    pub fn bind(self: &Arc<Self>, data: FormData) -> BoundForm {
        self.bind_with(data, &FormOptions::default())
    }

    /// Binds the form to `data` with `options`: with a prefix, the field `title` reads
    /// `<prefix>-title`. A form that is `empty_permitted` and unchanged from its initial values
    /// is valid, with no errors and no cleaned values, as in Django.
    pub fn bind_with(self: &Arc<Self>, mut data: FormData, options: &FormOptions) -> BoundForm {
        if let Some(prefix) = &options.prefix {
            data = data.take_prefixed(prefix);
        }
        let initial = self.initial_values(options);
        let values: Vec<Vec<String>> = self
            .fields
            .iter()
            .map(|f| {
                if f.is_file() {
                    Vec::new()
                } else {
                    data.get_all(&f.name).map(str::to_owned).collect()
                }
            })
            .collect();
        let changed = self
            .fields
            .iter()
            .enumerate()
            .any(|(i, f)| field_changed(f, &values[i], &initial[i], &data));
        let mut errors = FormErrors::new();
        let mut cleaned = CleanedData::default();
        if changed || !options.empty_permitted {
            for field in &self.fields {
                match clean(field, &mut data) {
                    Ok(value) => cleaned.set(&field.name, value),
                    Err(message) => errors.add(&field.name, message),
                }
            }
            if errors.is_empty() {
                for check in &self.validators {
                    check(&cleaned, &mut errors);
                }
            }
        }
        BoundForm {
            shown: Arc::new(Shown {
                spec: self.clone(),
                bound: true,
                values,
                errors,
                prefix: options.prefix.clone(),
                use_required_attribute: options.use_required_attribute,
                value_labels: BTreeMap::new(),
                read_only: false,
            }),
            cleaned,
            changed,
        }
    }

    /// Per field: the options' initial values, else the field's own.
    fn initial_values(&self, options: &FormOptions) -> Vec<Vec<String>> {
        self.fields
            .iter()
            .map(|f| match options.initial.get(&f.name) {
                Some(values) => values.clone(),
                None => f.initial.iter().cloned().collect(),
            })
            .collect()
    }
}

/// Whether the submitted `values` of `field` differ from its `initial` ones, as Django's
/// `Field.has_changed`: a checkbox by checked or not, a multiple choice as a set, a file by
/// being sent at all, anything else as text (none is the empty string).
fn field_changed(field: &Field, values: &[String], initial: &[String], data: &FormData) -> bool {
    match field.kind {
        FieldKind::File | FieldKind::Image => data.file(&field.name).is_some(),
        FieldKind::Boolean => {
            let checked = |v: Option<&String>| v.is_some_and(|v| is_checked(v));
            checked(values.last()) != checked(initial.last())
        }
        FieldKind::MultipleChoice => {
            let sent: BTreeSet<&String> = values.iter().collect();
            let initial: BTreeSet<&String> = initial.iter().collect();
            sent != initial
        }
        _ => {
            let text = |v: Option<&String>| {
                let v = v.map_or("", String::as_str);
                if field.strip { v.trim() } else { v }.to_owned()
            };
            text(values.last()) != text(initial.last())
        }
    }
}

/// Whether a checkbox's value means checked (what a browser sends, or a saved `true`).
pub(crate) fn is_checked(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "false" | "0" | "off"
    )
}

/// What rendering needs of a form: shared with the template objects, so putting a form in a
/// template context copies nothing.
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    pub(crate) spec: Arc<FormSpec>,
    pub(crate) bound: bool,
    /// Per field, in the spec's order: the values sent, or the initial one.
    pub(crate) values: Vec<Vec<String>>,
    pub(crate) errors: FormErrors,
    pub(crate) prefix: Option<String>,
    pub(crate) use_required_attribute: bool,
    /// How the row a [key input](super::Widget::KeyInput) names is called, by field name.
    pub(crate) value_labels: BTreeMap<String, String>,
    /// Shown for reading only: each widget disabled, its values carried in hidden inputs so
    /// that the form posts back what it showed (see [`BoundForm::set_read_only`]).
    pub(crate) read_only: bool,
}

impl Shown {
    /// The input name of the field at `index`: prefixed when the form has a prefix.
    pub(crate) fn html_name(&self, index: usize) -> String {
        html_name(self.prefix.as_deref(), &self.spec.fields[index].name)
    }
}

/// A form, bound to data or not: its values to show again, its errors, and (when valid) its
/// cleaned values. Put it in a template context as it is (`context! { form }`) and print it
/// with `{{ form }}`; see the guide.
#[derive(Debug)]
pub struct BoundForm {
    pub(crate) shown: Arc<Shown>,
    cleaned: CleanedData,
    changed: bool,
}

impl BoundForm {
    /// Whether it was bound to data (a POST), rather than shown empty.
    pub fn is_bound(&self) -> bool {
        self.shown.bound
    }

    /// Whether it is bound and has no error.
    pub fn is_valid(&self) -> bool {
        self.shown.bound && self.shown.errors.is_empty()
    }

    /// Its errors.
    pub fn errors(&self) -> &FormErrors {
        &self.shown.errors
    }

    /// Adds an error to the field `name` (or to the form, with
    /// [`NON_FIELD_ERRORS`](super::NON_FIELD_ERRORS)), as a view does when saving fails.
    pub fn add_error(&mut self, name: &str, message: impl Into<String>) {
        Arc::make_mut(&mut self.shown).errors.add(name, message);
    }

    /// Adds every error of `errors`.
    pub fn add_errors(&mut self, errors: FormErrors) {
        Arc::make_mut(&mut self.shown).errors.extend(errors);
    }

    /// The cleaned values of the fields that were valid.
    pub fn cleaned_data(&self) -> &CleanedData {
        &self.cleaned
    }

    /// Takes the cleaned values out, leaving none.
    pub fn take_cleaned(&mut self) -> CleanedData {
        std::mem::take(&mut self.cleaned)
    }

    /// Whether the submitted values differ from the initial ones (Django's `has_changed()`);
    /// `false` for an unbound form.
    pub fn has_changed(&self) -> bool {
        self.changed
    }

    /// The prefix of its input names, if it has one.
    pub fn prefix(&self) -> Option<&str> {
        self.shown.prefix.as_deref()
    }

    /// Shows it for reading only: every widget `disabled` (greyed out, not editable), and
    /// beside each the values it shows in hidden inputs, so that the form posts back exactly
    /// what it showed. Nothing about it is trusted: the server still judges what is posted
    /// (the admin's view-only inline rows, refused with a 403 when a POST changes them).
    pub(crate) fn set_read_only(&mut self) {
        Arc::make_mut(&mut self.shown).read_only = true;
    }

    /// Sets the prefix its HTML shows, for a form bound to data already taken out under it.
    pub(crate) fn set_prefix(&mut self, prefix: Option<String>) {
        Arc::make_mut(&mut self.shown).prefix = prefix;
    }

    /// The spec it was built from.
    pub fn spec(&self) -> &Arc<FormSpec> {
        &self.shown.spec
    }

    /// The value shown in the field `name`: the last one sent, or the initial one.
    pub fn value(&self, name: &str) -> Option<&str> {
        let at = self.shown.spec.fields.iter().position(|f| f.name == name)?;
        self.shown.values[at].last().map(String::as_str)
    }

    /// Sets the value an unbound form shows in `name` (an edit form showing the saved values).
    pub fn set_initial(&mut self, name: &str, values: impl IntoIterator<Item = impl Into<String>>) {
        let Some(at) = self.shown.spec.fields.iter().position(|f| f.name == name) else {
            return;
        };
        Arc::make_mut(&mut self.shown).values[at] = values.into_iter().map(Into::into).collect();
    }

    /// The labels [`set_value_label`](Self::set_value_label) gave, by field name.
    pub(crate) fn value_labels(&self) -> Vec<(String, String)> {
        self.shown
            .value_labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Shows `label` beside the key in the [key input](super::Widget::KeyInput) `name`: how
    /// the row it names is called.
    pub(crate) fn set_value_label(&mut self, name: &str, label: String) {
        Arc::make_mut(&mut self.shown)
            .value_labels
            .insert(name.to_owned(), label);
    }

    /// Sets the cleaned value of `name` (a whole-form check that changes it).
    pub fn set_cleaned(&mut self, name: &str, value: FormValue) {
        self.cleaned.set(name, value);
    }
}

#[cfg(test)]
mod tests;
