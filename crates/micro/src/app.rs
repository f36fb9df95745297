//! The application: where rules, hooks, error handlers and state are registered.

mod dispatch;
mod service;

use std::sync::Arc;

use bytes::Bytes;
use http::StatusCode;
use tower::{Layer, Service};

pub use service::AppService;

use crate::handler::{Handler, HookOutcome, erase_hook};
use crate::response::{IntoResponse, Response};
use crate::routing::{Converter, Converters, MethodRouter, Route, Router, Rule};
use crate::scaffold::Scaffold;
use crate::state::StateMap;
use crate::{Body, BoxError, Error, Request, UrlForError};

/// The default limit for body extractors: 2 MiB, like axum (Flask has none by default).
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// A web application: rules with their handlers, hooks, error handlers and shared state.
///
/// ```no_run
/// use micro::App;
///
/// #[tokio::main]
/// async fn main() -> std::io::Result<()> {
///     let mut app = App::new();
///     app.get("/", || async { "Hello, World!" });
///     app.run().await // HOST/PORT from the environment, default 127.0.0.1:5000
/// }
/// ```
///
/// Registration is immediate: a rule that cannot be routed panics at the line that added it, with
/// the rule's text and the reason (use [`try_route`](Self::try_route) to get a `Result`).
pub struct App {
    router: Router,
    converters: Converters,
    scaffold: Scaffold,
    state: StateMap,
    body_limit: usize,
    layers: Vec<Box<dyn FnOnce(Route) -> Route + Send>>,
}

/// The frozen app that requests run against.
pub(crate) struct Shared {
    pub(crate) router: Router,
    pub(crate) scaffold: Scaffold,
    pub(crate) state: StateMap,
    pub(crate) body_limit: usize,
}

/// A rule that could not be added, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteError {
    /// The rule as written.
    pub rule: String,
    /// Why it was refused.
    pub reason: String,
}

impl std::fmt::Display for RouteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot add the rule `{}`: {}", self.rule, self.reason)
    }
}

impl std::error::Error for RouteError {}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.router.endpoints.keys().collect();
        names.sort();
        f.debug_struct("App")
            .field("endpoints", &names)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

macro_rules! method_shortcuts {
    ($($name:ident),*) => {
        $(
            #[doc = concat!("Adds `handler` for `", stringify!($name), "` requests to `rule`; shorthand for `route(rule, routing::", stringify!($name), "(handler))`.")]
            #[track_caller]
            pub fn $name<H, Args>(&mut self, rule: &str, handler: H) -> &mut Self
            where
                H: Handler<Args>,
                H::Output: IntoResponse,
                Args: 'static,
            {
                self.route(rule, crate::routing::$name(handler))
            }
        )*
    };
}

impl App {
    /// An empty app.
    pub fn new() -> Self {
        App {
            router: Router::default(),
            converters: Converters::default(),
            scaffold: Scaffold::default(),
            state: StateMap::default(),
            body_limit: DEFAULT_BODY_LIMIT,
            layers: Vec::new(),
        }
    }

    /// Adds a rule with its handlers.
    ///
    /// ```
    /// use micro::{App, routing::get};
    ///
    /// async fn show(micro::Path(id): micro::Path<u32>) -> String { format!("item {id}") }
    /// async fn update() -> &'static str { "updated" }
    ///
    /// let mut app = App::new();
    /// app.route("/items/<int:id>", get(show).put(update));
    /// ```
    ///
    /// # Panics
    /// When the rule is malformed, names an unknown converter, or conflicts with an earlier rule;
    /// the message names the rule.
    #[track_caller]
    pub fn route(&mut self, rule: &str, methods: MethodRouter) -> &mut Self {
        if let Err(err) = self.try_route(rule, methods) {
            panic!("micro: {err}");
        }
        self
    }

    /// Like [`route`](Self::route), returning the error instead of panicking.
    pub fn try_route(
        &mut self,
        rule: &str,
        methods: MethodRouter,
    ) -> Result<&mut Self, RouteError> {
        let error = |reason: String| RouteError {
            rule: rule.to_owned(),
            reason,
        };
        let parsed = Rule::parse(rule, &self.converters).map_err(error)?;
        self.router.insert(parsed, methods).map_err(error)?;
        Ok(self)
    }

    method_shortcuts!(get, post, put, patch, delete);

    /// Registers a converter usable in rules added afterwards as `<name:variable>`.
    pub fn converter(&mut self, name: &str, converter: impl Converter) -> &mut Self {
        self.converters.register(name, Arc::new(converter));
        self
    }

    /// Runs before every request, after routing (so [`Request::endpoint`] is known) and before the
    /// handler, in registration order. It takes extractors like a handler; returning a response
    /// (`Some(..)` or `Err(..)`) answers the request without calling the handler.
    ///
    /// ```
    /// use micro::{App, Cookies, Redirect};
    ///
    /// let mut app = App::new();
    /// app.before_request(|cookies: Cookies| async move {
    ///     if cookies.get("session").is_none() {
    ///         return Some(Redirect::see_other("/login"));
    ///     }
    ///     None
    /// });
    /// ```
    pub fn before_request<H, Args>(&mut self, hook: H) -> &mut Self
    where
        H: Handler<Args>,
        H::Output: HookOutcome,
        Args: 'static,
    {
        self.scaffold.before.push(erase_hook(hook));
        self
    }

    /// Runs after every response is made, error pages included, and may change it. Hooks run in
    /// reverse registration order, like Flask's.
    ///
    /// ```
    /// let mut app = micro::App::new();
    /// app.after_request(|_req, res| {
    ///     res.headers_mut().insert("x-frame-options", http::HeaderValue::from_static("DENY"));
    /// });
    /// ```
    pub fn after_request(
        &mut self,
        hook: impl Fn(&Request, &mut Response) + Send + Sync + 'static,
    ) -> &mut Self {
        self.scaffold.after.push(Arc::new(hook));
        self
    }

    /// Runs last for every request, even after a panic, with the error if the request failed:
    /// the place to release resources, like Flask's `teardown_request`.
    pub fn teardown_request(
        &mut self,
        hook: impl Fn(&Request, Option<&Error>) + Send + Sync + 'static,
    ) -> &mut Self {
        self.scaffold.teardown.push(Arc::new(hook));
        self
    }

    /// Renders errors with `status` (404, 500, ...), like Flask's `errorhandler(404)`. A response
    /// with status 200 is sent with the error's status instead.
    ///
    /// ```
    /// use micro::{App, Html};
    ///
    /// let mut app = App::new();
    /// app.error_handler(404, |_err, req| Html(format!("<h1>No page at {}</h1>", req.path())));
    /// ```
    ///
    /// # Panics
    /// When `status` is not a valid status code.
    #[track_caller]
    pub fn error_handler<F, R>(&mut self, status: impl TryInto<StatusCode>, handler: F) -> &mut Self
    where
        F: Fn(&Error, &Request) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        let Ok(status) = status.try_into() else {
            panic!("micro: error_handler needs a valid HTTP status code");
        };
        self.scaffold.error_handler(status, handler);
        self
    }

    /// Renders errors caused by an `E` (returned with `?` from a handler), like Flask's
    /// `errorhandler(SomeException)`. Type handlers are tried before status handlers.
    ///
    /// ```
    /// use micro::{App, Error};
    /// use http::StatusCode;
    ///
    /// #[derive(Debug)]
    /// struct OutOfStock;
    /// impl std::fmt::Display for OutOfStock {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("out of stock") }
    /// }
    /// impl std::error::Error for OutOfStock {}
    ///
    /// let mut app = App::new();
    /// app.error_handler_for(|_: &OutOfStock, _req| (StatusCode::CONFLICT, "sold out"));
    /// app.post("/buy", || async { Err::<(), Error>(OutOfStock.into()) });
    /// ```
    pub fn error_handler_for<E, F, R>(&mut self, handler: F) -> &mut Self
    where
        E: std::error::Error + 'static,
        F: Fn(&E, &Request) -> R + Send + Sync + 'static,
        R: IntoResponse,
    {
        self.scaffold.error_handler_for(handler);
        self
    }

    /// Shares `value` with every request, found by its type through [`State<T>`](crate::State) or
    /// [`Request::state`]. Registering a second value of the same type replaces the first.
    pub fn state<T: Send + Sync + 'static>(&mut self, value: T) -> &mut Self {
        self.state.insert(value);
        self
    }

    /// The most bytes body extractors read (default [`DEFAULT_BODY_LIMIT`]); routes can override
    /// it with [`MethodRouter::body_limit`]. Larger bodies get 413.
    pub fn body_limit(&mut self, bytes: usize) -> &mut Self {
        self.body_limit = bytes;
        self
    }

    /// Wraps the whole app, every route and the 404/405 answers included, in a tower layer
    /// (compression, CORS, tracing...). The layer added last is the outermost: it sees the request
    /// first and the response last. Unlike axum, the order of `layer` and `route` calls does not
    /// matter.
    ///
    /// ```
    /// use micro::App;
    /// use tower_http::cors::CorsLayer;
    ///
    /// let mut app = App::new();
    /// app.layer(CorsLayer::permissive());
    /// app.get("/", || async { "hi" });
    /// ```
    pub fn layer<L, S, B>(&mut self, layer: L) -> &mut Self
    where
        L: Layer<Route, Service = S> + Send + 'static,
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
        self.layers
            .push(Box::new(move |inner| Route::new(layer.layer(inner))));
        self
    }

    /// Builds the path of a named endpoint, like Flask's `url_for`: rule variables are filled in
    /// and percent-encoded, other values go to the query string, `_anchor` becomes `#anchor`.
    /// Values can be `()`, a map, a struct or a list of pairs. The path is relative to the host,
    /// so it never depends on a configured server name.
    ///
    /// ```
    /// use micro::App;
    ///
    /// async fn post() -> &'static str { "a post" }
    ///
    /// let mut app = App::new();
    /// app.get("/posts/<int:year>/<slug>", post);
    /// let url = app.url_for("post", serde_json::json!({"year": 2024, "slug": "hello world", "page": 2}));
    /// assert_eq!(url.unwrap(), "/posts/2024/hello%20world?page=2");
    /// assert!(app.url_for("nope", ()).is_err());
    /// ```
    pub fn url_for(
        &self,
        endpoint: &str,
        params: impl serde::Serialize,
    ) -> Result<String, UrlForError> {
        self.router.url_for(endpoint, params)
    }

    /// Freezes the app into a cloneable tower service, ready for any hyper-compatible server.
    pub fn into_service(self) -> AppService {
        let shared = Arc::new(Shared {
            router: self.router,
            scaffold: self.scaffold,
            state: self.state,
            body_limit: self.body_limit,
        });
        AppService::new(shared, self.layers)
    }

    /// Serves the app on `HOST`:`PORT` from the environment (default `127.0.0.1:5000`, like
    /// Flask) until SIGINT or SIGTERM, then shuts down gracefully. See [`crate::serve`] for what
    /// the server does.
    ///
    /// # Errors
    /// When `PORT` or `HOST` is invalid or the address cannot be bound.
    pub async fn run(self) -> std::io::Result<()> {
        let addr = crate::server::addr_from_env(5000)?;
        self.run_on(addr).await
    }

    /// Serves the app on an explicit address until SIGINT or SIGTERM.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn run_on(self, addr: impl tokio::net::ToSocketAddrs) -> std::io::Result<()> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        tracing::info!(target: "micro::server", "serving on http://{local}");
        eprintln!("micro: serving on http://{local} (Ctrl-C to stop)");
        crate::serve(listener, self.into_service())
            .with_graceful_shutdown(crate::server::shutdown_signal())
            .await
    }
}
