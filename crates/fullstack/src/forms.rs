//! Forms, as Django's: declare the fields (with `#[derive(Form)]` on a struct, or at run time
//! with a [`FormSpec`]), bind the submitted data, get either the cleaned value or the errors in
//! Django's words, and print the form in a template with the values kept and the errors beside
//! each field. The guide is `docs/fullstack/forms.md` ([`guide::forms`](crate::guide::forms)).
//!
//! One implementation serves both ways of declaring a form: the derive only emits a
//! [`FormSpec`] (each field type gives its [`Field`] through [`FormField`]) and the conversion
//! of the cleaned values into the struct; binding, cleaning, errors and rendering are the
//! runtime's.

mod bound;
mod clean;
mod data;
mod errors;
mod extract;
mod field;
mod formset;
pub(crate) mod messages;
mod model_form;
mod options;
mod render;
mod typed;
mod value;

pub(crate) use bound::is_checked;
pub use bound::{BoundForm, FormSpec};
pub use data::FormData;
pub use errors::{FormErrors, NON_FIELD_ERRORS};
pub use extract::FormResult;
pub use field::{Field, FieldKind, Widget};
pub use formset::{BoundFormSet, DELETION_FIELD_NAME, FormSet, ORDERING_FIELD_NAME};
/// Derives [`Choices`](trait@Choices) (and [`FormField`]) for an enum of unit variants.
pub use fullstack_macros::Choices;
/// Derives [`Form`](trait@Form) for a struct with named fields; see the guide for the
/// attributes.
pub use fullstack_macros::Form;
pub(crate) use model_form::Finder;
pub use model_form::{
    InlineChanges, InlineCounts, InlineFormSet, ModelFields, ModelForm, ModelFormBuilder, Valid,
    model_form,
};
pub use options::FormOptions;
pub use typed::{AsBound, Choices, Form, FormField, choice_from_value};
pub use value::{CleanedData, FormValue};

/// A form goes into a template context as it is (`context! { form }`): it serialises as the
/// template object that prints it, and the values it shows are escaped there.
impl serde::Serialize for BoundForm {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        micro::minijinja::Value::from_object(render::objects::FormObject(self.shown.clone()))
            .serialize(serializer)
    }
}
