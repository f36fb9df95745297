use super::FromRequest;
use crate::{Error, Request};

/// The cookies the client sent, percent-decoded.
///
/// ```
/// use micro::Cookies;
///
/// async fn theme(cookies: Cookies) -> String {
///     cookies.get("theme").unwrap_or("light").to_owned()
/// }
/// ```
///
/// Setting cookies is a response matter: add a `Set-Cookie` header, for example with
/// [`cookie::Cookie`](https://docs.rs/cookie) and `(
/// [(SET_COOKIE, cookie.to_string())], body)`.
#[derive(Debug, Clone, Default)]
pub struct Cookies {
    pairs: Vec<(String, String)>,
}

impl Cookies {
    /// Parses every `Cookie` header; malformed pairs are skipped, as browsers do.
    pub fn from_headers(headers: &http::HeaderMap) -> Self {
        let mut pairs = Vec::new();
        for header in headers.get_all(http::header::COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            for cookie in cookie::Cookie::split_parse_encoded(text).flatten() {
                pairs.push((cookie.name().to_owned(), cookie.value().to_owned()));
            }
        }
        Cookies { pairs }
    }

    /// The value of the first cookie named `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// All cookies as `(name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

impl FromRequest for Cookies {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        Ok(Cookies::from_headers(req.headers()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_decodes_and_skips_garbage() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            "a=1; b=hello%20world; ;junk; c=3".parse().unwrap(),
        );
        let cookies = Cookies::from_headers(&headers);
        assert_eq!(cookies.get("a"), Some("1"));
        assert_eq!(cookies.get("b"), Some("hello world"));
        assert_eq!(cookies.get("c"), Some("3"));
        assert_eq!(cookies.get("junk"), None);
    }
}
