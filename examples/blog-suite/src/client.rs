//! A browser, as far as the suite needs one: HTTP/1.1 over a real socket, a cookie jar, an
//! `Origin` on each POST as browsers send; redirects are not followed (the suite checks them).

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// The longest one request may take: a blog that hangs fails the check, not the run.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A response read to the end.
#[derive(Debug, Clone)]
pub struct Page {
    /// Its status.
    pub status: StatusCode,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body, as text (lossy UTF-8).
    pub text: String,
    /// The site it came from, as the browser was pointed at it (`http://127.0.0.1:8000`).
    pub site: String,
}

impl Page {
    /// The header `name`, if it is there and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether it is a redirect (302 or 303) whose `Location` has the path `path`.
    pub fn redirects_to(&self, path: &str) -> bool {
        matches!(self.status.as_u16(), 302 | 303) && self.location_path().as_deref() == Some(path)
    }

    /// The path of the `Location` header when it leads to this site: a path, or an absolute
    /// URL naming this site. Anything else (another host, `javascript:`, what does not parse
    /// as a URL) is `None`.
    pub fn location_path(&self) -> Option<String> {
        let to = self.header("location")?;
        let uri: http::Uri = to.parse().ok()?;
        let site: http::Uri = self.site.parse().ok()?;
        // `//host/...` and `/\\host/...` parse as paths, but browsers go to `host`.
        let relative = uri.scheme().is_none()
            && uri.authority().is_none()
            && !to.starts_with("//")
            && !to.starts_with("/\\");
        let here = relative || uri.scheme() == site.scheme() && uri.authority() == site.authority();
        here.then(|| uri.path().to_owned())
    }

    /// The value of the query parameter `key` in `Location`, decoded.
    pub fn location_param(&self, key: &str) -> Option<String> {
        let to = self.header("location")?;
        let query = to.split_once('?')?.1;
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// A cookie the site set.
#[derive(Debug, Clone)]
pub struct Cookie {
    /// Its value.
    pub value: String,
    /// Whether it was `HttpOnly`.
    pub http_only: bool,
}

/// One visitor: its own cookies.
pub struct Browser {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
    cookies: BTreeMap<String, Cookie>,
}

impl Browser {
    /// A visitor of the site at `base` (`http://127.0.0.1:8000`), with no cookies.
    pub fn new(base: &str) -> Browser {
        Browser {
            base: base.trim_end_matches('/').to_owned(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            cookies: BTreeMap::new(),
        }
    }

    /// The cookies it holds.
    pub fn cookies(&self) -> &BTreeMap<String, Cookie> {
        &self.cookies
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Result<Page, String> {
        self.send(Method::GET, path, None, None).await
    }

    /// `GET path` at this site's address with another `Host` header, as a request a
    /// poisoned DNS entry or a forged header sends.
    pub async fn get_with_host(&mut self, path: &str, host: &str) -> Result<Page, String> {
        self.send(Method::GET, path, None, Some(host)).await
    }

    /// `POST path` with `fields` form-encoded.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Result<Page, String> {
        let body = serde_urlencoded::to_string(fields).map_err(|e| e.to_string())?;
        self.send(Method::POST, path, Some(body), None).await
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        form: Option<String>,
        host: Option<&str>,
    ) -> Result<Page, String> {
        let url = format!("{}{path}", self.base);
        let mut req = Request::builder().method(method.clone()).uri(&url);
        if let Some(host) = host {
            req = req.header(header::HOST, host);
        }
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, c)| format!("{k}={}", c.value))
                .collect();
            req = req.header(header::COOKIE, jar.join("; "));
        }
        if form.is_some() {
            req = req
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, &self.base);
        }
        let req = req
            .body(Full::new(Bytes::from(form.unwrap_or_default())))
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let res = tokio::time::timeout(TIMEOUT, self.client.request(req))
            .await
            .map_err(|_| format!("{method} {path}: no answer within {TIMEOUT:?}"))?
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let (parts, body) = res.into_parts();
        let bytes = tokio::time::timeout(TIMEOUT, body.collect())
            .await
            .map_err(|_| format!("{method} {path}: the body did not end within {TIMEOUT:?}"))?
            .map_err(|e| format!("{method} {path}: {e}"))?
            .to_bytes();
        for set in parts.headers.get_all(header::SET_COOKIE) {
            if let Ok(set) = set.to_str() {
                self.keep(set);
            }
        }
        Ok(Page {
            status: parts.status,
            headers: parts.headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            site: self.base.clone(),
        })
    }

    /// Stores a `Set-Cookie`, or forgets the cookie when it is expired at once.
    fn keep(&mut self, set: &str) {
        let mut parts = set.split(';').map(str::trim);
        let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
            return;
        };
        let mut http_only = false;
        let mut expired = false;
        for attr in parts {
            let lower = attr.to_ascii_lowercase();
            if lower == "httponly" {
                http_only = true;
            } else if lower == "max-age=0" || lower.starts_with("max-age=-") {
                expired = true;
            } else if let Some(date) = lower.strip_prefix("expires=") {
                expired |= date.contains("1970");
            }
        }
        if expired || value.is_empty() {
            self.cookies.remove(name);
        } else {
            self.cookies.insert(
                name.to_owned(),
                Cookie {
                    value: value.trim_matches('"').to_owned(),
                    http_only,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect(location: &str) -> Page {
        let mut headers = HeaderMap::new();
        headers.insert(header::LOCATION, location.parse().unwrap());
        Page {
            status: StatusCode::FOUND,
            headers,
            text: String::new(),
            site: "http://127.0.0.1:8000".to_owned(),
        }
    }

    #[test]
    fn a_location_elsewhere_has_no_path_here() {
        for (location, path) in [
            ("/", Some("/")),
            ("/posts/new/?x=1", Some("/posts/new/")),
            ("http://127.0.0.1:8000/posts/", Some("/posts/")),
            ("https://evil.com", None),
            ("http://localhost@evil.com/", None),
            ("http://127.0.0.1:8001/", None),
            ("//evil.com", None),
            ("/\\evil.com", None),
            ("javascript:alert(1)", None),
        ] {
            assert_eq!(
                redirect(location).location_path().as_deref(),
                path,
                "{location}"
            );
        }
    }
}
