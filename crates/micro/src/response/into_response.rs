use std::borrow::Cow;
use std::convert::Infallible;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName};
use http::{HeaderMap, HeaderValue, StatusCode};

use super::{PendingError, Response};
use crate::{Body, Error};

const TEXT_PLAIN: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const TEXT_HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");
const OCTET_STREAM: HeaderValue = HeaderValue::from_static("application/octet-stream");

/// Converts a value into a [`Response`].
///
/// Strings become `text/plain; charset=utf-8` (use [`Html`] for HTML, which is never guessed),
/// bytes `application/octet-stream`, `()` an empty 200, a [`StatusCode`] an empty response with
/// that status. Tuples add a status and/or headers in front of any body:
///
/// ```
/// use micro::{IntoResponse, Html};
/// use http::{StatusCode, header};
///
/// let created = (StatusCode::CREATED, "made").into_response();
/// assert_eq!(created.status(), 201);
///
/// let with_header = ([(header::CACHE_CONTROL, "no-store")], Html("<p>hi</p>")).into_response();
/// assert_eq!(with_header.headers()[header::CACHE_CONTROL], "no-store");
/// assert_eq!(with_header.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
/// ```
pub trait IntoResponse {
    /// Performs the conversion.
    fn into_response(self) -> Response;
}

/// An HTML body, sent as `text/html; charset=utf-8`. The content is sent as given: escape user
/// data (templates do it for you).
///
/// ```
/// use micro::{Html, IntoResponse};
/// let res = Html("<h1>Hello</h1>").into_response();
/// assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Html<T>(pub T);

impl<T: Into<Body>> IntoResponse for Html<T> {
    fn into_response(self) -> Response {
        with_content_type(self.0.into(), TEXT_HTML)
    }
}

/// Escapes text for HTML, like Flask's `markupsafe.escape`: `& < > " '` become entities
/// (spelled as Python's `html.escape` and Django spell them), everything else is kept.
///
/// ```
/// assert_eq!(micro::escape("<b>Tom & 'Jerry'</b>"), "&lt;b&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/b&gt;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let _ = escape_to(&mut out, text);
    out
}

/// Writes `text` escaped as [`escape`] does, copying the runs between special characters whole
/// (the five are ASCII, so every cut falls on a character boundary).
pub(crate) fn escape_to(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let mut copied = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.write_str(&text[copied..i])?;
        out.write_str(entity)?;
        copied = i + 1;
    }
    out.write_str(&text[copied..])
}

fn with_content_type(body: Body, content_type: HeaderValue) -> Response {
    let mut res = Response::new(body);
    res.headers_mut().insert(CONTENT_TYPE, content_type);
    res
}

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

impl IntoResponse for http::response::Parts {
    fn into_response(self) -> Response {
        Response::from_parts(self, Body::empty())
    }
}

impl IntoResponse for Body {
    fn into_response(self) -> Response {
        Response::new(self)
    }
}

impl IntoResponse for () {
    fn into_response(self) -> Response {
        Response::new(Body::empty())
    }
}

impl IntoResponse for Infallible {
    fn into_response(self) -> Response {
        match self {}
    }
}

impl IntoResponse for &'static str {
    fn into_response(self) -> Response {
        with_content_type(Body::from(self), TEXT_PLAIN)
    }
}

impl IntoResponse for String {
    fn into_response(self) -> Response {
        with_content_type(Body::from(self), TEXT_PLAIN)
    }
}

impl IntoResponse for Cow<'static, str> {
    fn into_response(self) -> Response {
        match self {
            Cow::Borrowed(s) => s.into_response(),
            Cow::Owned(s) => s.into_response(),
        }
    }
}

impl IntoResponse for Bytes {
    fn into_response(self) -> Response {
        with_content_type(Body::from(self), OCTET_STREAM)
    }
}

impl IntoResponse for Vec<u8> {
    fn into_response(self) -> Response {
        Bytes::from(self).into_response()
    }
}

impl IntoResponse for &'static [u8] {
    fn into_response(self) -> Response {
        Bytes::from_static(self).into_response()
    }
}

impl IntoResponse for StatusCode {
    fn into_response(self) -> Response {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = self;
        res
    }
}

impl IntoResponse for HeaderMap {
    fn into_response(self) -> Response {
        let mut res = Response::new(Body::empty());
        *res.headers_mut() = self;
        res
    }
}

impl<T: IntoResponse, E: IntoResponse> IntoResponse for Result<T, E> {
    fn into_response(self) -> Response {
        match self {
            Ok(v) => v.into_response(),
            Err(e) => e.into_response(),
        }
    }
}

impl<T: IntoResponse> IntoResponse for Option<T> {
    /// `None` is a 404, so `Ok(repo.find(id))`-style handlers read naturally.
    fn into_response(self) -> Response {
        match self {
            Some(v) => v.into_response(),
            None => Error::not_found().into_response(),
        }
    }
}

/// The response stands in for the error until the app renders it with its error handlers; its
/// plain-text body is only seen if the response is used outside an app.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut res = Response::new(Body::from(self.message().to_owned()));
        *res.status_mut() = self.status();
        res.headers_mut().insert(CONTENT_TYPE, TEXT_PLAIN);
        for (name, value) in self.headers() {
            res.headers_mut().append(name, value.clone());
        }
        res.extensions_mut()
            .insert(PendingError(std::sync::Arc::new(self)));
        res
    }
}

/// `?` on an [`Error`] in a function that returns `Result<_, Response>`, as guards and extractors
/// whose rejection may be a redirect do.
impl From<Error> for Response {
    fn from(err: Error) -> Self {
        err.into_response()
    }
}

/// `?` on `url_for` in a function that returns `Result<_, Response>`: a 500, as with [`Error`].
impl From<crate::UrlForError> for Response {
    fn from(err: crate::UrlForError) -> Self {
        Error::from(err).into_response()
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> Response {
        let mut res = self.1.into_response();
        *res.status_mut() = self.0;
        res
    }
}

impl<T: IntoResponse> IntoResponse for (HeaderMap, T) {
    fn into_response(self) -> Response {
        let mut res = self.1.into_response();
        res.headers_mut().extend(self.0);
        res
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, HeaderMap, T) {
    fn into_response(self) -> Response {
        let mut res = (self.1, self.2).into_response();
        *res.status_mut() = self.0;
        res
    }
}

impl<K, V, const N: usize, T> IntoResponse for ([(K, V); N], T)
where
    K: TryInto<HeaderName>,
    K::Error: std::fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: std::fmt::Display,
    T: IntoResponse,
{
    fn into_response(self) -> Response {
        let mut res = self.1.into_response();
        for (name, value) in self.0 {
            let name = match name.try_into() {
                Ok(name) => name,
                Err(e) => {
                    return Error::internal(format!("invalid header name: {e}")).into_response();
                }
            };
            match value.try_into() {
                Ok(value) => {
                    res.headers_mut().insert(name, value);
                }
                Err(e) => {
                    return Error::internal(format!("invalid value for header {name}: {e}"))
                        .into_response();
                }
            }
        }
        res
    }
}

impl<K, V, const N: usize, T> IntoResponse for (StatusCode, [(K, V); N], T)
where
    ([(K, V); N], T): IntoResponse,
{
    fn into_response(self) -> Response {
        let mut res = (self.1, self.2).into_response();
        *res.status_mut() = self.0;
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_plain_text() {
        let res = "hi".into_response();
        assert_eq!(res.headers()[CONTENT_TYPE], "text/plain; charset=utf-8");
        let res = String::from("hi").into_response();
        assert_eq!(res.status(), 200);
    }

    #[test]
    fn errors_keep_their_status_and_headers() {
        let err = Error::new(405, "nope")
            .with_header(http::header::ALLOW, HeaderValue::from_static("GET"));
        let res = Err::<(), _>(err).into_response();
        assert_eq!(res.status(), 405);
        assert_eq!(res.headers()[http::header::ALLOW], "GET");
        assert!(res.extensions().get::<PendingError>().is_some());
    }

    #[test]
    fn invalid_header_value_is_a_500_not_a_panic() {
        let res = ([("x-bad", "line\nbreak")], "body").into_response();
        assert_eq!(res.status(), 500);
    }

    #[test]
    fn escape_matches_python_html_escape() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
    }

    #[test]
    fn escape_keeps_multibyte_text_around_special_characters() {
        assert_eq!(escape("é<ü>'日本'&"), "é&lt;ü&gt;&#x27;日本&#x27;&amp;");
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn none_is_404() {
        assert_eq!(None::<String>.into_response().status(), 404);
    }
}
