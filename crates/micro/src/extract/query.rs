use serde::de::DeserializeOwned;

use super::{FromRequest, field_error};
use crate::{Error, Request};

/// The query string, deserialised into `T` with `serde_urlencoded`.
///
/// ```
/// use micro::Query;
///
/// #[derive(serde::Deserialize)]
/// struct Search { q: String, page: Option<u32> }
///
/// async fn search(Query(s): Query<Search>) -> String {
///     format!("{} (page {})", s.q, s.page.unwrap_or(1))
/// }
/// ```
///
/// A missing or malformed field is a 400 naming the field.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest for Query<T> {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        parse(req.query_string().unwrap_or("")).map(Query)
    }
}

pub(crate) fn parse<T: DeserializeOwned>(query: &str) -> Result<T, Error> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        field_error(
            http::StatusCode::BAD_REQUEST,
            "query string",
            err.path(),
            &err.inner().to_string(),
        )
    })
}
