//! Flask rule syntax (`/posts/<int:year>/<slug>`) compiled to a matchit pattern.

use std::fmt;
use std::sync::Arc;

use super::converter::{Args, Converter, Converters};

/// A parsed rule: the original text, the matchit pattern it compiles to and its variables.
pub(crate) struct Rule {
    pub(crate) text: String,
    /// The matchit pattern, with variables named by position (`{p0}`) so that rules differing
    /// only in variable names or converters share one matchit route.
    pub(crate) pattern: String,
    pub(crate) parts: Vec<Part>,
    pub(crate) params: Vec<Param>,
}

pub(crate) enum Part {
    Static(String),
    Param(usize),
}

pub(crate) struct Param {
    pub(crate) name: Arc<str>,
    /// The converter as written, arguments included (`int(min=1)`), to compare rules.
    pub(crate) spec: String,
    pub(crate) converter: Arc<dyn Converter>,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Rule {
    pub(crate) fn parse(text: &str, converters: &Converters) -> Result<Rule, String> {
        if !text.starts_with('/') {
            return Err("a rule must start with `/`".into());
        }
        let mut parts = Vec::new();
        let mut params: Vec<Param> = Vec::new();
        let mut pattern = String::with_capacity(text.len());
        let mut rest = text;
        let mut params_in_segment = 0;
        while !rest.is_empty() {
            let Some(open) = rest.find('<') else {
                push_static(&mut parts, &mut pattern, rest, &mut params_in_segment);
                break;
            };
            push_static(
                &mut parts,
                &mut pattern,
                &rest[..open],
                &mut params_in_segment,
            );
            let close = rest[open..]
                .find('>')
                .ok_or_else(|| "a `<` has no matching `>`".to_string())?
                + open;
            let variable = &rest[open + 1..close];
            rest = &rest[close + 1..];

            let (converter_spec, name) = match variable.rsplit_once(':') {
                Some((conv, name)) => (conv.trim(), name.trim()),
                None => ("string", variable.trim()),
            };
            if !is_identifier(name) {
                return Err(format!("`{name}` is not a valid variable name"));
            }
            if params.iter().any(|p| &*p.name == name) {
                return Err(format!("the variable `{name}` appears twice"));
            }
            let (conv_name, args) = match converter_spec.split_once('(') {
                Some((n, a)) => {
                    let a = a
                        .strip_suffix(')')
                        .ok_or_else(|| format!("converter arguments of `{name}` lack a `)`"))?;
                    (n.trim(), Args::parse(a)?)
                }
                None => (converter_spec, Args::default()),
            };
            let converter = converters.build(conv_name, args)?;

            params_in_segment += 1;
            if params_in_segment > 1 {
                return Err(
                    "only one variable per path segment is supported (matchit's limit); put a `/` between them"
                        .into(),
                );
            }
            let index = params.len();
            if converter.spans_slashes() {
                if !pattern.ends_with('/') || !rest.is_empty() {
                    return Err(format!(
                        "`<{conv_name}:{name}>` matches slashes, so it must be a whole segment at the end of the rule"
                    ));
                }
                pattern.push_str(&format!("{{*p{index}}}"));
            } else {
                pattern.push_str(&format!("{{p{index}}}"));
            }
            parts.push(Part::Param(index));
            params.push(Param {
                name: Arc::from(name),
                spec: converter_spec.replace(' ', ""),
                converter,
            });
        }
        Ok(Rule {
            text: text.to_owned(),
            pattern,
            parts,
            params,
        })
    }

    pub(crate) fn ends_with_slash(&self) -> bool {
        self.text.ends_with('/')
    }

    /// Sum of converter weights: rules sharing a pattern are tried lightest first.
    pub(crate) fn weight(&self) -> u32 {
        self.params.iter().map(|p| p.converter.weight()).sum()
    }

    /// Whether two rules with the same pattern accept exactly the same URLs.
    pub(crate) fn same_converters(&self, other: &Rule) -> bool {
        self.params.len() == other.params.len()
            && self
                .params
                .iter()
                .zip(&other.params)
                .all(|(a, b)| a.spec == b.spec)
    }
}

fn push_static(parts: &mut Vec<Part>, pattern: &mut String, text: &str, in_segment: &mut usize) {
    if text.is_empty() {
        return;
    }
    if text.contains('/') {
        *in_segment = 0;
    }
    for c in text.chars() {
        match c {
            '{' => pattern.push_str("{{"),
            '}' => pattern.push_str("}}"),
            c => pattern.push(c),
        }
    }
    parts.push(Part::Static(text.to_owned()));
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Rule, String> {
        Rule::parse(text, &Converters::default())
    }

    #[test]
    fn compiles_flask_rules_to_positional_matchit_patterns() {
        let rule = parse("/posts/<int:year>/<int:month>/<slug>").unwrap();
        assert_eq!(rule.pattern, "/posts/{p0}/{p1}/{p2}");
        let names: Vec<_> = rule.params.iter().map(|p| &*p.name).collect();
        assert_eq!(names, ["year", "month", "slug"]);
        assert_eq!(parse("/files/<path:name>").unwrap().pattern, "/files/{*p0}");
        assert_eq!(parse("/img-<int:id>.png").unwrap().pattern, "/img-{p0}.png");
        assert_eq!(parse("/{braces}").unwrap().pattern, "/{{braces}}");
    }

    #[test]
    fn rejects_what_matchit_cannot_route() {
        assert!(parse("no-slash").is_err());
        assert!(
            parse("/<a>-<b>")
                .unwrap_err()
                .contains("one variable per path segment")
        );
        assert!(parse("/<path:p>/edit").unwrap_err().contains("at the end"));
        assert!(parse("/<x>/<x>").unwrap_err().contains("twice"));
        assert!(
            parse("/<int:1x>")
                .unwrap_err()
                .contains("not a valid variable name")
        );
        assert!(parse("/<oops").unwrap_err().contains("no matching"));
        assert!(
            parse("/<lang:code>")
                .unwrap_err()
                .contains("unknown converter")
        );
    }
}
