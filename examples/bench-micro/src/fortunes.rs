//! The `/fortunes` page: a minijinja template with HTML auto-escaping.
//!
//! minijinja's HTML escaping also writes `/` as `&#x2f;`; TFB's reference output (Python's
//! `html.escape`, Django, Jinja2 with `html.escape`) escapes only `& < > " '`, as
//! `&amp; &lt; &gt; &quot; &#x27;`. A custom formatter does exactly that, so the page is
//! byte-identical to the harness's reference; values marked safe and non-HTML templates go
//! through minijinja's default formatter unchanged.

use std::fmt::{self, Write};
use std::sync::Arc;

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Output, State, Value, context};

use crate::db::Fortune;

/// The template's name; the `.html` suffix turns HTML auto-escaping on.
const NAME: &str = "fortunes.html";

/// The compiled templates, shared by every request (cloning is one reference count).
#[derive(Clone)]
pub(crate) struct Templates(Arc<Environment<'static>>);

impl Templates {
    /// Compiles the fortunes template.
    ///
    /// # Panics
    /// If the template (compiled into the binary) does not parse.
    pub(crate) fn new() -> Self {
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        env.add_template(NAME, include_str!("../templates/fortunes.html"))
            .expect("templates/fortunes.html is a valid template");
        Templates(Arc::new(env))
    }

    /// Renders the page for `fortunes`, in the order given.
    pub(crate) fn render(&self, fortunes: &[Fortune]) -> Result<String, Error> {
        self.0
            .get_template(NAME)?
            .render(context! { fortunes => Value::from(Serde(fortunes)) })
    }
}

/// minijinja's default formatter, except that HTML auto-escaping uses [`escape_html`].
fn html_formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    match (state.auto_escape(), value.as_str()) {
        (AutoEscape::Html, Some(text)) if !value.is_safe() => escape_html(out, text)
            .map_err(|_| Error::new(ErrorKind::WriteFailure, "could not write the output")),
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Writes `text` with `& < > " '` escaped as Python's `html.escape` does, and nothing else.
fn escape_html(out: &mut impl Write, text: &str) -> fmt::Result {
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.write_str(&text[start..i])?;
        out.write_str(entity)?;
        start = i + 1;
    }
    out.write_str(&text[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        escape_html(&mut out, text).unwrap();
        out
    }

    #[test]
    fn escapes_exactly_like_python_html_escape() {
        assert_eq!(
            escaped(r#"<a href="/x?a=1&b='2'">"#),
            "&lt;a href=&quot;/x?a=1&amp;b=&#x27;2&#x27;&quot;&gt;"
        );
        assert_eq!(escaped("plain / text = ok"), "plain / text = ok");
        assert_eq!(escaped(""), "");
        assert_eq!(escaped("フレームワーク — ü"), "フレームワーク — ü");
        assert_eq!(escaped("&&"), "&amp;&amp;");
    }

    #[test]
    fn renders_the_reference_markup() {
        let fortunes = [
            Fortune {
                id: 11,
                message: "<script>alert(\"x\");</script>".into(),
            },
            Fortune {
                id: 2,
                message: "things that aren't broken / fixed".into(),
            },
        ];
        let html = Templates::new().render(&fortunes).unwrap();
        assert_eq!(
            html,
            "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>\
             <tr><th>id</th><th>message</th></tr>\
             <tr><td>11</td><td>&lt;script&gt;alert(&quot;x&quot;);&lt;/script&gt;</td></tr>\
             <tr><td>2</td><td>things that aren&#x27;t broken / fixed</td></tr>\
             </table></body></html>"
        );
    }
}
