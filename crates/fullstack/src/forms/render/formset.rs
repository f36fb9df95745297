//! The template object of a formset: `{{ formset }}` (its non-form errors, management form and
//! forms, through `forms/formset.html`), `{% for form in formset %}`, `formset.management_form`,
//! `formset.non_form_errors` and `formset.empty_form`.

use std::sync::Arc;

use micro::minijinja::value::{Enumerator, Object, ObjectRepr};
use micro::minijinja::{Error, ErrorKind, State, Value, context};

use super::objects::{ErrorList, FormObject};
use super::render;
use crate::forms::bound::Shown;

/// A formset in a template: what it prints, shared with the bound formset.
#[derive(Debug)]
pub(crate) struct FormSetObject {
    pub(crate) management: Arc<Shown>,
    pub(crate) forms: Vec<Arc<Shown>>,
    pub(crate) empty: Arc<Shown>,
    pub(crate) non_form_errors: Vec<String>,
    pub(crate) prefix: String,
    pub(crate) initial_count: usize,
}

impl FormSetObject {
    fn form(shown: &Arc<Shown>) -> Value {
        Value::from_object(FormObject(shown.clone()))
    }
}

impl Object for FormSetObject {
    /// Iterable, so `{% for form in formset %}` gives its forms, as in Django.
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Iterable
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(match key.as_str()? {
            "__html__" => Value::from(true),
            "management_form" => Self::form(&self.management),
            "empty_form" => Self::form(&self.empty),
            "forms" => Value::from(self.forms.iter().map(Self::form).collect::<Vec<_>>()),
            "non_form_errors" => {
                Value::from_object(ErrorList::non_form(self.non_form_errors.clone()))
            }
            "prefix" => Value::from(self.prefix.clone()),
            "total_form_count" => Value::from(self.forms.len()),
            "initial_form_count" => Value::from(self.initial_count),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.forms.iter().map(Self::form).collect())
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        if !args.is_empty() {
            return Err(Error::new(
                ErrorKind::TooManyArguments,
                format!("{method}() takes no arguments"),
            ));
        }
        match method {
            "__html__" | "as_div" => {
                let html = render(
                    state,
                    "forms/formset.html",
                    context! { formset => Value::from_dyn_object(self.clone()) },
                )?;
                Ok(Value::from_safe_string(html))
            }
            "non_form_errors" => Ok(Value::from_object(ErrorList::non_form(
                self.non_form_errors.clone(),
            ))),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<formset with {} forms>", self.forms.len())
    }
}
