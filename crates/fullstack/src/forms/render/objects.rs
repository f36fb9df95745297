//! The template objects of a form: the form (`{{ form }}`, `form.as_p()`, `form.title`), one
//! field (`{{ field }}`, `field.label_tag`, `field.errors`, `field.help_text`) and an error
//! list. Each prints itself as already-escaped HTML through micro's `__html__` protocol.

use std::sync::Arc;

use micro::minijinja::value::{Enumerator, Object, ObjectRepr};
use micro::minijinja::{Error, ErrorKind, State, Value, context};

use super::render;
use super::widget::{auto_id, carried_values, widget_context};
use crate::forms::Widget;
use crate::forms::bound::Shown;

/// A form in a template.
#[derive(Debug)]
pub(crate) struct FormObject(pub(crate) Arc<Shown>);

impl FormObject {
    fn field(&self, index: usize) -> Value {
        Value::from_object(FieldObject {
            form: self.0.clone(),
            index,
        })
    }

    fn fields_where(&self, hidden: bool) -> Vec<Value> {
        (0..self.0.spec.fields().len())
            .filter(|&i| is_hidden(&self.0, i) == hidden)
            .map(|i| self.field(i))
            .collect()
    }

    /// The form's errors, with those of hidden fields (which show no errors of their own)
    /// named as Django names them.
    fn non_field_errors(&self) -> Value {
        let mut errors: Vec<String> = self.0.errors.non_field().to_vec();
        for (i, field) in self.0.spec.fields().iter().enumerate() {
            if is_hidden(&self.0, i) {
                for message in self.0.errors.field(&field.name) {
                    errors.push(format!("(Hidden field {}) {message}", field.name));
                }
            }
        }
        Value::from_object(ErrorList {
            errors,
            error_id: None,
            non_field: true,
            non_form: false,
        })
    }

    fn render_as(&self, state: &State, template: &str) -> Result<Value, Error> {
        let html = render(
            state,
            template,
            context! {
                form => Value::from_object(FormObject(self.0.clone())),
                errors => self.non_field_errors(),
                fields => self.fields_where(false),
                hidden_fields => self.fields_where(true),
            },
        )?;
        Ok(Value::from_safe_string(html))
    }
}

fn is_hidden(shown: &Shown, index: usize) -> bool {
    shown.spec.fields()[index].widget_or_default() == Widget::HiddenInput
}

impl Object for FormObject {
    /// Iterable, so `{% for field in form %}` gives its fields, as in Django.
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Iterable
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        match key {
            "__html__" => return Some(Value::from(true)),
            "is_bound" => return Some(Value::from(self.0.bound)),
            "prefix" => return Some(self.0.prefix.clone().map_or(Value::from(()), Value::from)),
            "errors" => {
                let mut map: Vec<(String, Vec<String>)> = self
                    .0
                    .errors
                    .fields()
                    .map(|(k, v)| (k.to_owned(), v.to_vec()))
                    .collect();
                if !self.0.errors.non_field().is_empty() {
                    map.push(("__all__".to_owned(), self.0.errors.non_field().to_vec()));
                }
                return Some(Value::from_iter(map));
            }
            "fields" => return Some(Value::from(self.fields_where(false))),
            _ => {}
        }
        let index = self.0.spec.fields().iter().position(|f| f.name == key)?;
        Some(self.field(index))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(
            (0..self.0.spec.fields().len())
                .map(|i| self.field(i))
                .collect(),
        )
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        no_args(method, args)?;
        match method {
            "__html__" | "as_div" => self.render_as(state, "forms/div.html"),
            "as_p" => self.render_as(state, "forms/p.html"),
            "as_table" => self.render_as(state, "forms/table.html"),
            "non_field_errors" => Ok(self.non_field_errors()),
            "hidden_fields" => Ok(Value::from(self.fields_where(true))),
            "visible_fields" => Ok(Value::from(self.fields_where(false))),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<form with {} fields>", self.0.spec.fields().len())
    }
}

fn no_args(method: &str, args: &[Value]) -> Result<(), Error> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::TooManyArguments,
            format!("{method}() takes no arguments"),
        ))
    }
}

/// One field of a form in a template.
#[derive(Debug)]
pub(crate) struct FieldObject {
    form: Arc<Shown>,
    index: usize,
}

impl FieldObject {
    fn errors(&self) -> ErrorList {
        let field = &self.form.spec.fields()[self.index];
        ErrorList {
            errors: self.form.errors.field(&field.name).to_vec(),
            error_id: Some(format!(
                "{}_error",
                auto_id(&self.form.html_name(self.index))
            )),
            non_field: false,
            non_form: false,
        }
    }

    /// `<label for="id_title">Title:</label>`, as Django's `label_tag` (no `for` on a list of
    /// checkboxes or radios, which has no single input).
    fn label_tag(&self) -> String {
        let field = &self.form.spec.fields()[self.index];
        let label = micro::escape(&field.label_text());
        let suffix = if label.ends_with([':', '?', '.', '!']) {
            ""
        } else {
            ":"
        };
        match field.widget_or_default() {
            Widget::RadioSelect | Widget::CheckboxSelectMultiple => {
                format!("<label>{label}{suffix}</label>")
            }
            _ => format!(
                "<label for=\"{}\">{label}{suffix}</label>",
                auto_id(&self.form.html_name(self.index))
            ),
        }
    }
}

impl Object for FieldObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let field = &self.form.spec.fields()[self.index];
        Some(match key.as_str()? {
            "__html__" => Value::from(true),
            "name" => Value::from(field.name.clone()),
            "html_name" => Value::from(self.form.html_name(self.index)),
            "auto_id" | "id_for_label" => Value::from(auto_id(&self.form.html_name(self.index))),
            "label" => Value::from(field.label_text()),
            "label_tag" => Value::from_safe_string(self.label_tag()),
            "help_text" => field.help_text.clone().map_or(Value::from(()), Value::from),
            "errors" => Value::from_object(self.errors()),
            "value" => self.form.values[self.index]
                .last()
                .cloned()
                .map_or(Value::from(()), Value::from),
            "is_hidden" => Value::from(is_hidden(&self.form, self.index)),
            "required" => Value::from(field.required),
            "widget_type" => Value::from(format!("{:?}", field.widget_or_default()).to_lowercase()),
            _ => return None,
        })
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        no_args(method, args)?;
        match method {
            "__html__" | "as_widget" => {
                let field = &self.form.spec.fields()[self.index];
                let mut html = render(
                    state,
                    field.widget_or_default().template(),
                    context! { widget => widget_context(&self.form, self.index) },
                )?;
                html.push_str(&carried_values(&self.form, self.index));
                Ok(Value::from_safe_string(html))
            }
            "label_tag" => Ok(Value::from_safe_string(self.label_tag())),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<field {}>", self.form.spec.fields()[self.index].name)
    }
}

/// The errors of a field or of the form: iterable as a list of messages, printed as Django's
/// `<ul class="errorlist">` (through `forms/errors.html`), nothing when empty.
#[derive(Debug)]
pub(crate) struct ErrorList {
    errors: Vec<String>,
    error_id: Option<String>,
    non_field: bool,
    non_form: bool,
}

impl ErrorList {
    /// A formset's non-form errors (Django's `errorlist nonform`).
    pub(crate) fn non_form(errors: Vec<String>) -> ErrorList {
        ErrorList {
            errors,
            error_id: None,
            non_field: false,
            non_form: true,
        }
    }
}

impl Object for ErrorList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if key.as_str() == Some("__html__") {
            return Some(Value::from(true));
        }
        let index = key.as_usize()?;
        self.errors.get(index).cloned().map(Value::from)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.errors.len())
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.errors.is_empty()
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        method: &str,
        _args: &[Value],
    ) -> Result<Value, Error> {
        if method != "__html__" {
            return Err(Error::from(ErrorKind::UnknownMethod));
        }
        if self.errors.is_empty() {
            return Ok(Value::from_safe_string(String::new()));
        }
        let html = render(
            state,
            "forms/errors.html",
            context! {
                errors => &self.errors,
                error_id => &self.error_id,
                non_field => self.non_field,
                non_form => self.non_form,
            },
        )?;
        Ok(Value::from_safe_string(html))
    }
}
