//! URL converters: what a `<converter:name>` variable in a rule accepts.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

/// Decides which path segments a rule variable accepts, like a Werkzeug converter.
///
/// A segment the converter rejects makes the rule not match, so the request gets a 404 (or matches
/// another rule), never a handler call with a bad value.
///
/// ```
/// use micro::{App, Converter};
///
/// /// Two-letter lower-case language codes.
/// struct Lang;
///
/// impl Converter for Lang {
///     fn accepts(&self, value: &str) -> bool {
///         value.len() == 2 && value.bytes().all(|b| b.is_ascii_lowercase())
///     }
/// }
///
/// let mut app = App::new();
/// app.converter("lang", Lang);
/// app.get("/<lang:code>/about", async || "about");
/// ```
pub trait Converter: Send + Sync + 'static {
    /// Whether `value` (already percent-decoded) is a value of this converter.
    fn accepts(&self, value: &str) -> bool;

    /// The value as JSON, used when a handler extracts [`Path`](crate::Path); numbers for numeric
    /// converters, strings otherwise.
    fn to_value(&self, value: &str) -> Value {
        Value::String(value.to_owned())
    }

    /// How `url_for` writes `value` (the parameter as text) in a URL, before checking that the
    /// converter accepts it: Werkzeug's `to_url`. The value as it is by default; `int` with
    /// `fixed_digits` pads it with zeros (`7` is `0007` for `fixed_digits=4`).
    fn to_url<'v>(&self, value: &'v str) -> std::borrow::Cow<'v, str> {
        std::borrow::Cow::Borrowed(value)
    }

    /// Whether the variable may span `/` (only at the end of a rule, like `path`).
    fn spans_slashes(&self) -> bool {
        false
    }

    /// Orders rules that differ only by converter: lower weights are tried first (Werkzeug's
    /// order: `int`/`float` 50, `uuid` 70, `any` 80, `string` and custom 100, `path` 200).
    fn weight(&self) -> u32 {
        100
    }
}

/// `string` (the default): any non-empty text without a slash, with optional length bounds.
pub(crate) struct StringConverter {
    min: usize,
    max: Option<usize>,
}

impl Converter for StringConverter {
    fn accepts(&self, value: &str) -> bool {
        let len = value.chars().count();
        len >= self.min && self.max.is_none_or(|max| len <= max) && !value.contains('/')
    }
}

/// `int`: unsigned decimal digits (signed with `signed=True`), with optional bounds.
pub(crate) struct IntConverter {
    signed: bool,
    min: Option<i64>,
    max: Option<i64>,
    fixed_digits: usize,
}

impl IntConverter {
    fn parse(&self, value: &str) -> Option<i64> {
        let digits = match value.strip_prefix('-') {
            Some(rest) if self.signed => rest,
            _ => value,
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if self.fixed_digits > 0 && digits.len() != self.fixed_digits {
            return None;
        }
        let n: i64 = value.parse().ok()?;
        (self.min.is_none_or(|m| n >= m) && self.max.is_none_or(|m| n <= m)).then_some(n)
    }
}

impl Converter for IntConverter {
    fn accepts(&self, value: &str) -> bool {
        self.parse(value).is_some()
    }

    fn to_value(&self, value: &str) -> Value {
        self.parse(value).map_or(Value::Null, Value::from)
    }

    fn to_url<'v>(&self, value: &'v str) -> std::borrow::Cow<'v, str> {
        let (sign, digits) = match value.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", value),
        };
        let short = self.fixed_digits.saturating_sub(digits.len());
        if short == 0 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return std::borrow::Cow::Borrowed(value);
        }
        std::borrow::Cow::Owned(format!("{sign}{}{digits}", "0".repeat(short)))
    }

    fn weight(&self) -> u32 {
        50
    }
}

/// `float`: digits with a decimal point, like Werkzeug (`1.5`, not `1` or `1e3`).
pub(crate) struct FloatConverter {
    signed: bool,
    min: Option<f64>,
    max: Option<f64>,
}

impl FloatConverter {
    fn parse(&self, value: &str) -> Option<f64> {
        let unsigned = match value.strip_prefix('-') {
            Some(rest) if self.signed => rest,
            _ => value,
        };
        let (int, frac) = unsigned.split_once('.')?;
        if int.is_empty() || frac.is_empty() {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: f64 = value.parse().ok()?;
        (self.min.is_none_or(|m| n >= m) && self.max.is_none_or(|m| n <= m)).then_some(n)
    }
}

impl Converter for FloatConverter {
    fn accepts(&self, value: &str) -> bool {
        self.parse(value).is_some()
    }

    fn to_value(&self, value: &str) -> Value {
        self.parse(value).map_or(Value::Null, Value::from)
    }

    fn weight(&self) -> u32 {
        50
    }
}

/// `path`: like `string` but accepts slashes; must end the rule.
pub(crate) struct PathConverter;

impl Converter for PathConverter {
    fn accepts(&self, value: &str) -> bool {
        !value.is_empty()
    }

    fn spans_slashes(&self) -> bool {
        true
    }

    fn weight(&self) -> u32 {
        200
    }
}

/// `uuid`: the 8-4-4-4-12 hexadecimal form.
pub(crate) struct UuidConverter;

impl Converter for UuidConverter {
    fn accepts(&self, value: &str) -> bool {
        let bytes = value.as_bytes();
        bytes.len() == 36
            && bytes.iter().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => *b == b'-',
                _ => b.is_ascii_hexdigit(),
            })
    }

    fn weight(&self) -> u32 {
        70
    }
}

/// `any(a, b, c)`: one of a fixed set of words.
pub(crate) struct AnyConverter {
    items: Vec<String>,
}

impl Converter for AnyConverter {
    fn accepts(&self, value: &str) -> bool {
        self.items.iter().any(|item| item == value)
    }

    fn weight(&self) -> u32 {
        80
    }
}

/// Converter arguments as written in a rule: `int(min=1, max=12)`, `any(about, help)`.
#[derive(Debug, Default)]
pub(crate) struct Args {
    pub(crate) positional: Vec<String>,
    pub(crate) named: Vec<(String, String)>,
}

impl Args {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut args = Args::default();
        for raw in text.split(',') {
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            match raw.split_once('=') {
                Some((key, value)) => args
                    .named
                    .push((key.trim().to_owned(), unquote(value.trim()))),
                None => args.positional.push(unquote(raw)),
            }
        }
        Ok(args)
    }

    fn take<T: std::str::FromStr>(&mut self, key: &str) -> Result<Option<T>, String> {
        let Some(pos) = self.named.iter().position(|(k, _)| k == key) else {
            return Ok(None);
        };
        let (_, value) = self.named.remove(pos);
        value
            .parse()
            .map(Some)
            .map_err(|_| format!("argument `{key}` has an invalid value `{value}`"))
    }

    fn take_bool(&mut self, key: &str) -> Result<bool, String> {
        let Some(pos) = self.named.iter().position(|(k, _)| k == key) else {
            return Ok(false);
        };
        match self.named.remove(pos).1.as_str() {
            "True" | "true" => Ok(true),
            "False" | "false" => Ok(false),
            other => Err(format!(
                "argument `{key}` must be True or False, not `{other}`"
            )),
        }
    }

    fn finish(self) -> Result<(), String> {
        if let Some(p) = self.positional.first() {
            return Err(format!("unexpected argument `{p}`"));
        }
        if let Some((k, _)) = self.named.first() {
            return Err(format!("unknown argument `{k}`"));
        }
        Ok(())
    }
}

fn unquote(s: &str) -> String {
    let quoted = s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')));
    if quoted {
        s[1..s.len() - 1].to_owned()
    } else {
        s.to_owned()
    }
}

/// A converter factory: user converters take no arguments, built-ins parse theirs.
pub(crate) type Factory = Arc<dyn Fn(Args) -> Result<Arc<dyn Converter>, String> + Send + Sync>;

/// The converters a rule may name, built-in and user-registered.
#[derive(Clone)]
pub(crate) struct Converters {
    by_name: HashMap<String, Factory>,
}

impl Default for Converters {
    fn default() -> Self {
        let mut by_name: HashMap<String, Factory> = HashMap::new();
        by_name.insert(
            "string".into(),
            Arc::new(|mut a: Args| {
                let length: Option<usize> = a.take("length")?;
                let min = a.take("minlength")?.unwrap_or(1);
                let max = a.take("maxlength")?;
                a.finish()?;
                Ok(Arc::new(match length {
                    Some(len) => StringConverter {
                        min: len,
                        max: Some(len),
                    },
                    None => StringConverter { min, max },
                }) as Arc<dyn Converter>)
            }),
        );
        by_name.insert(
            "int".into(),
            Arc::new(|mut a: Args| {
                let conv = IntConverter {
                    signed: a.take_bool("signed")?,
                    min: a.take("min")?,
                    max: a.take("max")?,
                    fixed_digits: a.take("fixed_digits")?.unwrap_or(0),
                };
                a.finish()?;
                Ok(Arc::new(conv) as Arc<dyn Converter>)
            }),
        );
        by_name.insert(
            "float".into(),
            Arc::new(|mut a: Args| {
                let conv = FloatConverter {
                    signed: a.take_bool("signed")?,
                    min: a.take("min")?,
                    max: a.take("max")?,
                };
                a.finish()?;
                Ok(Arc::new(conv) as Arc<dyn Converter>)
            }),
        );
        by_name.insert(
            "path".into(),
            Arc::new(|a: Args| {
                a.finish()?;
                Ok(Arc::new(PathConverter) as Arc<dyn Converter>)
            }),
        );
        by_name.insert(
            "uuid".into(),
            Arc::new(|a: Args| {
                a.finish()?;
                Ok(Arc::new(UuidConverter) as Arc<dyn Converter>)
            }),
        );
        by_name.insert(
            "any".into(),
            Arc::new(|a: Args| {
                if a.positional.is_empty() || !a.named.is_empty() {
                    return Err("`any` takes a list of words, like any(about, help)".into());
                }
                Ok(Arc::new(AnyConverter {
                    items: a.positional,
                }) as Arc<dyn Converter>)
            }),
        );
        Converters { by_name }
    }
}

impl Converters {
    pub(crate) fn register(&mut self, name: &str, converter: Arc<dyn Converter>) {
        self.by_name.insert(
            name.to_owned(),
            Arc::new(move |a: Args| {
                a.finish()?;
                Ok(converter.clone())
            }),
        );
    }

    pub(crate) fn build(&self, name: &str, args: Args) -> Result<Arc<dyn Converter>, String> {
        let factory = self.by_name.get(name).ok_or_else(|| {
            format!("unknown converter `{name}`; register it with `app.converter(\"{name}\", ...)` before adding the route")
        })?;
        factory(args).map_err(|e| format!("converter `{name}`: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(name: &str, args: &str) -> Arc<dyn Converter> {
        Converters::default()
            .build(name, Args::parse(args).unwrap())
            .unwrap()
    }

    #[test]
    fn int_accepts_digits_only_and_honours_bounds() {
        let int = conv("int", "");
        assert!(int.accepts("2024"));
        assert!(!int.accepts("-1"));
        assert!(!int.accepts("12a"));
        assert!(!int.accepts(""));
        assert!(!int.accepts("99999999999999999999999"));
        assert_eq!(int.to_value("7"), Value::from(7));
        let month = conv("int", "min=1, max=12");
        assert!(month.accepts("12") && !month.accepts("13") && !month.accepts("0"));
        assert!(conv("int", "signed=True").accepts("-3"));
        assert!(!conv("int", "fixed_digits=4").accepts("123"));
        let fixed = conv("int", "fixed_digits=4");
        assert_eq!(fixed.to_url("7"), "0007");
        assert_eq!(fixed.to_url("1234"), "1234");
        assert_eq!(
            fixed.to_url("12345"),
            "12345",
            "too long stays, and is refused"
        );
        assert_eq!(
            conv("int", "signed=True, fixed_digits=3").to_url("-7"),
            "-007"
        );
        assert_eq!(conv("int", "").to_url("7"), "7");
    }

    #[test]
    fn float_needs_a_decimal_point() {
        let f = conv("float", "");
        assert!(f.accepts("1.5"));
        assert!(!f.accepts("1"));
        assert!(!f.accepts("1e3"));
        assert!(!f.accepts("-1.5"));
        assert!(conv("float", "signed=True").accepts("-1.5"));
    }

    #[test]
    fn string_uuid_any_path() {
        assert!(!conv("string", "").accepts("a/b"));
        assert!(conv("string", "length=2").accepts("en"));
        assert!(!conv("string", "length=2").accepts("eng"));
        assert!(conv("uuid", "").accepts("67e55044-10b1-426f-9247-bb680e5fe0c8"));
        assert!(!conv("uuid", "").accepts("67e55044-10b1-426f-9247-bb680e5fe0c"));
        let any = conv("any", "about, 'help'");
        assert!(any.accepts("about") && any.accepts("help") && !any.accepts("x"));
        assert!(conv("path", "").accepts("a/b/c"));
    }

    #[test]
    fn bad_arguments_are_reported() {
        let c = Converters::default();
        let err = c.build("int", Args::parse("mn=1").unwrap()).err().unwrap();
        assert!(err.contains("unknown argument `mn`"), "{err}");
        let err = c.build("lang", Args::default()).err().unwrap();
        assert!(err.contains("unknown converter `lang`"), "{err}");
    }
}
