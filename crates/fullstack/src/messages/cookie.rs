//! The `messages` cookie: the messages as JSON, signed with the project's secret so a visitor
//! cannot forge one (a message is shown as the site's own words).

use cookie::{Cookie, SameSite};
use http::HeaderValue;
use http::header::{COOKIE, SET_COOKIE};
use serde::{Deserialize, Serialize};

use super::Message;
use super::config::{COOKIE_NAME, Config, MAX_COOKIE_SIZE};

/// What the cookie holds.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct CookieData {
    #[serde(rename = "m")]
    pub(super) messages: Vec<Message>,
    /// More wait in the session (fallback storage): Django's "not finished" sentinel.
    #[serde(rename = "s", default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) more: bool,
}

/// The request's `messages` cookie: `None` without one; an empty [`CookieData`] when it is
/// tampered with, signed for something else or malformed (no messages, never an error).
pub(super) fn read(headers: &http::HeaderMap, signer: &micro::Signer) -> Option<CookieData> {
    let value = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE_NAME)?
        .value()
        .to_owned();
    let data = signer
        .verify(&value)
        .ok()
        .and_then(|verified| serde_json::from_slice(&verified.payload).ok());
    if data.is_none() {
        tracing::debug!(target: "fullstack::messages", "the messages cookie does not verify: ignored");
    }
    Some(data.unwrap_or_default())
}

fn encode(signer: &micro::Signer, data: &CookieData) -> String {
    // Serializing plain strings and numbers cannot fail.
    signer.sign(&serde_json::to_vec(data).unwrap_or_default())
}

/// The cookie's value holding as many of `messages` as fit, and how many it holds. With
/// `keep_first` the first ones are kept and the cookie says more follow (fallback storage,
/// the rest go to the session); without, the oldest are dropped (cookie storage).
pub(super) fn fit(
    signer: &micro::Signer,
    messages: &[Message],
    keep_first: bool,
) -> (String, usize) {
    let mut count = messages.len();
    loop {
        let kept = if keep_first {
            &messages[..count]
        } else {
            &messages[messages.len() - count..]
        };
        let data = CookieData {
            messages: kept.to_vec(),
            more: keep_first && count < messages.len(),
        };
        let value = encode(signer, &data);
        if value.len() <= MAX_COOKIE_SIZE || count == 0 {
            return (value, count);
        }
        count -= 1;
    }
}

/// Sets the cookie to `value`, or deletes it when `None`.
pub(super) fn set(response: &mut micro::Response, config: &Config, value: Option<String>) {
    let deleting = value.is_none();
    let mut cookie = Cookie::build((COOKIE_NAME, value.unwrap_or_default()))
        .path("/")
        .http_only(config.cookie_http_only)
        .secure(config.cookie_secure)
        .same_site(match config.cookie_same_site {
            micro::SameSite::Lax => SameSite::Lax,
            micro::SameSite::Strict => SameSite::Strict,
            micro::SameSite::None => SameSite::None,
        })
        .build();
    if let Some(domain) = &config.cookie_domain {
        cookie.set_domain(domain.clone());
    }
    // A browser-session cookie, as Django's: messages are for the next page, not next week.
    if deleting {
        cookie.set_max_age(cookie::time::Duration::ZERO);
    }
    if let Ok(header) = HeaderValue::from_str(&cookie.encoded().to_string()) {
        response.headers_mut().append(SET_COOKIE, header);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::Level;

    fn signer() -> micro::Signer {
        micro::Signer::new(["secret"], "fullstack.messages")
    }

    fn message(text: &str) -> Message {
        Message {
            level: Level::INFO,
            message: text.into(),
            extra_tags: String::new(),
        }
    }

    fn headers(cookie: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_str(cookie).unwrap());
        h
    }

    #[test]
    fn a_signed_cookie_reads_back() {
        let (value, n) = fit(&signer(), &[message("a"), message("b")], true);
        assert_eq!(n, 2);
        let data = read(&headers(&format!("x=1; messages={value}")), &signer()).unwrap();
        assert_eq!(data.messages, [message("a"), message("b")]);
        assert!(!data.more);
    }

    #[test]
    fn tampered_foreign_or_garbage_cookies_hold_no_messages() {
        let (value, _) = fit(&signer(), &[message("a")], true);
        let other = micro::Signer::new(["secret"], "another.use");
        let foreign = other.sign(br#"{"m":[[40,"forged",""]]}"#);
        let mut tampered = value.clone();
        tampered.replace_range(0..2, "AA");
        for bad in [tampered.as_str(), foreign.as_str(), "garbage", "", "a.b.c"] {
            let data = read(&headers(&format!("messages={bad}")), &signer());
            assert_eq!(data, Some(CookieData::default()), "{bad}");
        }
        assert_eq!(read(&headers("other=1"), &signer()), None);
    }

    #[test]
    fn too_many_messages_are_cut_to_fit() {
        let many: Vec<Message> = (0..100)
            .map(|i| message(&format!("message {i:03} ...........")))
            .collect();
        let (value, n) = fit(&signer(), &many, true);
        assert!(value.len() <= MAX_COOKIE_SIZE && n > 0 && n < 100, "{n}");
        let data = read(&headers(&format!("messages={value}")), &signer()).unwrap();
        assert!(data.more);
        assert_eq!(data.messages[0], many[0], "fallback keeps the first");

        let (value, n) = fit(&signer(), &many, false);
        let data = read(&headers(&format!("messages={value}")), &signer()).unwrap();
        assert!(!data.more);
        assert_eq!(
            data.messages.last(),
            many.last(),
            "cookie storage keeps the newest"
        );
        assert_eq!(data.messages.len(), n);
    }
}
