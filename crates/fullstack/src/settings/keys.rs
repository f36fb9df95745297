//! fullstack's own keys, as they are read from the settings file and the environment.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};

/// The top-level keys fullstack reads; every other key is micro's (or unknown).
pub(super) const OWN_KEYS: &[&str] = &[
    "ALLOWED_HOSTS",
    "USE_X_FORWARDED_HOST",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS",
    "LOGIN_URL",
    "LOGIN_REDIRECT_URL",
    "LOGOUT_REDIRECT_URL",
    "MIDDLEWARE_SECURITY",
    "MIDDLEWARE_CLICKJACKING",
    "SECURE_CSP",
    "SECURE_CSP_REPORT_ONLY",
    "MIDDLEWARE_CSP",
    "MIDDLEWARE_CSRF",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_AGE",
    "CSRF_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_HEADER_NAME",
    "CSRF_FAILURE_TEMPLATE",
];

/// fullstack's keys with their defaults, Django's where Django has one.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(super) struct Own {
    #[serde(rename = "ALLOWED_HOSTS", deserialize_with = "list")]
    pub(super) allowed_hosts: Vec<String>,
    #[serde(rename = "USE_X_FORWARDED_HOST")]
    pub(super) use_x_forwarded_host: bool,
    #[serde(rename = "CSRF_TRUSTED_ORIGINS", deserialize_with = "list")]
    pub(super) csrf_trusted_origins: Vec<String>,
    #[serde(rename = "DATABASE_URL")]
    pub(super) database_url: Option<String>,
    #[serde(rename = "SECURE_CONTENT_TYPE_NOSNIFF")]
    pub(super) secure_content_type_nosniff: bool,
    #[serde(rename = "SECURE_REFERRER_POLICY")]
    pub(super) secure_referrer_policy: String,
    #[serde(rename = "SECURE_CROSS_ORIGIN_OPENER_POLICY")]
    pub(super) secure_cross_origin_opener_policy: String,
    #[serde(rename = "SECURE_HSTS_SECONDS")]
    pub(super) secure_hsts_seconds: u64,
    #[serde(rename = "SECURE_HSTS_INCLUDE_SUBDOMAINS")]
    pub(super) secure_hsts_include_subdomains: bool,
    #[serde(rename = "SECURE_HSTS_PRELOAD")]
    pub(super) secure_hsts_preload: bool,
    #[serde(rename = "SECURE_SSL_REDIRECT")]
    pub(super) secure_ssl_redirect: bool,
    #[serde(rename = "SECURE_PROXY_SSL_HEADER")]
    pub(super) secure_proxy_ssl_header: Option<ProxySslHeader>,
    #[serde(rename = "X_FRAME_OPTIONS")]
    pub(super) x_frame_options: FrameOptions,
    #[serde(rename = "LOGIN_URL")]
    pub(super) login_url: String,
    #[serde(rename = "LOGIN_REDIRECT_URL")]
    pub(super) login_redirect_url: String,
    #[serde(rename = "LOGOUT_REDIRECT_URL")]
    pub(super) logout_redirect_url: Option<String>,
    #[serde(rename = "MIDDLEWARE_SECURITY")]
    pub(super) middleware_security: bool,
    #[serde(rename = "MIDDLEWARE_CLICKJACKING")]
    pub(super) middleware_clickjacking: bool,
    #[serde(rename = "SECURE_CSP")]
    pub(super) secure_csp: BTreeMap<String, Vec<String>>,
    #[serde(rename = "SECURE_CSP_REPORT_ONLY")]
    pub(super) secure_csp_report_only: BTreeMap<String, Vec<String>>,
    #[serde(rename = "MIDDLEWARE_CSP")]
    pub(super) middleware_csp: bool,
    #[serde(rename = "MIDDLEWARE_CSRF")]
    pub(super) middleware_csrf: bool,
    #[serde(rename = "CSRF_COOKIE_NAME")]
    pub(super) csrf_cookie_name: String,
    #[serde(rename = "CSRF_COOKIE_AGE")]
    pub(super) csrf_cookie_age: u64,
    #[serde(rename = "CSRF_COOKIE_DOMAIN")]
    pub(super) csrf_cookie_domain: Option<String>,
    #[serde(rename = "CSRF_COOKIE_PATH")]
    pub(super) csrf_cookie_path: String,
    #[serde(rename = "CSRF_COOKIE_SECURE")]
    pub(super) csrf_cookie_secure: bool,
    #[serde(rename = "CSRF_COOKIE_HTTPONLY")]
    pub(super) csrf_cookie_httponly: bool,
    #[serde(rename = "CSRF_COOKIE_SAMESITE")]
    pub(super) csrf_cookie_samesite: micro::SameSite,
    #[serde(rename = "CSRF_HEADER_NAME")]
    pub(super) csrf_header_name: String,
    #[serde(rename = "CSRF_FAILURE_TEMPLATE")]
    pub(super) csrf_failure_template: String,
}

impl Default for Own {
    fn default() -> Self {
        Own {
            allowed_hosts: Vec::new(),
            use_x_forwarded_host: false,
            csrf_trusted_origins: Vec::new(),
            database_url: None,
            secure_content_type_nosniff: true,
            secure_referrer_policy: "same-origin".into(),
            secure_cross_origin_opener_policy: "same-origin".into(),
            secure_hsts_seconds: 0,
            secure_hsts_include_subdomains: false,
            secure_hsts_preload: false,
            secure_ssl_redirect: false,
            secure_proxy_ssl_header: None,
            x_frame_options: FrameOptions::Deny,
            login_url: "/accounts/login/".into(),
            login_redirect_url: "/accounts/profile/".into(),
            logout_redirect_url: None,
            middleware_security: true,
            middleware_clickjacking: true,
            secure_csp: BTreeMap::new(),
            secure_csp_report_only: BTreeMap::new(),
            middleware_csp: true,
            middleware_csrf: true,
            csrf_cookie_name: "csrftoken".into(),
            // Django's: a year of 52 weeks.
            csrf_cookie_age: 60 * 60 * 24 * 7 * 52,
            csrf_cookie_domain: None,
            csrf_cookie_path: "/".into(),
            csrf_cookie_secure: false,
            csrf_cookie_httponly: false,
            csrf_cookie_samesite: micro::SameSite::Lax,
            csrf_header_name: "X-CSRFToken".into(),
            csrf_failure_template: "403_csrf.html".into(),
        }
    }
}

/// What `X-Frame-Options` says: which pages may show this site's pages in a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum FrameOptions {
    /// No page may (the default).
    #[serde(rename = "DENY")]
    Deny,
    /// Only this site's own pages may.
    #[serde(rename = "SAMEORIGIN")]
    SameOrigin,
}

impl FrameOptions {
    /// The header's value.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameOptions::Deny => "DENY",
            FrameOptions::SameOrigin => "SAMEORIGIN",
        }
    }
}

/// A header and the value a trusted proxy in front of the site sets when the request came over
/// HTTPS (`X-Forwarded-Proto: https`): the only way the app, which speaks plain HTTP behind it,
/// knows. Set it only when the proxy always sets or strips that header, or any client can claim
/// HTTPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxySslHeader {
    name: micro::http::HeaderName,
    value: String,
}

impl ProxySslHeader {
    /// Reads `"Header-Name: value"`.
    ///
    /// # Errors
    /// When there is no `:`, the name is not a header name, or the value is empty.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (name, value) = text.split_once(':').ok_or_else(|| {
            format!("`{text}` is not `Header-Name: value` (for example `X-Forwarded-Proto: https`)")
        })?;
        let name = micro::http::HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("`{}` is not a header name", name.trim()))?;
        let value = value.trim();
        if value.is_empty() {
            return Err(format!("`{text}` has no value after the `:`"));
        }
        Ok(ProxySslHeader {
            name,
            value: value.to_owned(),
        })
    }

    /// The header's name.
    pub fn name(&self) -> &micro::http::HeaderName {
        &self.name
    }

    /// The value that means HTTPS.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for ProxySslHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.value)
    }
}

impl<'de> Deserialize<'de> for ProxySslHeader {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let text = String::deserialize(de)?;
        ProxySslHeader::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A list, or one string of items separated by spaces or commas (as an environment variable
/// holds them: `FULLSTACK_ALLOWED_HOSTS=example.com,.example.org`).
fn list<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<String>),
        One(String),
    }
    Ok(match OneOrMany::deserialize(de)? {
        OneOrMany::Many(list) => list,
        OneOrMany::One(text) => text
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}
