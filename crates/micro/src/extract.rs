//! Extractors: typed arguments that handlers pull out of the request.
//!
//! Each extractor fails with a clear 4xx [`Error`] whose body is JSON when the client speaks JSON:
//!
//! | extractor | reads | fails with |
//! |---|---|---|
//! | [`Path<T>`](crate::Path) | rule variables | 400 if a variable does not fit `T` |
//! | [`Query<T>`](crate::Query) | the query string | 400, naming the bad field |
//! | [`Form<T>`](crate::Form) | an urlencoded body | 415 wrong content type, 413 too large, 422 bad field |
//! | [`Json<T>`](crate::Json) | a JSON body | 415 wrong content type, 413 too large, 400 malformed, 422 bad field |
//! | [`Cookies`] | the `Cookie` header | never |
//! | [`State<T>`](crate::State) | app state | 500 if never registered |
//! | [`G`](crate::G) | request-local storage | never |
//! | `HeaderMap`, `Method`, `Uri` | the request head | never |
//! | `Bytes`, `String`, [`Body`] | the raw body | 413 too large, 400 if `String` is not UTF-8 |
//! | `MultipartForm`, `Multipart` (feature `multipart`) | a `multipart/form-data` body | 415 wrong content type, 400 malformed or no boundary, 413 over a limit |
//! | `WebSocketUpgrade` (feature `ws`) | a WebSocket handshake | 405 not GET, 426 not an upgrade or wrong version, 400 no key, 500 no socket |
//! | [`Shutdown`](crate::Shutdown) | the server's shutdown signal | never |
//! | [`Request`] | everything | never |
//! | `Option<T>` | any of the above | never: `None` instead of the error |
//!
//! Body extractors read at most [`Request::body_limit`](crate::Request::body_limit) bytes (2 MiB
//! unless the app or route says otherwise). Only one body extractor per handler makes sense: a
//! second one finds the body gone and answers 500, naming the mistake in the log.

mod cookies;
mod form;
mod json;
mod path;
mod query;

use std::future::Future;

use bytes::Bytes;
use http::{HeaderMap, Method, Uri};

pub use cookies::Cookies;
pub use form::Form;
#[cfg(feature = "templates")]
pub(crate) use form::ReadForm;
pub use path::Path;
pub use query::Query;

use crate::response::IntoResponse;
use crate::{Body, Error, Request};

/// Something a handler can take as an argument, built from the request.
///
/// Implement it for your own types to share request-derived values across handlers, the way
/// Flask apps use `g.user` or a login decorator:
///
/// ```
/// use micro::{Error, FromRequest, Request, abort};
///
/// struct ApiKey(String);
///
/// impl FromRequest for ApiKey {
///     type Rejection = Error;
///
///     async fn from_request(req: &mut Request) -> Result<Self, Error> {
///         match req.header("x-api-key") {
///             Some(key) => Ok(ApiKey(key.to_owned())),
///             None => Err(abort(401)),
///         }
///     }
/// }
///
/// async fn secret(ApiKey(key): ApiKey) -> String {
///     format!("hello, holder of {key}")
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be extracted from a request",
    label = "not an extractor",
    note = "handler arguments must implement `FromRequest`: Path, Query, Json, Form, State, G, Cookies, HeaderMap, Bytes, String, Request, or your own type"
)]
pub trait FromRequest: Sized + Send {
    /// The response sent when extraction fails; usually [`Error`].
    type Rejection: IntoResponse;

    /// Builds the value from the request.
    fn from_request(
        req: &mut Request,
    ) -> impl Future<Output = Result<Self, Self::Rejection>> + Send;
}

/// The whole request, Flask style. The app keeps a copy of the head (method, URL, headers) for
/// its hooks and error handlers; the body moves to the handler.
impl FromRequest for Request {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        Ok(req.split_off())
    }
}

impl FromRequest for Method {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        Ok(req.method().clone())
    }
}

impl FromRequest for Uri {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        Ok(req.uri().clone())
    }
}

impl FromRequest for HeaderMap {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        Ok(req.headers().clone())
    }
}

impl FromRequest for Body {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        take_body(req)
    }
}

impl FromRequest for Bytes {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        read_body(req).await
    }
}

impl FromRequest for String {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        let bytes = read_body(req).await?;
        String::from_utf8(bytes.into())
            .map_err(|_| Error::bad_request("The request body is not valid UTF-8."))
    }
}

impl<T: FromRequest> FromRequest for Option<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request(req: &mut Request) -> Result<Self, Self::Rejection> {
        Ok(T::from_request(req).await.ok())
    }
}

pub(crate) fn take_body(req: &mut Request) -> Result<Body, Error> {
    if req.body_taken() {
        return Err(Error::internal(
            "the request body was already taken by an earlier argument of the handler; a handler reads the body once, and a `Request` argument takes it, so put body extractors (Json, Form, Bytes, String, Body) before `Request`",
        ));
    }
    Ok(req.take_body())
}

/// Reads the whole body within the request's limit; a `Content-Length` over the limit is refused
/// before a byte is read.
pub(crate) async fn read_body(req: &mut Request) -> Result<Bytes, Error> {
    refuse_declared_overflow(req)?;
    take_body(req)?.collect_limited(req.body_limit()).await
}

/// A 413 when the request's `Content-Length` already says the body is over the limit, so not a
/// byte of it is read.
pub(crate) fn refuse_declared_overflow(req: &Request) -> Result<(), Error> {
    let limit = req.body_limit();
    let declared = req
        .header(http::header::CONTENT_LENGTH)
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(Error::payload_too_large(limit));
    }
    Ok(())
}

/// The media type of the request, lower-cased, without parameters.
pub(crate) fn media_type(req: &Request) -> Option<String> {
    let value = req.header(http::header::CONTENT_TYPE)?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

/// `application/json` and any `+json` type (`application/merge-patch+json`, ...).
pub(crate) fn is_json_content_type(value: &str) -> bool {
    let media = value.split(';').next().unwrap_or("").trim();
    media.eq_ignore_ascii_case("application/json")
        || (media.len() > 5
            && media.to_ascii_lowercase().starts_with("application/")
            && media.to_ascii_lowercase().ends_with("+json"))
}

/// A 415 that says what the extractor wanted and what it got.
pub(crate) fn unsupported_media_type(expected: &str, req: &Request) -> Error {
    let got = req.header(http::header::CONTENT_TYPE);
    let message = match got {
        Some(got) => format!("Expected a request with `Content-Type: {expected}`, got `{got}`."),
        None => format!("Expected a request with `Content-Type: {expected}`, got none."),
    };
    Error::new(http::StatusCode::UNSUPPORTED_MEDIA_TYPE, message)
}

/// A 400/422 from a serde error at a field path, with the field in `details`.
pub(crate) fn field_error(
    status: http::StatusCode,
    what: &str,
    path: &serde_path_to_error::Path,
    message: &str,
) -> Error {
    let mut field = path.to_string();
    // serde reports a missing field at its parent; name the field itself.
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        field = if field == "." || field.is_empty() {
            name.to_owned()
        } else {
            format!("{field}.{name}")
        };
    }
    if field == "." {
        field.clear();
    }
    let text = if field.is_empty() {
        format!("Invalid {what}: {message}.")
    } else {
        format!("Invalid {what}: `{field}`: {message}.")
    };
    Error::new(status, text)
        .with_details(serde_json::json!([{ "field": field, "message": message }]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        assert!(is_json_content_type("application/json"));
        assert!(is_json_content_type("application/json; charset=utf-8"));
        assert!(is_json_content_type("Application/JSON"));
        assert!(is_json_content_type("application/merge-patch+json"));
        assert!(!is_json_content_type("text/json+html"));
        assert!(!is_json_content_type("text/plain"));
    }
}
