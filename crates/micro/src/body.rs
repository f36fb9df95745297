//! The body type shared by requests and responses.
//!
//! One concrete type, so a handler, a test client and a tower layer all see the same thing, and an
//! enum rather than a boxed trait object, so the common cases (empty, a buffer, hyper's incoming
//! stream) cost no allocation.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;

use crate::BoxError;
use crate::activity::{Activity, WatchedBody, body_read_timeout_error, is_body_read_timeout};

/// A request or response body: empty, a buffer in memory, or a stream.
///
/// ```
/// use micro::Body;
/// use http_body::Body as _;
///
/// let body = Body::from("hello");
/// assert_eq!(body.size_hint().exact(), Some(5));
/// ```
#[derive(Debug)]
pub struct Body(Inner);

#[derive(Debug)]
enum Inner {
    Empty,
    Full(Option<Bytes>),
    Incoming(hyper::body::Incoming),
    /// hyper's stream, read under the connection's body-read timeout.
    Watched(WatchedBody),
    Boxed(UnsyncBoxBody<Bytes, BoxError>),
}

impl Body {
    /// An empty body.
    pub const fn empty() -> Self {
        Body(Inner::Empty)
    }

    /// Whether the whole body is in memory (empty or one buffer), so hyper writes it at once.
    pub(crate) fn is_in_memory(&self) -> bool {
        matches!(self.0, Inner::Empty | Inner::Full(_))
    }

    /// Wraps any [`http_body::Body`]; hyper's own incoming body is kept without boxing.
    ///
    /// ```
    /// let body = micro::Body::new(http_body_util::Full::new(bytes::Bytes::from("hi")));
    /// # let _ = body;
    /// ```
    pub fn new<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        let mut slot = Some(body);
        let any: &mut dyn std::any::Any = &mut slot;
        if let Some(own) = any.downcast_mut::<Option<Body>>() {
            return own.take().expect("slot was just filled");
        }
        if let Some(incoming) = any.downcast_mut::<Option<hyper::body::Incoming>>() {
            return Body(Inner::Incoming(
                incoming.take().expect("slot was just filled"),
            ));
        }
        let body = slot.expect("slot was just filled");
        Body(Inner::Boxed(body.map_err(Into::into).boxed_unsync()))
    }

    /// A request body from the socket, under the connection's body-read timeout when it has
    /// any bytes to read (see [`WatchedBody`]).
    pub(crate) fn watched(body: hyper::body::Incoming, activity: &Arc<Activity>) -> Self {
        if http_body::Body::is_end_stream(&body) {
            return Body(Inner::Incoming(body));
        }
        Body(Inner::Watched(WatchedBody::new(body, activity)))
    }

    /// A body streamed from a [`Stream`](futures_util::Stream) of byte chunks.
    ///
    /// ```
    /// let chunks = futures_util::stream::iter(vec![Ok::<_, std::io::Error>("a"), Ok("b")]);
    /// let body = micro::Body::from_stream(chunks);
    /// # let _ = body;
    /// ```
    pub fn from_stream<S, T, E>(stream: S) -> Self
    where
        S: futures_util::Stream<Item = Result<T, E>> + Send + 'static,
        T: Into<Bytes>,
        E: Into<BoxError> + 'static,
    {
        use futures_util::TryStreamExt;
        let frames = stream
            .map_ok(|chunk| Frame::data(chunk.into()))
            .map_err(Into::into);
        Body(Inner::Boxed(UnsyncBoxBody::new(
            http_body_util::StreamBody::new(frames),
        )))
    }

    /// Reads the whole body into memory, failing once more than `limit` bytes arrived.
    ///
    /// The error is a [`crate::Error`] with status 413 when the limit is hit and 400 when the
    /// client broke off, so extractors can return it as is.
    pub async fn collect_limited(self, limit: usize) -> Result<Bytes, crate::Error> {
        if let Some(exact) = http_body::Body::size_hint(&self).exact()
            && exact > limit as u64
        {
            return Err(crate::Error::payload_too_large(limit));
        }
        if let Inner::Full(bytes) = self.0 {
            return Ok(bytes.unwrap_or_default());
        }
        match http_body_util::Limited::new(self, limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(err) if err.is::<http_body_util::LengthLimitError>() => {
                Err(crate::Error::payload_too_large(limit))
            }
            Err(err) if is_body_read_timeout(err.as_ref()) => Err(body_read_timeout_error()),
            Err(err) => {
                Err(crate::Error::bad_request("failed to read the request body")
                    .with_source_boxed(err))
            }
        }
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        if bytes.is_empty() {
            Body::empty()
        } else {
            Body(Inner::Full(Some(bytes)))
        }
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body::from(Bytes::from(s))
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Body::from(Bytes::from_static(s.as_bytes()))
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        Body::from(Bytes::from(v))
    }
}

impl From<&'static [u8]> for Body {
    fn from(v: &'static [u8]) -> Self {
        Body::from(Bytes::from_static(v))
    }
}

impl From<()> for Body {
    fn from(_: ()) -> Self {
        Body::empty()
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.0 {
            Inner::Empty => Poll::Ready(None),
            Inner::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Inner::Incoming(body) => Pin::new(body).poll_frame(cx).map_err(Into::into),
            Inner::Watched(body) => Pin::new(body).poll_frame(cx),
            Inner::Boxed(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Inner::Empty => true,
            Inner::Full(bytes) => bytes.is_none(),
            Inner::Incoming(body) => body.is_end_stream(),
            Inner::Watched(body) => body.is_end_stream(),
            Inner::Boxed(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Inner::Empty => SizeHint::with_exact(0),
            Inner::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Inner::Incoming(body) => body.size_hint(),
            Inner::Watched(body) => body.size_hint(),
            Inner::Boxed(body) => body.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Body as _;

    #[tokio::test]
    async fn full_body_reports_exact_size_and_collects() {
        let body = Body::from("hello");
        assert_eq!(body.size_hint().exact(), Some(5));
        assert_eq!(body.collect_limited(5).await.unwrap(), "hello");
    }

    #[tokio::test]
    async fn limit_is_a_413() {
        let err = Body::from("hello").collect_limited(4).await.unwrap_err();
        assert_eq!(err.status(), http::StatusCode::PAYLOAD_TOO_LARGE);
        let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>("abc"), Ok("def")]);
        let err = Body::from_stream(stream)
            .collect_limited(4)
            .await
            .unwrap_err();
        assert_eq!(err.status(), http::StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn new_does_not_rebox_own_body() {
        let body = Body::new(Body::from("x"));
        assert!(matches!(body.0, Inner::Full(_)));
    }
}
