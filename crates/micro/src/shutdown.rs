//! The server's shutdown signal, as handlers see it, and how long-lived responses end with it.
//!
//! [`serve`](crate::serve) gives every request a [`Shutdown`]. Handlers that keep
//! a response open (a stream, a WebSocket) watch it to end by themselves when the server stops,
//! so a graceful shutdown does not wait for its deadline (axum #2673, #3003). Server-Sent Events
//! and WebSockets do this without the handler's help.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use http_body::{Frame, SizeHint};
use tokio::sync::{OwnedSemaphorePermit, mpsc, watch};

use crate::{Body, BoxError, FromRequest, Request};

/// Resolves when the server starts a graceful shutdown: an extractor for handlers whose response
/// outlives the request, like a stream that would otherwise run forever.
///
/// ```
/// use std::convert::Infallible;
/// use std::time::Duration;
/// use futures_util::StreamExt;
/// use micro::{Shutdown, Streamed};
///
/// async fn ticks(shutdown: Shutdown) -> Streamed<impl futures_util::Stream<Item = Result<String, Infallible>>> {
///     let ticks = futures_util::stream::unfold(0u64, |n| async move {
///         tokio::time::sleep(Duration::from_secs(1)).await;
///         Some((Ok(format!("tick {n}\n")), n + 1))
///     });
///     // Ends the stream, and so the response, when the server shuts down.
///     Streamed::new("text/plain; charset=utf-8", shutdown.guard(ticks))
/// }
/// ```
///
/// Outside [`serve`](crate::serve) (in a [`TestClient`](crate::TestClient), or under another
/// server) the signal never fires. Extraction never fails.
#[derive(Debug, Clone)]
pub struct Shutdown {
    rx: Option<watch::Receiver<bool>>,
}

impl Shutdown {
    /// A signal that never fires: what handlers get when no micro server runs them.
    pub fn never() -> Self {
        Shutdown { rx: None }
    }

    /// A signal with the handle that fires it, for tests and for servers other than micro's.
    ///
    /// ```
    /// let (trigger, shutdown) = micro::Shutdown::channel();
    /// assert!(!shutdown.is_shutting_down());
    /// trigger.fire();
    /// assert!(shutdown.is_shutting_down());
    /// ```
    pub fn channel() -> (ShutdownTrigger, Shutdown) {
        let (tx, rx) = watch::channel(false);
        (ShutdownTrigger(tx), Shutdown { rx: Some(rx) })
    }

    /// Whether the shutdown has started.
    pub fn is_shutting_down(&self) -> bool {
        self.rx.as_ref().is_some_and(|rx| *rx.borrow())
    }

    /// Whether the signal fired (or its trigger is gone), read from one atomic: cheaper than
    /// [`is_shutting_down`](Self::is_shutting_down), for the server's check on every poll of a
    /// connection. Valid only on a clone that nothing has marked as seen, as the server's are.
    pub(crate) fn has_fired(&self) -> bool {
        self.rx
            .as_ref()
            .is_some_and(|rx| rx.has_changed().unwrap_or(true))
    }

    /// A future that resolves once the shutdown has started (at once if it already has). It owns
    /// what it needs, so it can move into a spawned task or a `tokio::select!`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let (trigger, shutdown) = micro::Shutdown::channel();
    /// let waiting = tokio::spawn(shutdown.wait());
    /// trigger.fire();
    /// waiting.await.unwrap();
    /// # }
    /// ```
    pub fn wait(&self) -> impl Future<Output = ()> + Send + use<> {
        let rx = self.rx.clone();
        async move {
            match rx {
                // A dropped sender means the server itself is gone: that is a shutdown too.
                Some(mut rx) => {
                    let _ = rx.wait_for(|down| *down).await;
                }
                None => std::future::pending().await,
            }
        }
    }

    /// Ends `stream` when the shutdown starts, after the item in flight.
    ///
    /// Use it for streams whose end is harmless, like logs or events. A download cut short this
    /// way still ends like a complete chunked body, so do not guard streams whose truncation the
    /// client cannot detect.
    pub fn guard<S: Stream>(&self, stream: S) -> impl Stream<Item = S::Item> + use<S> {
        stream.take_until(Box::pin(self.wait()))
    }
}

impl FromRequest for Shutdown {
    type Rejection = Infallible;

    async fn from_request(req: &mut Request) -> Result<Self, Infallible> {
        Ok(req.shutdown())
    }
}

/// Fires a [`Shutdown`] made by [`Shutdown::channel`].
#[derive(Debug)]
pub struct ShutdownTrigger(watch::Sender<bool>);

impl ShutdownTrigger {
    /// Starts the shutdown: every clone of the paired [`Shutdown`] sees it.
    pub fn fire(&self) {
        self.0.send_replace(true);
    }
}

/// Marks a response whose body the server ends when it shuts down (Server-Sent Events, opted-in
/// streams). Set by the response types, read by the server.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EndOnShutdown;

/// Keeps [`serve`](crate::serve) waiting for connections that left hyper's hands (upgraded
/// WebSockets): the server waits, within its deadline, until every clone is dropped. Past the
/// deadline (or once `serve` is gone) `deadline` fires, and the upgraded tasks drop their
/// connections, as the server drops the connections it still holds.
///
/// A connection's tracker also holds its slot under
/// [`Serve::max_connections`](crate::Serve::max_connections), so an upgraded connection keeps
/// its slot until it ends.
#[derive(Debug, Clone)]
pub(crate) struct UpgradeTracker {
    // Never sent on: only its being dropped is observed.
    _alive: mpsc::Sender<()>,
    // Read by WebSockets only.
    #[cfg_attr(not(feature = "ws"), allow(dead_code))]
    deadline: Shutdown,
    // Never read: released when the last clone is dropped.
    _slot: Option<Arc<OwnedSemaphorePermit>>,
}

impl UpgradeTracker {
    /// A tracker, the receiver that reports `None` once every clone is gone, and the trigger of
    /// the deadline.
    pub(crate) fn new() -> (UpgradeTracker, mpsc::Receiver<()>, ShutdownTrigger) {
        let (tx, rx) = mpsc::channel(1);
        let (trigger, deadline) = Shutdown::channel();
        let tracker = UpgradeTracker {
            _alive: tx,
            deadline,
            _slot: None,
        };
        (tracker, rx, trigger)
    }

    /// The tracker of one connection, holding its connection slot if the server has a cap.
    pub(crate) fn for_connection(&self, slot: Option<OwnedSemaphorePermit>) -> UpgradeTracker {
        UpgradeTracker {
            _slot: slot.map(Arc::new),
            ..self.clone()
        }
    }

    /// Fires when the shutdown deadline passes or the server is gone.
    #[cfg_attr(not(feature = "ws"), allow(dead_code))]
    pub(crate) fn deadline(&self) -> &Shutdown {
        &self.deadline
    }
}

/// A response marked to end on shutdown gets a body that does. In place: the response is large
/// enough that moving it in and out costs a `memcpy` on every request.
pub(crate) fn end_on_shutdown(response: &mut http::Response<Body>, shutdown: &Shutdown) {
    if response
        .extensions_mut()
        .remove::<EndOnShutdown>()
        .is_some()
    {
        let body = std::mem::take(response.body_mut());
        *response.body_mut() = end_body_on_shutdown(body, shutdown);
    }
}

/// A body that ends when the shutdown starts; frames already sent stay sent.
fn end_body_on_shutdown(body: Body, shutdown: &Shutdown) -> Body {
    Body::new(UntilShutdown {
        body,
        signal: Some(Box::pin(shutdown.wait())),
    })
}

struct UntilShutdown {
    body: Body,
    signal: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl http_body::Body for UntilShutdown {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let Some(signal) = self.signal.as_mut() else {
            return Poll::Ready(None);
        };
        if signal.as_mut().poll(cx).is_ready() {
            // A frame is a whole event, so ending between frames leaves the client a clean end.
            self.signal = None;
            return Poll::Ready(None);
        }
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.signal.is_none() || self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        // The body may end early, so no exact length may be promised: only an upper bound.
        let mut hint = SizeHint::new();
        if let Some(upper) = self.body.size_hint().upper() {
            hint.set_upper(upper);
        }
        hint
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn never_does_not_fire_and_wait_resolves_after_fire() {
        assert!(!Shutdown::never().is_shutting_down());
        let (trigger, shutdown) = Shutdown::channel();
        let copy = shutdown.clone();
        trigger.fire();
        assert!(copy.is_shutting_down());
        tokio::time::timeout(std::time::Duration::from_secs(5), copy.wait())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn dropped_trigger_counts_as_shutdown() {
        let (trigger, shutdown) = Shutdown::channel();
        drop(trigger);
        tokio::time::timeout(std::time::Duration::from_secs(5), shutdown.wait())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn body_ends_when_the_signal_fires() {
        let (trigger, shutdown) = Shutdown::channel();
        let endless = futures_util::stream::repeat_with(|| Ok::<_, Infallible>("x")).then(
            |item| async move {
                tokio::task::yield_now().await;
                item
            },
        );
        let mut body = end_body_on_shutdown(Body::from_stream(endless), &shutdown);
        assert!(body.frame().await.is_some());
        trigger.fire();
        assert!(body.frame().await.is_none());
    }
}
