//! What a connection has done, as its watchdog (`server/watchdog.rs`) reads it: the requests
//! hyper handed to the app, the responses finished with, and how the app's wait for the request
//! body is going. The server writes the first two; a request body read from the socket
//! ([`WatchedBody`]) writes the rest, and fails with [`BodyReadTimeout`] when the watchdog says
//! so.
//!
//! Shared through one `Arc` per connection, made when it is accepted: counting costs relaxed
//! atomic operations and no allocation per request.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::task::AtomicWaker;
use http_body::{Frame, SizeHint};

use crate::BoxError;

/// What a connection has done; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct Activity {
    started: AtomicU32,
    finished: AtomicU32,
    /// Bytes of the current request's body the app has received.
    body_received: AtomicU64,
    /// Whether the app is waiting for body bytes that have not arrived yet.
    body_waiting: AtomicBool,
    /// Set by the watchdog: the body's next poll fails.
    body_expired: AtomicBool,
    /// The task waiting for the body, woken when the watchdog gives up on it.
    body_waker: AtomicWaker,
}

impl Activity {
    /// A request head has arrived.
    pub(crate) fn started(&self) {
        self.started.fetch_add(1, Ordering::Relaxed);
    }

    /// A response has been handed over whole, or its streamed body has ended (or was dropped).
    pub(crate) fn finished(&self) {
        self.finished.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests started and responses finished.
    pub(crate) fn counts(&self) -> (u32, u32) {
        (
            self.started.load(Ordering::Relaxed),
            self.finished.load(Ordering::Relaxed),
        )
    }

    /// Whether the app is waiting for body bytes, and how many it has received so far.
    pub(crate) fn body_wait(&self) -> (bool, u64) {
        (
            self.body_waiting.load(Ordering::Relaxed),
            self.body_received.load(Ordering::Relaxed),
        )
    }

    /// Fails the body being read, now or at its next poll.
    pub(crate) fn expire_body(&self) {
        self.body_expired.store(true, Ordering::SeqCst);
        self.body_waker.wake();
    }

    /// Sets what a [`WatchedBody`] would: whether the app waits, and the bytes it has had.
    #[cfg(test)]
    pub(crate) fn set_body_wait(&self, waiting: bool, received: u64) {
        self.body_waiting.store(waiting, Ordering::Relaxed);
        self.body_received.store(received, Ordering::Relaxed);
    }

    /// Whether the watchdog has failed the body.
    #[cfg(test)]
    pub(crate) fn body_expired(&self) -> bool {
        self.body_expired.load(Ordering::SeqCst)
    }
}

/// A request body from the socket whose progress the connection's watchdog follows (HTTP/1,
/// where a connection reads one body at a time).
#[derive(Debug)]
pub(crate) struct WatchedBody {
    body: hyper::body::Incoming,
    activity: Arc<Activity>,
}

impl WatchedBody {
    /// Watches `body`, the body of the request that has just started on the connection.
    pub(crate) fn new(body: hyper::body::Incoming, activity: &Arc<Activity>) -> Self {
        activity.body_received.store(0, Ordering::Relaxed);
        activity.body_waiting.store(false, Ordering::Relaxed);
        activity.body_expired.store(false, Ordering::SeqCst);
        WatchedBody {
            body,
            activity: activity.clone(),
        }
    }

    fn expired(&self) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.activity.body_waiting.store(false, Ordering::Relaxed);
        Poll::Ready(Some(Err(Box::new(BodyReadTimeout))))
    }
}

impl http_body::Body for WatchedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if self.activity.body_expired.load(Ordering::Relaxed) {
            return self.expired();
        }
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        let activity = &self.activity;
        match &polled {
            Poll::Pending => {
                activity.body_waker.register(cx.waker());
                activity.body_waiting.store(true, Ordering::Relaxed);
                // The watchdog may have given up between the check above and the register.
                if activity.body_expired.load(Ordering::SeqCst) {
                    return self.expired();
                }
            }
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    activity
                        .body_received
                        .fetch_add(data.len() as u64, Ordering::Relaxed);
                }
                activity.body_waiting.store(false, Ordering::Relaxed);
            }
            Poll::Ready(_) => activity.body_waiting.store(false, Ordering::Relaxed),
        }
        polled.map_err(Into::into)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for WatchedBody {
    fn drop(&mut self) {
        // Nobody waits for the rest any more: not the client's delay from now on.
        self.activity.body_waiting.store(false, Ordering::Relaxed);
    }
}

/// The error a request body's read ends with when the client has not sent it in time (see
/// [`Serve::body_read_timeout`](crate::Serve::body_read_timeout)); body extractors answer 408.
#[derive(Debug)]
pub(crate) struct BodyReadTimeout;

impl std::fmt::Display for BodyReadTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the client did not send the request body within the body-read timeout")
    }
}

impl std::error::Error for BodyReadTimeout {}

/// Whether `err`, or an error in its source chain, is a [`BodyReadTimeout`] (multipart parsers
/// wrap the body's errors).
pub(crate) fn is_body_read_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(err) = current {
        if err.is::<BodyReadTimeout>() {
            return true;
        }
        current = err.source();
    }
    false
}

/// The 408 for a body that did not come in time; the connection closes after it, since the rest
/// of the body will not be read.
pub(crate) fn body_read_timeout_error() -> crate::Error {
    crate::Error::new(
        http::StatusCode::REQUEST_TIMEOUT,
        "The request body did not arrive in time.",
    )
    .with_header(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    )
}
