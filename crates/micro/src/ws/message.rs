//! WebSocket messages, independent of tungstenite's types so its upgrades do not break users.

use bytes::Bytes;
use tokio_tungstenite::tungstenite::Message as TMessage;
use tokio_tungstenite::tungstenite::protocol::{
    CloseFrame as TCloseFrame, frame::coding::CloseCode,
};

/// A WebSocket message.
///
/// ```
/// use micro::ws::Message;
///
/// assert_eq!(Message::from("hi"), Message::Text("hi".into()));
/// assert_eq!(Message::from(vec![1u8, 2]).as_text(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A UTF-8 text message.
    Text(String),
    /// A binary message.
    Binary(Bytes),
    /// A ping (at most 125 bytes); the socket answers it with a pong by itself.
    Ping(Bytes),
    /// A pong (at most 125 bytes).
    Pong(Bytes),
    /// The peer closes, or asks to: with a code and reason, or none.
    Close(Option<CloseFrame>),
}

impl Message {
    /// The text of a text message.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Message::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The payload of any message but a close, as bytes.
    pub fn into_bytes(self) -> Bytes {
        match self {
            Message::Text(text) => Bytes::from(text),
            Message::Binary(bytes) | Message::Ping(bytes) | Message::Pong(bytes) => bytes,
            Message::Close(_) => Bytes::new(),
        }
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::Text(text)
    }
}

impl From<&str> for Message {
    fn from(text: &str) -> Self {
        Message::Text(text.to_owned())
    }
}

impl From<Bytes> for Message {
    fn from(bytes: Bytes) -> Self {
        Message::Binary(bytes)
    }
}

impl From<Vec<u8>> for Message {
    fn from(bytes: Vec<u8>) -> Self {
        Message::Binary(bytes.into())
    }
}

/// Why a connection is closed: a status code (see [`close_code`]) and a short reason (at most 123
/// bytes of UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseFrame {
    /// The status code.
    pub code: u16,
    /// The reason, for humans.
    pub reason: String,
}

/// Close codes of RFC 6455 §7.4.1 that servers send.
pub mod close_code {
    /// The purpose of the connection is fulfilled.
    pub const NORMAL: u16 = 1000;
    /// The server is going down (sent on graceful shutdown) or the page navigated away.
    pub const GOING_AWAY: u16 = 1001;
    /// The peer broke the protocol.
    pub const PROTOCOL: u16 = 1002;
    /// A message of a type the endpoint cannot take.
    pub const UNSUPPORTED: u16 = 1003;
    /// A message whose data does not fit its type (say, invalid UTF-8 in a text message).
    pub const INVALID_DATA: u16 = 1007;
    /// A message that breaks the endpoint's policy.
    pub const POLICY: u16 = 1008;
    /// A message too big to process.
    pub const TOO_BIG: u16 = 1009;
    /// The server met an unexpected condition.
    pub const INTERNAL_ERROR: u16 = 1011;
}

impl From<Message> for TMessage {
    fn from(message: Message) -> Self {
        match message {
            Message::Text(text) => TMessage::Text(text.into()),
            Message::Binary(bytes) => TMessage::Binary(bytes),
            Message::Ping(bytes) => TMessage::Ping(bytes),
            Message::Pong(bytes) => TMessage::Pong(bytes),
            Message::Close(frame) => TMessage::Close(frame.map(Into::into)),
        }
    }
}

impl From<CloseFrame> for TCloseFrame {
    fn from(frame: CloseFrame) -> Self {
        TCloseFrame {
            code: CloseCode::from(frame.code),
            reason: frame.reason.into(),
        }
    }
}

/// `None` for raw frames, which tungstenite never hands to readers.
pub(crate) fn from_tungstenite(message: TMessage) -> Option<Message> {
    Some(match message {
        TMessage::Text(text) => Message::Text(text.as_str().to_owned()),
        TMessage::Binary(bytes) => Message::Binary(bytes),
        TMessage::Ping(bytes) => Message::Ping(bytes),
        TMessage::Pong(bytes) => Message::Pong(bytes),
        TMessage::Close(frame) => Message::Close(frame.map(|frame| CloseFrame {
            code: frame.code.into(),
            reason: frame.reason.as_str().to_owned(),
        })),
        TMessage::Frame(_) => return None,
    })
}
