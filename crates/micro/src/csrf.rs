//! CSRF tokens, Django's `CsrfViewMiddleware` (and Flask-WTF's `CSRFProtect`): an unsafe
//! request (`POST`, `PUT`, `PATCH`, `DELETE`) must carry a token that only this site's pages
//! could have read, on top of micro's tokenless [cross-origin check](crate::CrossOriginProtection).
//!
//! A secret lives in a cookie (`csrftoken`); each page that calls `csrf_token()` or
//! `csrf_input()` gets the secret masked afresh (see `token.rs`); a form sends it back in the
//! field `csrfmiddlewaretoken`, JavaScript in the `X-CSRFToken` header. The check also
//! verifies `Origin` (and `Referer` on HTTPS without one) as Django does. Off in micro until
//! [`App::csrf_protect`](crate::App::csrf_protect); on in fullstack. See `docs/micro/security.md`.

mod form;
mod origin;
mod token;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::header::{ORIGIN, REFERER, SET_COOKIE};
use http::{HeaderName, HeaderValue, StatusCode};

use crate::config::SameSite;
use crate::extract::Cookies;
use crate::response::{IntoResponse, Response};
use crate::{Error, FromRequest, Request};
use origin::TrustedOrigins;

/// The form field a token is posted in, Django's name.
pub const FIELD_NAME: &str = "csrfmiddlewaretoken";

/// How the token check is set up: the cookie, the header and field names, the trusted origins
/// and the failure page. The defaults are Django's.
///
/// ```
/// use micro::{App, Csrf};
///
/// let mut csrf = Csrf::new();
/// csrf.cookie_secure(true).trusted_origin("https://*.example.com").unwrap();
/// let mut app = App::new();
/// app.csrf_protect_with(csrf);
/// ```
#[derive(Debug, Clone)]
pub struct Csrf {
    cookie_name: String,
    cookie_age: Option<Duration>,
    cookie_domain: Option<String>,
    cookie_path: String,
    cookie_secure: bool,
    cookie_httponly: bool,
    cookie_samesite: Option<SameSite>,
    header_name: HeaderName,
    field_name: String,
    trusted: TrustedOrigins,
    proxy: crate::TrustedProxy,
    failure_template: Option<String>,
}

impl Default for Csrf {
    fn default() -> Self {
        Csrf::new()
    }
}

impl Csrf {
    /// Django's defaults: cookie `csrftoken` for a year on `/`, `SameSite=Lax`, readable by
    /// JavaScript (the secret is no more secret than the pages), header `X-CSRFToken`, field
    /// `csrfmiddlewaretoken`.
    pub fn new() -> Self {
        Csrf {
            cookie_name: "csrftoken".into(),
            cookie_age: Some(Duration::from_secs(60 * 60 * 24 * 7 * 52)),
            cookie_domain: None,
            cookie_path: "/".into(),
            cookie_secure: false,
            cookie_httponly: false,
            cookie_samesite: Some(SameSite::Lax),
            header_name: HeaderName::from_static("x-csrftoken"),
            field_name: FIELD_NAME.into(),
            trusted: TrustedOrigins::default(),
            proxy: crate::TrustedProxy::new(),
            failure_template: None,
        }
    }

    /// The cookie's name (`CSRF_COOKIE_NAME`).
    pub fn cookie_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.cookie_name = name.into();
        self
    }

    /// How long the cookie lives (`CSRF_COOKIE_AGE`); `None` for a browser-session cookie.
    pub fn cookie_age(&mut self, age: Option<Duration>) -> &mut Self {
        self.cookie_age = age;
        self
    }

    /// The cookie's domain (`CSRF_COOKIE_DOMAIN`, `.example.com` to share it with subdomains);
    /// the `Referer` check then accepts that domain too.
    pub fn cookie_domain(&mut self, domain: Option<String>) -> &mut Self {
        self.cookie_domain = domain;
        self
    }

    /// The cookie's path (`CSRF_COOKIE_PATH`).
    pub fn cookie_path(&mut self, path: impl Into<String>) -> &mut Self {
        self.cookie_path = path.into();
        self
    }

    /// Whether the cookie is sent over HTTPS only (`CSRF_COOKIE_SECURE`).
    pub fn cookie_secure(&mut self, secure: bool) -> &mut Self {
        self.cookie_secure = secure;
        self
    }

    /// Whether JavaScript cannot read the cookie (`CSRF_COOKIE_HTTPONLY`); scripts then read
    /// the token from the page.
    pub fn cookie_httponly(&mut self, httponly: bool) -> &mut Self {
        self.cookie_httponly = httponly;
        self
    }

    /// The cookie's `SameSite` (`CSRF_COOKIE_SAMESITE`); `None` sends no attribute.
    pub fn cookie_samesite(&mut self, samesite: Option<SameSite>) -> &mut Self {
        self.cookie_samesite = samesite;
        self
    }

    /// The header scripts send the token in (`CSRF_HEADER_NAME`, `X-CSRFToken`).
    pub fn header_name(&mut self, name: HeaderName) -> &mut Self {
        self.header_name = name;
        self
    }

    /// The form field of the token: `csrfmiddlewaretoken`, or `csrf_token` for templates
    /// ported from Flask-WTF.
    pub fn field_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.field_name = name.into();
        self
    }

    /// Trusts a site's pages to post here (`CSRF_TRUSTED_ORIGINS`): `https://app.example.com`,
    /// or `https://*.example.com` for every subdomain. The request's own origin is always
    /// trusted.
    ///
    /// # Errors
    /// When `origin` does not start with a scheme and `://`; the error's key is
    /// `CSRF_TRUSTED_ORIGINS`.
    pub fn trusted_origin(&mut self, origin: &str) -> Result<&mut Self, crate::ConfigError> {
        let error = |message| crate::ConfigError {
            key: "CSRF_TRUSTED_ORIGINS".into(),
            message,
        };
        // Written as browsers send `Origin` (lower case, no default port), as micro's
        // cross-origin check keeps them.
        let canonical =
            crate::cross_origin::canonical_origin(origin).map_err(|err| error(err.to_string()))?;
        self.trusted.add(&canonical).map_err(error)?;
        Ok(self)
    }

    /// Reads the request's host from `X-Forwarded-Host` (`USE_X_FORWARDED_HOST`): only behind
    /// a proxy that sets it.
    pub fn use_x_forwarded_host(&mut self, yes: bool) -> &mut Self {
        self.proxy = std::mem::take(&mut self.proxy).use_x_forwarded_host(yes);
        self
    }

    /// The header and value a trusted proxy sets on HTTPS requests (`SECURE_PROXY_SSL_HEADER`,
    /// `X-Forwarded-Proto: https`): such requests get the `Referer` check.
    pub fn proxy_ssl_header(&mut self, name: HeaderName, value: impl Into<String>) -> &mut Self {
        self.proxy = std::mem::take(&mut self.proxy).ssl_header(name, value);
        self
    }

    /// Both proxy settings at once, as the host check in front of this one reads them.
    pub fn trusted_proxy(&mut self, proxy: crate::TrustedProxy) -> &mut Self {
        self.proxy = proxy;
        self
    }

    /// A template for the 403 page (Django's `403_csrf.html`), rendered with `reason`; used
    /// when it exists, for clients that do not want JSON.
    pub fn failure_template(&mut self, name: impl Into<String>) -> &mut Self {
        self.failure_template = Some(name.into());
        self
    }

    /// The trusted origins, as given.
    pub fn trusted_origins(&self) -> impl Iterator<Item = &str> {
        self.trusted.origins()
    }

    /// The configured header name, for clients.
    pub fn header(&self) -> &HeaderName {
        &self.header_name
    }

    /// The configured cookie name.
    pub fn cookie(&self) -> &str {
        &self.cookie_name
    }

    /// The configured form field name.
    pub fn field(&self) -> &str {
        &self.field_name
    }

    fn is_secure(&self, req: &Request) -> bool {
        self.proxy.is_secure(req.uri(), req.headers())
    }

    /// The request's host, as Django's `get_host` (ALLOWED_HOSTS validated it when a layer
    /// checks hosts, as fullstack's does).
    fn host<'r>(&self, req: &'r Request) -> Option<&'r str> {
        self.proxy.host(req.uri(), req.headers())
    }

    /// The `Set-Cookie` for `secret`.
    fn set_cookie(&self, secret: &str) -> Option<HeaderValue> {
        let mut cookie = cookie::Cookie::new(self.cookie_name.clone(), secret.to_owned());
        cookie.set_path(self.cookie_path.clone());
        if let Some(domain) = &self.cookie_domain {
            cookie.set_domain(domain.clone());
        }
        if let Some(age) = self.cookie_age {
            let secs = age.as_secs().try_into().unwrap_or(i64::MAX);
            cookie.set_max_age(cookie::time::Duration::seconds(secs));
        }
        cookie.set_secure(self.cookie_secure);
        cookie.set_http_only(self.cookie_httponly);
        cookie.set_same_site(self.cookie_samesite.map(|s| match s {
            SameSite::Lax => cookie::SameSite::Lax,
            SameSite::Strict => cookie::SameSite::Strict,
            SameSite::None => cookie::SameSite::None,
        }));
        HeaderValue::try_from(cookie.to_string()).ok()
    }
}

/// This request's CSRF secret: gives the masked token a page embeds, and sets the cookie on
/// the response when a token was given out (a page without a form costs nothing). Templates
/// call it through `csrf_token()` and `csrf_input()`; a handler takes it as an extractor:
///
/// ```
/// use micro::{CsrfToken, Json};
///
/// async fn token(csrf: CsrfToken) -> Json<serde_json::Value> {
///     Json(serde_json::json!({ "csrf": csrf.token() }))
/// }
/// ```
///
/// Extracting it fails with a 500 when the app has no [`App::csrf_protect`](crate::App::csrf_protect).
#[derive(Debug, Clone)]
pub struct CsrfToken(Arc<Mutex<Secret>>);

#[derive(Debug)]
struct Secret {
    /// From the cookie, or made for this response.
    value: Option<String>,
    /// Why the cookie's value was refused, for the reason of a failed check.
    bad_cookie: Option<token::BadFormat>,
    /// Whether the response sets the cookie: a token was given out, or the secret rotated.
    send: bool,
}

impl CsrfToken {
    /// A token for a form or a script: the secret masked afresh, so it differs at every call,
    /// and every one of them is accepted. The response sets the cookie (again, as Django does,
    /// renewing its age).
    pub fn token(&self) -> String {
        let mut secret = self.lock();
        secret.send = true;
        let value = secret.value.get_or_insert_with(token::new_secret);
        token::mask(value)
    }

    /// A new secret, Django's `rotate_token`: call it at login, so a token read before cannot
    /// act for the user after. Tokens given out earlier in this request no longer match.
    pub fn rotate(&self) {
        let mut secret = self.lock();
        secret.value = Some(token::new_secret());
        secret.send = true;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Secret> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The request's, kept in its `g` so every copy of the request (hooks, the handler's
    /// `Request`, templates) shares it; `None` when the app does not check tokens.
    pub(crate) fn of(req: &mut Request) -> Option<CsrfToken> {
        let cookie = cookie_of(req)?;
        let g = req.g();
        Some(Self::in_g(cookie.as_deref(), Some(&g)))
    }

    /// The handle in `g`, or a new one for the client's `cookie`, kept in `g` when there is
    /// one (otherwise the response will not set the cookie, and its tokens match only the
    /// cookie the client already has).
    fn in_g(cookie: Option<&str>, g: Option<&crate::G>) -> CsrfToken {
        if let Some(handle) = g.and_then(crate::G::get::<CsrfToken>) {
            return handle;
        }
        let (value, bad_cookie) = match cookie.map(token::secret_from_cookie) {
            None => (None, None),
            Some(Ok(secret)) => (Some(secret), None),
            Some(Err(bad)) => (None, Some(bad)),
        };
        let handle = CsrfToken(Arc::new(Mutex::new(Secret {
            value,
            bad_cookie,
            send: false,
        })));
        if let Some(g) = g {
            g.insert(handle.clone());
        }
        handle
    }
}

/// The value of the request's CSRF cookie (`Some(None)` without one); `None` when the app does
/// not check tokens.
fn cookie_of(req: &Request) -> Option<Option<String>> {
    let csrf = req.app.csrf.as_ref()?;
    // Looked up only when the request has cookies at all: most bench requests have none.
    if !req.headers().contains_key(http::header::COOKIE) {
        return Some(None);
    }
    Some(
        Cookies::from_headers(req.headers())
            .get(&csrf.cookie_name)
            .map(str::to_owned),
    )
}

/// What a template render needs to give out tokens, made into a [`CsrfToken`] on the first
/// `csrf_token()`: a page that uses none costs no allocation and sets no cookie.
#[cfg(feature = "templates")]
#[derive(Debug)]
pub(crate) struct LazyToken {
    cookie: Option<String>,
    g: Option<crate::G>,
    handle: std::sync::OnceLock<CsrfToken>,
}

#[cfg(feature = "templates")]
impl LazyToken {
    /// `None` when the app does not check tokens.
    pub(crate) fn new(req: &Request, g: Option<crate::G>) -> Option<LazyToken> {
        Some(LazyToken {
            cookie: cookie_of(req)?,
            g,
            handle: std::sync::OnceLock::new(),
        })
    }

    /// A fresh masked token.
    pub(crate) fn token(&self) -> String {
        self.handle
            .get_or_init(|| CsrfToken::in_g(self.cookie.as_deref(), self.g.as_ref()))
            .token()
    }
}

impl FromRequest for CsrfToken {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        CsrfToken::of(req).ok_or_else(|| {
            Error::internal("CsrfToken needs the token check: call App::csrf_protect")
        })
    }
}

/// The hidden input of a form: `<input type="hidden" name="csrfmiddlewaretoken" value="…">`.
#[cfg(feature = "templates")]
pub(crate) fn input(req_csrf: &Csrf, token: &str) -> String {
    format!(
        r#"<input type="hidden" name="{}" value="{token}">"#,
        crate::escape(&req_csrf.field_name)
    )
}

/// Gives the request a new CSRF secret (Django's `rotate_token`), for a login handler; does
/// nothing when the app does not check tokens.
pub fn rotate_token(req: &mut Request) {
    if let Some(handle) = CsrfToken::of(req) {
        handle.rotate();
    }
}

/// A refused request and Django's reason for it, the source of the 403 [`Error`]: an error
/// handler for 403 can tell it apart with `err.downcast_ref::<CsrfFailure>()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrfFailure {
    reason: String,
}

impl CsrfFailure {
    /// Django's words: `CSRF cookie not set.`, `CSRF token missing.`, ...
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl std::fmt::Display for CsrfFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CSRF verification failed: {}", self.reason)
    }
}

impl std::error::Error for CsrfFailure {}

/// Django's `process_view` for an unsafe method: `Origin`, else `Referer` on HTTPS, then the
/// token against the cookie's secret.
pub(crate) async fn check(csrf: &Csrf, req: &mut Request) -> Result<(), Response> {
    match verify(csrf, req).await {
        Ok(()) => Ok(()),
        Err(Refusal::Body(err)) => Err(err.into_response()),
        Err(Refusal::Reason(reason)) => {
            tracing::warn!(target: "micro::csrf", method = %req.method(), path = req.path(), "Forbidden (CSRF verification failed): {reason}");
            Err(failure(csrf, req, reason))
        }
    }
}

/// Why [`verify`] refused a request.
enum Refusal {
    /// Django's reason, for the 403.
    Reason(String),
    /// The form could not be read (a 413), answered as the handler's `Form` would.
    Body(Error),
}

async fn verify(csrf: &Csrf, req: &mut Request) -> Result<(), Refusal> {
    let refuse = |reason: String| Err(Refusal::Reason(reason));
    let secure = csrf.is_secure(req);
    if let Some(origin) = req.headers().get(ORIGIN) {
        let origin = String::from_utf8_lossy(origin.as_bytes());
        if !csrf
            .trusted
            .origin_verified(&origin, secure, csrf.host(req))
        {
            return refuse(format!(
                "Origin checking failed - {origin} does not match any trusted origins."
            ));
        }
    } else if secure {
        // Not ASCII: malformed.
        let referer = req
            .headers()
            .get(REFERER)
            .map(|v| v.to_str().unwrap_or("\u{fffd}"));
        csrf.trusted
            .check_referer(referer, csrf.host(req), csrf.cookie_domain.as_deref())
            .map_err(Refusal::Reason)?;
    }
    let handle = CsrfToken::of(req).expect("the app checks tokens");
    let secret = {
        let secret = handle.lock();
        if let Some(bad) = secret.bad_cookie {
            return refuse(format!("CSRF cookie {}.", bad.reason()));
        }
        match &secret.value {
            Some(value) => value.clone(),
            None => return refuse("CSRF cookie not set.".into()),
        }
    };
    let mut source = "POST".to_owned();
    let mut given = String::new();
    if req.method() == http::Method::POST {
        given = form::token_from_body(req, &csrf.field_name)
            .await
            .map_err(Refusal::Body)?
            .unwrap_or_default();
    }
    if given.is_empty() {
        let Some(header) = req.headers().get(&csrf.header_name) else {
            return refuse("CSRF token missing.".into());
        };
        given = String::from_utf8_lossy(header.as_bytes()).into_owned();
        source = format!("the '{}' HTTP header", header_title(&csrf.header_name));
    }
    if let Err(bad) = token::check_format(&given) {
        return refuse(format!("CSRF token from {source} {}.", bad.reason()));
    }
    if !token::matches(&given, &secret) {
        return refuse(format!("CSRF token from {source} incorrect."));
    }
    Ok(())
}

/// The 403: the failure template when there is one and the client reads HTML, else the
/// app's error page (JSON for JSON clients).
fn failure(csrf: &Csrf, req: &Request, reason: String) -> Response {
    #[cfg(feature = "templates")]
    if let Some(name) = &csrf.failure_template
        && !req.wants_json()
        && !req.app.json_errors
        && req.app.templates.get_template(name).is_ok()
        && let Ok(page) = crate::Templates::for_request(req)
            .and_then(|t| t.render(name, minijinja::context! { reason => &reason }))
    {
        return (StatusCode::FORBIDDEN, page).into_response();
    }
    #[cfg(not(feature = "templates"))]
    let _ = (csrf, req);
    let failure = CsrfFailure { reason };
    Error::new(StatusCode::FORBIDDEN, failure.reason.clone())
        .with_source(failure)
        .into_response()
}

/// `x-csrftoken` as Django names it in messages: `X-Csrftoken`.
fn header_title(name: &HeaderName) -> String {
    name.as_str()
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Sets the cookie when the request gave out a token or rotated the secret, with
/// `Vary: Cookie` since the page then holds a per-user token.
pub(crate) fn finish(csrf: &Csrf, req: &Request, response: &mut Response) {
    let Some(handle) = req.g.as_ref().and_then(|g| g.get::<CsrfToken>()) else {
        return;
    };
    let secret = handle.lock();
    if !secret.send {
        return;
    }
    if let Some(value) = secret.value.as_deref().and_then(|s| csrf.set_cookie(s)) {
        response.headers_mut().append(SET_COOKIE, value);
        crate::response::add_vary(response.headers_mut(), "Cookie");
    }
}

/// A valid token for `cookie` (a secret the client holds), or a new secret and its token: for
/// the test client.
pub(crate) fn token_for_cookie(cookie: Option<&str>) -> (String, String) {
    let secret = cookie
        .and_then(|c| token::secret_from_cookie(c).ok())
        .unwrap_or_else(token::new_secret);
    let masked = token::mask(&secret);
    (secret, masked)
}

/// The `Set-Cookie` the app would send for `secret`, for the test client.
pub(crate) fn cookie_header(csrf: &Csrf, secret: &str) -> Option<HeaderValue> {
    csrf.set_cookie(secret)
}
