//! Routing: Flask rules, converters, method dispatch, strict slashes and `url_for`.
//!
//! Rules use Flask's syntax (`/posts/<int:year>/<slug>`) and are compiled to
//! [matchit](https://docs.rs/matchit) patterns. Rules that differ only by converter
//! (`/item/<int:id>` and `/item/<name>`) share one matchit route and are tried in Werkzeug's
//! order, most specific converter first. See `docs/micro/routing.md` for the full rules.

mod converter;
pub(crate) mod method_router;
mod router;
mod rule;
mod url_for;

use std::sync::Arc;

pub use converter::Converter;
pub use method_router::{HandlerInfo, MethodRouter, Route, any, delete, get, on, patch, post, put};
pub use url_for::UrlForError;

pub(crate) use converter::Converters;
pub(crate) use method_router::Endpoint;
pub(crate) use router::{Lookup, Router};
pub(crate) use rule::Rule;
#[cfg(feature = "static-files")]
pub(crate) use url_for::PATH_ENCODE;

/// The hooks and error handlers of the blueprints a route belongs to, outermost first.
pub(crate) type Scopes = Arc<[Arc<crate::scaffold::Scaffold>]>;

/// What every request to a rule learns of it: the rule, its endpoint name and its blueprints.
/// One `Arc` per rule, so a match costs a single reference count.
pub(crate) struct RouteInfo {
    rule: Arc<Rule>,
    endpoint: Option<Box<str>>,
    scopes: Option<Scopes>,
    cross_origin_exempt: bool,
    csrf_exempt: bool,
}

/// One URL rule of an app, as [`Request::url_rules`](crate::Request::url_rules) lists them
/// (Django's debug 404 page shows the patterns it tried).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UrlRule {
    /// The rule as written, `/posts/<int:year>`.
    pub rule: String,
    /// The methods it has handlers for; empty when one handler takes any method.
    pub methods: Vec<http::Method>,
    /// Its endpoint name, when it has one.
    pub endpoint: Option<String>,
}

/// The rule a request matched, with its variables' (percent-decoded) values.
#[derive(Clone)]
pub(crate) struct Matched {
    route: Arc<RouteInfo>,
    values: Vec<String>,
}

impl Matched {
    /// The blueprints' scaffolds, outermost first; empty for app routes.
    pub(crate) fn scopes(&self) -> &[Arc<crate::scaffold::Scaffold>] {
        self.route.scopes.as_deref().unwrap_or(&[])
    }

    /// The same, shared: `None` for app routes, so holding it costs nothing there.
    pub(crate) fn scopes_shared(&self) -> Option<Scopes> {
        self.route.scopes.clone()
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        let index = self
            .route
            .rule
            .params
            .iter()
            .position(|p| &*p.name == name)?;
        self.values.get(index).map(String::as_str)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.route
            .rule
            .params
            .iter()
            .zip(&self.values)
            .map(|(p, v)| (&*p.name, v.as_str()))
    }

    /// Each variable as the JSON value its converter gives it, for `Path<T>`.
    pub(crate) fn typed_values(&self) -> impl Iterator<Item = (String, serde_json::Value)> + '_ {
        self.route
            .rule
            .params
            .iter()
            .zip(&self.values)
            .map(|(p, v)| (p.name.to_string(), p.converter.to_value(v)))
    }

    pub(crate) fn endpoint(&self) -> Option<&str> {
        self.route.endpoint.as_deref()
    }

    /// Whether the rule takes unsafe requests from other sites.
    pub(crate) fn cross_origin_exempt(&self) -> bool {
        self.route.cross_origin_exempt
    }

    /// Whether the rule skips the CSRF token check.
    pub(crate) fn csrf_exempt(&self) -> bool {
        self.route.csrf_exempt
    }

    pub(crate) fn rule_text(&self) -> &str {
        &self.route.rule.text
    }
}
