//! What the generic views hand their templates: named values, and Django's default names.

use serde::Serialize;

use crate::ModelMeta;

/// A template context: names and values, each value serialised when added. The views build
/// one with Django's names (`object_list`, `page_obj`, `object`, ...); add your own with
/// [`insert`](Self::insert) before rendering it yourself.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Context(serde_json::Map<String, serde_json::Value>);

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value` (replacing an earlier value). A value that cannot be serialised
    /// (a map with non-string keys) is set to `null`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Serialize) -> &mut Self {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.0.insert(name.into(), value);
        self
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        self.0.get(name)
    }

    /// Adds every entry of `other`, which wins a name both have.
    pub(crate) fn extend(&mut self, other: &Context) {
        for (k, v) in &other.0 {
            self.0.insert(k.clone(), v.clone());
        }
    }
}

/// Django's `model_name`: the model's name in lower case (`BlogPost` is `blogpost`).
pub(crate) fn model_name(meta: &ModelMeta) -> String {
    meta.name.to_lowercase()
}

/// Django's default template name: `<app>/<model_name><suffix>.html`.
pub(crate) fn template_name(meta: &ModelMeta, suffix: &str) -> String {
    format!("{}/{}{suffix}.html", meta.app, model_name(meta))
}

/// Django's 404 for a missing object, naming the model as people say it.
pub(crate) fn not_found(meta: &ModelMeta) -> micro::Error {
    micro::Error::new(
        micro::StatusCode::NOT_FOUND,
        format!("No {} found matching the query", meta.verbose_name()),
    )
}
