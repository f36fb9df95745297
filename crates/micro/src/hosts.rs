//! `TRUSTED_HOSTS` (Flask 3.1's setting, Django's `ALLOWED_HOSTS`): the host names an app
//! answers to. A `Host` header an attacker chose would otherwise end up in every absolute URL
//! the app builds from it (a feed's links, a password-reset mail, a redirect) and in cache keys.

/// The host names an app answers to: exact names (`example.com`), a name with all its
/// subdomains (`.example.com`), or anything (`*`); compared without case, the port ignored. A
/// value that is not a host name, an IPv4 address or a bracketed IPv6 address with an optional
/// numeric port (`example.com@evil.tld`, `example.com:80/path`) matches nothing, `*` included.
///
/// ```
/// use micro::TrustedHosts;
///
/// let hosts = TrustedHosts::new([".example.com", "[::1]"]);
/// assert!(hosts.allows("www.example.com:8000"));
/// assert!(hosts.allows("EXAMPLE.com"));
/// assert!(hosts.allows("[::1]:80"));
/// assert!(!hosts.allows("evil.tld"));
/// assert!(!hosts.allows("example.com@evil.tld"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedHosts {
    patterns: Vec<String>,
}

impl TrustedHosts {
    /// These patterns (blank ones dropped).
    pub fn new<S: AsRef<str>>(patterns: impl IntoIterator<Item = S>) -> Self {
        TrustedHosts {
            patterns: patterns
                .into_iter()
                .map(|p| p.as_ref().trim().to_ascii_lowercase())
                .filter(|p| !p.is_empty())
                .collect(),
        }
    }

    /// The patterns, lowercased.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Adds a pattern.
    pub fn push(&mut self, pattern: &str) {
        self.patterns.push(pattern.trim().to_ascii_lowercase());
    }

    /// Whether the value of a `Host` header (with its port or not) names one of these hosts.
    pub fn allows(&self, host: &str) -> bool {
        // Every request comes here: compared without case, and nothing allocated.
        TrustedHosts::split(host).is_some_and(|(domain, _)| self.allows_domain(domain))
    }

    /// Whether a request naming `host` (its `Host`, `None` when it has none) is answered: a
    /// request with no host names nothing to poison, and the in-process
    /// [`TestClient`](crate::TestClient)'s [`TEST_HOST`](crate::TEST_HOST) passes when the
    /// request came from no socket (`from_socket` false); any other host must be allowed.
    pub fn admits(&self, host: Option<&str>, from_socket: bool) -> bool {
        host.is_none_or(|host| {
            self.allows(host) || !from_socket && host.eq_ignore_ascii_case(crate::TEST_HOST)
        })
    }

    fn allows_domain(&self, domain: &str) -> bool {
        let ends_with = |suffix: &str| {
            domain.len() >= suffix.len()
                && domain.as_bytes()[domain.len() - suffix.len()..]
                    .eq_ignore_ascii_case(suffix.as_bytes())
        };
        self.patterns.iter().any(|pattern| {
            pattern == "*"
                || pattern.eq_ignore_ascii_case(domain)
                || pattern.strip_prefix('.').is_some_and(|parent| {
                    parent.eq_ignore_ascii_case(domain) || ends_with(pattern.as_str())
                })
        })
    }

    /// The domain (without a trailing dot, case kept) and port (empty when there is none) of a
    /// `Host` value, if it is a host name, an IPv4 address or a bracketed IPv6 address with an
    /// optional numeric port: Django's `split_domain_port`, which refuses
    /// `example.com@evil.tld` and `example.com:80/badpath`.
    ///
    /// ```
    /// use micro::TrustedHosts;
    ///
    /// assert_eq!(TrustedHosts::split("Example.com.:8000"), Some(("Example.com", "8000")));
    /// assert_eq!(TrustedHosts::split("[::1]"), Some(("[::1]", "")));
    /// assert_eq!(TrustedHosts::split("example.com@evil.tld"), None);
    /// ```
    pub fn split(host: &str) -> Option<(&str, &str)> {
        let (domain, rest) = if host.starts_with('[') {
            let end = host.find(']')?;
            let inside = &host[1..end];
            let (first, after) = inside.split_once(':')?;
            let valid = first.bytes().all(|b| b.is_ascii_hexdigit())
                && !after.is_empty()
                && after
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
            if !valid {
                return None;
            }
            (&host[..=end], &host[end + 1..])
        } else {
            let end = host.find(':').unwrap_or(host.len());
            let domain = &host[..end];
            let valid = !domain.is_empty()
                && domain
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
            if !valid {
                return None;
            }
            (domain, &host[end..])
        };
        let port = match rest.strip_prefix(':') {
            None if rest.is_empty() => "",
            Some(port) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => port,
            _ => return None,
        };
        let domain = domain.strip_suffix('.').unwrap_or(domain);
        Some((domain, port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Django's `HostValidationTests.test_http_get_host` lists.
    const ALLOWED: [&str; 9] = [
        "forward.com",
        "example.com",
        "internal.com",
        "12.34.56.78",
        "[2001:19f0:feee::dead:beef:cafe]",
        "xn--4ca9at.com",
        ".multitenant.com",
        "INSENSITIVE.com",
        "[::ffff:169.254.169.254]",
    ];
    const LEGIT: [&str; 13] = [
        "example.com",
        "example.com:80",
        "12.34.56.78",
        "12.34.56.78:443",
        "[2001:19f0:feee::dead:beef:cafe]",
        "[2001:19f0:feee::dead:beef:cafe]:8080",
        "xn--4ca9at.com",
        "anything.multitenant.com",
        "multitenant.com",
        "insensitive.com",
        "example.com.",
        "example.com.:80",
        "[::ffff:169.254.169.254]",
    ];
    const POISONED: [&str; 6] = [
        "example.com@evil.tld",
        "example.com:dr.frankenstein@evil.tld",
        "example.com:dr.frankenstein@evil.tld:80",
        "example.com:80/badpath",
        "example.com: recovermypassword.com",
        "other.com",
    ];

    #[test]
    fn djangos_legit_hosts_pass_and_poisoned_ones_do_not() {
        let hosts = TrustedHosts::new(ALLOWED);
        for host in LEGIT {
            assert!(hosts.allows(host), "{host}");
        }
        for host in POISONED {
            assert!(!hosts.allows(host), "{host}");
        }
        let star = TrustedHosts::new(["*"]);
        for host in LEGIT {
            assert!(star.allows(host), "{host}");
        }
        for host in &POISONED[..5] {
            assert!(!star.allows(host), "`*` still refuses {host}");
        }
        assert!(!hosts.allows(""));
    }

    #[test]
    fn subdomain_patterns_do_not_match_lookalikes() {
        let hosts = TrustedHosts::new([".example.com"]);
        assert!(hosts.allows("a.b.example.com"));
        assert!(!hosts.allows("notexample.com"));
        assert!(!hosts.allows("example.com.evil.tld"));
        assert!(hosts.allows("A.B.Example.COM:8000"));
        assert!(hosts.allows("EXAMPLE.com"));
        assert!(!hosts.allows("NotExample.COM"));
    }
}
