//! Django's `Origin` and `Referer` rules: which sites may send this one an unsafe request.

/// `CSRF_TRUSTED_ORIGINS`: exact origins, and `scheme://*.domain` patterns for any subdomain.
#[derive(Debug, Clone, Default)]
pub(crate) struct TrustedOrigins {
    exact: Vec<String>,
    /// `(scheme, ".domain")` from `scheme://*.domain`.
    wildcards: Vec<(String, String)>,
    /// Every entry's host (`.domain` for a wildcard), for the `Referer` check.
    hosts: Vec<String>,
    given: Vec<String>,
}

impl TrustedOrigins {
    /// Adds `origin`; it must start with a scheme and `://`, as Django's check 4_0.E001 says.
    pub(crate) fn add(&mut self, origin: &str) -> Result<(), String> {
        if self.given.iter().any(|o| o == origin) {
            return Ok(());
        }
        let Some((scheme, netloc)) = origin.split_once("://").filter(|(s, n)| {
            !s.is_empty() && !n.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric())
        }) else {
            return Err(format!(
                "`{origin}` is not a trusted origin: it must start with a scheme (usually https://), as in https://app.example.com or https://*.example.com"
            ));
        };
        let netloc = netloc.split(['/', '?', '#']).next().unwrap_or("");
        let host = netloc.trim_start_matches('*').to_ascii_lowercase();
        if origin.contains('*') {
            self.wildcards
                .push((scheme.to_ascii_lowercase(), host.clone()));
        } else {
            self.exact.push(origin.to_owned());
        }
        self.hosts.push(host);
        self.given.push(origin.to_owned());
        Ok(())
    }

    /// Every entry, as given.
    pub(crate) fn origins(&self) -> impl Iterator<Item = &str> {
        self.given.iter().map(String::as_str)
    }

    /// Django's `_origin_verified`: the request's own origin, an exact trusted origin, or a
    /// subdomain of a wildcard for the same scheme.
    pub(crate) fn origin_verified(&self, origin: &str, secure: bool, host: Option<&str>) -> bool {
        if let Some(host) = host {
            let scheme = if secure { "https" } else { "http" };
            let own = origin
                .strip_prefix(scheme)
                .and_then(|rest| rest.strip_prefix("://"));
            if own.is_some_and(|rest| rest.eq_ignore_ascii_case(host)) {
                return true;
            }
        }
        if self.exact.iter().any(|o| o.eq_ignore_ascii_case(origin)) {
            return true;
        }
        let Ok(url) = Url::parse(origin) else {
            return false;
        };
        self.wildcards.iter().any(|(scheme, pattern)| {
            scheme.eq_ignore_ascii_case(url.scheme) && is_same_domain(url.netloc, pattern)
        })
    }

    /// Django's `_check_referer`, run on HTTPS requests without an `Origin`: the `Referer`
    /// must be an HTTPS URL of a trusted host, of `cookie_domain` when the CSRF cookie has one,
    /// or else of the request's host.
    pub(crate) fn check_referer(
        &self,
        referer: Option<&str>,
        host: Option<&str>,
        cookie_domain: Option<&str>,
    ) -> Result<(), String> {
        let Some(referer) = referer else {
            return Err("Referer checking failed - no Referer.".into());
        };
        let url = Url::parse(referer)
            .map_err(|()| "Referer checking failed - Referer is malformed.".to_owned())?;
        if !url.scheme.eq_ignore_ascii_case("https") {
            return Err(
                "Referer checking failed - Referer is insecure while host is secure.".into(),
            );
        }
        if self.hosts.iter().any(|h| is_same_domain(url.netloc, h)) {
            return Ok(());
        }
        let bad =
            || format!("Referer checking failed - {referer} does not match any trusted origins.");
        let good = match cookie_domain {
            Some(domain) => match host.and_then(port_of).filter(|p| *p != "443" && *p != "80") {
                Some(port) => format!("{domain}:{port}"),
                None => domain.to_owned(),
            },
            None => host.ok_or_else(bad)?.to_owned(),
        };
        if is_same_domain(url.netloc, &good) {
            Ok(())
        } else {
            Err(bad())
        }
    }
}

/// What Python's `urlparse` gives Django: a scheme and a non-empty network location.
struct Url<'a> {
    scheme: &'a str,
    netloc: &'a str,
}

impl<'a> Url<'a> {
    fn parse(text: &'a str) -> Result<Self, ()> {
        let (scheme, rest) = text.split_once("://").ok_or(())?;
        let scheme_ok = scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
        let netloc = rest.split(['/', '?', '#']).next().unwrap_or("");
        // `https://[` is "Invalid IPv6 URL" to Python.
        let brackets_ok = netloc.contains('[') == netloc.contains(']');
        if !scheme_ok || netloc.is_empty() || !brackets_ok {
            return Err(());
        }
        Ok(Url { scheme, netloc })
    }
}

/// Django's `is_same_domain`: `pattern` is the host itself, or `.domain` for the domain and
/// any of its subdomains. Case does not matter in host names.
fn is_same_domain(host: &str, pattern: &str) -> bool {
    let (host, pattern) = (host.to_ascii_lowercase(), pattern.to_ascii_lowercase());
    if pattern.is_empty() {
        return false;
    }
    match pattern.strip_prefix('.') {
        Some(domain) => host.ends_with(&pattern) || host == domain,
        None => host == pattern,
    }
}

/// The port in `host:port`, not counting an IPv6 literal's colons.
fn port_of(host: &str) -> Option<&str> {
    let (_, port) = host.rsplit_once(':')?;
    (!port.contains(']')).then_some(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusted(origins: &[&str]) -> TrustedOrigins {
        let mut t = TrustedOrigins::default();
        for o in origins {
            t.add(o).unwrap();
        }
        t
    }

    #[test]
    fn origins_as_django_verifies_them() {
        let none = trusted(&[]);
        let host = Some("www.example.com");
        assert!(none.origin_verified("http://www.example.com", false, host));
        assert!(none.origin_verified("https://www.example.com", true, host));
        // The scheme must be the request's.
        assert!(!none.origin_verified("http://www.example.com", true, host));
        assert!(!none.origin_verified("https://www.evil.org", true, host));
        assert!(!none.origin_verified("null", true, host));
        assert!(!none.origin_verified("https://www.example.com", true, None));
        let t = trusted(&["https://dashboard.example.com", "https://*.example.org"]);
        assert!(t.origin_verified("https://dashboard.example.com", true, host));
        assert!(!t.origin_verified("http://dashboard.example.com", false, host));
        assert!(t.origin_verified("https://foo.example.org", true, host));
        assert!(t.origin_verified("https://a.b.example.org", true, host));
        assert!(t.origin_verified("https://example.org", true, host));
        assert!(!t.origin_verified("http://foo.example.org", false, host));
        assert!(!t.origin_verified("https://foo.example.org.evil", true, host));
        assert!(!t.origin_verified("https://[", true, host));
    }

    #[test]
    fn referers_as_django_checks_them() {
        let none = trusted(&[]);
        let host = Some("www.example.com");
        let check = |t: &TrustedOrigins, r: Option<&str>, h, d| t.check_referer(r, h, d);
        assert!(check(&none, Some("https://www.example.com/somepage"), host, None).is_ok());
        assert_eq!(
            check(&none, None, host, None).unwrap_err(),
            "Referer checking failed - no Referer."
        );
        assert_eq!(
            check(&none, Some("https://www.evil.org/somepage"), host, None).unwrap_err(),
            "Referer checking failed - https://www.evil.org/somepage does not match any trusted origins."
        );
        assert_eq!(
            check(&none, Some("http://www.example.com/"), host, None).unwrap_err(),
            "Referer checking failed - Referer is insecure while host is secure."
        );
        assert_eq!(
            check(&none, Some("http://http://www.example.com/"), host, None).unwrap_err(),
            "Referer checking failed - Referer is insecure while host is secure."
        );
        for malformed in ["", "ØBöIß", "//example.com/", "https://", "https://["] {
            assert_eq!(
                check(&none, Some(malformed), host, None).unwrap_err(),
                "Referer checking failed - Referer is malformed.",
                "{malformed}"
            );
        }
        // A suffix that is not the host, and a host without its port.
        assert!(check(&none, Some("https://www.example.com.evil.org/"), host, None).is_err());
        assert!(
            check(
                &none,
                Some("https://www.example.com/"),
                Some("www.example.com:8443"),
                None
            )
            .is_err()
        );
        let t = trusted(&["https://dashboard.example.com", "https://*.example.org"]);
        assert!(check(&t, Some("https://dashboard.example.com"), host, None).is_ok());
        assert!(check(&t, Some("https://foo.example.org/x"), host, None).is_ok());
        // CSRF_COOKIE_DOMAIN widens the own host to the domain, on the request's port.
        let foo = Some("foo.example.com");
        assert!(
            check(
                &none,
                Some("https://foo.example.com/"),
                foo,
                Some(".example.com")
            )
            .is_ok()
        );
        let port = Some("foo.example.com:4443");
        assert!(
            check(
                &none,
                Some("https://foo.example.com:4443/"),
                port,
                Some(".example.com")
            )
            .is_ok()
        );
        assert!(
            check(
                &none,
                Some("https://foo.example.com/"),
                port,
                Some(".example.com")
            )
            .is_err()
        );
        assert!(
            check(
                &none,
                Some("https://www.evil.org/"),
                foo,
                Some(".example.com")
            )
            .is_err()
        );
    }

    #[test]
    fn a_trusted_origin_needs_a_scheme() {
        let mut t = TrustedOrigins::default();
        assert!(t.add("example.com").unwrap_err().contains("scheme"));
        assert!(t.add("://example.com").is_err());
        assert!(t.add("https://*.example.com").is_ok());
    }
}
