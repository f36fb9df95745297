//! A deserialiser over TOML values that reads text as the type the setting asks for.
//!
//! Environment variables are text, so `MICRO_MAX_CONTENT_LENGTH=1024` arrives as the string
//! `"1024"`. Guessing its type from its look (as a TOML value) turned `MICRO_SECRET_KEY=123456`
//! into an integer and `007` into 7; instead every environment value stays a string, and this
//! deserialiser converts it when, and only when, the target type asks for something else: a
//! number, a boolean (`1`/`0`, `yes`/`no`, `on`/`off` too), a list (`["a", "b"]`, or a single
//! value as a list of one), an enum variant. Strings stay strings, zeros and all.

use std::fmt;

use serde::de::value::{MapAccessDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use toml::Value;

/// Why a value did not fit its setting; serde's wording, or micro's for booleans and lists.
#[derive(Debug)]
pub(crate) struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// A TOML value to deserialise leniently.
pub(crate) struct Lenient {
    value: Value,
    /// Match table keys to struct fields ignoring ASCII case (`[APP] DATABASE` fills
    /// `database`), for the user's own settings.
    fold_case: bool,
}

impl Lenient {
    /// Exact key names, as micro's own settings are spelled.
    pub(crate) fn new(value: Value) -> Self {
        Lenient {
            value,
            fold_case: false,
        }
    }

    /// Keys match struct fields ignoring case.
    pub(crate) fn folding_case(value: Value) -> Self {
        Lenient {
            value,
            fold_case: true,
        }
    }

    fn text(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s.trim()),
            _ => None,
        }
    }
}

/// `1_048_576` as TOML writes it, and surrounding spaces, are accepted in numbers from text.
fn parse<T: std::str::FromStr>(text: &str) -> Option<T> {
    text.replace('_', "").parse().ok()
}

macro_rules! from_text {
    ($($method:ident => $parsed:ty, $visit:ident;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            if let Some(n) = self.text().and_then(parse::<$parsed>) {
                return visitor.$visit(n);
            }
            self.deserialize_any(visitor)
        }
    )*};
}

macro_rules! as_any {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.deserialize_any(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Lenient {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let fold_case = self.fold_case;
        match self.value {
            Value::String(s) => visitor.visit_string(s),
            Value::Integer(n) => visitor.visit_i64(n),
            Value::Float(n) => visitor.visit_f64(n),
            Value::Boolean(b) => visitor.visit_bool(b),
            Value::Datetime(d) => visitor.visit_string(d.to_string()),
            Value::Array(items) => visitor.visit_seq(Seq {
                items: items.into_iter(),
                fold_case,
            }),
            Value::Table(table) => visitor.visit_map(Map {
                entries: table.into_iter(),
                pending: None,
                fold_case,
            }),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let not_a_bool = |shown: &str| {
            Error(format!(
                "`{shown}` is not a boolean (use true or false; 1/0, yes/no and on/off work too)"
            ))
        };
        match &self.value {
            Value::Boolean(b) => visitor.visit_bool(*b),
            Value::Integer(0) => visitor.visit_bool(false),
            Value::Integer(1) => visitor.visit_bool(true),
            Value::Integer(n) => Err(not_a_bool(&n.to_string())),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => visitor.visit_bool(true),
                "false" | "0" | "no" | "off" | "" => visitor.visit_bool(false),
                _ => Err(not_a_bool(s)),
            },
            _ => self.deserialize_any(visitor),
        }
    }

    from_text! {
        deserialize_i8 => i64, visit_i64;
        deserialize_i16 => i64, visit_i64;
        deserialize_i32 => i64, visit_i64;
        deserialize_i64 => i64, visit_i64;
        deserialize_i128 => i128, visit_i128;
        deserialize_u8 => u64, visit_u64;
        deserialize_u16 => u64, visit_u64;
        deserialize_u32 => u64, visit_u64;
        deserialize_u64 => u64, visit_u64;
        deserialize_u128 => u128, visit_u128;
        deserialize_f32 => f64, visit_f64;
        deserialize_f64 => f64, visit_f64;
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // TOML has no null: a value that is there is `Some`.
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Value::String(text) = &self.value else {
            return self.deserialize_any(visitor);
        };
        let items = if text.trim_start().starts_with('[') {
            match format!("v = {text}").parse::<toml::Table>() {
                Ok(mut t) => match t.remove("v") {
                    Some(Value::Array(items)) => items,
                    _ => return Err(not_a_list(text)),
                },
                Err(_) => return Err(not_a_list(text)),
            }
        } else {
            // One value where a list is expected is a list of one.
            vec![self.value.clone()]
        };
        visitor.visit_seq(Seq {
            items: items.into_iter(),
            fold_case: self.fold_case,
        })
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let Value::Table(table) = self.value else {
            return self.deserialize_any(visitor);
        };
        let table = if self.fold_case {
            table
                .into_iter()
                .map(|(key, value)| (field_for(&key, fields).unwrap_or(key), value))
                .collect()
        } else {
            table
        };
        visitor.visit_map(Map {
            entries: table.into_iter(),
            pending: None,
            fold_case: self.fold_case,
        })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let fold_case = self.fold_case;
        match self.value {
            Value::String(s) => {
                let variant: StringDeserializer<Error> = s.into_deserializer();
                visitor.visit_enum(variant)
            }
            Value::Table(table) => visitor.visit_enum(MapAccessDeserializer::new(Map {
                entries: table.into_iter(),
                pending: None,
                fold_case,
            })),
            other => Lenient::new(other).deserialize_any(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    as_any! {
        deserialize_char deserialize_str deserialize_string deserialize_bytes
        deserialize_byte_buf deserialize_unit deserialize_map deserialize_identifier
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }
}

fn not_a_list(text: &str) -> Error {
    Error(format!(
        "`{text}` is not a list: write it as [\"a\", \"b\"] (or give one value)"
    ))
}

/// The field `key` names: itself if it is one, else the one equal to it ignoring case.
fn field_for(key: &str, fields: &'static [&'static str]) -> Option<String> {
    if fields.contains(&key) {
        return None;
    }
    fields
        .iter()
        .find(|field| field.eq_ignore_ascii_case(key))
        .map(|field| (*field).to_owned())
}

struct Seq {
    items: std::vec::IntoIter<Value>,
    fold_case: bool,
}

impl<'de> SeqAccess<'de> for Seq {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.items.next() {
            Some(value) => seed
                .deserialize(Lenient {
                    value,
                    fold_case: self.fold_case,
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map {
    entries: toml::map::IntoIter<String, Value>,
    pending: Option<Value>,
    fold_case: bool,
}

impl<'de> MapAccess<'de> for Map {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some(value);
        let key: StringDeserializer<Error> = key.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .pending
            .take()
            .ok_or_else(|| Error("a value was asked for before its key".into()))?;
        seed.deserialize(Lenient {
            value,
            fold_case: self.fold_case,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn text(s: &str) -> Lenient {
        Lenient::new(Value::String(s.into()))
    }

    #[test]
    fn text_becomes_the_type_asked_for() {
        assert_eq!(u16::deserialize(text(" 8080 ")).unwrap(), 8080);
        assert_eq!(usize::deserialize(text("1_048_576")).unwrap(), 1_048_576);
        assert_eq!(i32::deserialize(text("-5")).unwrap(), -5);
        assert_eq!(f64::deserialize(text("1.5")).unwrap(), 1.5);
        assert!(bool::deserialize(text("yes")).unwrap());
        assert!(!bool::deserialize(text("0")).unwrap());
        assert_eq!(String::deserialize(text("007")).unwrap(), "007");
        assert_eq!(
            Option::<u8>::deserialize(text("7")).unwrap(),
            Some(7),
            "an option of a number"
        );
        assert_eq!(
            Vec::<String>::deserialize(text(r#"["a", "b"]"#)).unwrap(),
            ["a", "b"]
        );
        assert_eq!(Vec::<String>::deserialize(text("only")).unwrap(), ["only"]);
        assert_eq!(Vec::<u8>::deserialize(text("[1, 2]")).unwrap(), [1, 2]);
    }

    #[test]
    fn text_that_does_not_fit_is_a_clear_error() {
        let err = u16::deserialize(text("big")).unwrap_err().to_string();
        assert!(err.contains("\"big\"") && err.contains("u16"), "{err}");
        let err = u8::deserialize(text("300")).unwrap_err().to_string();
        assert!(err.contains("300"), "{err}");
        let err = bool::deserialize(text("maybe")).unwrap_err().to_string();
        assert!(err.contains("`maybe` is not a boolean"), "{err}");
        let err = Vec::<String>::deserialize(text("[oops"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a list"), "{err}");
    }

    #[test]
    fn typed_toml_values_still_work() {
        assert_eq!(
            u16::deserialize(Lenient::new(Value::Integer(5))).unwrap(),
            5
        );
        assert!(bool::deserialize(Lenient::new(Value::Boolean(true))).unwrap());
        // A number is not quietly turned into text: the file said what it is.
        assert!(String::deserialize(Lenient::new(Value::Integer(5))).is_err());
    }

    #[test]
    fn keys_fold_case_only_when_asked() {
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        struct Settings {
            database: String,
            port: u16,
        }
        let table: toml::Table = "DATABASE = \"db.sqlite\"\nPort = \"8000\"".parse().unwrap();
        let s = Settings::deserialize(Lenient::folding_case(Value::Table(table.clone()))).unwrap();
        assert_eq!((s.database.as_str(), s.port), ("db.sqlite", 8000));
        assert!(Settings::deserialize(Lenient::new(Value::Table(table))).is_err());
    }

    #[test]
    fn enums_from_text_or_tables() {
        #[derive(Deserialize, Debug, PartialEq)]
        enum Mode {
            Fast,
            Limit(u8),
        }
        assert_eq!(Mode::deserialize(text("Fast")).unwrap(), Mode::Fast);
        let table: toml::Table = "Limit = \"3\"".parse().unwrap();
        assert_eq!(
            Mode::deserialize(Lenient::new(Value::Table(table))).unwrap(),
            Mode::Limit(3)
        );
    }
}
