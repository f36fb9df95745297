//! The security middleware every project's web app gets, in Django's order: host validation
//! (`ALLOWED_HOSTS`), the HTTPS redirect, then, on the way out, the security headers (nosniff,
//! Referrer-Policy, Cross-Origin-Opener-Policy, HSTS) and `X-Frame-Options`. Each is switched
//! and tuned in [`Settings`]; see `docs/fullstack/security.md`.
//!
//! A page that must be framed says so on its response:
//!
//! ```
//! use micro::IntoResponse;
//!
//! async fn widget() -> micro::Response {
//!     fullstack::security::xframe_exempt("shown in other sites' frames")
//! }
//!
//! async fn preview() -> micro::Response {
//!     // A header the handler set is left alone.
//!     let mut res = "framed by this site's own pages".into_response();
//!     res.headers_mut().insert("x-frame-options", micro::http::HeaderValue::from_static("SAMEORIGIN"));
//!     res
//! }
//! ```

mod csp;
mod headers;
mod hosts;

use std::convert::Infallible;
use std::sync::Arc;

use micro::http::{HeaderValue, Request, StatusCode, header};
use micro::routing::Route;
use micro::{Body, IntoResponse, Response};
use tower::ServiceExt;

use crate::Settings;
pub use csp::{CspNonce, NONCE};
pub use hosts::AllowedHosts;
/// Django's `rotate_token`: a new CSRF secret for the request, for a login view.
pub use micro::rotate_token;
pub use micro::{CsrfFailure, CsrfToken};

/// Marks a response that may be shown in any frame: the clickjacking middleware adds no
/// `X-Frame-Options` to it (Django's `xframe_options_exempt`).
#[derive(Debug, Clone, Copy)]
pub struct XFrameExempt;

/// `response` without `X-Frame-Options`, for a page meant to be embedded in other sites.
pub fn xframe_exempt(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response.extensions_mut().insert(XFrameExempt);
    response
}

/// A route-level `X-Frame-Options`, Django's `xframe_options_exempt` / `_sameorigin` / `_deny`
/// decorators, as a layer on the route: `None` for no header (any site may frame the route's
/// pages), or the header's value. A header the handler sets still wins.
///
/// ```
/// use fullstack::security::xframe_options;
/// use fullstack::settings::FrameOptions;
/// use micro::routing::get;
///
/// let mut app = micro::App::new();
/// app.route("/widget", get(|| async { "embed me" }).layer(xframe_options(None)));
/// app.route(
///     "/preview",
///     get(|| async { "our frames only" }).layer(xframe_options(Some(FrameOptions::SameOrigin))),
/// );
/// ```
pub fn xframe_options(
    option: Option<crate::settings::FrameOptions>,
) -> tower::util::MapResponseLayer<fn(Response) -> Response> {
    use crate::settings::FrameOptions;
    let mark: fn(Response) -> Response = match option {
        None => |mut res| {
            res.extensions_mut().insert(XFrameExempt);
            res
        },
        Some(FrameOptions::SameOrigin) => |mut res| {
            frame_header(&mut res, FrameOptions::SameOrigin);
            res
        },
        Some(FrameOptions::Deny) => |mut res| {
            frame_header(&mut res, FrameOptions::Deny);
            res
        },
    };
    tower::util::MapResponseLayer::new(mark)
}

fn frame_header(res: &mut Response, option: crate::settings::FrameOptions) {
    res.headers_mut()
        .entry(header::X_FRAME_OPTIONS)
        .or_insert_with(|| HeaderValue::from_static(option.as_str()));
}

/// What the middleware needs from the settings, read once.
struct Policy {
    hosts: AllowedHosts,
    proxy: micro::TrustedProxy,
    headers: Option<headers::SecurityHeaders>,
    ssl_redirect: bool,
    frame_options: Option<HeaderValue>,
    /// `SECURE_CSP` and `SECURE_CSP_REPORT_ONLY`, when set and switched on.
    csp: Vec<csp::Policy>,
}

/// Wraps the whole of `app` (its 404s and 405s too) in the middleware `settings` switch on.
pub(crate) fn install(app: &mut micro::App, settings: &Settings) {
    let policy = Arc::new(Policy {
        hosts: AllowedHosts::for_settings(settings),
        proxy: settings.trusted_proxy(),
        headers: settings
            .middleware_security
            .then(|| headers::SecurityHeaders::new(settings)),
        ssl_redirect: settings.middleware_security && settings.secure_ssl_redirect,
        frame_options: settings
            .middleware_clickjacking
            .then(|| HeaderValue::from_static(settings.x_frame_options.as_str())),
        csp: [
            ("content-security-policy", &settings.secure_csp),
            (
                "content-security-policy-report-only",
                &settings.secure_csp_report_only,
            ),
        ]
        .into_iter()
        .filter(|_| settings.middleware_csp)
        .filter_map(|(name, directives)| csp::Policy::new(name, directives))
        .collect(),
    });
    app.context_processor(|nonce: CspNonce| async move {
        micro::context! { csp_nonce => nonce.0 }
    });
    app.layer(tower::layer::layer_fn(move |inner: Route| {
        let policy = policy.clone();
        tower::service_fn(move |req: Request<Body>| {
            let (inner, policy) = (inner.clone(), policy.clone());
            async move { Ok::<_, Infallible>(policy.handle(inner, req).await) }
        })
    }));
}

impl Policy {
    async fn handle(&self, inner: Route, mut req: Request<Body>) -> Response {
        let secure = self.is_secure(&req);
        let mut nonce = None;
        let redirect = match self.checked_host(&req) {
            Err(message) => return self.refused(message, secure),
            Ok(host) => (self.ssl_redirect && !secure).then(|| https_redirect(host, &req)),
        };
        let mut res = match redirect {
            Some(redirect) => redirect,
            None => {
                // Made before the handler runs, so its templates can use it.
                if self.csp.iter().any(csp::Policy::uses_nonce) {
                    let fresh = csp::fresh_nonce();
                    req.extensions_mut().insert(fresh.clone());
                    nonce = Some(fresh);
                }
                match inner.oneshot(req).await {
                    Ok(res) => res,
                    Err(never) => match never {},
                }
            }
        };
        let exempt = res.extensions().get::<XFrameExempt>().is_some();
        self.add_headers(res.headers_mut(), secure, exempt);
        for policy in &self.csp {
            policy.apply(res.headers_mut(), nonce.as_ref());
        }
        res
    }

    fn add_headers(&self, headers: &mut micro::HeaderMap, secure: bool, exempt: bool) {
        if let Some(security) = &self.headers {
            security.apply(headers, secure);
        }
        if let (Some(value), false) = (&self.frame_options, exempt) {
            headers
                .entry(header::X_FRAME_OPTIONS)
                .or_insert_with(|| value.clone());
        }
    }

    /// The 400 for a host not allowed, as an error the app renders (an HTML page, or JSON for
    /// JSON clients) with the security headers, which it carries since the page is made after
    /// this layer.
    fn refused(&self, message: String, secure: bool) -> Response {
        tracing::warn!(target: "fullstack::security", "{message}");
        let mut headers = micro::HeaderMap::new();
        self.add_headers(&mut headers, secure, false);
        let mut err = micro::Error::new(StatusCode::BAD_REQUEST, message);
        for (name, value) in &headers {
            err = err.with_header(name.clone(), value.clone());
        }
        err.into_response()
    }

    /// Over HTTPS: the URI says so, or the trusted proxy's header does.
    fn is_secure(&self, req: &Request<Body>) -> bool {
        self.proxy.is_secure(req.uri(), req.headers())
    }

    /// The request's host (`X-Forwarded-Host` when trusted, else `Host`, else the URI's), if
    /// `ALLOWED_HOSTS` allows it; the message naming it otherwise.
    fn checked_host<'r>(&self, req: &'r Request<Body>) -> Result<&'r str, String> {
        let host = self.proxy.host(req.uri(), req.headers());
        // `serve` marks each request that came from a socket with its client's address.
        let from_socket = req.extensions().get::<micro::ClientAddr>().is_some();
        if self.hosts.admits(host, from_socket) {
            return Ok(host.unwrap_or(""));
        }
        let host = host.unwrap_or("");
        self.hosts.check(host).map(|()| host)
    }
}

/// 301 to the same URL over HTTPS, on the (validated) host.
fn https_redirect(host: &str, req: &Request<Body>) -> Response {
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let location = format!("https://{host}{path}");
    let mut res = micro::Response::new(Body::default());
    *res.status_mut() = StatusCode::MOVED_PERMANENTLY;
    if let Ok(value) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, value);
    }
    res
}
