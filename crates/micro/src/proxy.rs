//! What a trusted reverse proxy in front of the app tells it: whether the client's request came
//! over HTTPS, and which host it asked for. One reading for every check that needs them (the
//! CSRF check here, fullstack's host validation and HTTPS redirect), so they never disagree.

use http::header::HOST;
use http::{HeaderMap, HeaderName, Uri};

/// The proxy headers an app trusts: none by default (Django's `USE_X_FORWARDED_HOST = False`,
/// `SECURE_PROXY_SSL_HEADER = None`). Trust one only behind a proxy that always sets or strips
/// it, or any client can claim HTTPS or another host.
///
/// ```
/// use micro::TrustedProxy;
/// use micro::http::{HeaderMap, HeaderName, Uri};
///
/// let proxy = TrustedProxy::new()
///     .use_x_forwarded_host(true)
///     .ssl_header(HeaderName::from_static("x-forwarded-proto"), "https");
/// let mut headers = HeaderMap::new();
/// headers.insert("host", "10.0.0.5:8000".parse().unwrap());
/// headers.insert("x-forwarded-host", "example.com, proxy.internal".parse().unwrap());
/// headers.insert("x-forwarded-proto", "HTTPS".parse().unwrap());
/// let uri = Uri::from_static("/");
/// assert_eq!(proxy.host(&uri, &headers), Some("example.com"));
/// assert!(proxy.is_secure(&uri, &headers));
/// assert!(!TrustedProxy::new().is_secure(&uri, &headers));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxy {
    use_x_forwarded_host: bool,
    ssl_header: Option<(HeaderName, String)>,
}

impl TrustedProxy {
    /// Trusts nothing.
    #[must_use]
    pub fn new() -> Self {
        TrustedProxy::default()
    }

    /// Reads the host from `X-Forwarded-Host` (`USE_X_FORWARDED_HOST`).
    #[must_use]
    pub fn use_x_forwarded_host(mut self, yes: bool) -> Self {
        self.use_x_forwarded_host = yes;
        self
    }

    /// The header and value the proxy sets on HTTPS requests (`SECURE_PROXY_SSL_HEADER`,
    /// `X-Forwarded-Proto: https`); compared without case, ignoring surrounding spaces.
    #[must_use]
    pub fn ssl_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.ssl_header = Some((name, value.into().trim().to_owned()));
        self
    }

    /// Whether the request came over HTTPS: its URI says so, or the trusted header does.
    pub fn is_secure(&self, uri: &Uri, headers: &HeaderMap) -> bool {
        uri.scheme_str() == Some("https")
            || self.ssl_header.as_ref().is_some_and(|(name, value)| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case(value))
            })
    }

    /// The host the client asked for, as Django's `get_host` reads it before validating it:
    /// the first `X-Forwarded-Host` when trusted (a chain of proxies appends), else `Host`,
    /// else the URI's authority; `None` when there is none (HTTP/1.0). A value that is not
    /// text reads as `"\u{fffd}"`, which no host check allows.
    pub fn host<'r>(&self, uri: &'r Uri, headers: &'r HeaderMap) -> Option<&'r str> {
        let text = |name| {
            headers
                .get(name)
                .map(|v: &http::HeaderValue| v.to_str().unwrap_or("\u{fffd}"))
        };
        let forwarded = if self.use_x_forwarded_host {
            text(HeaderName::from_static("x-forwarded-host"))
                .map(|v| v.split(',').next().unwrap_or(v).trim())
        } else {
            None
        };
        forwarded
            .or_else(|| text(HOST))
            .or_else(|| uri.authority().map(|a| a.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, http::HeaderValue::from_bytes(value).unwrap());
        }
        map
    }

    #[test]
    fn forwarded_host_only_when_trusted() {
        let uri = Uri::from_static("/");
        let h = headers(&[
            ("host", b"internal:8000"),
            ("x-forwarded-host", b" a.example , b"),
        ]);
        assert_eq!(TrustedProxy::new().host(&uri, &h), Some("internal:8000"));
        let trusting = TrustedProxy::new().use_x_forwarded_host(true);
        assert_eq!(trusting.host(&uri, &h), Some("a.example"));
        // Trusted but absent: the Host header.
        assert_eq!(trusting.host(&uri, &headers(&[("host", b"h")])), Some("h"));
    }

    #[test]
    fn no_host_falls_back_to_the_authority_then_none() {
        let proxy = TrustedProxy::new();
        let absolute = Uri::from_static("http://from-uri.example/x");
        assert_eq!(
            proxy.host(&absolute, &HeaderMap::new()),
            Some("from-uri.example")
        );
        assert_eq!(proxy.host(&Uri::from_static("/"), &HeaderMap::new()), None);
        let binary = headers(&[("host", b"caf\xe9")]);
        assert_eq!(
            proxy.host(&Uri::from_static("/"), &binary),
            Some("\u{fffd}")
        );
    }

    #[test]
    fn https_from_the_uri_or_the_trusted_header_only() {
        let plain = Uri::from_static("/");
        let proto = headers(&[("x-forwarded-proto", b" https ")]);
        assert!(!TrustedProxy::new().is_secure(&plain, &proto));
        let proxy =
            TrustedProxy::new().ssl_header(HeaderName::from_static("x-forwarded-proto"), "https");
        assert!(proxy.is_secure(&plain, &proto));
        assert!(!proxy.is_secure(&plain, &headers(&[("x-forwarded-proto", b"http")])));
        assert!(TrustedProxy::new().is_secure(&Uri::from_static("https://a/"), &HeaderMap::new()));
    }
}
