//! What a DEBUG error page shows, gathered from the error and the request, secrets masked.

use crate::settings::{MASK, is_sensitive};

/// Headers whose values are credentials whatever the settings say.
const SECRET_HEADERS: &[&str] = &[
    "cookie",
    "set-cookie",
    "authorization",
    "proxy-authorization",
];

pub(super) struct Report {
    pub(super) status: u16,
    pub(super) title: &'static str,
    /// The error's message, then each source's, outermost first.
    pub(super) chain: Vec<String>,
    pub(super) method: String,
    pub(super) path: String,
    pub(super) query: Option<String>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) rule: Option<String>,
    pub(super) endpoint: Option<String>,
    pub(super) handler: Option<String>,
    pub(super) location: Option<String>,
    pub(super) rules: Vec<micro::routing::UrlRule>,
}

impl Report {
    pub(super) fn new(err: &micro::Error, req: &micro::Request) -> Report {
        // An internal error's message is the status's stock text: the causes say more.
        let stock = err.message() == micro::abort(err.status()).message();
        let mut chain = Vec::new();
        if !(stock && err.source().is_some()) {
            chain.push(err.message().to_owned());
        }
        let mut source = err
            .source()
            .map(|s| s as &(dyn std::error::Error + 'static));
        while let Some(s) = source {
            let text = s.to_string();
            // micro's internal errors carry their cause as the message too.
            if chain.last() != Some(&text) {
                chain.push(text);
            }
            source = s.source();
        }
        let headers = req
            .headers()
            .iter()
            .map(|(name, value)| {
                let name = name.as_str().to_owned();
                let value = if SECRET_HEADERS.contains(&name.as_str()) || is_sensitive(&name) {
                    MASK.to_owned()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name, value)
            })
            .collect();
        let handler = req.handler();
        Report {
            status: err.status().as_u16(),
            title: err.title(),
            chain,
            method: req.method().to_string(),
            path: req.path().to_owned(),
            query: req.query_string().map(str::to_owned),
            headers,
            rule: req.rule().map(str::to_owned),
            endpoint: req.endpoint().map(str::to_owned),
            handler: handler.map(|h| h.name.to_owned()),
            location: handler.map(|h| h.location.to_string()),
            rules: req.url_rules(),
        }
    }

    pub(super) fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": self.title,
            "status": self.status,
            "chain": self.chain,
            "request": {
                "method": self.method,
                "path": self.path,
                "query": self.query,
                "headers": self.headers.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>(),
            },
            "rule": self.rule,
            "endpoint": self.endpoint,
            "handler": self.handler,
            "location": self.location,
        })
    }
}
