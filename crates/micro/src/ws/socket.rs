//! An open WebSocket: send and receive messages, close, and leave on server shutdown.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use super::message::{CloseFrame, Message, from_tungstenite};
use crate::Shutdown;

/// How long a socket leaving on shutdown waits for the peer's Close before it hangs up.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// The connection's byte stream, erased so the socket type does not depend on hyper's.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// An open WebSocket, handed to the callback of
/// [`WebSocketUpgrade::on_upgrade`](super::WebSocketUpgrade::on_upgrade).
///
/// ```
/// use micro::ws::{Message, WebSocket, WebSocketUpgrade};
///
/// async fn chat(mut socket: WebSocket) {
///     socket.send("welcome").await.ok();
///     while let Some(Ok(Message::Text(line))) = socket.recv().await {
///         if socket.send(format!("you said: {line}")).await.is_err() {
///             break;
///         }
///     }
/// }
///
/// async fn handler(ws: WebSocketUpgrade) -> micro::Response {
///     ws.on_upgrade(chat)
/// }
/// ```
///
/// Pings are answered with pongs by the socket itself (they are still reported to `recv`), and a
/// Close from the peer is answered and then reported, after which `recv` gives `None`.
///
/// When the server shuts down, the next (or pending) `recv` and the next `send` send a Close
/// frame with code 1001 ("going away"), wait up to a second for the peer's answer, and report the
/// end: `recv` gives `None`, `send` an error whose [`is_closed`](WebSocketError::is_closed) is
/// true. A handler that waits on something else can select on [`shutdown`](Self::shutdown).
pub struct WebSocket {
    inner: WebSocketStream<Box<dyn Io>>,
    shutdown: Shutdown,
    signal: Pin<Box<dyn Future<Output = ()> + Send>>,
    protocol: Option<String>,
    // Set once the socket left because of the shutdown; `signal` is never polled after it fired.
    gone: bool,
}

impl std::fmt::Debug for WebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocket")
            .field("protocol", &self.protocol)
            .field("gone", &self.gone)
            .finish_non_exhaustive()
    }
}

impl WebSocket {
    pub(crate) fn new(
        inner: WebSocketStream<Box<dyn Io>>,
        shutdown: Shutdown,
        protocol: Option<String>,
    ) -> Self {
        WebSocket {
            inner,
            signal: Box::pin(shutdown.wait()),
            shutdown,
            protocol,
            gone: false,
        }
    }

    /// The next message; `None` once the connection is closed (by the peer, or by a server
    /// shutdown). An `Err` is a broken connection or protocol violation: stop reading then.
    pub async fn recv(&mut self) -> Option<Result<Message, WebSocketError>> {
        loop {
            if self.gone {
                return None;
            }
            let next = tokio::select! {
                biased;
                () = &mut self.signal => {
                    self.going_away().await;
                    return None;
                }
                next = self.inner.next() => next,
            };
            match next? {
                Ok(message) => {
                    if let Some(message) = from_tungstenite(message) {
                        return Some(Ok(message));
                    }
                }
                Err(err) if is_closed(&err) => return None,
                Err(err) => return Some(Err(WebSocketError(err))),
            }
        }
    }

    /// Sends a message (anything that converts: `&str` and `String` as text, `Vec<u8>` and
    /// `Bytes` as binary).
    ///
    /// # Errors
    /// When the connection is closed or broken, or the server is shutting down (after the socket
    /// said goodbye).
    pub async fn send(&mut self, message: impl Into<Message>) -> Result<(), WebSocketError> {
        if !self.gone && self.shutdown.is_shutting_down() {
            self.going_away().await;
        }
        if self.gone {
            return Err(WebSocketError(tungstenite::Error::ConnectionClosed));
        }
        self.inner
            .send(message.into().into())
            .await
            .map_err(WebSocketError)
    }

    /// Starts the closing handshake with a code (see [`close_code`](super::close_code)) and a
    /// reason; keep calling [`recv`](Self::recv) until `None` to see the peer's answer.
    ///
    /// # Errors
    /// When the connection is already closed or broken.
    pub async fn close(&mut self, code: u16, reason: &str) -> Result<(), WebSocketError> {
        let frame = CloseFrame {
            code,
            reason: reason.to_owned(),
        };
        self.inner
            .close(Some(frame.into()))
            .await
            .map_err(WebSocketError)
    }

    /// The subprotocol agreed in the handshake, if any.
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// The server's shutdown signal, for handlers that wait on other things than this socket.
    pub fn shutdown(&self) -> &Shutdown {
        &self.shutdown
    }

    async fn going_away(&mut self) {
        self.gone = true;
        let frame = tungstenite::protocol::CloseFrame {
            code: CloseCode::Away,
            reason: "going away".into(),
        };
        if self.inner.close(Some(frame)).await.is_ok() {
            // RFC 6455 asks to wait for the peer's Close before hanging up; do, briefly.
            let answered = async { while let Some(Ok(_)) = self.inner.next().await {} };
            let _ = tokio::time::timeout(CLOSE_WAIT, answered).await;
        }
    }
}

fn is_closed(err: &tungstenite::Error) -> bool {
    matches!(
        err,
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed
    )
}

/// A WebSocket failure: the connection closed or broke, or the peer broke the protocol.
#[derive(Debug)]
pub struct WebSocketError(tungstenite::Error);

impl WebSocketError {
    /// Whether the connection is simply closed (normally, or because the server shuts down).
    pub fn is_closed(&self) -> bool {
        is_closed(&self.0)
    }
}

impl std::fmt::Display for WebSocketError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebSocket: {}", self.0)
    }
}

impl std::error::Error for WebSocketError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_tungstenite::tungstenite::protocol::Role;

    async fn pair(shutdown: Shutdown) -> (WebSocket, WebSocketStream<tokio::io::DuplexStream>) {
        let (server, client) = tokio::io::duplex(4096);
        let server: Box<dyn Io> = Box::new(server);
        let server = WebSocketStream::from_raw_socket(server, Role::Server, None).await;
        let client = WebSocketStream::from_raw_socket(client, Role::Client, None).await;
        (WebSocket::new(server, shutdown, None), client)
    }

    #[tokio::test]
    async fn shutdown_sends_going_away_and_ends_recv() {
        let (trigger, shutdown) = Shutdown::channel();
        let (mut socket, mut client) = pair(shutdown).await;
        let server = tokio::spawn(async move { socket.recv().await.is_none() });
        trigger.fire();
        let close = tokio::time::timeout(Duration::from_secs(5), client.next())
            .await
            .unwrap();
        match close {
            Some(Ok(tungstenite::Message::Close(Some(frame)))) => {
                assert_eq!(u16::from(frame.code), 1001);
                assert_eq!(frame.reason.as_str(), "going away");
            }
            other => panic!("expected a Close frame, got {other:?}"),
        }
        // The client answers the close as it reads on; the server then ends.
        let _ = tokio::time::timeout(Duration::from_secs(5), client.next()).await;
        assert!(server.await.unwrap());
    }

    #[tokio::test]
    async fn send_after_shutdown_says_goodbye_and_fails() {
        let (trigger, shutdown) = Shutdown::channel();
        let (mut socket, mut client) = pair(shutdown).await;
        socket.send("before").await.unwrap();
        trigger.fire();
        let sent = tokio::spawn(async move { socket.send("after").await });
        let first = client.next().await.unwrap().unwrap();
        assert_eq!(first, tungstenite::Message::text("before"));
        let second = client.next().await.unwrap().unwrap();
        assert!(
            matches!(second, tungstenite::Message::Close(_)),
            "{second:?}"
        );
        let _ = client.next().await;
        let err = sent.await.unwrap().unwrap_err();
        assert!(err.is_closed());
    }
}
