//! The context a widget template gets, as Django's `widget` dict: name, type, value, attributes
//! in a fixed order (`None` for a boolean attribute), and the choices of a select.

use micro::minijinja::{Value, context};

use crate::forms::bound::{Shown, is_checked};
use crate::forms::{Field, FieldKind, Widget};

/// The id of the input named `html_name` (prefixed, if the form is), as Django's `auto_id`
/// (`id_%s`).
pub(crate) fn auto_id(html_name: &str) -> String {
    format!("id_{html_name}")
}

/// The `widget` context of the field at `index` of `shown`.
pub(crate) fn widget_context(shown: &Shown, index: usize) -> Value {
    let field = &shown.spec.fields()[index];
    let widget = field.widget_or_default();
    let values = &shown.values[index];
    let errors = shown.errors.field(&field.name);
    let name = shown.html_name(index);
    let id = auto_id(&name);

    let mut attrs: Vec<(&str, Option<String>)> = vec![("id", Some(id.clone()))];
    let flag = |attrs: &mut Vec<(&str, Option<String>)>, name, on: bool| {
        if on {
            attrs.push((name, None));
        }
    };
    let text_like = matches!(
        field.kind,
        FieldKind::Text | FieldKind::Email | FieldKind::Url | FieldKind::Slug
    );
    if text_like && widget != Widget::HiddenInput {
        if let Some(n) = field.max_length {
            attrs.push(("maxlength", Some(n.to_string())));
        }
        if let Some(n) = field.min_length {
            attrs.push(("minlength", Some(n.to_string())));
        }
    }
    if widget == Widget::NumberInput {
        let bound = |n: f64| {
            if n.fract() == 0.0 {
                format!("{n:.0}")
            } else {
                n.to_string()
            }
        };
        // A type's own range (an i64 field's) is not worth printing.
        if let Some(n) = field.min_value.filter(|n| n.abs() < 1e15) {
            attrs.push(("min", Some(bound(n))));
        }
        if let Some(n) = field.max_value.filter(|n| n.abs() < 1e15) {
            attrs.push(("max", Some(bound(n))));
        }
        match (field.kind, field.decimal_places) {
            (FieldKind::Float, _) | (FieldKind::Decimal, None) => {
                attrs.push(("step", Some("any".to_owned())));
            }
            (FieldKind::Decimal, Some(places)) => {
                let step = if places == 0 {
                    "1".to_owned()
                } else {
                    format!("0.{}1", "0".repeat(places as usize - 1))
                };
                attrs.push(("step", Some(step)));
            }
            _ => {}
        }
    }
    if let Some(placeholder) = &field.placeholder {
        attrs.push(("placeholder", Some(placeholder.clone())));
    }
    for (name, value) in &field.attrs {
        // An attribute the field sets itself stays the field's (a second `id` would be ignored
        // by browsers anyway, and `name` is what the form reads back).
        if !attrs.iter().any(|(n, _)| n == name)
            && !matches!(name.as_str(), "name" | "type" | "value")
        {
            attrs.push((name.as_str(), Some(value.clone())));
        }
    }
    // A hidden input is never disabled: a disabled input is not posted.
    flag(
        &mut attrs,
        "disabled",
        shown.read_only && widget != Widget::HiddenInput,
    );
    // A checkbox list is required as a whole: `required` on each box would demand them all.
    let required_attr = field.required
        && !shown.read_only
        && shown.use_required_attribute
        && widget != Widget::HiddenInput
        && widget != Widget::CheckboxSelectMultiple
        && widget != Widget::RadioSelect;
    flag(&mut attrs, "required", required_attr);
    if field.is_file() && !field.content_types.is_empty() {
        attrs.push(("accept", Some(field.content_types.join(","))));
    }
    // Django 5: the help text and the errors are named by `aria-describedby`, and a field with
    // errors is `aria-invalid`.
    let mut described = Vec::new();
    if field.help_text.is_some() && widget != Widget::HiddenInput {
        described.push(format!("{id}_helptext"));
    }
    if !errors.is_empty() {
        described.push(format!("{id}_error"));
        attrs.push(("aria-invalid", Some("true".to_owned())));
    }
    if !described.is_empty() {
        attrs.push(("aria-describedby", Some(described.join(" "))));
    }

    let multiple = matches!(
        widget,
        Widget::SelectMultiple | Widget::CheckboxSelectMultiple
    );
    let value = match widget {
        Widget::PasswordInput | Widget::FileInput => None,
        _ if multiple => None,
        _ => values.last().cloned(),
    };
    let checked = widget == Widget::CheckboxInput && values.last().is_some_and(|v| is_checked(v));
    let choices = choices_context(field, values, &id, multiple);
    let input_type = match widget {
        Widget::RadioSelect => "radio",
        Widget::CheckboxSelectMultiple => "checkbox",
        other => other.input_type().unwrap_or("text"),
    };
    let attrs: Vec<Value> = attrs
        .into_iter()
        .map(|(k, v)| Value::from(vec![Value::from(k), v.map_or(Value::from(()), Value::from)]))
        .collect();
    context! {
        name => name,
        type => input_type,
        value => value,
        checked => checked,
        multiple => multiple,
        required => field.required,
        is_hidden => widget == Widget::HiddenInput,
        value_label => shown.value_labels.get(&field.name),
        attrs => attrs,
        choices => choices,
    }
}

/// The hidden inputs that post back what a [read-only](Shown::read_only) field shows (its
/// disabled widget is not posted): one per value, a checkbox's only when it is checked, none for
/// a password, a file or an input that is hidden already. Empty for a form that is not
/// read-only.
pub(crate) fn carried_values(shown: &Shown, index: usize) -> String {
    let field = &shown.spec.fields()[index];
    let widget = field.widget_or_default();
    if !shown.read_only
        || matches!(
            widget,
            Widget::HiddenInput | Widget::PasswordInput | Widget::FileInput
        )
    {
        return String::new();
    }
    let values = &shown.values[index];
    let carried: Vec<&str> = match widget {
        Widget::CheckboxInput => values
            .last()
            .filter(|v| is_checked(v))
            .map(|_| vec!["on"])
            .unwrap_or_default(),
        Widget::SelectMultiple | Widget::CheckboxSelectMultiple => {
            values.iter().map(String::as_str).collect()
        }
        _ => values.last().map(String::as_str).into_iter().collect(),
    };
    let name = micro::escape(&shown.html_name(index));
    carried
        .into_iter()
        .map(|v| {
            format!(
                r#"<input type="hidden" name="{name}" value="{}">"#,
                micro::escape(v)
            )
        })
        .collect()
}

/// The options of a choice widget, with the sent (or initial) values selected; a single
/// choice that is not required starts with Django's blank `---------`.
fn choices_context(field: &Field, values: &[String], id: &str, multiple: bool) -> Vec<Value> {
    if !matches!(field.kind, FieldKind::Choice | FieldKind::MultipleChoice) {
        return Vec::new();
    }
    let blank = (!multiple && !field.required && field.widget_or_default() == Widget::Select)
        .then(|| (String::new(), "---------".to_owned()));
    let selected = |v: &str| {
        if multiple {
            values.iter().any(|s| s == v)
        } else {
            values.last().is_some_and(|s| s == v)
        }
    };
    blank
        .iter()
        .chain(field.choices.iter())
        .enumerate()
        .map(|(i, (value, label))| {
            context! {
                value => value,
                label => label,
                selected => selected(value),
                id => format!("{id}_{i}"),
            }
        })
        .collect()
}
