//! The routing table: matchit for the path, then converters, then the method.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::Arc;

use http::{HeaderValue, Method};

use super::method_router::{Endpoint, MethodRouter};
use super::rule::Rule;
use super::{Matched, RouteInfo};
use crate::handler::ErasedHook;

/// A rule an endpoint name builds, with the handler type that registered the name (`None` for
/// closures), to tell a second rule of the same function from a clash.
pub(crate) type NamedRule = (Arc<Rule>, Option<TypeId>);

/// One rule and its handlers.
pub(crate) struct RouteEntry {
    endpoints: Vec<(Option<Method>, Endpoint)>,
    pub(crate) body_limit: Option<usize>,
    /// Run before any of its handlers ([`MethodRouter::guard`]).
    pub(crate) guards: Box<[Arc<dyn ErasedHook>]>,
    /// What a request that matches it gets (see [`Matched`]).
    info: Arc<RouteInfo>,
}

impl RouteEntry {
    fn rule(&self) -> &Rule {
        &self.info.rule
    }

    fn endpoint_for(&self, method: &Method) -> Option<&Endpoint> {
        let exact = self
            .endpoints
            .iter()
            .find(|(m, _)| m.as_ref() == Some(method));
        let found = exact.or_else(|| {
            if *method == Method::HEAD {
                self.endpoints
                    .iter()
                    .find(|(m, _)| m.as_ref() == Some(&Method::GET))
            } else {
                None
            }
        });
        found
            .or_else(|| {
                // OPTIONS is answered by the app unless a handler asks for it explicitly.
                (*method != Method::OPTIONS)
                    .then(|| self.endpoints.iter().find(|(m, _)| m.is_none()))
                    .flatten()
            })
            .map(|(_, e)| e)
    }

    fn allowed(&self, into: &mut Vec<Method>) {
        for (method, _) in &self.endpoints {
            match method {
                Some(m) => into.push(m.clone()),
                None => into.extend([
                    Method::GET,
                    Method::POST,
                    Method::PUT,
                    Method::PATCH,
                    Method::DELETE,
                ]),
            }
        }
    }
}

/// The outcome of looking up a request.
pub(crate) enum Lookup<'r> {
    Found {
        entry: &'r RouteEntry,
        endpoint: &'r Endpoint,
        matched: Matched,
    },
    /// The URL exists; this is an `OPTIONS` request nobody handles explicitly.
    Options {
        allow: HeaderValue,
        matched: Matched,
    },
    /// The URL exists, but not for this method.
    MethodNotAllowed {
        allow: HeaderValue,
        matched: Matched,
    },
    /// The rule ends with a slash and the request did not: redirect there (308).
    RedirectSlash(String),
    NotFound,
}

#[derive(Default)]
pub(crate) struct Router {
    matcher: matchit::Router<usize>,
    /// Rules sharing a matchit pattern, lightest converters first.
    slots: Vec<Vec<RouteEntry>>,
    slot_of_pattern: HashMap<String, usize>,
    /// Endpoint name to the rules it builds, for `url_for`.
    pub(crate) endpoints: HashMap<String, Vec<NamedRule>>,
    /// Other names for endpoints ([`App::alias`](crate::App::alias)), to the endpoint's own.
    pub(crate) aliases: HashMap<String, String>,
    /// Functions that are not endpoints because their rule was given a name with `.name(..)`,
    /// to the rule's endpoint and text, for `url_for`'s error.
    pub(crate) renamed: HashMap<String, (String, String)>,
}

impl Router {
    pub(crate) fn insert(
        &mut self,
        rule: Rule,
        methods: MethodRouter,
        scopes: Option<super::Scopes>,
    ) -> Result<(), String> {
        if methods.endpoints.is_empty() {
            return Err("the rule has no handler".into());
        }
        let rule = Arc::new(rule);
        let mut renamed = Vec::new();
        let names: Vec<(String, Option<TypeId>)> = match methods.explicit_name {
            Some(name) => {
                let type_id = methods.names.first().and_then(|(_, t)| *t);
                renamed = methods.names.into_iter().map(|(n, _)| n).collect();
                renamed.retain(|n| *n != name);
                vec![(name, type_id)]
            }
            None => methods.names,
        };
        for (name, type_id) in &names {
            if let Some(target) = self.aliases.get(name) {
                return Err(format!(
                    "the endpoint name `{name}` is already an alias of `{target}`; give the rule another name with `.name(..)`"
                ));
            }
            if let Some(existing) = self.endpoints.get(name) {
                let clash = existing
                    .iter()
                    .find(|(_, t)| t.is_none() || *t != *type_id || type_id.is_none());
                if let Some((other, _)) = clash {
                    return Err(format!(
                        "the endpoint name `{name}` is already used by the rule `{}` for another handler; give one of them a different name with `.name(..)`",
                        other.text
                    ));
                }
            }
        }

        let slot = match self.slot_of_pattern.get(&rule.pattern) {
            Some(&slot) => {
                for other in &self.slots[slot] {
                    if !other.rule().same_converters(&rule) {
                        continue;
                    }
                    let overlap = methods.endpoints.iter().find_map(|(m, _)| {
                        other
                            .endpoints
                            .iter()
                            .find(|(o, _)| o.is_none() || m.is_none() || o == m)
                            .map(|_| m.as_ref().map_or("any method", Method::as_str))
                    });
                    if let Some(method) = overlap {
                        return Err(format!(
                            "it conflicts with the rule `{}`, which already handles {method} for the same URLs",
                            other.rule().text
                        ));
                    }
                }
                slot
            }
            None => {
                let slot = self.slots.len();
                self.matcher
                    .insert(rule.pattern.clone(), slot)
                    .map_err(|e| conflict_message(e, &self.slots))?;
                self.slots.push(Vec::new());
                self.slot_of_pattern.insert(rule.pattern.clone(), slot);
                slot
            }
        };

        for (name, type_id) in &names {
            self.endpoints
                .entry(name.clone())
                .or_default()
                .push((rule.clone(), *type_id));
        }
        for function in renamed {
            self.renamed
                .entry(function)
                .or_insert_with(|| (names[0].0.clone(), rule.text.clone()));
        }
        let entry = RouteEntry {
            endpoints: methods.endpoints,
            body_limit: methods.body_limit,
            guards: methods.guards.into(),
            info: Arc::new(RouteInfo {
                rule: rule.clone(),
                endpoint: names.first().map(|(n, _)| n.as_str().into()),
                scopes,
                cross_origin_exempt: methods.cross_origin_exempt,
                csrf_exempt: methods.csrf_exempt,
            }),
        };
        let entries = &mut self.slots[slot];
        let at = entries
            .iter()
            .position(|e| e.rule().weight() > rule.weight())
            .unwrap_or(entries.len());
        entries.insert(at, entry);
        Ok(())
    }

    /// Makes `alias` another name of `endpoint` (or of the endpoint `endpoint` is an alias of).
    pub(crate) fn alias(&mut self, alias: &str, endpoint: &str) -> Result<(), String> {
        if self.endpoints.contains_key(alias) {
            return Err(format!("`{alias}` is already the name of an endpoint"));
        }
        if let Some(target) = self.aliases.get(alias) {
            return Err(format!("`{alias}` is already an alias of `{target}`"));
        }
        let target = self.aliases.get(endpoint).map_or(endpoint, String::as_str);
        if !self.endpoints.contains_key(target) {
            let mut message = format!(
                "no endpoint is named `{endpoint}` (aliases name endpoints registered before them)"
            );
            let did_you_mean = self.similar_endpoints(endpoint);
            if !did_you_mean.is_empty() {
                message.push_str(&format!("; did you mean {}?", did_you_mean.join(", ")));
            }
            return Err(message);
        }
        self.aliases.insert(alias.to_owned(), target.to_owned());
        Ok(())
    }

    /// Every rule, pattern by pattern in the order they were first registered: what a debug
    /// 404 page lists.
    pub(crate) fn url_rules(&self) -> Vec<super::UrlRule> {
        self.slots
            .iter()
            .flatten()
            .map(|entry| {
                let mut methods = Vec::new();
                for (method, _) in &entry.endpoints {
                    if let Some(m) = method {
                        methods.push(m.clone());
                    }
                }
                super::UrlRule {
                    rule: entry.rule().text.clone(),
                    methods,
                    endpoint: entry.info.endpoint.as_deref().map(str::to_owned),
                }
            })
            .collect()
    }

    /// The rules an endpoint name (or an alias) builds.
    pub(crate) fn rules_named(&self, name: &str) -> Option<&[NamedRule]> {
        let rules = match self.endpoints.get(name) {
            Some(rules) => rules,
            None => self.endpoints.get(self.aliases.get(name)?)?,
        };
        Some(rules)
    }

    /// Removes the rules whose endpoint is `name`, so the app can move a route it registered
    /// itself (the static route, when its folder or URL changes). matchit forgets the pattern
    /// once no rule is left on it.
    #[cfg(feature = "static-files")]
    pub(crate) fn remove_endpoint(&mut self, name: &str) {
        let Some(rules) = self.endpoints.remove(name) else {
            return;
        };
        for (rule, _) in rules {
            let Some(&slot) = self.slot_of_pattern.get(&rule.pattern) else {
                continue;
            };
            self.slots[slot].retain(|e| e.info.endpoint.as_deref() != Some(name));
            if self.slots[slot].is_empty() {
                self.matcher.remove(rule.pattern.clone());
                self.slot_of_pattern.remove(&rule.pattern);
            }
        }
    }

    /// Finds what answers `method path`. `path` is already percent-decoded.
    pub(crate) fn lookup<'r>(
        &'r self,
        method: &Method,
        path: &str,
        query: Option<&str>,
    ) -> Lookup<'r> {
        let Ok(found) = self.matcher.at(path) else {
            return self.try_slash_redirect(path, query);
        };
        let entries = &self.slots[*found.value];
        // Most URLs have no variables: every rule of the pattern matches, with nothing to
        // convert or copy.
        if found.params.is_empty() {
            for entry in entries {
                if let Some(endpoint) = entry.endpoint_for(method) {
                    return Lookup::Found {
                        entry,
                        endpoint,
                        matched: matched(entry, &[]),
                    };
                }
            }
        }
        let values: Vec<&str> = found.params.iter().map(|(_, v)| v).collect();
        let mut url_matches = entries
            .iter()
            .filter(|e| accepts(e.rule(), &values))
            .peekable();
        let Some(first) = url_matches.peek().copied() else {
            return self.try_slash_redirect(path, query);
        };
        let mut allowed = Vec::new();
        for entry in url_matches {
            if let Some(endpoint) = entry.endpoint_for(method) {
                return Lookup::Found {
                    entry,
                    endpoint,
                    matched: matched(entry, &values),
                };
            }
            entry.allowed(&mut allowed);
        }
        let allow = allow_header(allowed);
        let matched = matched(first, &values);
        if *method == Method::OPTIONS {
            Lookup::Options { allow, matched }
        } else {
            Lookup::MethodNotAllowed { allow, matched }
        }
    }

    /// Flask's strict slashes: `/about` for the rule `/about/` redirects; the reverse is a 404.
    fn try_slash_redirect(&self, path: &str, query: Option<&str>) -> Lookup<'_> {
        if path.ends_with('/') {
            return Lookup::NotFound;
        }
        let slashed = format!("{path}/");
        let Ok(found) = self.matcher.at(&slashed) else {
            return Lookup::NotFound;
        };
        let values: Vec<&str> = found.params.iter().map(|(_, v)| v).collect();
        let redirect = self.slots[*found.value]
            .iter()
            .any(|e| e.rule().ends_with_slash() && accepts(e.rule(), &values));
        if !redirect {
            return Lookup::NotFound;
        }
        let encoded = percent_encoding::utf8_percent_encode(&slashed, super::url_for::PATH_ENCODE)
            .to_string();
        Lookup::RedirectSlash(match query {
            Some(q) => format!("{encoded}?{q}"),
            None => encoded,
        })
    }
}

fn accepts(rule: &Rule, values: &[&str]) -> bool {
    rule.params
        .iter()
        .zip(values)
        .all(|(p, v)| p.converter.accepts(v))
}

fn matched(entry: &RouteEntry, values: &[&str]) -> Matched {
    Matched {
        route: entry.info.clone(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn allow_header(mut methods: Vec<Method>) -> HeaderValue {
    if methods.contains(&Method::GET) {
        methods.push(Method::HEAD);
    }
    methods.push(Method::OPTIONS);
    let mut names: Vec<&str> = methods.iter().map(Method::as_str).collect();
    names.sort_unstable();
    names.dedup();
    HeaderValue::from_str(&names.join(", ")).unwrap_or(HeaderValue::from_static("OPTIONS"))
}

fn conflict_message(err: matchit::InsertError, slots: &[Vec<RouteEntry>]) -> String {
    match err {
        matchit::InsertError::Conflict { with } => {
            // matchit names the conflicting route by its compiled pattern; show the rule text.
            let rule = slots
                .iter()
                .flatten()
                .find(|e| e.rule().pattern == with)
                .map_or(with.clone(), |e| e.rule().text.clone());
            format!(
                "it is ambiguous with the rule `{rule}`: both match the same URLs in a way the router cannot order"
            )
        }
        other => format!("the router rejected it: {other}"),
    }
}
