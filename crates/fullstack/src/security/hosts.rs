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
    hosts: micro::TrustedHosts,
}

/// What an empty `ALLOWED_HOSTS` means: the names of the machine the browser runs on, which
/// neither poison a link sent to someone else nor let a rebound DNS name in.
const LOCAL_HOSTS: [&str; 3] = [".localhost", "127.0.0.1", "[::1]"];

impl AllowedHosts {
    /// These patterns, matched as micro's [`TrustedHosts`](micro::TrustedHosts) matches them.
    pub fn new<S: AsRef<str>>(patterns: impl IntoIterator<Item = S>) -> Self {
        AllowedHosts {
            hosts: micro::TrustedHosts::new(patterns),
        }
    }

    /// `ALLOWED_HOSTS`; an empty list allows the local machine's names, `localhost` (and its
    /// subdomains), `127.0.0.1` and `[::1]` (Django does so in `DEBUG` only); under `TESTING`,
    /// `testserver` (the test client's host) is allowed too, as Django's test runner does.
    pub fn for_settings(settings: &Settings) -> Self {
        let mut hosts = AllowedHosts::new(&settings.allowed_hosts);
        if hosts.hosts.patterns().is_empty() {
            hosts = AllowedHosts::new(LOCAL_HOSTS);
        }
        if settings.web.testing {
            hosts.hosts.push("testserver");
        }
        hosts
    }

    /// Whether a request naming `host` is answered, by the rule of micro's
    /// [`TrustedHosts::admits`](micro::TrustedHosts::admits) (no host, or the in-process test
    /// client's, passes).
    pub fn admits(&self, host: Option<&str>, from_socket: bool) -> bool {
        self.hosts.admits(host, from_socket)
    }

    /// Whether a `Host` header's value is allowed; Django's message for it otherwise.
    ///
    /// # Errors
    /// The 400 page's message, naming the host.
    pub fn check(&self, host: &str) -> Result<(), String> {
        if self.hosts.allows(host) {
            return Ok(());
        }
        let mut message = format!("Invalid HTTP_HOST header: {}.", quoted(host));
        match micro::TrustedHosts::split(host) {
            Some((domain, _)) => message.push_str(&format!(
                " You may need to add {} to ALLOWED_HOSTS.",
                quoted(&domain.to_ascii_lowercase())
            )),
            None => message
                .push_str(" The domain name provided is not valid according to RFC 1034/1035."),
        }
        Err(message)
    }
}

/// Python's `%r` of a string, as Django's message shows the host.
fn quoted(text: &str) -> String {
    format!("'{}'", text.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Which hosts match is micro's `TrustedHosts`, tested there with Django's lists; these
    // are the message and the settings' defaults.

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
