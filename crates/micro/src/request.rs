//! The request object handlers, hooks and error handlers see.

mod on_response;

use std::sync::Arc;

use http::{HeaderMap, Method, Uri, Version, request::Parts};

use crate::app::Shared;
use crate::routing::Matched;
use crate::server::Connection;
#[cfg(feature = "ws")]
use crate::shutdown::UpgradeTracker;
use crate::{Body, G, Shutdown, UrlForError};

/// An HTTP request, as Flask's `request`: method, URL, headers, the matched rule and its
/// variables, the body, app state and request-local storage ([`G`]).
///
/// Handlers usually take typed extractors ([`Path`](crate::Path), [`Query`](crate::Query),
/// [`Json`](crate::Json), ...); taking `Request` itself gives the whole object:
///
/// ```
/// use micro::{App, Request};
///
/// async fn whoami(req: Request) -> String {
///     let agent = req.header("user-agent").unwrap_or("unknown");
///     format!("{} {} from {agent}", req.method(), req.path())
/// }
///
/// let mut app = App::new();
/// app.get("/whoami", whoami);
/// ```
pub struct Request {
    pub(crate) head: Parts,
    body: BodySlot,
    pub(crate) matched: Option<Matched>,
    /// The handler the route gave, once routed.
    pub(crate) handler: Option<crate::routing::HandlerInfo>,
    pub(crate) app: Arc<Shared>,
    pub(crate) body_limit: usize,
    pub(crate) g: Option<G>,
    /// Set while before_request hooks run: a `Request` they take is a copy without the body,
    /// which stays for the handler.
    pub(crate) in_before_hook: bool,
    pub(crate) session: Option<crate::Session>,
    /// The connection it came on, when [`serve`](crate::serve) hands it to the app directly;
    /// otherwise its details are in the extensions, if anywhere.
    pub(crate) conn: Option<Arc<Connection>>,
    pub(crate) on_response: on_response::OnResponse,
}

/// The body, or who took it, for the error when a second extractor wants it. The record fits in
/// the space of the body, so it costs the request nothing.
enum BodySlot {
    Present(Body),
    Taken(BodyTaker),
}

/// What took a request's body: an extractor's type name (`None` for a call to
/// [`Request::take_body`] outside a body extractor), and whether it was in a before hook.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyTaker {
    pub(crate) name: Option<&'static str>,
    pub(crate) in_hook: bool,
}

impl Request {
    pub(crate) fn new(head: Parts, body: Body, app: Arc<Shared>) -> Self {
        let body_limit = app.body_limit;
        Request {
            head,
            body: BodySlot::Present(body),
            matched: None,
            handler: None,
            app,
            body_limit,
            g: None,
            in_before_hook: false,
            session: None,
            conn: None,
            on_response: on_response::OnResponse::default(),
        }
    }

    /// A copy of the request line, headers, route match and `g`, with the body moved out: what
    /// the `Request` extractor hands a handler while the app keeps the head for hooks and error
    /// handlers. In a before_request hook the copy has no body: it stays for the handler.
    pub(crate) fn split_off(&mut self) -> Request {
        let mut head = Parts::clone(&self.head);
        head.extensions = self.head.extensions.clone();
        let body = match self.in_before_hook {
            // The hook's copy has none; the body stays for the handler.
            true => BodySlot::Taken(BodyTaker {
                name: None,
                in_hook: true,
            }),
            false => match self.take_body_as(Some(std::any::type_name::<Request>())) {
                Some(body) => BodySlot::Present(body),
                None => BodySlot::Taken(self.body_taker().unwrap_or(BodyTaker {
                    name: None,
                    in_hook: false,
                })),
            },
        };
        Request {
            head,
            body,
            matched: self.matched.clone(),
            handler: self.handler,
            app: self.app.clone(),
            body_limit: self.body_limit,
            g: Some(self.g()),
            in_before_hook: false,
            session: self.session.clone(),
            conn: self.conn.clone(),
            on_response: self.on_response.share(),
        }
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.head.method
    }

    /// The full request URI as received (path and query for ordinary requests).
    pub fn uri(&self) -> &Uri {
        &self.head.uri
    }

    /// The path, still percent-encoded as received.
    pub fn path(&self) -> &str {
        self.head.uri.path()
    }

    /// The raw query string, without `?`.
    pub fn query_string(&self) -> Option<&str> {
        self.head.uri.query()
    }

    /// The HTTP version.
    pub fn version(&self) -> Version {
        self.head.version
    }

    /// All headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.head.headers
    }

    /// A header's value as text; `None` when absent or not visible ASCII.
    pub fn header(&self, name: impl http::header::AsHeaderName) -> Option<&str> {
        self.head.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The host the client asked for: the `Host` header, else the URI's authority (HTTP/2's
    /// `:authority`); `None` when there is neither (HTTP/1.0). It is what the client sent,
    /// port included: trust it for absolute URLs only when the app has
    /// [`trusted_hosts`](crate::App::trusted_hosts), which refuses any other host before a
    /// handler runs.
    pub fn host(&self) -> Option<&str> {
        match self.head.headers.get(http::header::HOST) {
            // Not text: no trusted host matches it, and it must not read as absent.
            Some(value) => Some(value.to_str().unwrap_or("\u{fffd}")),
            None => self.head.uri.authority().map(|a| a.as_str()),
        }
    }

    /// Typed extensions attached by layers and the server. The client's address is better read
    /// with [`client_addr`](Self::client_addr): under [`serve`](crate::serve), a [`ClientAddr`]
    /// is in the extensions only when the app or the route has tower layers.
    ///
    /// [`ClientAddr`]: crate::ClientAddr
    pub fn extensions(&self) -> &http::Extensions {
        &self.head.extensions
    }

    /// Mutable extensions.
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.head.extensions
    }

    /// The value of a rule variable, percent-decoded: `req.param("slug")` for `/posts/<slug>`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.matched.as_ref()?.get(name)
    }

    /// All rule variables as `(name, value)`, in rule order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.matched.iter().flat_map(Matched::iter)
    }

    /// The endpoint name of the matched rule (`None` before routing, on a miss, or for an unnamed
    /// closure).
    pub fn endpoint(&self) -> Option<&str> {
        self.matched.as_ref()?.endpoint()
    }

    /// The handler of the matched route: its name and where it was registered (see
    /// [`HandlerInfo`](crate::routing::HandlerInfo)); `None` before routing or when no route
    /// matched.
    pub fn handler(&self) -> Option<crate::routing::HandlerInfo> {
        self.handler
    }

    /// Every URL rule of the app serving this request, for a debug 404 page.
    pub fn url_rules(&self) -> Vec<crate::routing::UrlRule> {
        self.app.router.url_rules()
    }

    /// The text of the matched rule, like `/posts/<int:year>`.
    pub fn rule(&self) -> Option<&str> {
        self.matched.as_ref().map(Matched::rule_text)
    }

    /// Moves the body out; later calls get an empty body.
    pub fn take_body(&mut self) -> Body {
        self.take_body_as(None).unwrap_or_default()
    }

    /// Moves the body out, remembering who took it; `None` when it is gone already.
    #[inline]
    pub(crate) fn take_body_as(&mut self, taker: Option<&'static str>) -> Option<Body> {
        if let BodySlot::Taken(_) = self.body {
            return None;
        }
        let taken = BodySlot::Taken(BodyTaker {
            name: taker,
            in_hook: self.in_before_hook,
        });
        match std::mem::replace(&mut self.body, taken) {
            BodySlot::Present(body) => Some(body),
            BodySlot::Taken(_) => None,
        }
    }

    /// Who took the body; `None` while it is there.
    pub(crate) fn body_taker(&self) -> Option<BodyTaker> {
        match self.body {
            BodySlot::Present(_) => None,
            BodySlot::Taken(taker) => Some(taker),
        }
    }

    /// Records `name` as the taker of a body taken by a call that `name` made: the extractor in
    /// the signature (a `Csv` reading a `String`), rather than the one it called.
    pub(crate) fn name_body_taker(&mut self, name: &'static str) {
        if let BodySlot::Taken(taker) = &mut self.body {
            taker.name = Some(name);
        }
    }

    pub(crate) fn replace_body(&mut self, body: Body) {
        self.body = BodySlot::Present(body);
    }

    /// The most bytes a body extractor will read for this request (the route's limit, else the
    /// app's).
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// Shared app state registered with [`App::state`](crate::App::state).
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.app.state.get::<T>()
    }

    /// Runs `step` on this request's response, after the error handlers, the `after_request`
    /// hooks and the session save, before the teardown hooks; steps run in the order they were
    /// registered, and each gets the response the previous one returned.
    ///
    /// It is how an extractor acts after the handler without a tower layer around every
    /// request: fullstack's server-side `Session` saves itself this way, only on requests that
    /// took it. A step that panics becomes a 500 page, as a hook's panic does.
    ///
    /// ```
    /// use micro::{App, FromRequest, Request, Response};
    ///
    /// /// An extractor that stamps the response of the handlers that take it.
    /// struct Stamped;
    ///
    /// impl FromRequest for Stamped {
    ///     type Rejection = micro::Error;
    ///
    ///     async fn from_request(req: &mut Request) -> Result<Self, micro::Error> {
    ///         req.on_response(|mut res: Response| async move {
    ///             res.headers_mut().insert("x-stamped", "yes".parse().unwrap());
    ///             res
    ///         });
    ///         Ok(Stamped)
    ///     }
    /// }
    ///
    /// async fn page(_: Stamped) -> &'static str { "stamped" }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut app = App::new();
    /// app.get("/", page);
    /// let res = micro::TestClient::new(app).get("/").await;
    /// assert_eq!(res.header("x-stamped"), Some("yes"));
    /// # }
    /// ```
    pub fn on_response<F, Fut>(&mut self, step: F)
    where
        F: FnOnce(crate::Response) -> Fut + Send + 'static,
        Fut: Future<Output = crate::Response> + Send + 'static,
    {
        self.on_response
            .push(Box::new(move |res| Box::pin(step(res))));
    }

    /// Request-local storage, Flask's `g`: lives for this request only and is shared by hooks,
    /// the handler and error handlers.
    pub fn g(&mut self) -> G {
        self.g.get_or_insert_with(G::default).clone()
    }

    /// Builds the path of a named endpoint, like Flask's `url_for`; see [`App::url_for`].
    ///
    ///
    /// A name starting with `.` is relative to the blueprint of the matched endpoint, like
    /// Flask's: in `admin.users.edit`, `.list` means `admin.users.list`.
    ///
    /// [`App::url_for`]: crate::App::url_for
    pub fn url_for(
        &self,
        endpoint: &str,
        params: impl serde::Serialize,
    ) -> Result<String, UrlForError> {
        self.app
            .router
            .url_for(&self.absolute_endpoint(endpoint), params)
    }

    /// `endpoint` with a leading `.` resolved against the matched endpoint's blueprint.
    fn absolute_endpoint<'e>(&self, endpoint: &'e str) -> std::borrow::Cow<'e, str> {
        let Some(relative) = endpoint.strip_prefix('.') else {
            return endpoint.into();
        };
        let blueprint = self
            .endpoint()
            .and_then(|current| current.rsplit_once('.'))
            .map(|(bp, _)| bp);
        match blueprint {
            Some(bp) => format!("{bp}.{relative}").into(),
            None => relative.into(),
        }
    }

    /// The app's configuration.
    pub fn config(&self) -> &crate::Config {
        &self.app.config
    }

    /// The app's cross-origin protection, `None` when it is turned off
    /// ([`App::disable_cross_origin_protection`](crate::App::disable_cross_origin_protection)):
    /// for code that applies the same rules, with the same trusted origins, where the app does
    /// not (a WebSocket handshake, which is a `GET`; a token check layered on top).
    pub fn cross_origin_protection(&self) -> Option<&crate::CrossOriginProtection> {
        self.app.cross_origin.as_ref()
    }

    /// Whether the matched rule is exempt from cross-origin protection
    /// ([`MethodRouter::cross_origin_exempt`](crate::routing::MethodRouter::cross_origin_exempt)
    /// or its blueprint's).
    pub fn is_cross_origin_exempt(&self) -> bool {
        self.matched
            .as_ref()
            .is_some_and(Matched::cross_origin_exempt)
    }

    /// Whether the matched rule skips the CSRF token check
    /// ([`MethodRouter::csrf_exempt`](crate::routing::MethodRouter::csrf_exempt) or its
    /// blueprint's).
    pub fn is_csrf_exempt(&self) -> bool {
        self.matched.as_ref().is_some_and(Matched::csrf_exempt)
    }

    /// The session, read from its cookie on first use; see [`Session`](crate::Session).
    ///
    /// # Errors
    /// When the app has no `SECRET_KEY` (a 500 that says so).
    pub fn session(&mut self) -> Result<crate::Session, crate::Error> {
        crate::session::load(self)
    }

    /// A mounted static folder by endpoint name, `static` for the app's, `name.static` for a
    /// blueprint's (`.static` is the current blueprint's, as in `url_for`): for
    /// [versioned URLs](crate::StaticFiles::versioned_url).
    ///
    /// ```
    /// use micro::{Error, Request};
    ///
    /// async fn page(req: Request) -> Result<micro::Html<String>, Error> {
    ///     let files = req.static_files("static").ok_or_else(Error::not_found)?;
    ///     let css = files.versioned_url("css/site.css");
    ///     Ok(micro::Html(format!(r#"<link rel="stylesheet" href="{}">"#, micro::escape(&css))))
    /// }
    /// ```
    #[cfg(feature = "static-files")]
    pub fn static_files(&self, endpoint: &str) -> Option<&crate::StaticFiles> {
        self.app.statics.get(&*self.absolute_endpoint(endpoint))
    }

    /// Whether the client would rather get JSON than HTML (it sent JSON or its `Accept` prefers
    /// JSON); error pages follow this.
    pub fn wants_json(&self) -> bool {
        crate::response::render_error::wants_json(&self.head.headers)
    }

    /// The client's socket address, when served over TCP.
    ///
    /// Under [`serve`](crate::serve) it comes with the request; under another server, from a
    /// [`ClientAddr`](crate::ClientAddr) in the extensions.
    pub fn client_addr(&self) -> Option<std::net::SocketAddr> {
        match &self.conn {
            Some(conn) => Some(conn.addr),
            None => self.head.extensions.get::<crate::ClientAddr>().map(|a| a.0),
        }
    }

    /// The server's shutdown signal; one that never fires outside [`serve`](crate::serve).
    pub(crate) fn shutdown(&self) -> Shutdown {
        match &self.conn {
            Some(conn) => conn.shutdown.clone(),
            None => self
                .head
                .extensions
                .get::<Shutdown>()
                .cloned()
                .unwrap_or_else(Shutdown::never),
        }
    }

    /// What keeps the server waiting for an upgraded connection, when served by
    /// [`serve`](crate::serve).
    #[cfg(feature = "ws")]
    pub(crate) fn upgrade_tracker(&self) -> Option<UpgradeTracker> {
        match &self.conn {
            Some(conn) => Some(conn.tracker.clone()),
            None => self.head.extensions.get::<UpgradeTracker>().cloned(),
        }
    }
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", self.method())
            .field("uri", self.uri())
            .field("version", &self.version())
            .field("headers", self.headers())
            .field("rule", &self.rule())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_took_the_body_fits_in_the_body_space() {
        assert_eq!(
            std::mem::size_of::<BodySlot>(),
            std::mem::size_of::<Option<Body>>()
        );
    }
}
