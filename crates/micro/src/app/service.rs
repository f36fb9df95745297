//! The app as a tower service.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use tower::Service;

use super::Shared;
use super::dispatch::dispatch;
use crate::handler::BoxFuture;
use crate::response::{Response, render_error, take_pending_error};
use crate::routing::Route;
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
                let shared = dispatcher.clone();
                async move { Ok::<_, Infallible>(dispatch(shared, req).await) }
            }));
            Some(layers.into_iter().fold(inner, |route, layer| layer(route)))
        };
        AppService { shared, layered }
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
        let req = req.map(Body::new);
        match &self.layered {
            None => {
                let shared = self.shared.clone();
                Box::pin(async move { Ok(dispatch(shared, req).await) })
            }
            Some(route) => {
                // Errors raised by app-wide layers happen outside the app's error handlers, so
                // they get the default rendering here.
                let headers = req.headers().clone();
                let style = self.shared.error_style();
                let fut = route.call_owned(req);
                Box::pin(async move {
                    let mut res = fut.await;
                    if let Some(err) = take_pending_error(&mut res) {
                        res = render_error::render(&err, &headers, style);
                    }
                    Ok(res)
                })
            }
        }
    }
}
