//! Rendering forms in minijinja templates, as Django's form renderer does: a form and each of
//! its fields print themselves through templates (`forms/div.html`, `forms/widgets/input.html`,
//! ...) that are embedded in the binary and that a project overrides by putting a template of
//! the same name in its templates folder.
//!
//! A form reaches a template as an object (see [`objects`]) that micro prints without escaping
//! again: it answers micro's `__html__` protocol with HTML it escaped itself. Forms are printed
//! by micro's templates (`micro::Templates`); another minijinja environment would print them
//! as plain objects.

pub(crate) mod formset;
pub(crate) mod objects;
mod widget;

use micro::minijinja::{Error, ErrorKind, State, Value};

/// The embedded templates, by the name a project overrides them with.
const TEMPLATES: &[(&str, &str)] = &[
    ("forms/div.html", include_str!("templates/div.html")),
    ("forms/p.html", include_str!("templates/p.html")),
    ("forms/table.html", include_str!("templates/table.html")),
    ("forms/errors.html", include_str!("templates/errors.html")),
    ("forms/formset.html", include_str!("templates/formset.html")),
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
    (
        "forms/widgets/key.html",
        include_str!("templates/widgets/key.html"),
    ),
];

/// Renders the template `name` with `context`: the project's when its environment has one of
/// that name, else the embedded one, compiled in the same environment (under the same name, so
/// it is escaped as HTML) so that the fields it prints find the project's widget templates too.
pub(crate) fn render(state: &State, name: &str, context: Value) -> Result<String, Error> {
    let env = state.env();
    match env.get_template(name) {
        Ok(template) => template.render(context),
        Err(err) if err.kind() == ErrorKind::TemplateNotFound => {
            let Some((name, source)) = TEMPLATES.iter().find(|(n, _)| *n == name) else {
                return Err(err);
            };
            env.template_from_named_str(name, source)?.render(context)
        }
        Err(err) => Err(err),
    }
}

/// Renders `source` as an HTML template with `context` in an environment that prints objects
/// answering `__html__` as micro's does, for the unit tests of forms and formsets.
#[cfg(test)]
pub(crate) fn render_for_test(source: &str, context: Value) -> String {
    let mut env = micro::minijinja::Environment::new();
    env.set_formatter(|out, state, value| {
        if value.as_object().is_some() && value.get_attr("__html__").is_ok_and(|v| v.is_true()) {
            let html = value.call_method(state, "__html__", &[])?;
            return out
                .write_str(html.as_str().unwrap_or_default())
                .map_err(Into::into);
        }
        micro::minijinja::escape_formatter(out, state, value)
    });
    env.add_template_owned("page.html", source.to_owned())
        .expect("the test template compiles");
    env.get_template("page.html")
        .and_then(|t| t.render(context))
        .expect("the test template renders")
}
