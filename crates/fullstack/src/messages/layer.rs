//! The tower layer that gives each request an empty [`Slot`] for its messages: a shared one,
//! so the `after_request` hook finds what a handler added even behind a route's own layers.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::Request;

use super::config::Config;
use super::handle::{Slot, SlotInner};

#[derive(Debug, Clone)]
pub(super) struct MessagesLayer {
    pub(super) config: Arc<Config>,
}

impl<S> tower_layer::Layer<S> for MessagesLayer {
    type Service = MessagesService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MessagesService {
            inner,
            config: self.config.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct MessagesService<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> tower_service::Service<Request<micro::Body>> for MessagesService<S>
where
    S: tower_service::Service<Request<micro::Body>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<micro::Body>) -> Self::Future {
        req.extensions_mut().insert(Slot(Arc::new(SlotInner {
            config: self.config.clone(),
            loaded: tokio::sync::OnceCell::new(),
        })));
        self.inner.call(req)
    }
}
