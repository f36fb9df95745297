//! One error type for everything that ends a request early: routing misses, extractor rejections,
//! `abort`, handler errors and panics.
//!
//! An [`Error`] carries a status, a message that is safe to show the client, optional structured
//! details (for example the fields that failed validation) and, for internal failures, the source
//! error that is logged but never sent. Returning it from a handler does not render it on the
//! spot: the app renders it last, through the error handlers registered for its status or source
//! type, and otherwise as JSON or HTML depending on what the client asked for.

use std::borrow::Cow;
use std::fmt;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::BoxError;

/// An HTTP error: a status, a client-safe message and an optional hidden cause.
///
/// ```
/// use micro::{Error, abort};
/// use http::StatusCode;
///
/// let not_found = abort(StatusCode::NOT_FOUND);
/// assert_eq!(not_found.status(), StatusCode::NOT_FOUND);
///
/// let invalid = Error::unprocessable("title is required")
///     .with_details(serde_json::json!([{"field": "title", "message": "required"}]));
/// assert_eq!(invalid.status(), 422);
/// ```
///
/// Any `std::error::Error` converts into a 500 with `?`; the cause is logged, the client sees only
/// the generic message:
///
/// ```
/// fn parse(s: &str) -> Result<i32, micro::Error> {
///     Ok(s.parse::<i32>()?)
/// }
/// assert_eq!(parse("x").unwrap_err().status(), 500);
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    status: StatusCode,
    message: Cow<'static, str>,
    details: Option<serde_json::Value>,
    headers: HeaderMap,
    source: Option<BoxError>,
}

/// Ends the request with `status` and the standard message for it, like Flask's `abort`.
///
/// ```
/// use micro::{Error, abort};
///
/// async fn show(id: micro::Path<u32>) -> Result<String, Error> {
///     if id.0 == 0 {
///         return Err(abort(404));
///     }
///     Ok(format!("item {}", id.0))
/// }
/// ```
pub fn abort(status: impl TryInto<StatusCode>) -> Error {
    let status = status
        .try_into()
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Error::new(status, default_message(status))
}

impl Error {
    /// An error with a status and a message the client will see.
    pub fn new(status: impl TryInto<StatusCode>, message: impl Into<Cow<'static, str>>) -> Self {
        let status = status
            .try_into()
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Error {
            inner: Box::new(Inner {
                status,
                message: message.into(),
                details: None,
                headers: HeaderMap::new(),
                source: None,
            }),
        }
    }

    /// 400 Bad Request with a message.
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404 Not Found with the standard message.
    pub fn not_found() -> Self {
        abort(StatusCode::NOT_FOUND)
    }

    /// 422 Unprocessable Content: the request was understood but its data is invalid.
    pub fn unprocessable(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// 413 Content Too Large, naming the limit so the client knows what to send instead.
    pub fn payload_too_large(limit: usize) -> Self {
        Error::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than the limit of {limit} bytes."),
        )
    }

    /// 500 Internal Server Error caused by `source`, which is logged and never shown.
    pub fn internal(source: impl Into<BoxError>) -> Self {
        abort(StatusCode::INTERNAL_SERVER_ERROR).with_source_boxed(source.into())
    }

    /// Adds machine-readable details, sent as `details` in JSON error bodies.
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.inner.details = Some(details);
        self
    }

    /// Adds a header to the error response (for example `Allow` or `WWW-Authenticate`).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.inner.headers.append(name, value);
        self
    }

    /// Records the cause; it is logged when the error is rendered, and error handlers registered
    /// with `error_handler_for::<E>` find it by type.
    pub fn with_source(self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.with_source_boxed(Box::new(source))
    }

    pub(crate) fn with_source_boxed(mut self, source: BoxError) -> Self {
        self.inner.source = Some(source);
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// The message shown to the client.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The structured details, if any.
    pub fn details(&self) -> Option<&serde_json::Value> {
        self.inner.details.as_ref()
    }

    /// Headers that go out with the error response.
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// The hidden cause, if any.
    pub fn source(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.inner.source.as_deref()
    }

    /// The cause as a concrete type, if it is one.
    ///
    /// ```
    /// let err = micro::Error::from("x".parse::<i32>().unwrap_err());
    /// assert!(err.downcast_ref::<std::num::ParseIntError>().is_some());
    /// ```
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.inner.source.as_ref()?.downcast_ref::<E>()
    }

    /// The standard reason phrase of the status, e.g. "Not Found".
    pub fn title(&self) -> &'static str {
        self.inner
            .status
            .canonical_reason()
            .unwrap_or("Unknown Error")
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("status", &self.inner.status)
            .field("message", &self.inner.message);
        if let Some(details) = &self.inner.details {
            d.field("details", details);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status().as_u16(),
            self.title(),
            self.message()
        )?;
        if let Some(source) = &self.inner.source {
            write!(f, " (caused by: {source})")?;
        }
        Ok(())
    }
}

/// `?` on any error type gives a 500 that keeps the cause for logging and typed error handlers.
impl<E> From<E> for Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(err: E) -> Self {
        Error::internal(err)
    }
}

/// Werkzeug's wording, which Flask users will recognise in logs and tests.
pub(crate) fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "The browser (or proxy) sent a request that this server could not understand.",
        401 => "The server could not verify that you are authorized to access the URL requested.",
        403 => "You don't have the permission to access the requested resource.",
        404 => {
            "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."
        }
        405 => "The method is not allowed for the requested URL.",
        408 => "The server closed the network connection because the client took too long.",
        409 => "A conflict happened while processing the request.",
        412 => "The precondition on the request for the URL failed positive evaluation.",
        413 => "The data value transmitted exceeds the capacity limit.",
        415 => "The server does not support the media type transmitted in the request.",
        416 => "The server cannot provide the requested range.",
        422 => "The request was well-formed but was unable to be followed due to semantic errors.",
        429 => "This user has exceeded an allotted request count. Try again later.",
        500 => {
            "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application."
        }
        501 => "The server does not support the action requested by the browser.",
        503 => {
            "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later."
        }
        _ => status.canonical_reason().unwrap_or("Error"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abort_uses_werkzeug_wording() {
        let err = abort(405);
        assert_eq!(err.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            err.message(),
            "The method is not allowed for the requested URL."
        );
        assert_eq!(err.title(), "Method Not Allowed");
    }

    #[test]
    fn invalid_status_falls_back_to_500() {
        assert_eq!(abort(1000).status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn question_mark_keeps_source_but_hides_it() {
        let err: Error = "nope".parse::<u8>().unwrap_err().into();
        assert_eq!(err.status(), 500);
        assert!(!err.message().contains("invalid digit"));
        assert!(err.downcast_ref::<std::num::ParseIntError>().is_some());
        assert!(err.to_string().contains("invalid digit"));
    }
}
