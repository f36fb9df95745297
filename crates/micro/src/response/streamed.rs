//! A response body streamed from a `Stream`, the way Flask streams from a generator.

use bytes::Bytes;
use futures_util::Stream;
use http::HeaderValue;
use http::header::CONTENT_TYPE;

use super::{IntoResponse, Response};
use crate::shutdown::EndOnShutdown;
use crate::{Body, BoxError, Error};

/// A response whose body is sent chunk by chunk as `stream` yields, with a content type, like
/// Flask's `Response(generate(), mimetype=...)`. Nothing is buffered: each chunk goes out when
/// it is ready (HTTP/1.1 chunked encoding, or HTTP/2 data frames).
///
/// ```
/// use std::convert::Infallible;
/// use futures_util::{StreamExt, stream};
/// use micro::Streamed;
///
/// async fn report() -> Streamed<impl futures_util::Stream<Item = Result<String, Infallible>>> {
///     let rows = stream::iter(1..=3).map(|n| Ok(format!("{n},{}\n", n * n)));
///     Streamed::new("text/csv", rows)
/// }
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// # let mut app = micro::App::new();
/// # app.get("/report", report);
/// # let res = micro::TestClient::new(app).get("/report").await;
/// # assert_eq!(res.text(), "1,1\n2,4\n3,9\n");
/// # assert_eq!(res.header("content-type"), Some("text/csv"));
/// # }
/// ```
///
/// An item that is an `Err` ends the response abruptly (the connection is reset mid-body), so the
/// client sees the failure instead of a truncated body that looks complete. A content type that
/// is not a valid header value makes the response a 500.
#[must_use = "a streamed response does nothing unless returned"]
pub struct Streamed<S> {
    content_type: Option<HeaderValue>,
    stream: S,
    end_on_shutdown: bool,
}

impl<S> std::fmt::Debug for Streamed<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streamed")
            .field("content_type", &self.content_type)
            .field("end_on_shutdown", &self.end_on_shutdown)
            .finish_non_exhaustive()
    }
}

impl<S> Streamed<S> {
    /// Streams `stream` with the given `Content-Type`.
    pub fn new(content_type: impl TryInto<HeaderValue>, stream: S) -> Self {
        Streamed {
            content_type: content_type.try_into().ok(),
            stream,
            end_on_shutdown: false,
        }
    }

    /// Ends the body when the server shuts down, after the chunk in flight, so an endless stream
    /// does not hold the shutdown until its deadline. Only for streams whose end the client
    /// handles (a log tail, line-delimited events): a chunked body cut short looks complete.
    pub fn end_on_shutdown(mut self) -> Self {
        self.end_on_shutdown = true;
        self
    }
}

impl<S, T, E> IntoResponse for Streamed<S>
where
    S: Stream<Item = Result<T, E>> + Send + 'static,
    T: Into<Bytes>,
    E: Into<BoxError> + 'static,
{
    fn into_response(self) -> Response {
        let Some(content_type) = self.content_type else {
            return Error::internal("Streamed: the content type is not a valid header value")
                .into_response();
        };
        let mut res = Response::new(Body::from_stream(self.stream));
        res.headers_mut().insert(CONTENT_TYPE, content_type);
        if self.end_on_shutdown {
            res.extensions_mut().insert(EndOnShutdown);
        }
        res
    }
}
