//! The app as a tower service.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::future::Either;
use tower::Service;

use super::Shared;
use super::dispatch::dispatch;
use crate::handler::BoxFuture;
use crate::response::{Response, render_error, take_pending_error};
use crate::routing::Route;
use crate::server::Connection;
use crate::{Body, BoxError};

/// A frozen [`App`](crate::App) as a cloneable `tower::Service`; give it to [`crate::serve`], to
/// [`TestClient`](crate::TestClient), or to any server that takes tower services. It accepts any
/// request body type and never fails: every error is a response.
#[derive(Clone)]
pub struct AppService {
    shared: Arc<Shared>,
    layered: Option<Route>,
}

impl std::fmt::Debug for AppService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppService")
            .field("layered", &self.layered.is_some())
            .finish_non_exhaustive()
    }
}

impl AppService {
    pub(crate) fn new(
        shared: Arc<Shared>,
        layers: Vec<Box<dyn FnOnce(Route) -> Route + Send>>,
    ) -> Self {
        let layered = if layers.is_empty() {
            None
        } else {
            // The innermost service the app-wide layers wrap: the request pipeline itself.
            let dispatcher = shared.clone();
            let inner = Route::new(tower::service_fn(move |req| {
                dispatch(dispatcher.clone(), req, None)
            }));
            Some(layers.into_iter().fold(inner, |route, layer| layer(route)))
        };
        AppService { shared, layered }
    }

    /// The frozen app, for the test client and the command line.
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

impl<B> Service<http::Request<B>> for AppService
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        Box::pin(self.respond(req.map(Body::new), None))
    }
}

impl AppService {
    /// Answers one request. [`serve`](crate::serve) calls it directly, with the `conn`ection the
    /// request came on: the future has a concrete type, so hyper holds it without the box of
    /// [`Service::call`]. Never fails.
    // Inlined, with `dispatch`, into the server's per-request closure, so that the future (over
    // 1 KiB) is built where hyper keeps it instead of being copied on the way: about 230 fewer
    // instructions per request under callgrind.
    #[inline]
    pub(crate) fn respond(
        &self,
        req: http::Request<Body>,
        conn: Option<Arc<Connection>>,
    ) -> impl Future<Output = Result<Response, Infallible>> + Send + use<> {
        match &self.layered {
            None => Either::Left(dispatch(self.shared.clone(), req, conn)),
            // Boxed: apps with app-wide layers are rarer, and their future would otherwise
            // make every request's future larger.
            Some(route) => Either::Right(Box::pin(self.call_layers(route, req, conn))),
        }
    }

    /// Runs the request through the app-wide layers, with the pipeline at their centre.
    fn call_layers(
        &self,
        route: &Route,
        mut req: http::Request<Body>,
        conn: Option<Arc<Connection>>,
    ) -> impl Future<Output = Result<Response, Infallible>> + Send + use<> {
        // Layers are tower services: they, and the pipeline behind them, find the connection's
        // details in the extensions.
        if let Some(conn) = &conn {
            conn.insert_into(req.extensions_mut());
        }
        // Errors raised by app-wide layers happen outside the app's error handlers, so they get
        // the default rendering here.
        let headers = req.headers().clone();
        let style = self.shared.error_style();
        let response = route.call_owned(req);
        async move {
            let mut res = response.await;
            if let Some(err) = take_pending_error(&mut res) {
                res = render_error::render(&err, &headers, style);
            }
            if let Some(conn) = conn {
                conn.prepare(&mut res);
            }
            Ok(res)
        }
    }
}
