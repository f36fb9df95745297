#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod app;
mod blueprint;
mod body;
mod error;
pub mod extract;
mod filename;
mod g;
pub mod guide;
mod handler;
#[cfg(feature = "multipart")]
#[cfg_attr(docsrs, doc(cfg(feature = "multipart")))]
pub mod multipart;
mod request;
pub mod response;
pub mod routing;
mod scaffold;
mod server;
mod shutdown;
mod state;
mod test_client;
#[cfg(feature = "ws")]
#[cfg_attr(docsrs, doc(cfg(feature = "ws")))]
pub mod ws;

pub use app::{App, AppService, RouteError};
pub use blueprint::Blueprint;
pub use body::Body;
pub use error::{Error, abort};
pub use extract::{Cookies, Form, FromRequest, Path, Query};
pub use filename::secure_filename;
pub use g::G;
pub use handler::{Handler, HookOutcome};
#[cfg(feature = "multipart")]
pub use multipart::{Multipart, MultipartConfig, MultipartForm, UploadedFile};
pub use request::Request;
pub use response::{
    Event, Html, IntoResponse, Json, Redirect, Response, Sse, Streamed, escape, redirect,
};
pub use routing::{Converter, UrlForError};
pub use server::{ClientAddr, Serve, serve};
pub use shutdown::{Shutdown, ShutdownTrigger};
pub use state::State;
pub use test_client::{TestClient, TestRequest, TestResponse};
#[cfg(feature = "ws")]
pub use ws::{WebSocket, WebSocketUpgrade};

/// Re-exported for handlers that take or return raw bytes.
pub use bytes::Bytes;

/// Re-exports of the `http` crate's types used in handlers.
pub use http::{self, HeaderMap, Method, StatusCode};

/// A boxed error that can cross threads, as tower and hyper use.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
