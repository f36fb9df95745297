//! Graceful shutdown of one connection: when the server's [`Shutdown`] signal fires, hyper is told
//! to finish the request in flight and close the connection. The connection's header-read
//! watchdog ([`Watchdog`]) is checked here too.
//!
//! hyper-util's `GracefulShutdown` does the same, but it polls a watch channel's `changed()`
//! future on every poll of the connection, and each of those polls takes the channel's waiter
//! lock: about 160 instructions per request under callgrind. Here the signal's future is polled
//! only when the task's waker is not the one it already holds (in practice once per connection:
//! a spawned task keeps its waker), and every other poll reads one atomic.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::{Poll, Waker};

use super::watchdog::{Activity, Expiry, Watchdog};
use crate::Shutdown;

/// Runs `conn` to completion; once `shutdown` fires, calls `stop` on it (hyper's
/// `graceful_shutdown`) and keeps polling it until it ends. With a `watchdog`, reading the
/// connection's `activity`: when it expires, an HTTP/1 connection is given up on (`None`), an
/// HTTP/2 one is stopped as on shutdown (a GOAWAY) and polled until it ends.
pub(super) async fn until_drained<C, F>(
    conn: C,
    shutdown: Shutdown,
    stop: F,
    mut watchdog: Option<Watchdog>,
    activity: &Activity,
) -> Option<C::Output>
where
    C: Future,
    F: FnOnce(Pin<&mut C>),
{
    let mut conn = pin!(conn);
    let mut signal = pin!(shutdown.wait());
    let mut stop = Some(stop);
    // The waker the signal's future was last polled with: it wakes this task when the signal
    // fires, so polls with the same waker need not poll the future again.
    let mut registered: Option<Waker> = None;
    poll_fn(move |cx| {
        if stop.is_some() {
            let fired = match &registered {
                Some(waker) if waker.will_wake(cx.waker()) => shutdown.has_fired(),
                _ => {
                    registered = Some(cx.waker().clone());
                    signal.as_mut().poll(cx).is_ready()
                }
            };
            if fired && let Some(stop) = stop.take() {
                stop(conn.as_mut());
            }
        }
        if let Poll::Ready(output) = conn.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        // After the connection's poll, so that a request head it has just read counts.
        let expired = watchdog
            .as_mut()
            .is_some_and(|watchdog| watchdog.poll_expired(activity, cx));
        if !expired {
            return Poll::Pending;
        }
        match watchdog.take().map(|watchdog| watchdog.on_expiry) {
            Some(Expiry::GoAway) => {
                if let Some(stop) = stop.take() {
                    stop(conn.as_mut());
                }
                // Polled again so that it acts on the stop; it wakes the task from then on.
                conn.as_mut().poll(cx).map(Some)
            }
            _ => Poll::Ready(None),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// A connection that ends only once told to stop.
    struct Conn(Arc<AtomicBool>);

    impl Future for Conn {
        type Output = &'static str;

        fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<&'static str> {
            if self.0.load(Ordering::SeqCst) {
                return Poll::Ready("drained");
            }
            // Stays pending, as an idle keep-alive connection would, with nothing to wake it:
            // only the signal can.
            let _ = cx;
            Poll::Pending
        }
    }

    #[tokio::test]
    async fn an_idle_connection_is_stopped_when_the_signal_fires() {
        let (trigger, shutdown) = Shutdown::channel();
        let stopped = Arc::new(AtomicBool::new(false));
        let flag = stopped.clone();
        let conn = Conn(stopped.clone());
        let task = tokio::spawn(async move {
            let stop = move |_: Pin<&mut Conn>| flag.store(true, Ordering::SeqCst);
            until_drained(conn, shutdown, stop, None, &Activity::default()).await
        });
        // Let the task poll a few times first, so the signal's future is registered.
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
        assert!(!stopped.load(Ordering::SeqCst));
        trigger.fire();
        let output = tokio::time::timeout(std::time::Duration::from_secs(5), task)
            .await
            .expect("the connection ends")
            .unwrap();
        assert_eq!(output, Some("drained"));
    }

    #[tokio::test]
    async fn a_signal_fired_before_the_first_poll_stops_at_once() {
        let (trigger, shutdown) = Shutdown::channel();
        trigger.fire();
        let stopped = Arc::new(AtomicBool::new(false));
        let flag = stopped.clone();
        let output = until_drained(
            Conn(stopped),
            shutdown,
            move |_| flag.store(true, Ordering::SeqCst),
            None,
            &Activity::default(),
        )
        .await;
        assert_eq!(output, Some("drained"));
    }
}
