//! The default rendering of an [`Error`]: JSON for clients that speak JSON, a small HTML page for
//! everyone else. Used when no error handler is registered for the error.

use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue};

use super::Response;
use super::escape;
use crate::{Body, Error};

/// Whether a client would rather read a JSON error than an HTML page: it sent JSON, or it accepts
/// `application/json` (or a `+json` type) without preferring HTML.
pub(crate) fn wants_json(headers: &HeaderMap) -> bool {
    let sent_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(crate::extract::is_json_content_type);
    if sent_json {
        return true;
    }
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut json_at = None;
    let mut html_at = None;
    for (i, part) in accept.split(',').enumerate() {
        let media = part.split(';').next().unwrap_or("").trim();
        if media == "application/json" || media.ends_with("+json") {
            json_at.get_or_insert(i);
        } else if media == "text/html" {
            html_at.get_or_insert(i);
        }
    }
    match (json_at, html_at) {
        (Some(json), Some(html)) => json < html,
        (Some(_), None) => true,
        _ => false,
    }
}

/// How the app renders errors no handler took.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Style {
    /// Show the hidden cause (debug mode).
    pub(crate) debug: bool,
    /// JSON for every client, not only those that ask (`App::json_errors`).
    pub(crate) always_json: bool,
}

/// Renders `err` without any user error handler. In debug mode the hidden cause is shown too,
/// so a developer sees what went wrong without reading the log.
pub(crate) fn render(err: &Error, headers: &HeaderMap, style: Style) -> Response {
    let cause = if style.debug {
        err.source().map(|s| s.to_string())
    } else {
        None
    };
    let mut res = if style.always_json || wants_json(headers) {
        json_body(err, cause.as_deref())
    } else {
        html_body(err, cause.as_deref())
    };
    *res.status_mut() = err.status();
    for (name, value) in err.headers() {
        res.headers_mut().append(name, value.clone());
    }
    res
}

fn json_body(err: &Error, cause: Option<&str>) -> Response {
    let mut body = serde_json::json!({
        "status": err.status().as_u16(),
        "error": err.title(),
        "message": err.message(),
    });
    if let Some(details) = err.details() {
        body["details"] = details.clone();
    }
    if let Some(cause) = cause {
        body["debug_cause"] = cause.into();
    }
    let mut res = Response::new(Body::from(body.to_string()));
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

fn html_body(err: &Error, cause: Option<&str>) -> Response {
    let title = format!("{} {}", err.status().as_u16(), err.title());
    let mut page = format!(
        "<!doctype html>\n<html lang=en>\n<title>{title}</title>\n<h1>{heading}</h1>\n<p>{message}</p>\n",
        title = escape(&title),
        heading = escape(err.title()),
        message = escape(err.message()),
    );
    if let Some(cause) = cause {
        page.push_str(&format!(
            "<h2>Cause (shown because DEBUG is on)</h2>\n<pre>{}</pre>\n",
            escape(cause)
        ));
    }
    let mut res = Response::new(Body::from(page));
    res.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    http::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn json_is_chosen_by_accept_or_content_type() {
        assert!(wants_json(&headers(&[("accept", "application/json")])));
        assert!(wants_json(&headers(&[(
            "content-type",
            "application/json"
        )])));
        assert!(wants_json(&headers(&[(
            "accept",
            "application/problem+json"
        )])));
        assert!(!wants_json(&headers(&[(
            "accept",
            "text/html,application/xhtml+xml,application/json;q=0.9"
        )])));
        assert!(!wants_json(&headers(&[("accept", "*/*")])));
        assert!(!wants_json(&HeaderMap::new()));
    }

    #[tokio::test]
    async fn html_page_escapes_the_message() {
        let err = Error::bad_request("<script>");
        let res = render(&err, &HeaderMap::new(), Style::default());
        assert_eq!(res.status(), 400);
        assert_eq!(res.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
        let body = res.into_body().collect_limited(4096).await.unwrap();
        let body = std::str::from_utf8(&body).unwrap();
        assert!(body.contains("<p>&lt;script&gt;</p>"), "{body}");
        assert!(!body.contains("<script>"), "{body}");
    }
}
