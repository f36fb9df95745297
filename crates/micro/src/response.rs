//! Turning handler return values into HTTP responses.
//!
//! Anything that implements [`IntoResponse`] can be returned from a handler: strings, bytes,
//! [`Html`], [`Json`], [`Redirect`], a status code, tuples that add a status or headers, and
//! `Result<T, E>` where both sides convert. Bodies that are sent as they are produced come from
//! [`Streamed`] (any byte stream) and [`Sse`] (Server-Sent Events).

mod either;
mod event;
mod into_response;
mod json;
mod redirect;
pub(crate) mod render_error;
mod sse;
mod streamed;
mod vary;

pub use either::Either;
pub use event::Event;
pub(crate) use into_response::escape_to;
pub use into_response::{Html, IntoResponse, escape};
pub use json::Json;
pub use redirect::{Redirect, redirect};
pub use sse::{DEFAULT_KEEP_ALIVE, Sse};
pub use streamed::Streamed;
pub use vary::add_vary;

/// The response type of every handler after conversion.
pub type Response<B = crate::Body> = http::Response<B>;

/// Marks a response that stands for an [`Error`](crate::Error) the app has not rendered yet.
///
/// The app renders it at the end of the request, through the registered error handlers; this lets
/// an error cross tower layers and per-route middleware unchanged.
#[derive(Clone)]
pub(crate) struct PendingError(pub(crate) std::sync::Arc<crate::Error>);

/// Takes the pending error out of a response, if it carries one.
pub(crate) fn take_pending_error(response: &mut Response) -> Option<std::sync::Arc<crate::Error>> {
    response
        .extensions_mut()
        .remove::<PendingError>()
        .map(|p| p.0)
}
