//! The WebSocket handshake (RFC 6455 §4.2): checked by an extractor, answered with a 101.

use std::future::Future;

use http::header::{
    ALLOW, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_PROTOCOL,
    SEC_WEBSOCKET_VERSION, UPGRADE,
};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use super::socket::{Io, WebSocket};
use crate::shutdown::UpgradeTracker;
use crate::{Body, Error, FromRequest, Request, Response, Shutdown};

/// A valid WebSocket handshake, ready to be accepted with [`on_upgrade`](Self::on_upgrade).
///
/// ```
/// use micro::ws::{Message, WebSocketUpgrade};
///
/// async fn notifications(ws: WebSocketUpgrade) -> micro::Response {
///     ws.protocols(["notify.v2", "notify.v1"])
///         .max_message_size(64 * 1024)
///         .on_upgrade(|mut socket| async move {
///             let version = socket.protocol().unwrap_or("notify.v1").to_owned();
///             socket.send(Message::Text(format!("speaking {version}"))).await.ok();
///         })
/// }
/// ```
///
/// The extractor refuses, with a message that says why:
///
/// | request | status |
/// |---|---|
/// | not `GET` | 405, with `Allow: GET` |
/// | no `Connection: upgrade` or no `Upgrade: websocket` (a plain HTTP request) | 426, with `Upgrade: websocket` |
/// | `Sec-WebSocket-Version` other than 13 | 426, with `Sec-WebSocket-Version: 13` |
/// | no `Sec-WebSocket-Key` | 400 |
/// | a connection that cannot be upgraded ([`TestClient`](crate::TestClient), HTTP/2) | 500 |
pub struct WebSocketUpgrade {
    key: HeaderValue,
    on_upgrade: OnUpgrade,
    offered: Vec<String>,
    protocol: Option<String>,
    config: WebSocketConfig,
    shutdown: Shutdown,
    tracker: Option<UpgradeTracker>,
}

impl std::fmt::Debug for WebSocketUpgrade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocketUpgrade")
            .field("offered", &self.offered)
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

impl FromRequest for WebSocketUpgrade {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        let key = check_handshake(req.method(), req.headers())?;
        let Some(on_upgrade) = req.extensions_mut().remove::<OnUpgrade>() else {
            return Err(Error::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "This connection cannot be upgraded to a WebSocket: upgrades need an HTTP/1.1 connection served by micro::serve (the TestClient has no socket; test WebSockets over 127.0.0.1).",
            ));
        };
        let offered = req
            .headers()
            .get_all(SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(|protocol| protocol.trim().to_owned())
            .filter(|protocol| !protocol.is_empty())
            .collect();
        Ok(WebSocketUpgrade {
            key,
            on_upgrade,
            offered,
            protocol: None,
            config: WebSocketConfig::default(),
            shutdown: req.shutdown(),
            tracker: req.upgrade_tracker(),
        })
    }
}

/// Checks what RFC 6455 asks of the client's opening handshake; returns the key.
fn check_handshake(method: &Method, headers: &HeaderMap) -> Result<HeaderValue, Error> {
    if method != Method::GET {
        return Err(Error::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("A WebSocket handshake is a GET request, not {method}."),
        )
        .with_header(ALLOW, HeaderValue::from_static("GET")));
    }
    if !has_token(headers, CONNECTION, "upgrade") || !has_token(headers, UPGRADE, "websocket") {
        return Err(Error::new(
            StatusCode::UPGRADE_REQUIRED,
            "This URL speaks WebSocket: send `Connection: upgrade` and `Upgrade: websocket`.",
        )
        .with_header(UPGRADE, HeaderValue::from_static("websocket")));
    }
    let version = headers.get(SEC_WEBSOCKET_VERSION);
    if version.is_none_or(|v| v != "13") {
        let got = version.and_then(|v| v.to_str().ok()).unwrap_or("none");
        return Err(Error::new(
            StatusCode::UPGRADE_REQUIRED,
            format!("Unsupported `Sec-WebSocket-Version` ({got}): this server speaks version 13."),
        )
        .with_header(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13")));
    }
    match headers.get(SEC_WEBSOCKET_KEY) {
        Some(key) if !key.is_empty() => Ok(key.clone()),
        _ => Err(Error::bad_request(
            "The WebSocket handshake has no `Sec-WebSocket-Key` header.",
        )),
    }
}

/// Whether a comma-separated header holds `token`, in any case (`Connection: keep-alive, Upgrade`).
fn has_token(headers: &HeaderMap, name: http::header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| item.trim().eq_ignore_ascii_case(token))
}

impl WebSocketUpgrade {
    /// The subprotocols this endpoint speaks, preferred first: the first one the client also
    /// offered (in `Sec-WebSocket-Protocol`) is agreed and sent back. With none in common, the
    /// handshake goes on without a subprotocol, and the client decides whether to stay.
    pub fn protocols<I>(mut self, protocols: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.protocol = protocols.into_iter().find_map(|ours| {
            let ours = ours.as_ref();
            self.offered
                .iter()
                .find(|theirs| theirs.eq_ignore_ascii_case(ours))
                .map(|_| ours.to_owned())
        });
        self
    }

    /// The subprotocols the client offered, in its order.
    pub fn offered_protocols(&self) -> &[String] {
        &self.offered
    }

    /// The largest message the socket accepts (default 64 MiB); a bigger one ends the
    /// connection with an error from [`WebSocket::recv`].
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config = self
            .config
            .max_message_size(Some(bytes))
            .max_frame_size(Some(bytes));
        self
    }

    /// Accepts the handshake: returns the `101 Switching Protocols` response to send, and runs
    /// `callback` with the socket in a task of its own once the response is out.
    pub fn on_upgrade<F, Fut>(self, callback: F) -> Response
    where
        F: FnOnce(WebSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let WebSocketUpgrade {
            key,
            on_upgrade,
            protocol,
            config,
            shutdown,
            tracker,
            ..
        } = self;
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = res.headers_mut();
        headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
        let accept = derive_accept_key(key.as_bytes());
        headers.insert(
            SEC_WEBSOCKET_ACCEPT,
            HeaderValue::from_str(&accept).expect("base64 is a valid header value"),
        );
        if let Some(protocol) = &protocol
            && let Ok(value) = HeaderValue::from_str(protocol)
        {
            headers.insert(SEC_WEBSOCKET_PROTOCOL, value);
        }

        let deadline = tracker
            .as_ref()
            .map_or_else(Shutdown::never, |tracker| tracker.deadline().clone());
        let session = async move {
            let upgraded = match on_upgrade.await {
                Ok(upgraded) => upgraded,
                Err(err) => {
                    // The 101 was not sent (an after hook replaced it) or the client left.
                    tracing::debug!(target: "micro::ws", "WebSocket upgrade failed: {err}");
                    return;
                }
            };
            let io: Box<dyn Io> = Box::new(TokioIo::new(upgraded));
            let stream = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
            callback(WebSocket::new(stream, shutdown, protocol)).await;
        };
        tokio::spawn(async move {
            // Held until the callback returns, so a graceful shutdown waits for it.
            let _tracker = tracker;
            tokio::select! {
                () = session => {}
                () = deadline.wait() => {
                    // The callback ignored the shutdown signal: drop it, and the connection.
                    tracing::debug!(target: "micro::ws", "WebSocket dropped at the shutdown deadline");
                }
            }
        });
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handshake() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONNECTION, HeaderValue::from_static("keep-alive, Upgrade"));
        headers.insert(UPGRADE, HeaderValue::from_static("WebSocket"));
        headers.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
        headers.insert(
            SEC_WEBSOCKET_KEY,
            HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
        );
        headers
    }

    #[test]
    fn a_valid_handshake_passes() {
        assert!(check_handshake(&Method::GET, &handshake()).is_ok());
    }

    #[test]
    fn each_broken_part_has_its_status() {
        let err = check_handshake(&Method::POST, &handshake()).unwrap_err();
        assert_eq!(err.status(), 405);
        let mut headers = handshake();
        headers.remove(UPGRADE);
        assert_eq!(
            check_handshake(&Method::GET, &headers)
                .unwrap_err()
                .status(),
            426
        );
        let mut headers = handshake();
        headers.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("8"));
        let err = check_handshake(&Method::GET, &headers).unwrap_err();
        assert_eq!(err.status(), 426);
        assert_eq!(err.headers()[SEC_WEBSOCKET_VERSION], "13");
        let mut headers = handshake();
        headers.remove(SEC_WEBSOCKET_KEY);
        assert_eq!(
            check_handshake(&Method::GET, &headers)
                .unwrap_err()
                .status(),
            400
        );
    }

    #[test]
    fn accept_key_matches_rfc_example() {
        // RFC 6455 §1.3.
        assert_eq!(
            derive_accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
