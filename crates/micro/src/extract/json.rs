use serde::de::DeserializeOwned;

use super::{
    BodyUse, FromRequest, field_error, is_json_content_type, read_body, unsupported_media_type,
};
use crate::{Error, Json, Request};

/// Reads a JSON body into `T`.
///
/// ```
/// use micro::Json;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Deserialize, Serialize)]
/// struct Reading { sensor: String, value: f64 }
///
/// async fn echo(Json(reading): Json<Reading>) -> Json<Reading> {
///     Json(reading)
/// }
/// ```
///
/// A content type other than `application/json` (or `+json`) is a 415, a body over the limit a
/// 413, malformed JSON a 400, and JSON of the wrong shape a 422 whose `details` name the field,
/// for example `[{"field": "value", "message": "invalid type: string \"x\", expected f64"}]`.
impl<T: DeserializeOwned + Send> FromRequest for Json<T> {
    type Rejection = Error;
    const BODY: BodyUse = BodyUse::Reads;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        let is_json = req
            .header(http::header::CONTENT_TYPE)
            .is_some_and(is_json_content_type);
        if !is_json {
            return Err(unsupported_media_type("application/json", req));
        }
        let bytes = read_body(req, std::any::type_name::<Self>()).await?;
        parse(&bytes).map(Json)
    }
}

pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let inner = err.inner();
        match inner.classify() {
            serde_json::error::Category::Data => field_error(
                http::StatusCode::UNPROCESSABLE_ENTITY,
                "JSON",
                err.path(),
                &data_message(inner),
            ),
            _ => malformed(inner),
        }
    })?;
    de.end().map_err(|e| malformed(&e))?;
    Ok(value)
}

fn malformed(err: &serde_json::Error) -> Error {
    Error::bad_request(format!("Malformed JSON: {err}."))
        .with_details(serde_json::json!([{ "line": err.line(), "column": err.column(), "message": data_message(err) }]))
}

/// serde_json appends " at line L column C"; the details carry the position separately.
fn data_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(pos) => text[..pos].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Point {
        x: i32,
        y: i32,
    }

    #[test]
    fn malformed_is_400_and_wrong_shape_is_422_with_the_field() {
        let err = parse::<Point>(b"{\"x\": 1,").unwrap_err();
        assert_eq!(err.status(), 400);
        let err = parse::<Point>(b"{\"x\": 1, \"y\": \"two\"}").unwrap_err();
        assert_eq!(err.status(), 422);
        assert_eq!(err.details().unwrap()[0]["field"], "y");
        let err = parse::<Point>(b"{\"x\": 1}").unwrap_err();
        assert_eq!(err.status(), 422);
        assert_eq!(err.details().unwrap()[0]["field"], "y");
        assert!(err.message().contains("missing field"), "{}", err.message());
        let err = parse::<Point>(b"{\"x\": 1, \"y\": 2} trailing").unwrap_err();
        assert_eq!(err.status(), 400);
    }
}
