//! Reverse routing: building a URL from an endpoint name and values, like Flask's `url_for`.

use std::fmt;

use percent_encoding::{AsciiSet, CONTROLS};
use serde::Serialize;
use serde_json::Value;

use super::router::Router;
use super::rule::Part;

/// Characters escaped in a path built by `url_for` (and in slash redirects): controls, space and
/// the characters that would end or confuse a path (`"#%<>?[\]^`{|}`). Non-ASCII is always
/// escaped.
pub(crate) const PATH_ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Why `url_for` could not build a URL. These are programming errors, so as a handler error they
/// become a 500 and the message goes to the log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlForError {
    /// No rule has this endpoint name.
    UnknownEndpoint {
        /// The name asked for.
        endpoint: String,
        /// Known names that look alike.
        did_you_mean: Vec<String>,
    },
    /// The name is a function's whose rule was given another name with `.name(..)`.
    Renamed {
        /// The name asked for: the function's.
        function: String,
        /// The rule's endpoint name, the one to ask for.
        endpoint: String,
        /// The rule.
        rule: String,
    },
    /// The endpoint's rule needs variables that were not given.
    MissingParams {
        /// The endpoint.
        endpoint: String,
        /// Its rule.
        rule: String,
        /// The variables missing.
        missing: Vec<String>,
    },
    /// A value does not fit the variable's converter (for example `"abc"` for `<int:id>`).
    InvalidParam {
        /// The endpoint.
        endpoint: String,
        /// The variable.
        param: String,
        /// The value given.
        value: String,
    },
    /// The values were not a map or a list of pairs.
    BadParams(String),
}

impl fmt::Display for UrlForError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlForError::UnknownEndpoint {
                endpoint,
                did_you_mean,
            } => {
                write!(f, "url_for: no endpoint is named `{endpoint}`")?;
                if !did_you_mean.is_empty() {
                    write!(f, " (did you mean {}?)", did_you_mean.join(", "))?;
                }
                Ok(())
            }
            UrlForError::Renamed {
                function,
                endpoint,
                rule,
            } => write!(
                f,
                "url_for: no endpoint is named `{function}`: the function `{function}` handles the rule `{rule}`, whose endpoint is named `{endpoint}`"
            ),
            UrlForError::MissingParams {
                endpoint,
                rule,
                missing,
            } => write!(
                f,
                "url_for: endpoint `{endpoint}` (rule `{rule}`) needs a value for {}",
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            UrlForError::InvalidParam {
                endpoint,
                param,
                value,
            } => write!(
                f,
                "url_for: `{value}` is not a valid value for `{param}` of endpoint `{endpoint}`"
            ),
            UrlForError::BadParams(why) => write!(
                f,
                "url_for: values must be a map, a struct or a list of (name, value) pairs: {why}"
            ),
        }
    }
}

impl std::error::Error for UrlForError {}

impl Router {
    pub(crate) fn url_for(
        &self,
        endpoint: &str,
        params: impl Serialize,
    ) -> Result<String, UrlForError> {
        let mut params = flatten(params)?;
        let Some(rules) = self.rules_named(endpoint) else {
            return Err(self.unknown_endpoint(endpoint));
        };
        let anchor = take(&mut params, "_anchor");
        // Like Werkzeug, try the rules with the most variables first and use the first whose
        // variables are all given: `{page: 3}` builds `/users/page/3`, not `/users/?page=3`.
        let mut candidates: Vec<_> = rules.iter().map(|(r, _)| r).collect();
        candidates.sort_by_key(|r| std::cmp::Reverse(r.params.len()));
        let rule = candidates
            .into_iter()
            .find(|r| {
                r.params
                    .iter()
                    .all(|p| params.iter().any(|(k, _)| *k == *p.name))
            })
            .ok_or_else(|| {
                let rule = &rules[0].0;
                UrlForError::MissingParams {
                    endpoint: endpoint.to_owned(),
                    rule: rule.text.clone(),
                    missing: rule
                        .params
                        .iter()
                        .filter(|p| !params.iter().any(|(k, _)| *k == *p.name))
                        .map(|p| p.name.to_string())
                        .collect(),
                }
            })?;

        let mut url = String::with_capacity(rule.text.len() + 16);
        for part in &rule.parts {
            match part {
                Part::Static(text) => url.push_str(text),
                Part::Param(i) => {
                    let param = &rule.params[*i];
                    let given = take(&mut params, &param.name).unwrap_or_default();
                    // Most converters write the value as given: no copy then.
                    let value = param.converter.to_url(&given);
                    if !param.converter.accepts(&value) {
                        return Err(UrlForError::InvalidParam {
                            endpoint: endpoint.to_owned(),
                            param: param.name.to_string(),
                            value: given.clone(),
                        });
                    }
                    url.extend(percent_encoding::utf8_percent_encode(&value, PATH_ENCODE));
                }
            }
        }
        if !params.is_empty() {
            url.push('?');
            let query = serde_urlencoded::to_string(&params)
                .map_err(|e| UrlForError::BadParams(e.to_string()))?;
            url.push_str(&query);
        }
        if let Some(anchor) = anchor {
            url.push('#');
            url.extend(percent_encoding::utf8_percent_encode(&anchor, PATH_ENCODE));
        }
        Ok(url)
    }
}

impl Router {
    fn unknown_endpoint(&self, name: &str) -> UrlForError {
        if let Some((endpoint, rule)) = self.renamed.get(name) {
            return UrlForError::Renamed {
                function: name.to_owned(),
                endpoint: endpoint.clone(),
                rule: rule.clone(),
            };
        }
        UrlForError::UnknownEndpoint {
            endpoint: name.to_owned(),
            did_you_mean: self.similar_endpoints(name),
        }
    }

    /// Known endpoint names and aliases that look like `name`, sorted.
    pub(crate) fn similar_endpoints(&self, name: &str) -> Vec<String> {
        let mut found: Vec<String> = self
            .endpoints
            .keys()
            .chain(self.aliases.keys())
            .filter(|k| similar(k, name))
            .cloned()
            .collect();
        found.sort();
        found
    }
}

fn take(params: &mut Vec<(String, String)>, name: &str) -> Option<String> {
    let pos = params.iter().position(|(k, _)| k == name)?;
    Some(params.remove(pos).1)
}

/// Accepts `()`, a map or struct, or a list of `(name, value)` pairs; list values in a map repeat
/// the query parameter.
fn flatten(params: impl Serialize) -> Result<Vec<(String, String)>, UrlForError> {
    let value = serde_json::to_value(params).map_err(|e| UrlForError::BadParams(e.to_string()))?;
    let mut out = Vec::new();
    match value {
        Value::Null => {}
        Value::Object(map) => {
            for (k, v) in map {
                push_value(&mut out, k, v)?;
            }
        }
        Value::Array(pairs) => {
            for pair in pairs {
                match pair {
                    Value::Array(mut kv) if kv.len() == 2 => {
                        let v = kv.pop().unwrap_or(Value::Null);
                        let Value::String(k) = kv.pop().unwrap_or(Value::Null) else {
                            return Err(UrlForError::BadParams(
                                "a pair's name must be a string".into(),
                            ));
                        };
                        push_value(&mut out, k, v)?;
                    }
                    other => {
                        return Err(UrlForError::BadParams(format!(
                            "expected a (name, value) pair, got {other}"
                        )));
                    }
                }
            }
        }
        other => return Err(UrlForError::BadParams(format!("got {other}"))),
    }
    Ok(out)
}

fn push_value(
    out: &mut Vec<(String, String)>,
    key: String,
    value: Value,
) -> Result<(), UrlForError> {
    match value {
        Value::Null => {}
        Value::String(s) => out.push((key, s)),
        Value::Number(n) => out.push((key, n.to_string())),
        Value::Bool(b) => out.push((key, b.to_string())),
        Value::Array(items) => {
            for item in items {
                push_value(out, key.clone(), item)?;
            }
        }
        Value::Object(_) => {
            return Err(UrlForError::BadParams(format!(
                "the value of `{key}` is a nested map"
            )));
        }
    }
    Ok(())
}

fn similar(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    a.contains(&b) || b.contains(&a) || a.rsplit('.').next() == b.rsplit('.').next() || {
        // A typo: one or two letters off in a name of some length.
        a.len().min(b.len()) > 3 && edit_distance(&a, &b) <= 2
    }
}

/// Levenshtein distance, for names of a few dozen characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::{Converters, Rule, get};

    async fn post() -> &'static str {
        "post"
    }
    async fn file() -> &'static str {
        "file"
    }

    fn router() -> Router {
        let mut r = Router::default();
        let c = Converters::default();
        r.insert(
            Rule::parse("/posts/<int:year>/<slug>", &c).unwrap(),
            get(post),
            None,
        )
        .unwrap();
        r.insert(
            Rule::parse("/files/<path:name>", &c).unwrap(),
            get(file),
            None,
        )
        .unwrap();
        r
    }

    #[test]
    fn builds_encodes_and_appends_query() {
        let r = router();
        let url = r
            .url_for(
                "post",
                serde_json::json!({"year": 2024, "slug": "héllo wörld", "page": 2}),
            )
            .unwrap();
        assert_eq!(url, "/posts/2024/h%C3%A9llo%20w%C3%B6rld?page=2");
        assert_eq!(
            r.url_for("file", [("name", "a/b c.txt")]).unwrap(),
            "/files/a/b%20c.txt"
        );
        assert_eq!(
            r.url_for(
                "post",
                serde_json::json!({"year": 1, "slug": "s", "_anchor": "top", "tag": ["a", "b"]})
            )
            .unwrap(),
            "/posts/1/s?tag=a&tag=b#top"
        );
    }

    #[test]
    fn typos_are_similar_names() {
        assert_eq!(edit_distance("blog.index", "blog.indx"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert!(similar("blog.index", "blog.indx"));
        assert!(similar("show_post", "show_posts"));
        assert!(!similar("index", "about"));
        assert!(!similar("ab", "cd"));
    }

    #[test]
    fn clear_errors() {
        let r = router();
        assert!(matches!(
            r.url_for("nope", ()),
            Err(UrlForError::UnknownEndpoint { .. })
        ));
        let err = r.url_for("post", [("year", "1")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "url_for: endpoint `post` (rule `/posts/<int:year>/<slug>`) needs a value for `slug`"
        );
        let err = r
            .url_for("post", [("year", "abc"), ("slug", "x")])
            .unwrap_err();
        assert!(matches!(err, UrlForError::InvalidParam { .. }), "{err}");
        let err = r
            .url_for("post", [("year", "1"), ("slug", "a/b")])
            .unwrap_err();
        assert!(matches!(err, UrlForError::InvalidParam { .. }), "{err}");
        assert!(matches!(
            r.url_for("post", 5),
            Err(UrlForError::BadParams(_))
        ));
    }
}
