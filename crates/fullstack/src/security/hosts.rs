//! `ALLOWED_HOSTS`, checked as Django checks it: a host poisoned into the `Host` header would
//! otherwise end up in password-reset links, redirects and cache keys.

use crate::Settings;

/// The host names a site answers to: exact names (`example.com`), a name with all its
/// subdomains (`.example.com`), or anything (`*`); case-insensitive, port ignored.
///
/// ```
/// use fullstack::security::AllowedHosts;
///
/// let hosts = AllowedHosts::new([".example.com", "[::1]"]);
/// assert!(hosts.check("www.example.com:8000").is_ok());
/// assert!(hosts.check("EXAMPLE.com").is_ok());
/// assert!(hosts.check("[::1]:80").is_ok());
/// assert_eq!(
///     hosts.check("evil.tld").unwrap_err(),
///     "Invalid HTTP_HOST header: 'evil.tld'. You may need to add 'evil.tld' to ALLOWED_HOSTS."
/// );
/// ```
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    patterns: Vec<String>,
}

/// What an empty `ALLOWED_HOSTS` means: the names of the machine the browser runs on, which
/// neither poison a link sent to someone else nor let a rebound DNS name in.
const LOCAL_HOSTS: [&str; 3] = [".localhost", "127.0.0.1", "[::1]"];

impl AllowedHosts {
    /// These patterns.
    pub fn new<S: AsRef<str>>(patterns: impl IntoIterator<Item = S>) -> Self {
        AllowedHosts {
            patterns: patterns
                .into_iter()
                .map(|p| p.as_ref().trim().to_ascii_lowercase())
                .filter(|p| !p.is_empty())
                .collect(),
        }
    }

    /// `ALLOWED_HOSTS`; an empty list allows the local machine's names, `localhost` (and its
    /// subdomains), `127.0.0.1` and `[::1]` (Django does so in `DEBUG` only); under `TESTING`,
    /// `testserver` (the test client's host) is allowed too, as Django's test runner does.
    pub fn for_settings(settings: &Settings) -> Self {
        let mut hosts = AllowedHosts::new(&settings.allowed_hosts);
        if hosts.patterns.is_empty() {
            hosts = AllowedHosts::new(LOCAL_HOSTS);
        }
        if settings.web.testing {
            hosts.patterns.push("testserver".into());
        }
        hosts
    }

    /// Whether a `Host` header's value is allowed; Django's message for it otherwise.
    ///
    /// # Errors
    /// The 400 page's message, naming the host.
    pub fn check(&self, host: &str) -> Result<(), String> {
        // Every request comes here: the allowed case borrows and compares without case, and
        // only the refusal lowercases and allocates.
        if let Some((domain, _)) = split_domain_port_raw(host)
            && self.allows(domain)
        {
            return Ok(());
        }
        let domain = split_domain_port(host).map(|(domain, _)| domain);
        let mut message = format!("Invalid HTTP_HOST header: {}.", quoted(host));
        match domain {
            Some(domain) => message.push_str(&format!(
                " You may need to add {} to ALLOWED_HOSTS.",
                quoted(&domain)
            )),
            None => message
                .push_str(" The domain name provided is not valid according to RFC 1034/1035."),
        }
        Err(message)
    }

    /// Whether `domain` (in any case; the patterns are lowercase) matches a pattern.
    fn allows(&self, domain: &str) -> bool {
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
}

/// Python's `%r` of a string, as Django's message shows the host.
fn quoted(text: &str) -> String {
    format!("'{}'", text.escape_debug())
}

/// The lowercased domain (without a trailing dot) and port of a host, if it is a host name, an
/// IPv4 address or a bracketed IPv6 address, with an optional numeric port: Django's
/// `split_domain_port`, which refuses `example.com@evil.tld` and `example.com:80/badpath`.
fn split_domain_port(host: &str) -> Option<(String, String)> {
    split_domain_port_raw(host).map(|(domain, port)| (domain.to_ascii_lowercase(), port.to_owned()))
}

/// [`split_domain_port`] without lowercasing: slices of `host`.
fn split_domain_port_raw(host: &str) -> Option<(&str, &str)> {
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
    pub(crate) const POISONED: [&str; 6] = [
        "example.com@evil.tld",
        "example.com:dr.frankenstein@evil.tld",
        "example.com:dr.frankenstein@evil.tld:80",
        "example.com:80/badpath",
        "example.com: recovermypassword.com",
        "other.com",
    ];

    #[test]
    fn djangos_legit_hosts_pass_and_poisoned_ones_do_not() {
        let hosts = AllowedHosts::new(ALLOWED);
        for host in LEGIT {
            assert_eq!(hosts.check(host), Ok(()), "{host}");
        }
        for host in POISONED {
            assert!(hosts.check(host).is_err(), "{host}");
        }
        let star = AllowedHosts::new(["*"]);
        for host in LEGIT {
            assert_eq!(star.check(host), Ok(()), "{host}");
        }
        for host in &POISONED[..5] {
            assert!(star.check(host).is_err(), "`*` still refuses {host}");
        }
    }

    #[test]
    fn the_message_names_the_host_as_django_does() {
        let hosts = AllowedHosts::new(["example.com"]);
        assert_eq!(
            hosts.check("evil.tld:8000").unwrap_err(),
            "Invalid HTTP_HOST header: 'evil.tld:8000'. You may need to add 'evil.tld' to ALLOWED_HOSTS."
        );
        assert_eq!(
            hosts.check("example.com@evil.tld").unwrap_err(),
            "Invalid HTTP_HOST header: 'example.com@evil.tld'. The domain name provided is not valid according to RFC 1034/1035."
        );
        assert!(hosts.check("").is_err());
    }

    #[test]
    fn subdomain_patterns_do_not_match_lookalikes() {
        let hosts = AllowedHosts::new([".example.com"]);
        assert!(hosts.check("a.b.example.com").is_ok());
        assert!(hosts.check("notexample.com").is_err());
        assert!(hosts.check("example.com.evil.tld").is_err());
        // Case does not matter on either side, and the message shows the domain lowercased.
        assert!(hosts.check("A.B.Example.COM:8000").is_ok());
        assert!(hosts.check("EXAMPLE.com").is_ok());
        assert!(hosts.check("NotExample.COM").is_err());
        assert!(
            hosts
                .check("Evil.TLD")
                .unwrap_err()
                .ends_with("You may need to add 'evil.tld' to ALLOWED_HOSTS.")
        );
    }

    #[test]
    fn no_hosts_allows_the_local_ones_only() {
        let mut settings = Settings::default();
        let hosts = AllowedHosts::for_settings(&settings);
        for host in [
            "localhost",
            "localhost:8000",
            "app.localhost",
            "127.0.0.1:8000",
            "[::1]:8000",
        ] {
            assert!(hosts.check(host).is_ok(), "{host}");
        }
        assert!(hosts.check("example.com").is_err());
        assert!(hosts.check("testserver").is_err());
        settings.allowed_hosts = vec!["example.com".into()];
        assert!(
            AllowedHosts::for_settings(&settings)
                .check("localhost")
                .is_err()
        );
        settings.web.testing = true;
        assert!(
            AllowedHosts::for_settings(&settings)
                .check("testserver")
                .is_ok()
        );
    }
}
