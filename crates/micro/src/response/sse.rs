//! Server-Sent Events: a `text/event-stream` response fed by a stream of [`Event`]s.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;
use http::HeaderValue;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderName};
use http_body::Frame;
use tokio::time::{Instant, Sleep};

use super::{Event, IntoResponse, Response};
use crate::shutdown::EndOnShutdown;
use crate::{Body, BoxError};

/// How often a comment is sent while no event is, unless told otherwise: often enough for the
/// usual proxy idle timeouts (30 to 60 s).
pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(15);

const KEEP_ALIVE_COMMENT: &[u8] = b": keep-alive\n\n";

/// A Server-Sent Events response: each [`Event`] of `stream` is sent as it comes.
///
/// ```
/// use std::time::Duration;
/// use futures_util::{StreamExt, stream};
/// use micro::{Event, Sse};
///
/// async fn countdown() -> Sse<impl futures_util::Stream<Item = Event>> {
///     let events = stream::iter((1..=3).rev()).map(|n| Event::new().event("tick").data(n.to_string()));
///     Sse::new(events).keep_alive(Duration::from_secs(10))
/// }
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// # let mut app = micro::App::new();
/// # app.get("/countdown", countdown);
/// # let res = micro::TestClient::new(app).get("/countdown").await;
/// # assert_eq!(res.text(), "event: tick\ndata: 3\n\nevent: tick\ndata: 2\n\nevent: tick\ndata: 1\n\n");
/// # }
/// ```
///
/// The response has `Content-Type: text/event-stream`, `Cache-Control: no-cache` and
/// `X-Accel-Buffering: no` (so nginx passes events on at once). While the stream has nothing to
/// send, a comment (`: keep-alive`) goes out every 15 s, which keeps proxies from closing an idle
/// connection; change it with [`keep_alive`](Self::keep_alive).
///
/// When the stream ends, the response ends. Served by [`serve`](crate::serve), it also ends when
/// the server shuts down, after the event in flight, so an endless event stream never holds a
/// graceful shutdown (browsers reconnect on their own, to the next server).
#[must_use = "an SSE response does nothing unless returned"]
pub struct Sse<S> {
    stream: S,
    keep_alive: Option<Duration>,
}

impl<S> std::fmt::Debug for Sse<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sse")
            .field("keep_alive", &self.keep_alive)
            .finish_non_exhaustive()
    }
}

impl<S> Sse<S> {
    /// An event stream, with a keep-alive comment every 15 s of silence.
    pub fn new(stream: S) -> Self {
        Sse {
            stream,
            keep_alive: Some(DEFAULT_KEEP_ALIVE),
        }
    }

    /// Sends a keep-alive comment after each `interval` without an event.
    ///
    /// # Panics
    /// When `interval` is zero.
    pub fn keep_alive(mut self, interval: Duration) -> Self {
        assert!(
            !interval.is_zero(),
            "Sse::keep_alive: the interval must not be zero"
        );
        self.keep_alive = Some(interval);
        self
    }

    /// Sends no keep-alive comments.
    pub fn without_keep_alive(mut self) -> Self {
        self.keep_alive = None;
        self
    }
}

impl<S> IntoResponse for Sse<S>
where
    S: Stream<Item = Event> + Send + 'static,
{
    fn into_response(self) -> Response {
        let body = SseBody {
            stream: Box::pin(self.stream),
            keep_alive: self.keep_alive.map(|interval| KeepAlive {
                interval,
                timer: None,
            }),
        };
        let mut res = Response::new(Body::new(body));
        let headers = res.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert(
            HeaderName::from_static("x-accel-buffering"),
            HeaderValue::from_static("no"),
        );
        res.extensions_mut().insert(EndOnShutdown);
        res
    }
}

struct SseBody<S> {
    stream: Pin<Box<S>>,
    keep_alive: Option<KeepAlive>,
}

struct KeepAlive {
    interval: Duration,
    // Made on the first poll, inside the runtime that polls the body.
    timer: Option<Pin<Box<Sleep>>>,
}

impl KeepAlive {
    fn reset(&mut self) {
        if let Some(timer) = self.timer.as_mut() {
            timer.as_mut().reset(Instant::now() + self.interval);
        }
    }

    fn poll_due(&mut self, cx: &mut Context<'_>) -> bool {
        let interval = self.interval;
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(interval)));
        if timer.as_mut().poll(cx).is_ready() {
            // The next poll of the body polls the timer again, which registers the new deadline.
            timer.as_mut().reset(Instant::now() + interval);
            return true;
        }
        false
    }
}

impl<S> http_body::Body for SseBody<S>
where
    S: Stream<Item = Event>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match this.stream.as_mut().poll_next(cx) {
            Poll::Ready(Some(event)) => {
                if let Some(keep_alive) = this.keep_alive.as_mut() {
                    keep_alive.reset();
                }
                Poll::Ready(Some(Ok(Frame::data(event.into_bytes()))))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                let due = this
                    .keep_alive
                    .as_mut()
                    .is_some_and(|keep_alive| keep_alive.poll_due(cx));
                if due {
                    Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(
                        KEEP_ALIVE_COMMENT,
                    )))))
                } else {
                    Poll::Pending
                }
            }
        }
    }
}
