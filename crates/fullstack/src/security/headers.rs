//! Django's `SecurityMiddleware` headers: added to every response unless the handler set them.

use micro::HeaderMap;
use micro::http::{HeaderName, HeaderValue, header};

use crate::Settings;

/// The headers the settings ask for, made once.
pub(super) struct SecurityHeaders {
    always: Vec<(HeaderName, HeaderValue)>,
    /// `Strict-Transport-Security`, on HTTPS responses only: browsers ignore it over HTTP, and
    /// a man in the middle could forge it there.
    hsts: Option<HeaderValue>,
}

impl SecurityHeaders {
    pub(super) fn new(settings: &Settings) -> Self {
        let mut always = Vec::new();
        if settings.secure_content_type_nosniff {
            always.push((
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ));
        }
        let named = [
            (header::REFERRER_POLICY, &settings.secure_referrer_policy),
            (
                HeaderName::from_static("cross-origin-opener-policy"),
                &settings.secure_cross_origin_opener_policy,
            ),
        ];
        for (name, value) in named {
            match HeaderValue::from_str(value.trim()) {
                Ok(value) if !value.is_empty() => always.push((name, value)),
                Ok(_) => {}
                Err(_) => {
                    tracing::warn!(target: "fullstack::security", "{name} `{value}` is not a header value: not sent")
                }
            }
        }
        let hsts = (settings.secure_hsts_seconds > 0).then(|| {
            let mut value = format!("max-age={}", settings.secure_hsts_seconds);
            if settings.secure_hsts_include_subdomains {
                value.push_str("; includeSubDomains");
            }
            if settings.secure_hsts_preload {
                value.push_str("; preload");
            }
            HeaderValue::from_str(&value).expect("digits and ASCII words")
        });
        SecurityHeaders { always, hsts }
    }

    pub(super) fn apply(&self, headers: &mut HeaderMap, secure: bool) {
        for (name, value) in &self.always {
            headers.entry(name.clone()).or_insert_with(|| value.clone());
        }
        if let (Some(hsts), true) = (&self.hsts, secure) {
            headers
                .entry(header::STRICT_TRANSPORT_SECURITY)
                .or_insert_with(|| hsts.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(settings: &str, secure: bool, preset: &[(&str, &str)]) -> HeaderMap {
        let settings = Settings::from_toml_str(settings).unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in preset {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        SecurityHeaders::new(&settings).apply(&mut headers, secure);
        headers
    }

    #[test]
    fn defaults_are_djangos() {
        let h = applied("", true, &[]);
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["cross-origin-opener-policy"], "same-origin");
        assert!(h.get("strict-transport-security").is_none());
    }

    #[test]
    fn hsts_only_over_https_with_its_options() {
        let s = "SECURE_HSTS_SECONDS = 600\nSECURE_HSTS_INCLUDE_SUBDOMAINS = true\nSECURE_HSTS_PRELOAD = true";
        assert_eq!(
            applied(s, true, &[])["strict-transport-security"],
            "max-age=600; includeSubDomains; preload"
        );
        assert!(
            applied(s, false, &[])
                .get("strict-transport-security")
                .is_none()
        );
        let h = applied("SECURE_HSTS_SECONDS = 600", true, &[]);
        assert_eq!(h["strict-transport-security"], "max-age=600");
    }

    #[test]
    fn a_header_already_set_or_switched_off_is_left_alone() {
        let h = applied(
            "SECURE_REFERRER_POLICY = \"\"\nSECURE_CONTENT_TYPE_NOSNIFF = false",
            true,
            &[("cross-origin-opener-policy", "unsafe-none")],
        );
        assert!(h.get("referrer-policy").is_none());
        assert!(h.get("x-content-type-options").is_none());
        assert_eq!(h["cross-origin-opener-policy"], "unsafe-none");
    }
}
