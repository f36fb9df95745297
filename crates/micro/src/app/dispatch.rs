//! The life of one request: route, before hooks, handler, error rendering, after hooks, teardown.

use std::borrow::Cow;
use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use futures_util::FutureExt;
use http::header::{ALLOW, CONTENT_LENGTH};
use http::{HeaderValue, Method, StatusCode};
use http_body::Body as _;

use super::Shared;
use crate::cross_origin::is_safe;
use crate::handler::ErasedHook;
use crate::response::render_error::render as render_default;
use crate::response::{IntoResponse, Redirect, Response, take_pending_error};
use crate::routing::method_router::RequestContext;
use crate::routing::{Endpoint, Lookup, Matched, Route};
use crate::scaffold::{Scaffold, render_error};
use crate::server::Connection;
use crate::{Body, Error, Request};

/// Answers one request. `conn` is the connection it came on, when [`serve`](crate::serve) calls
/// the app directly (see [`AppService::respond`](super::AppService::respond)); the response is
/// then readied for it here ([`Connection::prepare`]). Never fails: the `Result` is for hyper
/// and tower.
///
/// A function returning an `async` block rather than an `async fn`: the block owns the
/// [`Request`] built here, where an `async fn` would also keep its `http::Request` argument in
/// the future, which the server moves several times before it first polls it.
#[inline]
pub(crate) fn dispatch(
    shared: Arc<Shared>,
    req: http::Request<Body>,
    conn: Option<Arc<Connection>>,
) -> impl Future<Output = Result<Response, Infallible>> + Send + use<> {
    let (head, body) = req.into_parts();
    let mut req = Request::new(head, body, shared.clone());
    req.conn = conn;
    async move {
        let mut response = pipeline(&shared, &mut req).await;
        if let Some(conn) = &req.conn {
            conn.prepare(&mut response);
        }
        Ok(response)
    }
}

/// Everything from routing to the teardown hooks.
async fn pipeline(shared: &Shared, req: &mut Request) -> Response {
    let started = tracing::enabled!(target: "micro::request", tracing::Level::INFO)
        .then(std::time::Instant::now);
    let mut response = match AssertUnwindSafe(handle(shared, req)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => panicked(req, "the handler", &panic).into_response(),
    };

    // Error handlers and after/teardown hooks are user code too: a panic there must not unwind
    // out of the app, so each runs guarded and a panic becomes a default 500 page.
    let mut error = take_pending_error(&mut response);
    if let Some(err) = error.clone() {
        // So that an error page extending the layout gets the processors' values too.
        #[cfg(feature = "templates")]
        if let Err(panic) = AssertUnwindSafe(crate::templates::run_for_error_page(req))
            .catch_unwind()
            .await
        {
            panicked(req, "a context processor", &panic);
        }
        response = guard(req, "an error handler", || {
            render_error(innermost_first(shared, req), &err, req)
        })
        .unwrap_or_else(|panic| render_default(&panic, req.headers(), shared.error_style()));
        // By the status the client gets: an error handler may have turned a 500 into a 404
        // (an ORM's "does not exist"), which is the client's business, not a failure.
        let status = response.status();
        if status.is_server_error() {
            tracing::error!(target: "micro::request", method = %req.method(), path = req.path(), status = status.as_u16(), error = %err, "request failed");
        } else {
            tracing::debug!(target: "micro::request", method = %req.method(), path = req.path(), status = status.as_u16(), error = %err, "request refused");
        }
    }
    // Flask's order: the innermost blueprint's hooks first, the app's last, each list reversed.
    for scaffold in innermost_first(shared, req) {
        for hook in scaffold.after.iter().rev() {
            if let Err(panic) = guard(req, "an after_request hook", || hook(req, &mut response)) {
                response = render_default(&panic, req.headers(), shared.error_style());
                error = Some(Arc::new(panic));
            }
        }
    }
    if let Some(csrf) = &shared.csrf {
        crate::csrf::finish(csrf, req, &mut response);
    }
    // As in Flask, the session is saved after the after_request hooks, which may change it.
    if let (Some(session), Some(keys)) = (&req.session, &shared.session_keys)
        && let Some(err) = crate::session::save(session, keys, &shared.config, &mut response)
    {
        response = render_default(&err, req.headers(), shared.error_style());
    }
    for step in req.on_response.take() {
        response = match AssertUnwindSafe(step(response)).catch_unwind().await {
            Ok(response) => response,
            Err(panic) => {
                let err = panicked(req, "an on_response step", &panic);
                let page = render_default(&err, req.headers(), shared.error_style());
                error = Some(Arc::new(err));
                page
            }
        };
    }
    for scaffold in innermost_first(shared, req) {
        for hook in scaffold.teardown.iter().rev() {
            let _ = guard(req, "a teardown_request hook", || {
                hook(req, error.as_deref())
            });
        }
    }
    if req.method() == Method::HEAD {
        strip_body(&mut response);
    }
    if let Some(started) = started {
        tracing::info!(
            target: "micro::request",
            method = %req.method(),
            path = req.path(),
            status = response.status().as_u16(),
            micros = started.elapsed().as_micros() as u64,
        );
    }
    response
}

async fn handle(shared: &Shared, req: &mut Request) -> Response {
    if let Some(hosts) = &shared.trusted_hosts
        && let Err(err) = check_host(hosts, req)
    {
        return err.into_response();
    }
    let lookup = match decode_path(req.path()) {
        Ok(path) => shared
            .router
            .lookup(req.method(), &path, req.query_string()),
        Err(err) => return err.into_response(),
    };

    // Flask matches first, so hooks can see the endpoint, and raises routing errors after them.
    let mut guards: &[Arc<dyn ErasedHook>] = &[];
    let route = match lookup {
        Lookup::Found {
            entry,
            endpoint,
            matched,
        } => {
            req.matched = Some(matched);
            req.handler = endpoint.info();
            if let Some(limit) = entry.body_limit {
                req.body_limit = limit;
            }
            guards = &entry.guards;
            Ok(endpoint)
        }
        Lookup::Options { allow, matched } => {
            req.matched = Some(matched);
            Err(options_response(allow))
        }
        Lookup::MethodNotAllowed { allow, matched } => {
            req.matched = Some(matched);
            Err(Error::new(
                StatusCode::METHOD_NOT_ALLOWED,
                crate::error::default_message(StatusCode::METHOD_NOT_ALLOWED),
            )
            .with_header(ALLOW, allow)
            .into_response())
        }
        Lookup::RedirectSlash(location) => Err(Redirect::permanent(location).into_response()),
        Lookup::NotFound => Err(Error::not_found().into_response()),
    };

    // After routing, which knows the exempt rules, and before any user code. A safe method
    // costs the one comparison in `is_safe`.
    if !is_safe(req.method())
        && let Some(protection) = &shared.cross_origin
        && !req.is_cross_origin_exempt()
        && let Err(refused) = protection.check_request(req)
    {
        tracing::warn!(target: "micro::cross_origin", method = %req.method(), path = req.path(), "{refused}");
        return refused.into_response();
    }
    // Only for a route that will run, as Django checks views: a 404 stays a 404.
    if !is_safe(req.method())
        && route.is_ok()
        && let Some(csrf) = &shared.csrf
        && !req.is_csrf_exempt()
        && let Err(refused) = crate::csrf::check(csrf, req).await
    {
        return refused;
    }

    // The app's hooks first, then each blueprint's from the outermost in, then the rule's guards.
    let scopes = req.matched.as_ref().and_then(Matched::scopes_shared);
    let blueprints: &[Arc<Scaffold>] = scopes.as_deref().unwrap_or(&[]);
    req.in_before_hook = true;
    for scaffold in std::iter::once(&shared.scaffold).chain(blueprints.iter().map(Arc::as_ref)) {
        for hook in &scaffold.before {
            if let Some(response) = hook.call(req).await {
                req.in_before_hook = false;
                return response;
            }
        }
    }
    for guard in guards {
        if let Some(response) = guard.call(req).await {
            req.in_before_hook = false;
            return response;
        }
    }
    req.in_before_hook = false;

    match route {
        Ok(Endpoint::Handler(handler)) => handler.call(req).await,
        Ok(Endpoint::Service(route, _)) => call_layered(route, req).await,
        Err(response) => response,
    }
}

/// Runs a route wrapped in tower layers: they see a plain `http::Request`; the handler inside gets
/// back the full [`Request`] through the extensions.
async fn call_layered(route: &Route, req: &mut Request) -> Response {
    let mut inner = req.split_off();
    let body = inner.take_body();
    let mut http_req = http::Request::from_parts(inner.head.clone(), body);
    // Tower layers look for the connection's details in the extensions.
    if let Some(conn) = &inner.conn {
        conn.insert_into(http_req.extensions_mut());
    }
    http_req
        .extensions_mut()
        .insert(RequestContext(Arc::new(Mutex::new(Some(inner)))));
    route.call_owned(http_req).await
}

/// The blueprints of the matched route from the innermost out, then the app.
fn innermost_first<'a>(shared: &'a Shared, req: &'a Request) -> impl Iterator<Item = &'a Scaffold> {
    let scopes = req.matched.as_ref().map_or(&[][..], |m| m.scopes());
    scopes
        .iter()
        .rev()
        .map(|s| &**s)
        .chain(std::iter::once(&shared.scaffold))
}

/// A 400 unless [`TrustedHosts::admits`](crate::TrustedHosts::admits) the request's host (a
/// request that came from a socket has its client's address).
fn check_host(hosts: &crate::TrustedHosts, req: &Request) -> Result<(), Error> {
    if hosts.admits(req.host(), req.client_addr().is_some()) {
        return Ok(());
    }
    let host = req.host().unwrap_or_default();
    tracing::warn!(target: "micro::request", host, "request refused: the host is not trusted");
    Err(Error::bad_request(format!(
        "The host {host:?} is not trusted: add it to TRUSTED_HOSTS."
    )))
}

fn options_response(allow: HeaderValue) -> Response {
    let mut res = Response::new(Body::empty());
    res.headers_mut().insert(ALLOW, allow);
    res
}

/// Rules match the decoded path, as in Flask (`/caf%C3%A9` matches `/café`).
fn decode_path(path: &str) -> Result<Cow<'_, str>, Error> {
    if !path.contains('%') {
        return Ok(Cow::Borrowed(path));
    }
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| Error::bad_request("The URL path is not valid UTF-8 once percent-decoded."))
}

/// HEAD gets the GET response's headers, with the length the body would have had.
fn strip_body(response: &mut Response) {
    if !response.headers().contains_key(CONTENT_LENGTH)
        && let Some(len) = response.body().size_hint().exact()
    {
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(len));
    }
    *response.body_mut() = Body::empty();
}

/// Runs synchronous user code; a panic is logged and returned as a 500 error.
fn guard<T>(req: &Request, what: &str, f: impl FnOnce() -> T) -> Result<T, Error> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).map_err(|panic| panicked(req, what, &panic))
}

fn panicked(req: &Request, what: &str, panic: &Box<dyn std::any::Any + Send>) -> Error {
    let message = panic_message(panic);
    tracing::error!(target: "micro::request", method = %req.method(), path = req.path(), "{what} panicked: {message}");
    Error::internal(format!("{what} panicked: {message}"))
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}
