//! What a rule does for each HTTP method, and per-route options (name, body limit, layers).

use std::any::TypeId;
use std::convert::Infallible;
use std::fmt;
use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::Method;
use tower::{Layer, Service, ServiceExt};

use crate::handler::{
    BoxFuture, ErasedHandler, ErasedHook, Handler, HookOutcome, default_name, erase, erase_hook,
    refuse_two_body_readers,
};
use crate::response::{IntoResponse, Response};
use crate::{Body, BoxError, Error, Request};

/// Which handler answers a request, for debug pages and logs: its Rust path and where it was
/// registered (the `app.get(..)` call).
///
/// ```
/// async fn index() -> &'static str { "hi" }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let mut app = micro::App::new();
/// app.get("/", index);
/// app.after_request(|req, res| {
///     let info = req.handler().unwrap();
///     res.headers_mut().insert("x-handler", info.name.parse().unwrap());
/// });
/// let res = micro::TestClient::new(app).get("/").await;
/// assert!(res.header("x-handler").unwrap().ends_with("::index"));
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandlerInfo {
    /// The handler's type name: a function's path (`mysite::polls::vote`), or a closure's
    /// (`mysite::routes::{{closure}}`).
    pub name: &'static str,
    /// Where the handler was registered.
    pub location: &'static Location<'static>,
}

/// A handler as the router stores it: a plain function, or a tower service when layers wrap it.
#[derive(Clone)]
pub(crate) enum Endpoint {
    Handler(Arc<dyn ErasedHandler>),
    /// A handler behind route layers, with the handler's info.
    Service(Route, Option<HandlerInfo>),
}

impl Endpoint {
    pub(crate) fn info(&self) -> Option<HandlerInfo> {
        match self {
            Endpoint::Handler(handler) => Some(handler.info()),
            Endpoint::Service(_, info) => *info,
        }
    }
}

/// The handlers of one rule, by method, and the rule's options. Built with [`get`], [`post`] and
/// friends, and chained:
///
/// ```
/// use micro::{App, routing::get};
///
/// async fn list_posts() -> &'static str { "all posts" }
/// async fn create_post() -> &'static str { "created" }
///
/// let mut app = App::new();
/// app.route("/posts", get(list_posts).post(create_post).body_limit(64 * 1024));
/// ```
///
/// The rule's endpoint, what `url_for` and [`Request::endpoint`] name, is the first function's
/// name (`list_posts`); the other functions' names (`create_post`) build the same URL, as aliases.
/// [`name`](Self::name) gives the rule one explicit name instead, like Flask's `endpoint=`.
#[must_use = "a MethodRouter does nothing until it is passed to `route`"]
pub struct MethodRouter {
    pub(crate) endpoints: Vec<(Option<Method>, Endpoint)>,
    pub(crate) names: Vec<(String, Option<TypeId>)>,
    pub(crate) explicit_name: Option<String>,
    pub(crate) body_limit: Option<usize>,
    pub(crate) cross_origin_exempt: bool,
    pub(crate) csrf_exempt: bool,
    pub(crate) guards: Vec<Arc<dyn ErasedHook>>,
}

impl fmt::Debug for MethodRouter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let methods: Vec<_> = self
            .endpoints
            .iter()
            .map(|(m, _)| m.as_ref().map_or("*", Method::as_str))
            .collect();
        f.debug_struct("MethodRouter")
            .field("methods", &methods)
            .field("name", &self.explicit_name)
            .field("guards", &self.guards.len())
            .finish_non_exhaustive()
    }
}

macro_rules! method_fns {
    ($($fn_name:ident => $method:ident),*) => {
        $(
            #[doc = concat!("Routes `", stringify!($method), "` requests to `handler`.")]
            #[track_caller]
            pub fn $fn_name<H, Args>(handler: H) -> MethodRouter
            where
                H: Handler<Args>,
                H::Output: IntoResponse,
                Args: 'static,
            {
                refuse_two_body_readers!(H, Args);
                MethodRouter::new().push(Some(Method::$method), handler)
            }
        )*

        impl MethodRouter {
            $(
                #[doc = concat!("Adds a handler for `", stringify!($method), "`.")]
                #[track_caller]
                pub fn $fn_name<H, Args>(self, handler: H) -> Self
                where
                    H: Handler<Args>,
                    H::Output: IntoResponse,
                    Args: 'static,
                {
                    refuse_two_body_readers!(H, Args);
                    self.push(Some(Method::$method), handler)
                }
            )*
        }
    };
}

method_fns!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE);

/// Routes requests with `method` to `handler`; any method, including extension methods, works.
#[track_caller]
pub fn on<H, Args>(method: Method, handler: H) -> MethodRouter
where
    H: Handler<Args>,
    H::Output: IntoResponse,
    Args: 'static,
{
    refuse_two_body_readers!(H, Args);
    MethodRouter::new().push(Some(method), handler)
}

/// Routes every method to `handler`.
#[track_caller]
pub fn any<H, Args>(handler: H) -> MethodRouter
where
    H: Handler<Args>,
    H::Output: IntoResponse,
    Args: 'static,
{
    refuse_two_body_readers!(H, Args);
    MethodRouter::new().push(None, handler)
}

impl MethodRouter {
    pub(crate) fn new() -> Self {
        MethodRouter {
            endpoints: Vec::new(),
            names: Vec::new(),
            explicit_name: None,
            body_limit: None,
            cross_origin_exempt: false,
            csrf_exempt: false,
            guards: Vec::new(),
        }
    }

    /// Adds a handler for `method`.
    #[track_caller]
    pub fn on<H, Args>(self, method: Method, handler: H) -> Self
    where
        H: Handler<Args>,
        H::Output: IntoResponse,
        Args: 'static,
    {
        refuse_two_body_readers!(H, Args);
        self.push(Some(method), handler)
    }

    /// Adds a handler for every method not otherwise routed.
    #[track_caller]
    pub fn any<H, Args>(self, handler: H) -> Self
    where
        H: Handler<Args>,
        H::Output: IntoResponse,
        Args: 'static,
    {
        refuse_two_body_readers!(H, Args);
        self.push(None, handler)
    }

    /// Adds a handler without the check of its arguments that the public methods make (so the
    /// compiler's note points at the user's call of one of them, not at micro's own calls).
    #[track_caller]
    pub(crate) fn push<H, Args>(mut self, method: Option<Method>, handler: H) -> Self
    where
        H: Handler<Args>,
        H::Output: IntoResponse,
        Args: 'static,
    {
        if let Some((name, type_id)) = default_name::<H>()
            && !self.names.iter().any(|(n, _)| *n == name)
        {
            self.names.push((name, Some(type_id)));
        }
        self.endpoints.push((
            method,
            Endpoint::Handler(erase(handler, Location::caller())),
        ));
        self
    }

    /// Puts the endpoint names under a blueprint: `edit` becomes `admin.edit`.
    pub(crate) fn prefix_names(mut self, blueprint: &str) -> Self {
        for (name, _) in &mut self.names {
            *name = format!("{blueprint}.{name}");
        }
        if let Some(name) = &mut self.explicit_name {
            *name = format!("{blueprint}.{name}");
        }
        self
    }

    /// Names the rule's endpoint for `url_for`, replacing the function names: after
    /// `get(page).post(submit).name("register")`, `url_for("register")` builds the rule's URL and
    /// `url_for("submit")` is an error that names `register`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.explicit_name = Some(name.into());
        self
    }

    /// Runs `guard` before this rule's handlers, whatever the method and wherever the call is in
    /// the chain, like a `before_request` hook of the rule alone: it takes extractors, and a
    /// response it returns (`Err(..)` or `Some(..)`) answers the request instead of the handler.
    /// Guards run after the app's and the blueprints' `before_request` hooks, in the order they
    /// were added; they do not run for a URL whose method the rule does not handle (405).
    ///
    /// ```
    /// use micro::{App, G, Redirect, IntoResponse, Request, Response, routing::get};
    ///
    /// #[derive(Clone)]
    /// struct User(String);
    ///
    /// async fn login_required(g: G, req: Request) -> Result<(), Response> {
    ///     if g.get::<User>().is_some() {
    ///         return Ok(());
    ///     }
    ///     let login = req.url_for("login", [("next", req.uri().to_string())])?;
    ///     Err(Redirect::see_other(login).into_response())
    /// }
    ///
    /// async fn login() -> &'static str { "the login form" }
    /// async fn create_page() -> &'static str { "a form" }
    /// async fn create() -> &'static str { "created" }
    ///
    /// let mut app = App::new();
    /// app.get("/login", login);
    /// app.route("/create", get(create_page).post(create).guard(login_required));
    /// ```
    pub fn guard<H, Args>(mut self, guard: H) -> Self
    where
        H: Handler<Args>,
        H::Output: HookOutcome,
        Args: 'static,
    {
        refuse_two_body_readers!(H, Args);
        self.guards.push(erase_hook(guard));
        self
    }

    /// The most bytes a body extractor reads on this route, overriding the app's limit.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// Lets cross-site browsers send unsafe requests (`POST`, `PUT`, `DELETE`...) to this rule,
    /// which the app otherwise refuses with a 403: for webhooks and other endpoints that other
    /// sites post to on purpose, and that do not act on the user's cookies.
    ///
    /// ```
    /// use micro::{App, routing::post};
    ///
    /// let mut app = App::new();
    /// app.route("/webhooks/payments", post(|| async { "received" }).cross_origin_exempt());
    /// ```
    ///
    /// See [`CrossOriginProtection`](crate::CrossOriginProtection) for what is checked.
    pub fn cross_origin_exempt(mut self) -> Self {
        self.cross_origin_exempt = true;
        self
    }

    /// Skips the CSRF token check ([`App::csrf_protect`](crate::App::csrf_protect)) for this
    /// rule, Django's `csrf_exempt`: for an API authenticated by a bearer token, which a
    /// browser never sends on its own. The cross-origin check still runs unless the rule is
    /// also [`cross_origin_exempt`](Self::cross_origin_exempt).
    ///
    /// ```
    /// use micro::{App, routing::post};
    ///
    /// let mut app = App::new();
    /// app.csrf_protect();
    /// app.route("/api/items", post(|| async { "created" }).csrf_exempt());
    /// ```
    pub fn csrf_exempt(mut self) -> Self {
        self.csrf_exempt = true;
        self
    }

    /// Wraps every handler of this rule in a tower layer (timeouts, concurrency limits, auth...).
    ///
    /// ```
    /// use std::time::Duration;
    /// use micro::{App, routing::get};
    /// use tower_http::timeout::TimeoutLayer;
    ///
    /// let mut app = App::new();
    /// app.route(
    ///     "/slow",
    ///     get(|| async { "done" }).layer(TimeoutLayer::with_status_code(
    ///         http::StatusCode::REQUEST_TIMEOUT,
    ///         Duration::from_secs(5),
    ///     )),
    /// );
    /// ```
    pub fn layer<L, S, B>(mut self, layer: L) -> Self
    where
        L: Layer<Route, Service = S>,
        S: Service<http::Request<Body>, Response = http::Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        for (_, endpoint) in &mut self.endpoints {
            let info = endpoint.info();
            let inner = Route::from_endpoint(endpoint.clone());
            *endpoint = Endpoint::Service(Route::new(layer.layer(inner)), info);
        }
        self
    }
}

/// A type-erased, cloneable tower service from request to response that never fails: the shape
/// of a route (or of the whole app) that layers wrap.
///
/// It is an `Arc` of the wrapped service, called by reference: cloning a route (which every
/// tower layer does once per request) is a reference count, and a layer costs one boxed future
/// per request. `tower::util::BoxCloneSyncService` would allocate on each clone and box every
/// future twice (its own box around ours).
#[derive(Clone)]
pub struct Route(Arc<dyn ErasedRoute>);

/// What a [`Route`] holds: a service called through `&self`, so one copy serves every request.
trait ErasedRoute: Send + Sync {
    fn call(&self, req: http::Request<Body>) -> BoxFuture<'static, Result<Response, Infallible>>;
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Route")
    }
}

impl Route {
    /// Erases a service; its errors become 500 responses and its body becomes a [`Body`].
    pub fn new<S, B>(service: S) -> Self
    where
        S: Service<http::Request<Body>, Response = http::Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        Route(Arc::new(Infallibly(service)))
    }

    fn from_endpoint(endpoint: Endpoint) -> Self {
        match endpoint {
            Endpoint::Service(route, _) => route,
            Endpoint::Handler(handler) => Route(Arc::new(HandlerRoute(handler))),
        }
    }

    pub(crate) fn call_owned(&self, req: http::Request<Body>) -> BoxFuture<'static, Response> {
        let future = self.0.call(req);
        Box::pin(async move {
            match future.await {
                Ok(res) => res,
                Err(never) => match never {},
            }
        })
    }
}

impl Service<http::Request<Body>> for Route {
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Each call readies its own clone of the wrapped service (see `Infallibly`).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<Body>) -> Self::Future {
        self.0.call(req)
    }
}

/// Turns a fallible service into one whose errors, from readiness or from the call, are 500
/// responses, as every route must answer.
struct Infallibly<S>(S);

impl<S, B> ErasedRoute for Infallibly<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>> + Clone + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    fn call(&self, req: http::Request<Body>) -> BoxFuture<'static, Result<Response, Infallible>> {
        // tower's rule: call the clone that was made ready. Layers built on `Route` hold routes
        // by `Arc`, so the clone is cheap.
        let service = self.0.clone();
        Box::pin(async move {
            Ok(match service.oneshot(req).await {
                Ok(res) => res.map(Body::new),
                Err(err) => Error::internal(err.into()).into_response(),
            })
        })
    }
}

/// A plain handler under per-route layers.
struct HandlerRoute(Arc<dyn ErasedHandler>);

impl ErasedRoute for HandlerRoute {
    fn call(&self, req: http::Request<Body>) -> BoxFuture<'static, Result<Response, Infallible>> {
        Box::pin(call_handler(self.0.clone(), req))
    }
}

/// The part of a [`Request`] that does not fit in an `http::Request`, carried across layers.
#[derive(Clone)]
pub(crate) struct RequestContext(pub(crate) Arc<std::sync::Mutex<Option<Request>>>);

/// Runs a function handler inside per-route layers. The app passes the request's routing context
/// through the extensions, so the handler sees the same [`Request`] as an unlayered one.
async fn call_handler(
    handler: Arc<dyn ErasedHandler>,
    req: http::Request<Body>,
) -> Result<Response, Infallible> {
    let (head, body) = req.into_parts();
    let context = head
        .extensions
        .get::<RequestContext>()
        .and_then(|c| c.0.lock().ok()?.take());
    let Some(mut request) = context else {
        return Ok(Error::internal(
            "a micro handler was called outside a micro app (no request context)",
        )
        .into_response());
    };
    // Layers may have changed the head or the body: the handler sees their version.
    request.head = head;
    request.head.extensions.remove::<RequestContext>();
    request.replace_body(body);
    Ok(handler.call(&mut request).await)
}
