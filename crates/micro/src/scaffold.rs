//! What App and Blueprint share: request hooks and error handlers, with the order they run in.
//!
//! Flask keeps these in one `Scaffold` base class so an app and a blueprint register them the same
//! way; this module is that piece.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::Arc;

use http::StatusCode;

use crate::handler::ErasedHook;
use crate::response::{IntoResponse, Response, take_pending_error};
use crate::{Error, Request};

pub(crate) type AfterHook = Arc<dyn Fn(&Request, &mut Response) + Send + Sync>;
pub(crate) type TeardownHook = Arc<dyn Fn(&Request, Option<&Error>) + Send + Sync>;
pub(crate) type StatusHandler = Arc<dyn Fn(&Error, &Request) -> Response + Send + Sync>;
pub(crate) type TypeHandler = Arc<dyn Fn(&Error, &Request) -> Option<Response> + Send + Sync>;

/// Hooks and error handlers, in registration order.
#[derive(Default, Clone)]
pub(crate) struct Scaffold {
    pub(crate) before: Vec<Arc<dyn ErasedHook>>,
    pub(crate) after: Vec<AfterHook>,
    pub(crate) teardown: Vec<TeardownHook>,
    pub(crate) by_status: HashMap<StatusCode, StatusHandler>,
    pub(crate) by_type: Vec<(TypeId, TypeHandler)>,
}

impl Scaffold {
    pub(crate) fn error_handler<F, R>(&mut self, status: StatusCode, handler: F)
    where
        F: Fn(&Error, &Request) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        self.by_status.insert(
            status,
            Arc::new(move |err, req| handler(err, req).into_response()),
        );
    }

    pub(crate) fn error_handler_for<E, F, R>(&mut self, handler: F)
    where
        E: std::error::Error + 'static,
        F: Fn(&E, &Request) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        self.by_type.push((
            TypeId::of::<E>(),
            Arc::new(move |err, req| {
                err.downcast_ref::<E>()
                    .map(|e| handler(e, req).into_response())
            }),
        ));
    }

    /// Renders an error: a handler for its source type, else one for its status, else the default
    /// page. A handler's plain 200 takes the error's status (Flask would send 200, a common
    /// surprise); an error from a handler is rendered by default so errors cannot loop.
    pub(crate) fn render_error(&self, err: &Error, req: &Request) -> Response {
        let from_type = self.by_type.iter().find_map(|(_, h)| h(err, req));
        let custom = from_type.or_else(|| self.by_status.get(&err.status()).map(|h| h(err, req)));
        let Some(mut res) = custom else {
            return crate::response::render_error::render(err, req.headers());
        };
        if let Some(nested) = take_pending_error(&mut res) {
            tracing::error!(target: "micro::error", error = %nested, "the error handler for {} failed", err.status());
            return crate::response::render_error::render(&nested, req.headers());
        }
        if res.status() == StatusCode::OK {
            *res.status_mut() = err.status();
        }
        for (name, value) in err.headers() {
            if !res.headers().contains_key(name) {
                res.headers_mut().insert(name, value.clone());
            }
        }
        res
    }
}
