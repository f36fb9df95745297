//! WebSockets over HTTP/1.1 upgrades, on tokio-tungstenite (cargo feature `ws`, on by default).
//!
//! A handler takes the [`WebSocketUpgrade`] extractor, which checks the handshake, and returns
//! [`on_upgrade`](WebSocketUpgrade::on_upgrade)'s `101 Switching Protocols` response; once it
//! is sent, the callback runs in its own task with the [`WebSocket`]:
//!
//! ```
//! use micro::ws::{Message, WebSocketUpgrade};
//!
//! async fn echo(ws: WebSocketUpgrade) -> micro::Response {
//!     ws.on_upgrade(|mut socket| async move {
//!         while let Some(Ok(message)) = socket.recv().await {
//!             let reply = match message {
//!                 Message::Text(text) => Message::Text(text),
//!                 Message::Binary(bytes) => Message::Binary(bytes),
//!                 _ => continue, // pings are answered for you; a close ends the loop
//!             };
//!             if socket.send(reply).await.is_err() {
//!                 break;
//!             }
//!         }
//!     })
//! }
//!
//! let mut app = micro::App::new();
//! app.get("/echo", echo);
//! ```
//!
//! Upgrades need a real connection: they work under [`serve`](crate::serve) (and `App::run`),
//! not in the socketless [`TestClient`](crate::TestClient), where the extractor answers 500 and
//! says so. When the server shuts down, [`WebSocket::recv`] and [`WebSocket::send`] send a Close
//! frame (1001, "going away") and report the end, and the server waits for the callbacks to
//! return, within its shutdown timeout.

mod message;
mod socket;
mod upgrade;

pub use message::{CloseFrame, Message, close_code};
pub use socket::{WebSocket, WebSocketError};
pub use upgrade::WebSocketUpgrade;
