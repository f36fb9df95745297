//! The connection's watchdog: the HTTP/1 header-read timeout and the body-read timeout, kept
//! by one timer per connection rather than by hyper.
//!
//! hyper's own header-read timeout (`http1::Builder::header_read_timeout`) asks its timer for a
//! new sleep for every request head, reads the clock for its deadline, and makes the connection
//! try one more read after each request: about 900 instructions per request under callgrind, a
//! tenth of a plaintext request's cost. The watchdog does the same job for two counter
//! increments per request. The server counts the requests hyper hands to the app and the
//! responses it has finished with ([`Activity`]); the watchdog looks at those counts four times
//! per timeout period, with one tokio timer per connection. A connection where no request is in
//! progress and the counts have not moved for four checks in a row has waited at least the whole
//! timeout for a request head, complete or not, and is closed: a client that trickles a head
//! byte by byte is cut off as surely as a silent one. The timeout is therefore honoured with up
//! to a quarter of it added (30 s becomes 30 to 37.5 s).
//!
//! As with hyper's, the wait starts once a response has been handed to hyper whole (a body held
//! in memory) or once a streamed body has ended, and covers idle keep-alive connections; a slow
//! handler, a long download or an event stream is never cut short.
//!
//! HTTP/2, for which hyper has no such timeout, gets the same watchdog: its request heads come
//! whole in frames, so there it closes connections that have had no stream in progress for the
//! timeout, with a GOAWAY. A stream the client resets counts as finished ([`Unfinished`]).
//!
//! While an HTTP/1 request is in progress, the same checks follow its body
//! ([`WatchedBody`](crate::activity::WatchedBody)), counting only the checks that find the app
//! waiting for body bytes, so a slow handler is never the client's fault. The read fails (a 408)
//! when nothing has arrived for the body-read timeout, or when the whole wait passes the timeout
//! plus a second per `min_rate` bytes received (Apache's `RequestReadTimeout body=..,MinRate=..`):
//! a body trickled a byte at a time is cut as surely as one that stops, and one that keeps
//! coming at the minimum rate never is, however large.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

pub(crate) use crate::activity::Activity;
use crate::{Body, BoxError};

/// How many checks the watchdog makes per timeout period.
const CHECKS: u32 = 4;

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

/// The body-read timeout (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyLimit {
    /// The longest the app may wait for the next body bytes, and the base of the whole wait.
    pub(crate) timeout: Duration,
    /// Bytes that earn the whole wait a second more; 0 earns nothing.
    pub(crate) min_rate: u32,
}

/// The watchdog of one connection; see the module docs.
pub(super) struct Watchdog {
    pub(super) on_expiry: Expiry,
    /// Checks in a row with nothing in progress and unchanged counts that close the connection.
    head_checks: u64,
    /// The counts at the last check.
    seen: (u32, u32),
    /// Checks in a row that found the connection waiting and the counts unchanged.
    idle_checks: u64,
    body: Option<BodyWatch>,
    interval: Duration,
    sleep: Pin<Box<Sleep>>,
    /// The waker `sleep` was last polled with: while the task keeps it, `sleep` will wake it.
    registered: Option<Waker>,
}

/// The watchdog's view of the current request's body.
struct BodyWatch {
    limit: BodyLimit,
    /// Checks that make the timeout (`limit.timeout` over the check interval, rounded up).
    checks: u64,
    /// Checks that found the app waiting for the body, this request.
    waited: u64,
    /// Checks in a row that found it still waiting and no new bytes.
    stalled: u64,
    /// Whether the last check found the app waiting.
    was_waiting: bool,
    /// The bytes received at the last check.
    received: u64,
}

impl BodyWatch {
    fn new(limit: BodyLimit, interval: Duration) -> Self {
        BodyWatch {
            limit,
            checks: checks_in(limit.timeout, interval),
            waited: 0,
            stalled: 0,
            was_waiting: false,
            received: 0,
        }
    }

    /// A new request: its body has not been waited for yet.
    fn restart(&mut self) {
        self.waited = 0;
        self.stalled = 0;
        self.was_waiting = false;
        self.received = 0;
    }

    /// Whether the app, waiting for the body, has waited too long; see the module docs.
    fn check(&mut self, activity: &Activity, interval: Duration) -> bool {
        let (waiting, received) = activity.body_wait();
        let waited_since_last_check = waiting && self.was_waiting && received == self.received;
        self.was_waiting = waiting;
        self.received = received;
        if !waiting {
            self.stalled = 0;
            return false;
        }
        self.waited += 1;
        // A stall counts from the check after the one that saw it begin, so the client has had
        // at least the whole timeout when it is cut.
        self.stalled = if waited_since_last_check {
            self.stalled + 1
        } else {
            0
        };
        // Each check that finds the app waiting counts as a whole interval, though the wait may
        // have begun just before it: hence one check more than the timeout's own.
        let credit = match self.limit.min_rate {
            0 => 0,
            rate => {
                let nanos = u128::from(received) * 1_000_000_000;
                let checks = nanos / (u128::from(rate) * interval.as_nanos().max(1));
                u64::try_from(checks).unwrap_or(u64::MAX)
            }
        };
        self.stalled >= self.checks || self.waited > self.checks.saturating_add(credit)
    }
}

/// How many checks `interval` apart make `span`, rounded up (`u64::MAX` for "never").
fn checks_in(span: Duration, interval: Duration) -> u64 {
    let checks = span.as_nanos().div_ceil(interval.as_nanos().max(1));
    u64::try_from(checks).unwrap_or(u64::MAX)
}

impl Watchdog {
    /// A watchdog for a connection that starts waiting for its first request head now, and
    /// follows its request bodies when `body` is given. Must be called within the tokio runtime.
    pub(super) fn new(head: Duration, body: Option<BodyLimit>, on_expiry: Expiry) -> Self {
        let shortest = body.map_or(head, |b| b.timeout.min(head));
        let interval = (shortest / CHECKS).max(Duration::from_millis(1));
        Watchdog {
            on_expiry,
            head_checks: checks_in(head, interval),
            seen: (0, 0),
            idle_checks: 0,
            body: body.map(|limit| BodyWatch::new(limit, interval)),
            interval,
            sleep: Box::pin(tokio::time::sleep(interval)),
            registered: None,
        }
    }

    /// Whether the connection has waited out the header-read timeout; a body waited for too
    /// long is failed on the way (see the module docs). Call it after polling the connection,
    /// so that a request head already received counts before the check. Between checks it
    /// costs one atomic read.
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
                if self.idle_checks >= self.head_checks {
                    return true;
                }
            } else {
                if counts.0 != self.seen.0
                    && let Some(body) = &mut self.body
                {
                    body.restart();
                }
                self.seen = counts;
                self.idle_checks = 0;
            }
            if !waiting
                && let Some(body) = &mut self.body
                && body.check(activity, self.interval)
            {
                activity.expire_body();
                body.restart();
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
    async fn expiry(watch: &mut Watchdog, activity: &Activity) -> Duration {
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
        let mut watch = Watchdog::new(Duration::from_secs(8), None, Expiry::Close);
        let waited = expiry(&mut watch, &activity).await;
        assert!(
            waited >= Duration::from_secs(8) && waited <= Duration::from_secs(10),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_wait_restarts_when_a_response_is_finished() {
        let activity = Arc::new(Activity::default());
        let mut watch = Watchdog::new(Duration::from_secs(8), None, Expiry::Close);
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
        let mut watch = Watchdog::new(Duration::MAX, None, Expiry::Close);
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
        let mut watch = Watchdog::new(Duration::from_secs(1), None, Expiry::Close);
        let outcome =
            tokio::time::timeout(Duration::from_secs(60), expiry(&mut watch, &activity)).await;
        assert!(outcome.is_err(), "expired with a request in progress");
    }

    /// A watchdog whose connection has a request in progress whose body the app reads under a
    /// 4 s body-read timeout at 500 bytes per second (a 60 s header-read timeout).
    fn reading_a_body() -> (Watchdog, Arc<Activity>) {
        let activity = Arc::new(Activity::default());
        activity.started();
        let limit = BodyLimit {
            timeout: Duration::from_secs(4),
            min_rate: 500,
        };
        let watch = Watchdog::new(Duration::from_secs(60), Some(limit), Expiry::Close);
        (watch, activity)
    }

    /// How long until the watchdog fails the body, if it does within `within`.
    async fn body_expiry(
        watch: &mut Watchdog,
        activity: &Activity,
        within: Duration,
    ) -> Option<Duration> {
        let started = Instant::now();
        let expired = poll_fn(|cx| {
            assert!(!watch.poll_expired(activity, cx), "the connection expired");
            if activity.body_expired() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        });
        tokio::time::timeout(within, expired)
            .await
            .ok()
            .map(|()| started.elapsed())
    }

    /// Feeds the body `bytes` at a time, every `every`, the app always waiting for more.
    fn feed(activity: &Arc<Activity>, bytes: u64, every: Duration) {
        let activity = activity.clone();
        tokio::spawn(async move {
            let mut received = 0;
            loop {
                tokio::time::sleep(every).await;
                received += bytes;
                activity.set_body_wait(true, received);
            }
        });
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stops_coming_fails_within_a_quarter_more_than_the_timeout() {
        let (mut watch, activity) = reading_a_body();
        activity.set_body_wait(true, 0);
        let waited = body_expiry(&mut watch, &activity, Duration::from_secs(60)).await;
        let waited = waited.expect("the body never failed");
        assert!(
            waited >= Duration::from_secs(4) && waited <= Duration::from_secs(5),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_trickled_below_the_minimum_rate_fails_though_bytes_keep_coming() {
        let (mut watch, activity) = reading_a_body();
        activity.set_body_wait(true, 0);
        // A byte every second: never a 4 s gap, but 1 byte per second on average.
        feed(&activity, 1, Duration::from_secs(1));
        let waited = body_expiry(&mut watch, &activity, Duration::from_secs(60)).await;
        let waited = waited.expect("the trickle was never cut");
        assert!(
            waited >= Duration::from_secs(4) && waited <= Duration::from_secs(6),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_keeps_coming_at_the_minimum_rate_is_never_cut() {
        let (mut watch, activity) = reading_a_body();
        activity.set_body_wait(true, 0);
        feed(&activity, 600, Duration::from_secs(1));
        let outcome = body_expiry(&mut watch, &activity, Duration::from_secs(600)).await;
        assert_eq!(outcome, None, "cut a body coming at 600 bytes per second");
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_earns_no_stall_longer_than_the_timeout() {
        let (mut watch, activity) = reading_a_body();
        // 100 kB at once (200 s of credit at 500 B/s), then nothing.
        activity.set_body_wait(true, 100_000);
        let waited = body_expiry(&mut watch, &activity, Duration::from_secs(60)).await;
        let waited = waited.expect("the stalled body never failed");
        assert!(waited <= Duration::from_secs(5), "{waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_app_that_is_not_waiting_for_its_body_is_never_cut() {
        let (mut watch, activity) = reading_a_body();
        activity.set_body_wait(false, 10);
        let outcome = body_expiry(&mut watch, &activity, Duration::from_secs(600)).await;
        assert_eq!(outcome, None);
    }

    #[tokio::test(start_paused = true)]
    async fn with_no_credit_the_whole_body_must_come_within_the_timeout() {
        let activity = Arc::new(Activity::default());
        activity.started();
        let limit = BodyLimit {
            timeout: Duration::from_secs(4),
            min_rate: 0,
        };
        let mut watch = Watchdog::new(Duration::from_secs(60), Some(limit), Expiry::Close);
        activity.set_body_wait(true, 0);
        feed(&activity, 100_000, Duration::from_secs(1));
        let waited = body_expiry(&mut watch, &activity, Duration::from_secs(60)).await;
        let waited = waited.expect("never cut");
        assert!(
            waited >= Duration::from_secs(4) && waited <= Duration::from_secs(6),
            "{waited:?}"
        );
    }
}
