//! The HTTP/1 header-read timeout, kept by a watchdog per connection rather than by hyper.
//!
//! hyper's own timeout (`http1::Builder::header_read_timeout`) asks its timer for a new sleep for
//! every request head, reads the clock for its deadline, and makes the connection try one more
//! read after each request: about 900 instructions per request under callgrind, a tenth of a
//! plaintext request's cost. The watchdog does the same job for two counter increments per
//! request. The server counts the requests hyper hands to the app and the responses it has
//! finished with ([`Activity`]); the watchdog looks at those counts four times per timeout
//! period, with one tokio timer per connection. A connection where no request is in progress and
//! the counts have not moved for four checks in a row has waited at least the whole timeout for
//! a request head, complete or not, and is closed: a client that trickles a head byte by byte is
//! cut off as surely as a silent one. The timeout is therefore honoured with up to a quarter of
//! it added (30 s becomes 30 to 37.5 s).
//!
//! As with hyper's, the wait starts once a response has been handed to hyper whole (a body held
//! in memory) or once a streamed body has ended, and covers idle keep-alive connections; a slow
//! handler, a long download or an event stream is never cut short.
//!
//! HTTP/2, for which hyper has no such timeout, gets the same watchdog: its request heads come
//! whole in frames, so there it closes connections that have had no stream in progress for the
//! timeout, with a GOAWAY. A stream the client resets counts as finished ([`Unfinished`]).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::{Body, BoxError};

/// How many checks the watchdog makes per timeout period.
const CHECKS: u32 = 4;

/// What a connection has done, as the watchdog reads it: requests hyper handed to the app, and
/// responses finished with.
#[derive(Debug, Default)]
pub(crate) struct Activity {
    started: AtomicU32,
    finished: AtomicU32,
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

    fn counts(&self) -> (u32, u32) {
        (
            self.started.load(Ordering::Relaxed),
            self.finished.load(Ordering::Relaxed),
        )
    }
}

/// Counts `response` as finished with: now when its body is in memory (hyper writes it at once),
/// else when its body ends or is dropped.
pub(crate) fn finish_when_sent(response: &mut http::Response<Body>, activity: &Arc<Activity>) {
    if response.body().is_in_memory() {
        activity.finished();
        return;
    }
    let body = std::mem::take(response.body_mut());
    *response.body_mut() = Body::new(Finishing {
        body,
        activity: Some(activity.clone()),
    });
}

/// Counts a request as finished if its response future is dropped before it answers: on HTTP/2
/// a client resetting a stream does that in normal use, and the request would otherwise count as
/// in progress for ever, keeping the connection from ever timing out.
pub(super) struct Unfinished(Option<Arc<Activity>>);

impl Unfinished {
    pub(super) fn new(activity: &Arc<Activity>) -> Self {
        Unfinished(Some(activity.clone()))
    }

    /// The future answered: the response counts itself (see [`finish_when_sent`]).
    pub(super) fn answered(mut self) {
        self.0 = None;
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(activity) = self.0.take() {
            activity.finished();
        }
    }
}

/// A streamed response body that counts as finished once it ends, fails or is dropped.
struct Finishing {
    body: Body,
    activity: Option<Arc<Activity>>,
}

impl Finishing {
    fn finish(&mut self) {
        if let Some(activity) = self.activity.take() {
            activity.finished();
        }
    }
}

impl http_body::Body for Finishing {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            this.finish();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Finishing {
    fn drop(&mut self) {
        self.finish();
    }
}

/// What a watchdog does to a connection that has waited out its timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expiry {
    /// Drop it (HTTP/1, as hyper's own timeout does: a half-sent head gets no answer).
    Close,
    /// Stop it gracefully (HTTP/2: a GOAWAY, then the close).
    GoAway,
}

/// The watchdog of one connection; see the module docs.
pub(super) struct HeadTimeout {
    pub(super) on_expiry: Expiry,
    /// The counts at the last check.
    seen: (u32, u32),
    /// Checks in a row that found the connection waiting and the counts unchanged.
    idle_checks: u32,
    interval: Duration,
    sleep: Pin<Box<Sleep>>,
    /// The waker `sleep` was last polled with: while the task keeps it, `sleep` will wake it.
    registered: Option<Waker>,
}

impl HeadTimeout {
    /// A watchdog for a connection that starts waiting for its first request head now. Must be
    /// called within the tokio runtime.
    pub(super) fn new(timeout: Duration, on_expiry: Expiry) -> Self {
        let interval = (timeout / CHECKS).max(Duration::from_millis(1));
        HeadTimeout {
            on_expiry,
            seen: (0, 0),
            idle_checks: 0,
            interval,
            sleep: Box::pin(tokio::time::sleep(interval)),
            registered: None,
        }
    }

    /// Whether the connection has waited out the timeout. Call it after polling the connection,
    /// so that a request head already received counts before the check. Between checks it costs
    /// one atomic read.
    pub(super) fn poll_expired(&mut self, activity: &Activity, cx: &mut Context<'_>) -> bool {
        if self
            .registered
            .as_ref()
            .is_some_and(|waker| waker.will_wake(cx.waker()))
            && !self.sleep.is_elapsed()
        {
            return false;
        }
        while self.sleep.as_mut().poll(cx).is_ready() {
            let counts = activity.counts();
            let waiting = counts.0 == counts.1;
            if waiting && counts == self.seen {
                self.idle_checks += 1;
                if self.idle_checks >= CHECKS {
                    return true;
                }
            } else {
                self.seen = counts;
                self.idle_checks = 0;
            }
            // From now, not from the missed deadline: a task that was held up must not make
            // several checks at once. (A quarter of even `Duration::MAX` still adds to an
            // `Instant`: a test below.)
            self.sleep.as_mut().reset(Instant::now() + self.interval);
        }
        self.registered = Some(cx.waker().clone());
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;

    /// Waits until the watchdog expires; returns how long that took.
    async fn expiry(watch: &mut HeadTimeout, activity: &Activity) -> Duration {
        let started = Instant::now();
        poll_fn(|cx| {
            if watch.poll_expired(activity, cx) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        started.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_never_sends_a_head_expires_within_a_quarter_more_than_the_timeout() {
        let activity = Activity::default();
        let mut watch = HeadTimeout::new(Duration::from_secs(8), Expiry::Close);
        let waited = expiry(&mut watch, &activity).await;
        assert!(
            waited >= Duration::from_secs(8) && waited <= Duration::from_secs(10),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_restarts_when_a_response_is_finished() {
        let activity = Arc::new(Activity::default());
        let mut watch = HeadTimeout::new(Duration::from_secs(8), Expiry::Close);
        let busy = activity.clone();
        // A request arrives at 5 s and is answered at 7 s: the wait starts again from 7 s.
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            busy.started();
            tokio::time::sleep(Duration::from_secs(2)).await;
            busy.finished();
        });
        let waited = expiry(&mut watch, &activity).await;
        assert!(
            waited >= Duration::from_secs(15) && waited <= Duration::from_secs(17),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn duration_max_means_never() {
        let activity = Activity::default();
        let mut watch = HeadTimeout::new(Duration::MAX, Expiry::Close);
        // Past tokio's own "never" (thirty years), when the first check comes and sets the next.
        let outcome = tokio::time::timeout(
            Duration::from_secs(86400 * 365 * 40),
            expiry(&mut watch, &activity),
        )
        .await;
        assert!(outcome.is_err(), "expired");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_progress_never_expires() {
        let activity = Activity::default();
        activity.started();
        let mut watch = HeadTimeout::new(Duration::from_secs(1), Expiry::Close);
        let outcome =
            tokio::time::timeout(Duration::from_secs(60), expiry(&mut watch, &activity)).await;
        assert!(outcome.is_err(), "expired with a request in progress");
    }
}
