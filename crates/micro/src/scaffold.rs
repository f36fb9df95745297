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
    #[cfg(feature = "templates")]
    pub(crate) context_processors: Vec<Arc<dyn crate::templates::ErasedProcessor>>,
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
}

/// Renders an error through the registered handlers, innermost blueprint first, the app last:
///
/// 1. a handler for the error's source type; it may answer, or translate the error into another
///    (a "not found" from the database into a 404), which then goes on to step 2;
/// 2. a handler for the (possibly translated) error's status;
/// 3. the default page.
///
/// A handler's plain 200 takes the error's status (Flask would send 200, a common surprise). An
/// error a status handler answers with gets the default page, so errors cannot loop.
pub(crate) fn render_error<'s>(
    scaffolds: impl Iterator<Item = &'s Scaffold>,
    err: &Error,
    req: &Request,
) -> Response {
    let scaffolds: Vec<&Scaffold> = scaffolds.collect();
    let by_type = scaffolds
        .iter()
        .find_map(|s| s.by_type.iter().find_map(|(_, h)| h(err, req)));
    let translated;
    let err = match by_type {
        Some(mut res) => match take_pending_error(&mut res) {
            None => return finish(res, err),
            Some(other) => {
                translated = other;
                &*translated
            }
        },
        None => err,
    };
    let by_status = scaffolds
        .iter()
        .find_map(|s| s.by_status.get(&err.status()).map(|h| h(err, req)));
    let Some(mut res) = by_status else {
        return crate::response::render_error::render(err, req.headers(), req.app.error_style());
    };
    if let Some(nested) = take_pending_error(&mut res) {
        if nested.status().is_server_error() {
            tracing::error!(target: "micro::error", error = %nested, "the error handler for {} answered with an error", err.status());
        }
        return crate::response::render_error::render(
            &nested,
            req.headers(),
            req.app.error_style(),
        );
    }
    finish(res, err)
}

/// A handler's response for `err`: the error's status unless the handler chose one, and the
/// error's headers (`Allow`, `WWW-Authenticate`) unless the handler set them.
fn finish(mut res: Response, err: &Error) -> Response {
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

/// The registration methods App and Blueprint share, like Flask's `Scaffold`: rules, hooks and
/// error handlers. Each type supplies `add_route` (the app inserts at once, a blueprint records)
/// and `scaffold_mut`.
macro_rules! registration_methods {
    () => {
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
        /// When the rule is malformed, names an unknown converter, or conflicts with an earlier
        /// rule; the message names the rule. On a blueprint, when it is registered.
        #[track_caller]
        pub fn route(&mut self, rule: &str, methods: $crate::routing::MethodRouter) -> &mut Self {
            self.add_route(rule, methods);
            self
        }

        registration_methods!(@method get, post, put, patch, delete);
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
            self.scaffold_mut().before.push(erase_hook(hook));
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
            self.scaffold_mut().after.push(Arc::new(hook));
            self
        }

        /// Runs last for every request, even after a panic, with the error if the request failed:
        /// the place to release resources, like Flask's `teardown_request`.
        pub fn teardown_request(
            &mut self,
            hook: impl Fn(&Request, Option<&Error>) + Send + Sync + 'static,
        ) -> &mut Self {
            self.scaffold_mut().teardown.push(Arc::new(hook));
            self
        }

        /// Adds values to the context of every template rendered for a request, like Flask's
        /// `context_processor`: the current user, the site's name. A processor takes extractors
        /// like a handler and returns a [`context!`](crate::context) (or `Ok(value)` for any
        /// `Serialize` value, `Err(..)` to fail the request); see [`ContextOutcome`](crate::ContextOutcome).
        ///
        /// Processors run once per request, when the handler's [`Templates`](crate::Templates) is
        /// built (so rendering stays synchronous), in registration order, the app's before a
        /// blueprint's; a later processor wins a name, and the handler's own values win over all
        /// of them. On a blueprint, a processor runs only for the blueprint's routes (see
        /// `Blueprint::app_context_processor` for every route).
        ///
        /// ```
        /// use micro::{App, Error, Session, Templates, context};
        ///
        /// let mut app = App::new();
        /// app.context_processor(|| async { context! { site_name => "Flaskr" } });
        /// app.add_template("index.html", "<title>{{ site_name }}</title>").unwrap();
        /// app.get("/", |t: Templates| async move { t.render("index.html", ()) });
        /// ```
        #[cfg(feature = "templates")]
        pub fn context_processor<H, Args>(&mut self, processor: H) -> &mut Self
        where
            H: Handler<Args>,
            H::Output: $crate::ContextOutcome,
            Args: 'static,
        {
            self.scaffold_mut()
                .context_processors
                .push($crate::templates::erase_processor(processor));
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
            self.scaffold_mut().error_handler(status, handler);
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
            self.scaffold_mut().error_handler_for(handler);
            self
        }

    };
    (@method $($name:ident),*) => {
        $(
            #[doc = concat!("Adds `handler` for `", stringify!($name), "` requests to `rule`; shorthand for `route(rule, routing::", stringify!($name), "(handler))`.")]
            #[track_caller]
            pub fn $name<H, Args>(&mut self, rule: &str, handler: H) -> &mut Self
            where
                H: $crate::Handler<Args>,
                H::Output: $crate::IntoResponse,
                Args: 'static,
            {
                self.route(rule, $crate::routing::$name(handler))
            }
        )*
    };
}

pub(crate) use registration_methods;
