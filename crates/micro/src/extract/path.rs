use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{DeserializeOwned, Deserializer, Visitor};
use serde_json::Value;

use super::FromRequest;
use crate::{Error, Request};

/// The rule's variables, deserialised into `T`: one value, a tuple in rule order, or a struct or
/// map by name. Converters decide the JSON type each variable has (`int` a number, `string` a
/// string), so a rule variable always fits a matching Rust type.
///
/// ```
/// use micro::{App, Path};
///
/// async fn day(Path((year, month, day)): Path<(u16, u8, u8)>) -> String {
///     format!("{year}-{month:02}-{day:02}")
/// }
///
/// #[derive(serde::Deserialize)]
/// struct Post { year: u16, slug: String }
///
/// async fn post(Path(p): Path<Post>) -> String {
///     format!("{} ({})", p.slug, p.year)
/// }
///
/// let mut app = App::new();
/// app.get("/archive/<int:year>/<int:month>/<int:day>/", day);
/// app.get("/posts/<int:year>/<slug>", post);
/// ```
///
/// A variable that does not fit `T` (a `string` variable read as `u32`) is a 400 naming it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest for Path<T> {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        let values: Vec<(String, Value)> = match &req.matched {
            Some(m) => m.typed_values().collect(),
            None => Vec::new(),
        };
        let de = PathDeserializer { values };
        serde_path_to_error::deserialize(de)
            .map(Path)
            .map_err(|err| {
                let inner = err.inner().to_string();
                super::field_error(
                    http::StatusCode::BAD_REQUEST,
                    "URL variable",
                    err.path(),
                    &inner,
                )
            })
    }
}

/// Presents the rule variables to serde as a single value, a sequence or a map, depending on what
/// the target type asks for.
struct PathDeserializer {
    values: Vec<(String, Value)>,
}

impl PathDeserializer {
    fn single(self) -> Result<Value, serde_json::Error> {
        let count = self.values.len();
        let mut values = self.values.into_iter();
        match (values.next(), count) {
            (Some((_, value)), 1) => Ok(value),
            _ => Err(serde::de::Error::custom(format!(
                "expected 1 URL variable, the rule has {count}; use a tuple or struct"
            ))),
        }
    }
}

macro_rules! forward_single {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                self.single()?.$method(visitor)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for PathDeserializer {
    type Error = serde_json::Error;

    forward_single! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_bytes deserialize_byte_buf deserialize_option
        deserialize_unit deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.values.len() == 1 {
            self.single()?.deserialize_any(visitor)
        } else {
            self.deserialize_map(visitor)
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let mut map = MapDeserializer::new(self.values.into_iter());
        let value = visitor.visit_map(&mut map)?;
        map.end()?;
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let mut seq = SeqDeserializer::new(self.values.into_iter().map(|(_, v)| v));
        let value = visitor.visit_seq(&mut seq)?;
        seq.end()?;
        Ok(value)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        if len != self.values.len() {
            return Err(serde::de::Error::custom(format!(
                "expected a tuple of {} URL variables, got one of {len}",
                self.values.len()
            )));
        }
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.single()?.deserialize_enum(name, variants, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn de<T: DeserializeOwned>(values: &[(&str, Value)]) -> Result<T, serde_json::Error> {
        T::deserialize(PathDeserializer {
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        })
    }

    #[test]
    fn single_tuple_struct_and_map() {
        assert_eq!(de::<u32>(&[("id", Value::from(7))]).unwrap(), 7);
        assert_eq!(
            de::<String>(&[("name", Value::from("ada"))]).unwrap(),
            "ada"
        );
        let t: (u16, String) = de(&[("y", Value::from(2024)), ("s", Value::from("x"))]).unwrap();
        assert_eq!(t, (2024, "x".to_string()));

        #[derive(Deserialize)]
        struct P {
            y: u16,
            s: String,
        }
        let p: P = de(&[("y", Value::from(2024)), ("s", Value::from("x"))]).unwrap();
        assert_eq!((p.y, p.s.as_str()), (2024, "x"));

        let m: std::collections::HashMap<String, Value> =
            de(&[("a", Value::from(1)), ("b", Value::from(2))]).unwrap();
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn mismatches_are_errors_not_panics() {
        assert!(de::<u32>(&[("name", Value::from("ada"))]).is_err());
        assert!(de::<u32>(&[]).is_err());
        assert!(de::<(u32, u32)>(&[("a", Value::from(1))]).is_err());
    }
}
