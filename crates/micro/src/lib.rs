#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod activity;
pub mod app;
mod blueprint;
mod body;
mod commands;
mod config;
mod cross_origin;
mod csrf;
mod error;
pub mod extract;
mod filename;
#[cfg(feature = "static-files")]
mod files;
mod g;
pub mod guide;
mod handler;
mod hosts;
#[cfg(feature = "multipart")]
#[cfg_attr(docsrs, doc(cfg(feature = "multipart")))]
pub mod multipart;
mod proxy;
mod request;
pub mod response;
pub mod routing;
mod scaffold;
mod server;
mod session;
mod shutdown;
pub mod signing;
mod state;
#[cfg(feature = "templates")]
mod templates;
mod test_client;
#[cfg(feature = "ws")]
#[cfg_attr(docsrs, doc(cfg(feature = "ws")))]
pub mod ws;

pub use app::{App, AppService, RouteError};
pub use blueprint::Blueprint;
pub use body::Body;
pub use commands::{CommandContext, CommandError};
pub use config::{Config, ConfigError, ConfigTable, SameSite, Secret};
pub use cross_origin::{CrossOriginProtection, CrossOriginRefused, InvalidOrigin};
pub use csrf::{Csrf, CsrfFailure, CsrfToken, FIELD_NAME as CSRF_FIELD_NAME, rotate_token};
pub use error::{Error, abort};
pub use extract::{BodyUse, Cookies, Form, FromRequest, Path, Query};
pub use filename::secure_filename;
#[cfg(feature = "static-files")]
pub use files::{SendFile, StaticFiles, send_file, send_from_directory};
pub use g::G;
pub use handler::{Handler, HookOutcome};
pub use hosts::TrustedHosts;
/// The template engine, re-exported so apps use the same version.
#[cfg(feature = "templates")]
pub use minijinja;
#[cfg(feature = "multipart")]
pub use multipart::{Multipart, MultipartConfig, MultipartForm, UploadedFile};
pub use proxy::TrustedProxy;
pub use request::Request;
pub use response::{
    Either, Event, Html, IntoResponse, Json, Redirect, Response, Sse, Streamed, escape, redirect,
};
pub use routing::{Converter, UrlForError};
pub use server::{ClientAddr, Serve, serve, shutdown_signal};
pub use session::{Flash, MAX_COOKIE_SIZE, Session};
pub use shutdown::{Shutdown, ShutdownTrigger};
pub use signing::Signer;
pub use state::State;
#[cfg(feature = "templates")]
#[doc(hidden)]
pub use templates::context::support as __context_support;
#[cfg(feature = "templates")]
pub use templates::{ContextOutcome, Templates};
pub use test_client::{TEST_HOST, TestClient, TestRequest, TestResponse};
#[cfg(feature = "ws")]
pub use ws::{WebSocket, WebSocketUpgrade};

/// Re-exported for handlers that take or return raw bytes.
pub use bytes::Bytes;

/// Re-exports of the `http` crate's types used in handlers.
pub use http::{self, HeaderMap, Method, StatusCode};

/// A boxed error that can cross threads, as tower and hyper use.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
