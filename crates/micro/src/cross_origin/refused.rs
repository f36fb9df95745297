//! Why a request was refused, worded for the developer who will read it in a 403 page or a log.

use std::fmt;

use http::StatusCode;

use crate::response::{IntoResponse, Response};

/// An unsafe request that [`CrossOriginProtection::check`](super::CrossOriginProtection::check)
/// refused, with what the browser said about it.
///
/// Its message says why and what to do. [`into_error`](Self::into_error) makes it the 403 the app
/// sends, which error handlers can take by status or by this type:
///
/// ```
/// use micro::{App, CrossOriginRefused, Html};
///
/// let mut app = App::new();
/// app.error_handler_for(|refused: &CrossOriginRefused, _req| {
///     Html(format!("<h1>Please submit the form from our own site</h1><!-- {refused} -->"))
/// });
/// ```
///
/// It is a `std::error::Error`, so `?` on it in a handler would give a 500 like any other error:
/// turn it into the 403 with `into_error` instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossOriginRefused {
    sec_fetch_site: Option<String>,
    origin: Option<String>,
    host: Option<String>,
    origin_is_valid: bool,
}

/// Header values are quoted in the message, which error pages show: keep an oversized one short.
const MAX_SHOWN: usize = 120;

impl CrossOriginRefused {
    pub(crate) fn new(
        sec_fetch_site: Option<&[u8]>,
        origin: Option<&[u8]>,
        host: Option<&str>,
        origin_is_valid: bool,
    ) -> Self {
        CrossOriginRefused {
            sec_fetch_site: sec_fetch_site.map(shown),
            origin: origin.map(shown),
            host: host.map(|h| shown(h.as_bytes())),
            origin_is_valid,
        }
    }

    /// The request's `Sec-Fetch-Site` (`cross-site`, `same-site`...), if it sent one.
    pub fn sec_fetch_site(&self) -> Option<&str> {
        self.sec_fetch_site.as_deref()
    }

    /// The request's `Origin`, if it sent one.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The 403 [`Error`](crate::Error) the app answers with: this message, and this value as its
    /// source for [`error_handler_for`](crate::App::error_handler_for).
    pub fn into_error(self) -> crate::Error {
        crate::Error::new(StatusCode::FORBIDDEN, self.to_string()).with_source(self)
    }
}

impl fmt::Display for CrossOriginRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cross-origin request refused: ")?;
        let fix_trust = "add it to TRUSTED_ORIGINS or exempt the route";
        let fix_exempt = "exempt the route if it must accept such requests";
        match (&self.sec_fetch_site, &self.origin) {
            (Some(site), Some(origin)) if self.origin_is_valid => write!(
                f,
                "Sec-Fetch-Site is {site} and the Origin {origin} is not trusted; {fix_trust}"
            ),
            (Some(site), Some(origin)) => write!(
                f,
                "Sec-Fetch-Site is {site} and the Origin {origin} is not an origin that can be trusted; {fix_exempt}"
            ),
            (Some(site), None) => write!(
                f,
                "Sec-Fetch-Site is {site} and the request has no Origin; {fix_exempt}"
            ),
            (None, Some(origin)) if self.origin_is_valid => {
                let host = self.host.as_deref().unwrap_or("(none)");
                write!(
                    f,
                    "the Origin {origin} does not match the Host {host} and is not trusted (the request has no Sec-Fetch-Site); {fix_trust}"
                )
            }
            (None, Some(origin)) => write!(
                f,
                "the Origin {origin} is not an origin that can match the Host or be trusted (the request has no Sec-Fetch-Site); {fix_exempt}"
            ),
            // `check` never refuses a request without either header.
            (None, None) => f.write_str("the request looks cross-origin"),
        }
    }
}

impl std::error::Error for CrossOriginRefused {}

impl IntoResponse for CrossOriginRefused {
    fn into_response(self) -> Response {
        self.into_error().into_response()
    }
}

/// A header value as text fit for a message: lossy, and cut after [`MAX_SHOWN`] characters.
fn shown(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    match text.char_indices().nth(MAX_SHOWN) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_says_why_and_what_to_do() {
        let refused = CrossOriginRefused::new(
            Some(b"cross-site"),
            Some(b"https://evil.example"),
            Some("app.example"),
            true,
        );
        assert_eq!(
            refused.to_string(),
            "cross-origin request refused: Sec-Fetch-Site is cross-site and the Origin https://evil.example is not trusted; add it to TRUSTED_ORIGINS or exempt the route"
        );
        let no_site = CrossOriginRefused::new(
            None,
            Some(b"https://evil.example"),
            Some("app.example"),
            true,
        );
        assert!(
            no_site
                .to_string()
                .contains("the Origin https://evil.example does not match the Host app.example"),
            "{no_site}"
        );
        let opaque = CrossOriginRefused::new(Some(b"cross-site"), Some(b"null"), None, false);
        assert!(!opaque.to_string().contains("TRUSTED_ORIGINS"), "{opaque}");
    }

    #[test]
    fn it_is_a_403_with_itself_as_source() {
        let err = CrossOriginRefused::new(Some(b"same-site"), None, None, false).into_error();
        assert_eq!(err.status(), 403);
        assert!(err.message().contains("Sec-Fetch-Site is same-site"));
        assert!(err.downcast_ref::<CrossOriginRefused>().is_some());
    }

    #[test]
    fn long_or_binary_values_are_shortened_for_the_message() {
        let long = "x".repeat(10_000);
        let refused = CrossOriginRefused::new(None, Some(long.as_bytes()), None, false);
        assert!(refused.to_string().len() < 500);
        assert_eq!(shown(b"\xffab"), "\u{fffd}ab");
    }
}
