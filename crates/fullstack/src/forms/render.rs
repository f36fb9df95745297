//! Rendering forms in minijinja templates, as Django's form renderer does: a form and each of
//! its fields print themselves through templates (`forms/div.html`, `forms/widgets/input.html`,
//! ...) that are embedded in the binary and that a project overrides by putting a template of
//! the same name in its templates folder.
//!
//! A form reaches a template as an object (see [`objects`]) that micro prints without escaping
//! again: it answers micro's `__html__` protocol with HTML it escaped itself.

pub(crate) mod objects;
mod widget;

use std::sync::LazyLock;

use micro::minijinja::{AutoEscape, Environment, Error, ErrorKind, State, Value};

/// The embedded templates, by the name a project overrides them with.
const TEMPLATES: &[(&str, &str)] = &[
    ("forms/div.html", include_str!("templates/div.html")),
    ("forms/p.html", include_str!("templates/p.html")),
    ("forms/table.html", include_str!("templates/table.html")),
    ("forms/errors.html", include_str!("templates/errors.html")),
    (
        "forms/widgets/input.html",
        include_str!("templates/widgets/input.html"),
    ),
    (
        "forms/widgets/checkbox.html",
        include_str!("templates/widgets/checkbox.html"),
    ),
    (
        "forms/widgets/textarea.html",
        include_str!("templates/widgets/textarea.html"),
    ),
    (
        "forms/widgets/select.html",
        include_str!("templates/widgets/select.html"),
    ),
    (
        "forms/widgets/choices.html",
        include_str!("templates/widgets/choices.html"),
    ),
];

/// The environment of the embedded templates, used for each name the project does not override.
static DEFAULTS: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    // The same printing as micro's environment: objects with `__html__` as they are, the rest
    // escaped as `micro::escape` does.
    env.set_formatter(|out, state, value| {
        if let Some(html) = html_of(state, value)? {
            return out.write_str(&html).map_err(Error::from);
        }
        if value.is_safe() {
            return out
                .write_str(value.as_str().unwrap_or_default())
                .map_err(Error::from);
        }
        if value.is_undefined() || value.is_none() {
            return Ok(());
        }
        let text = match value.as_str() {
            Some(s) => micro::escape(s),
            None => micro::escape(&value.to_string()),
        };
        out.write_str(&text).map_err(Error::from)
    });
    for (name, source) in TEMPLATES {
        // The sources are ours and tested: a syntax error in one fails every render test.
        if let Err(err) = env.add_template(name, source) {
            tracing::error!("forms template {name}: {err}");
        }
    }
    env
});

/// micro's `__html__` protocol, for the embedded templates' own environment.
fn html_of(state: &mut State, value: &Value) -> Result<Option<String>, Error> {
    let Some(object) = value.as_object() else {
        return Ok(None);
    };
    if object.get_value(&Value::from("__html__")).is_none() {
        return Ok(None);
    }
    let html = value.call_method(state, "__html__", &[])?;
    Ok(Some(html.as_str().unwrap_or_default().to_owned()))
}

/// Renders the template `name` with `context`: the project's when its environment has one of
/// that name, else the embedded one.
pub(crate) fn render(state: &State, name: &str, context: Value) -> Result<String, Error> {
    match state.env().get_template(name) {
        Ok(template) => template.render(context),
        Err(err) if err.kind() == ErrorKind::TemplateNotFound => {
            DEFAULTS.get_template(name)?.render(context)
        }
        Err(err) => Err(err),
    }
}
