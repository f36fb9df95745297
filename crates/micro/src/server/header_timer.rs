//! The HTTP/1 header-read timeout with one tokio timer per connection.
//!
//! hyper arms its header-read timeout through its [`Timer`] for every request head: it asks for a
//! new sleep each time (and drops it once the head is in). With hyper-util's `TokioTimer` that is
//! a fresh tokio timer per request: an allocation, plus a registration in and a removal from the
//! runtime's timer wheel. [`ConnTimer`] hands out sleeps that all wait on the connection's single
//! tokio timer instead, and leaves that timer alone while it is set no later than the deadline
//! asked for: when it fires for an older request's deadline, the sleep of the current one sets
//! it again and waits on. So a busy keep-alive connection moves its timer about once per
//! timeout period, not once per request. hyper's behaviour is unchanged: same deadlines, same
//! error when one passes.
//!
//! hyper polls the current request's sleep each time the connection waits for data. The tokio
//! timer is polled only when needed: while it is set no later than the deadline, has not fired,
//! and was last polled by the same task (the connection's, which keeps its waker), it will wake
//! that task anyway, so the sleep answers "pending" from that state alone (about 100 fewer
//! instructions per request under callgrind than polling tokio's `Sleep`, with its waker
//! registration and cooperative budget).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

/// A [`Timer`] for one connection's HTTP/1 header-read deadlines; see the module docs.
#[derive(Clone)]
pub(super) struct ConnTimer {
    timer: Arc<Mutex<Shared>>,
}

/// The connection's tokio timer, and the waker it was last polled with.
struct Shared {
    sleep: Pin<Box<tokio::time::Sleep>>,
    /// Set when a poll of `sleep` returned pending; cleared when it is reset, since it then no
    /// longer wakes anyone until polled again.
    polled_by: Option<Waker>,
}

impl Shared {
    fn reset(&mut self, deadline: tokio::time::Instant) {
        self.sleep.as_mut().reset(deadline);
        self.polled_by = None;
    }
}

impl ConnTimer {
    /// A timer for a new connection. Must be called within the tokio runtime.
    pub(super) fn new() -> Self {
        // Not registered with the runtime until first polled.
        let idle = tokio::time::sleep_until(far_future());
        ConnTimer {
            timer: Arc::new(Mutex::new(Shared {
                sleep: Box::pin(idle),
                polled_by: None,
            })),
        }
    }
}

impl Timer for ConnTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(self.now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(HeaderDeadline {
            timer: self.timer.clone(),
            deadline: tokio::time::Instant::from_std(deadline),
        })
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        if let Some(sleep) = sleep.as_mut().downcast_mut_pin::<HeaderDeadline>() {
            sleep.get_mut().deadline = tokio::time::Instant::from_std(new_deadline);
        }
    }

    fn now(&self) -> Instant {
        // tokio's clock, so that tests with a paused clock see the timeout as before.
        tokio::time::Instant::now().into_std()
    }
}

/// One deadline, kept by the connection's shared timer.
struct HeaderDeadline {
    timer: Arc<Mutex<Shared>>,
    deadline: tokio::time::Instant,
}

impl Sleep for HeaderDeadline {}

impl Future for HeaderDeadline {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // Only the connection's task polls these, one at a time: the lock is never contended.
        let mut timer = this
            .timer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Too late (a new connection's timer, or a deadline hyper moved earlier): set it.
        if timer.sleep.deadline() > this.deadline {
            timer.reset(this.deadline);
        }
        // Still armed for this task: it will be woken when the timer fires (see the module docs).
        if !timer.sleep.is_elapsed()
            && timer
                .polled_by
                .as_ref()
                .is_some_and(|waker| waker.will_wake(cx.waker()))
        {
            return Poll::Pending;
        }
        loop {
            if timer.sleep.as_mut().poll(cx).is_pending() {
                if !timer
                    .polled_by
                    .as_ref()
                    .is_some_and(|waker| waker.will_wake(cx.waker()))
                {
                    timer.polled_by = Some(cx.waker().clone());
                }
                return Poll::Pending;
            }
            if timer.sleep.deadline() >= this.deadline {
                return Poll::Ready(());
            }
            // It fired for an earlier request's deadline: wait on for this one.
            timer.reset(this.deadline);
        }
    }
}

/// A deadline that never comes in practice (about 30 years), as tokio itself uses for "never".
fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(86400 * 365 * 30)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn deadlines_fire_in_order_on_one_timer() {
        let timer = ConnTimer::new();
        let first = timer.sleep(Duration::from_secs(5));
        drop(first); // a head arrived in time: hyper drops the sleep
        let started = tokio::time::Instant::now();
        timer.sleep(Duration::from_secs(30)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(30));
        // After firing, a later deadline re-arms the same timer.
        let started = tokio::time::Instant::now();
        timer.sleep(Duration::from_secs(10)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn an_earlier_deadline_left_on_the_timer_does_not_end_a_later_one() {
        let timer = ConnTimer::new();
        let started = tokio::time::Instant::now();
        let mut first = timer.sleep(Duration::from_secs(5));
        // Polled once, so the shared timer is set for 5 s; then the head arrives.
        assert!(futures_util::FutureExt::now_or_never(&mut first).is_none());
        drop(first);
        timer.sleep(Duration::from_secs(30)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn reset_moves_the_deadline() {
        let timer = ConnTimer::new();
        let started = tokio::time::Instant::now();
        let mut sleep = timer.sleep(Duration::from_secs(30));
        timer.reset(&mut sleep, timer.now() + Duration::from_secs(3));
        sleep.await;
        assert_eq!(started.elapsed(), Duration::from_secs(3));
    }
}
