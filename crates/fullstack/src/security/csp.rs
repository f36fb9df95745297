//! Content-Security-Policy (Django 6.0's `ContentSecurityPolicyMiddleware`): the policies of
//! `SECURE_CSP` and `SECURE_CSP_REPORT_ONLY`, with a fresh nonce per request where a directive
//! lists `"nonce"`.

use std::collections::BTreeMap;

use base64::Engine as _;
use micro::http::{HeaderName, HeaderValue};
use micro::{FromRequest, HeaderMap, Request};

/// The source that stands for this request's nonce in a directive's list:
/// `script-src = ["'self'", "nonce"]` sends `script-src 'self' 'nonce-…'`.
pub const NONCE: &str = "nonce";

/// This request's CSP nonce, for `<script nonce="{{ csp_nonce }}">` (templates see it as
/// `csp_nonce`); a handler can take it as an extractor. Empty when no policy uses a nonce.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CspNonce(pub String);

impl FromRequest for CspNonce {
    type Rejection = micro::Error;

    async fn from_request(req: &mut Request) -> Result<Self, micro::Error> {
        Ok(req
            .extensions()
            .get::<CspNonce>()
            .cloned()
            .unwrap_or_default())
    }
}

/// One policy, made into a header value per request.
pub(super) struct Policy {
    name: HeaderName,
    directives: Vec<(String, Vec<String>)>,
}

impl Policy {
    pub(super) fn new(
        name: &'static str,
        directives: &BTreeMap<String, Vec<String>>,
    ) -> Option<Self> {
        (!directives.is_empty()).then(|| Policy {
            name: HeaderName::from_static(name),
            directives: directives
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }

    pub(super) fn uses_nonce(&self) -> bool {
        self.directives
            .iter()
            .any(|(_, sources)| sources.iter().any(|s| s == NONCE))
    }

    /// Adds the header unless the handler set one itself.
    pub(super) fn apply(&self, headers: &mut HeaderMap, nonce: Option<&CspNonce>) {
        if headers.contains_key(&self.name) {
            return;
        }
        let value: Vec<String> = self
            .directives
            .iter()
            .map(|(directive, sources)| {
                let sources: Vec<String> = sources
                    .iter()
                    .filter_map(|s| match (s.as_str(), nonce) {
                        (NONCE, Some(n)) => Some(format!("'nonce-{}'", n.0)),
                        (NONCE, None) => None,
                        _ => Some(s.clone()),
                    })
                    .collect();
                if sources.is_empty() {
                    directive.clone()
                } else {
                    format!("{directive} {}", sources.join(" "))
                }
            })
            .collect();
        match HeaderValue::from_str(&value.join("; ")) {
            Ok(value) => {
                headers.insert(self.name.clone(), value);
            }
            Err(_) => {
                tracing::warn!(target: "fullstack::security", "{} is not a header value: not sent", self.name)
            }
        }
    }
}

/// 128 random bits, base64: a nonce no page can guess.
pub(super) fn fresh_nonce() -> CspNonce {
    let bytes = uuid::Uuid::new_v4().into_bytes();
    CspNonce(base64::engine::general_purpose::STANDARD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_with_a_nonce_and_a_header_already_set() {
        let mut directives = BTreeMap::new();
        directives.insert("default-src".to_owned(), vec!["'self'".to_owned()]);
        directives.insert(
            "script-src".to_owned(),
            vec!["'self'".to_owned(), NONCE.to_owned()],
        );
        directives.insert("upgrade-insecure-requests".to_owned(), vec![]);
        let policy = Policy::new("content-security-policy", &directives).unwrap();
        assert!(policy.uses_nonce());
        let mut headers = HeaderMap::new();
        policy.apply(&mut headers, Some(&CspNonce("abc".into())));
        assert_eq!(
            headers["content-security-policy"],
            "default-src 'self'; script-src 'self' 'nonce-abc'; upgrade-insecure-requests"
        );
        let mut set = HeaderMap::new();
        set.insert(
            "content-security-policy",
            HeaderValue::from_static("default-src *"),
        );
        policy.apply(&mut set, Some(&CspNonce("abc".into())));
        assert_eq!(set["content-security-policy"], "default-src *");
        assert!(Policy::new("content-security-policy", &BTreeMap::new()).is_none());
        assert_ne!(fresh_nonce(), fresh_nonce());
    }
}
