//! Cross-origin protection: state-changing requests that a browser sends on behalf of another
//! site are refused, so a page elsewhere cannot post a form with the user's cookie.
//!
//! The model is Go 1.25's `net/http.CrossOriginProtection`: browsers say where a request comes
//! from in `Sec-Fetch-Site` (all of them since 2023) and, older ones, in `Origin`; no token is
//! needed. The app runs the check on every request after routing and before the
//! `before_request` hooks; see `docs/micro/security.md`.

mod origin;
mod refused;

use http::header::{HOST, ORIGIN};
use http::{HeaderMap, HeaderName, Method, Uri};

pub use origin::InvalidOrigin;
pub(crate) use origin::canonical as canonical_origin;
pub use refused::CrossOriginRefused;

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// The check the app runs on every request, and its trusted origins.
///
/// | request | outcome |
/// |---|---|
/// | `GET`, `HEAD`, `OPTIONS` | passes: safe methods must not change anything |
/// | `Sec-Fetch-Site: same-origin` or `none` (typed in the address bar, a bookmark) | passes |
/// | `Sec-Fetch-Site: cross-site` or `same-site` (a sibling subdomain) | refused, unless its `Origin` is trusted |
/// | no `Sec-Fetch-Site`, `Origin` whose host and port are the request's `Host` | passes |
/// | no `Sec-Fetch-Site`, another `Origin` | refused, unless it is trusted |
/// | neither header (curl, API clients, old browsers on same-origin requests) | passes |
///
/// ```
/// use micro::CrossOriginProtection;
/// use micro::http::{HeaderMap, Method, Uri};
///
/// let mut protection = CrossOriginProtection::new();
/// protection.add_trusted_origin("https://app.example.com").unwrap();
///
/// let mut headers = HeaderMap::new();
/// headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
/// headers.insert("origin", "https://evil.example".parse().unwrap());
/// let uri = Uri::from_static("/transfer");
/// let refused = protection.check(&Method::POST, &uri, &headers).unwrap_err();
/// assert_eq!(refused.origin(), Some("https://evil.example"));
/// assert!(protection.check(&Method::GET, &uri, &headers).is_ok());
///
/// headers.insert("origin", "https://app.example.com".parse().unwrap());
/// assert!(protection.check(&Method::POST, &uri, &headers).is_ok());
/// ```
///
/// An app has one, on by default: configure it with
/// [`App::trusted_origin`](crate::App::trusted_origin) or `TRUSTED_ORIGINS`, exempt routes with
/// [`MethodRouter::cross_origin_exempt`](crate::routing::MethodRouter::cross_origin_exempt) and
/// blueprints with [`Blueprint::cross_origin_exempt`](crate::Blueprint::cross_origin_exempt).
/// Code that needs the same check elsewhere (a CSRF middleware, a WebSocket handshake) finds the
/// app's through [`Request::cross_origin_protection`](crate::Request::cross_origin_protection).
#[derive(Debug, Clone, Default)]
pub struct CrossOriginProtection {
    /// Canonical (lower case, no default port), as browsers write the `Origin` header.
    trusted: Vec<Box<str>>,
}

impl CrossOriginProtection {
    /// A check that trusts no other origin.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets unsafe requests from `origin` through, whatever their `Sec-Fetch-Site` says: another
    /// site of yours that posts here. `origin` is `scheme://host[:port]`, with no path, not even
    /// `/`; case and a default port (`:443`) do not matter. `scheme://*.example.com` (Django's
    /// wildcard) trusts `example.com` and all its subdomains, on that scheme and port.
    ///
    /// # Errors
    /// When `origin` is not of that form; the error names it and says what is wrong.
    pub fn add_trusted_origin(&mut self, origin: &str) -> Result<&mut Self, InvalidOrigin> {
        let canonical = origin::canonical(origin)?;
        if !self.is_trusted(canonical.as_bytes()) {
            self.trusted.push(canonical.into());
        }
        Ok(self)
    }

    /// The trusted origins, as they are compared with `Origin` headers.
    pub fn trusted_origins(&self) -> impl Iterator<Item = &str> {
        self.trusted.iter().map(|o| &**o)
    }

    /// Checks a request given by its method, URI and headers; the app does it for every request,
    /// so call this only where the app does not (see the table above for the rules).
    ///
    /// The request's host is its `Host` header, or the URI's authority (HTTP/2).
    ///
    /// # Errors
    /// When the request is refused; the error's message says why and what to do.
    pub fn check(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Result<(), CrossOriginRefused> {
        if is_safe(method) {
            return Ok(());
        }
        let origin = headers
            .get(ORIGIN)
            .map(|v| v.as_bytes())
            .filter(|v| !v.is_empty());
        match headers.get(SEC_FETCH_SITE).map(|v| v.as_bytes()) {
            Some(b"same-origin" | b"none") => Ok(()),
            Some(site) => match origin {
                Some(origin) if self.is_trusted(origin) => Ok(()),
                _ => Err(CrossOriginRefused::new(
                    Some(site),
                    origin,
                    None,
                    origin.is_some_and(is_valid),
                )),
            },
            None => {
                let Some(origin) = origin else {
                    return Ok(());
                };
                let host = headers
                    .get(HOST)
                    .and_then(|h| h.to_str().ok())
                    .or_else(|| uri.authority().map(|a| a.as_str()));
                let parsed = std::str::from_utf8(origin)
                    .ok()
                    .and_then(|text| origin::parse(text).ok());
                let same_host = parsed
                    .as_ref()
                    .zip(host)
                    .is_some_and(|(o, host)| o.authority.eq_ignore_ascii_case(host));
                if same_host || self.is_trusted(origin) {
                    Ok(())
                } else {
                    Err(CrossOriginRefused::new(
                        None,
                        Some(origin),
                        host,
                        parsed.is_some(),
                    ))
                }
            }
        }
    }

    /// Checks a micro request; see [`check`](Self::check).
    ///
    /// # Errors
    /// When the request is refused.
    pub fn check_request(&self, req: &crate::Request) -> Result<(), CrossOriginRefused> {
        self.check(req.method(), req.uri(), req.headers())
    }

    fn is_trusted(&self, origin: &[u8]) -> bool {
        self.trusted
            .iter()
            .any(|t| t.as_bytes().eq_ignore_ascii_case(origin) || wildcard_matches(t, origin))
    }
}

/// `GET`, `HEAD` and `OPTIONS`: the methods a cross-origin request may use, since they must not
/// change anything. `GET` is compared first, so it costs one comparison.
#[inline]
pub(crate) fn is_safe(method: &Method) -> bool {
    *method == Method::GET || *method == Method::HEAD || *method == Method::OPTIONS
}

/// Whether `origin` is the domain of a `scheme://*.domain` entry or one of its subdomains, with
/// the same scheme and port.
fn wildcard_matches(trusted: &str, origin: &[u8]) -> bool {
    let Some((scheme, domain)) = trusted.split_once("://*.") else {
        return false;
    };
    let Ok(origin) = std::str::from_utf8(origin) else {
        return false;
    };
    let origin = origin.to_ascii_lowercase();
    let Some(host) = origin
        .strip_prefix(scheme)
        .and_then(|rest| rest.strip_prefix("://"))
    else {
        return false;
    };
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|sub| sub.ends_with('.'))
}

fn is_valid(origin: &[u8]) -> bool {
    std::str::from_utf8(origin).is_ok_and(|text| origin::parse(text).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request to `app.example` with these headers.
    fn check(
        protection: &CrossOriginProtection,
        method: Method,
        headers: &[(&'static str, &str)],
    ) -> Result<(), CrossOriginRefused> {
        let mut map = HeaderMap::new();
        map.insert(HOST, "app.example".parse().unwrap());
        for (name, value) in headers {
            map.append(*name, value.parse().unwrap());
        }
        protection.check(&method, &Uri::from_static("/"), &map)
    }

    #[test]
    fn go_rules_for_sec_fetch_site_and_origin() {
        let p = CrossOriginProtection::new();
        let site = "sec-fetch-site";
        for (method, headers, allowed) in [
            (Method::POST, vec![(site, "same-origin")], true),
            (Method::POST, vec![(site, "none")], true),
            (Method::POST, vec![(site, "cross-site")], false),
            (Method::POST, vec![(site, "same-site")], false),
            (Method::POST, vec![(site, "Same-Origin")], false),
            (Method::POST, vec![], true),
            (Method::POST, vec![("origin", "https://app.example")], true),
            (Method::POST, vec![("origin", "http://APP.example")], true),
            (
                Method::POST,
                vec![("origin", "https://app.example:8443")],
                false,
            ),
            (
                Method::POST,
                vec![("origin", "https://attacker.example")],
                false,
            ),
            (Method::POST, vec![("origin", "null")], false),
            (Method::POST, vec![("origin", "app.example")], false),
            (Method::POST, vec![("origin", "")], true),
            (
                Method::POST,
                vec![
                    (site, "same-origin"),
                    ("origin", "https://attacker.example"),
                ],
                true,
            ),
            (Method::GET, vec![(site, "cross-site")], true),
            (Method::HEAD, vec![(site, "cross-site")], true),
            (Method::OPTIONS, vec![(site, "cross-site")], true),
            (Method::PUT, vec![(site, "cross-site")], false),
            (Method::DELETE, vec![(site, "cross-site")], false),
            (Method::PATCH, vec![(site, "cross-site")], false),
            (
                Method::from_bytes(b"PURGE").unwrap(),
                vec![(site, "cross-site")],
                false,
            ),
        ] {
            let outcome = check(&p, method.clone(), &headers);
            assert_eq!(
                outcome.is_ok(),
                allowed,
                "{method} {headers:?}: {outcome:?}"
            );
        }
    }

    #[test]
    fn trusted_origins_pass_with_or_without_sec_fetch_site() {
        let mut p = CrossOriginProtection::new();
        p.add_trusted_origin("https://Trusted.example:443").unwrap();
        assert_eq!(
            p.trusted_origins().collect::<Vec<_>>(),
            ["https://trusted.example"]
        );
        let trusted = ("origin", "https://trusted.example");
        let attacker = ("origin", "https://attacker.example");
        let cross = ("sec-fetch-site", "cross-site");
        assert!(check(&p, Method::POST, &[trusted]).is_ok());
        assert!(check(&p, Method::POST, &[trusted, cross]).is_ok());
        assert!(check(&p, Method::POST, &[attacker]).is_err());
        assert!(check(&p, Method::POST, &[attacker, cross]).is_err());
        // Trust is for an exact origin, scheme and port included.
        let other_scheme = ("origin", "http://trusted.example");
        assert!(check(&p, Method::POST, &[other_scheme, cross]).is_err());
    }

    #[test]
    fn the_host_comes_from_the_uri_without_a_host_header() {
        let p = CrossOriginProtection::new();
        let mut headers = HeaderMap::new();
        headers.insert(ORIGIN, "https://app.example".parse().unwrap());
        let uri = Uri::from_static("https://app.example/form");
        assert!(p.check(&Method::POST, &uri, &headers).is_ok());
        let refused = p
            .check(&Method::POST, &Uri::from_static("/form"), &headers)
            .unwrap_err();
        assert!(refused.to_string().contains("Host (none)"), "{refused}");
    }

    #[test]
    fn refusals_name_the_headers() {
        let p = CrossOriginProtection::new();
        let refused = check(
            &p,
            Method::POST,
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
        )
        .unwrap_err();
        assert_eq!(refused.sec_fetch_site(), Some("cross-site"));
        assert_eq!(refused.origin(), Some("https://evil.example"));
        assert_eq!(
            refused.to_string(),
            "cross-origin request refused: Sec-Fetch-Site is cross-site and the Origin https://evil.example is not trusted; add it to TRUSTED_ORIGINS or exempt the route"
        );
    }

    #[test]
    fn a_wildcard_trusts_a_domain_and_its_subdomains() {
        let mut p = CrossOriginProtection::new();
        p.add_trusted_origin("https://*.Example.com").unwrap();
        assert_eq!(
            p.trusted_origins().collect::<Vec<_>>(),
            ["https://*.example.com"]
        );
        let cross = ("sec-fetch-site", "same-site");
        for (origin, ok) in [
            ("https://a.example.com", true),
            ("https://a.b.example.com", true),
            ("https://example.com", true),
            ("http://a.example.com", false),
            ("https://a.example.com:8443", false),
            ("https://evilexample.com", false),
            ("https://example.com.evil", false),
        ] {
            assert_eq!(
                check(&p, Method::POST, &[cross, ("origin", origin)]).is_ok(),
                ok,
                "{origin}"
            );
        }
        assert!(p.add_trusted_origin("https://*.example.com/").is_err());
    }

    #[test]
    fn adding_an_invalid_origin_names_it() {
        let mut p = CrossOriginProtection::new();
        let err = p.add_trusted_origin("https://app.example/").unwrap_err();
        assert!(
            err.to_string().starts_with("`https://app.example/`"),
            "{err}"
        );
        assert_eq!(p.trusted_origins().count(), 0);
    }
}
