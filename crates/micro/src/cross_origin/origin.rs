//! Origins as browsers send them in the `Origin` header: `scheme://host[:port]`, nothing more.

use std::fmt;

/// A trusted origin that is not of the form `scheme://host[:port]`, with the reason.
///
/// ```
/// let mut protection = micro::CrossOriginProtection::new();
/// let err = protection.add_trusted_origin("https://app.example.com/").unwrap_err();
/// assert_eq!(err.origin(), "https://app.example.com/");
/// assert!(err.to_string().contains("no path"), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidOrigin {
    origin: String,
    reason: &'static str,
}

impl InvalidOrigin {
    /// The value as it was given.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Why it is not an origin.
    pub fn reason(&self) -> &str {
        self.reason
    }
}

impl fmt::Display for InvalidOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a trusted origin: {}; write scheme://host[:port], as in https://app.example.com",
            self.origin, self.reason
        )
    }
}

impl std::error::Error for InvalidOrigin {}

/// A parsed origin.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Origin<'a> {
    pub(crate) scheme: &'a str,
    /// `host` or `host:port`, as written.
    pub(crate) authority: &'a str,
}

/// Splits `text` into scheme and authority, or says why it is not an origin.
pub(crate) fn parse(text: &str) -> Result<Origin<'_>, &'static str> {
    if text.is_empty() {
        return Err("it is empty");
    }
    if text.eq_ignore_ascii_case("null") {
        return Err(
            "`null` is the opaque origin of sandboxed and privacy-sensitive pages, which any site can send",
        );
    }
    if text.bytes().any(|b| !b.is_ascii_graphic()) {
        return Err("it contains spaces, control or non-ASCII characters");
    }
    let Some((scheme, authority)) = text.split_once("://") else {
        return Err("it has no scheme");
    };
    let mut scheme_chars = scheme.bytes();
    let scheme_ok = scheme_chars.next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme_chars.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !scheme_ok {
        return Err("the scheme is not valid");
    }
    if authority.contains(['/', '?', '#']) {
        return Err("an origin has no path, query or fragment, not even a trailing slash");
    }
    if authority.is_empty() {
        return Err("it has no host");
    }
    if authority.contains('@') {
        return Err("an origin has no user name or password");
    }
    let parsed: http::uri::Authority = authority.parse().map_err(|_| "the host is not valid")?;
    if parsed.host().is_empty() {
        return Err("it has no host");
    }
    let port_text = authority
        .strip_prefix(parsed.host())
        .and_then(|rest| rest.strip_prefix(':'));
    if let Some(port) = port_text
        && (port.is_empty() || port.parse::<u16>().is_err())
    {
        return Err("the port is not a number from 0 to 65535");
    }
    Ok(Origin { scheme, authority })
}

/// `text` validated and written the way browsers send it: lower case, without the default port
/// of `http` and `https`, so that comparing it with an `Origin` header needs no parsing.
///
/// `scheme://*.domain` (Django's wildcard in `CSRF_TRUSTED_ORIGINS`) stands for the domain and
/// all its subdomains; the rest of it must be an origin.
pub(crate) fn canonical(text: &str) -> Result<String, InvalidOrigin> {
    if let Some((scheme, domain)) = text.split_once("://*.") {
        let rest = canonical(&format!("{scheme}://{domain}")).map_err(|err| InvalidOrigin {
            origin: text.to_owned(),
            reason: err.reason,
        })?;
        return Ok(rest.replacen("://", "://*.", 1));
    }
    let invalid = |reason| InvalidOrigin {
        origin: text.to_owned(),
        reason,
    };
    let origin = parse(text).map_err(invalid)?;
    let scheme = origin.scheme.to_ascii_lowercase();
    let mut authority = origin.authority.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => Some(":80"),
        "https" => Some(":443"),
        _ => None,
    };
    if let Some(port) = default_port
        && authority.ends_with(port)
    {
        authority.truncate(authority.len() - port.len());
    }
    Ok(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_scheme_host_and_port() {
        assert_eq!(
            parse("https://example.com:8080"),
            Ok(Origin {
                scheme: "https",
                authority: "example.com:8080"
            })
        );
        assert_eq!(parse("http://[::1]:5000").unwrap().authority, "[::1]:5000");
        assert_eq!(
            parse("chrome-extension://abcdef").unwrap().scheme,
            "chrome-extension"
        );
    }

    #[test]
    fn refuses_what_is_not_an_origin() {
        for (text, why) in [
            ("", "empty"),
            ("null", "opaque"),
            ("example.com", "no scheme"),
            ("https://", "no host"),
            ("https://:8080", "no host"),
            ("https://example.com/", "no path"),
            ("https://example.com/path", "no path"),
            ("https://example.com?query=value", "no path"),
            ("https://example.com#fragment", "no path"),
            ("https://ex ample.com", "spaces"),
            ("https://user:pw@example.com", "user name"),
            ("https://example.com:", "port"),
            ("https://example.com:99999", "port"),
            ("https://example.com:http", "port"),
            ("1https://example.com", "scheme"),
            ("://example.com", "scheme"),
            ("https://exämple.com", "non-ASCII"),
        ] {
            let err = parse(text).expect_err(text);
            assert!(err.contains(why), "{text:?}: {err}");
        }
    }

    #[test]
    fn canonical_form_is_what_browsers_send() {
        assert_eq!(
            canonical("HTTPS://App.Example.com:443").unwrap(),
            "https://app.example.com"
        );
        assert_eq!(
            canonical("http://example.com:80").unwrap(),
            "http://example.com"
        );
        assert_eq!(
            canonical("http://example.com:8080").unwrap(),
            "http://example.com:8080"
        );
        assert_eq!(
            canonical("https://example.com:80").unwrap(),
            "https://example.com:80"
        );
        let err = canonical("https://example.com/").unwrap_err();
        assert_eq!(err.origin(), "https://example.com/");
        assert!(err.to_string().contains("https://example.com/"), "{err}");
    }
}
