//! Django's deploy checks (`check --deploy`): what in a project's settings is unsafe on a
//! public site. The ids are Django's (`security.W004`, ...) so Django's documentation of each
//! applies; the level is fullstack's own (see `docs/design.md`).

use std::collections::BTreeSet;
use std::fmt;

use super::{FrameOptions, Settings};

/// How bad a [`Check`] is: an error fails `check --deploy`, a warning only with
/// `--fail-level WARNING`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Worth fixing, but a site can run without it (no HSTS, no CSP, ...).
    Warning,
    /// The site is open to attack or broken as deployed (DEBUG on, a weak `SECRET_KEY`).
    Error,
}

impl Level {
    /// `"ERROR"` or `"WARNING"`, as `--fail-level` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// One finding of [`deploy_checks`]: Django's id, a level, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Check {
    /// Django's id, `security.W004`.
    pub id: &'static str,
    /// Whether it fails a deploy.
    pub level: Level,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "({}) {}: {}\n    HINT: {}",
            self.id,
            self.level.as_str(),
            self.message,
            self.hint
        )
    }
}

/// A `SECRET_KEY` shorter than this is guessable (Django's rule).
const SECRET_KEY_MIN_LENGTH: usize = 50;
/// A `SECRET_KEY` with fewer distinct characters than this is guessable (Django's rule).
const SECRET_KEY_MIN_UNIQUE_CHARACTERS: usize = 5;
/// Prefixes of keys generated for development, never meant for a public site.
const INSECURE_PREFIXES: &[&str] = &["django-insecure-", "insecure-"];

/// The deploy checks for `settings`, in Django's order of ids; empty when the settings are fit
/// for a public HTTPS site.
///
/// ```
/// use fullstack::settings::{Level, Settings, deploy_checks};
///
/// let checks = deploy_checks(&Settings::from_toml_str("DEBUG = true").unwrap());
/// let debug = checks.iter().find(|c| c.id == "security.W018").unwrap();
/// assert_eq!(debug.level, Level::Error);
/// ```
pub fn deploy_checks(settings: &Settings) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut add = |id, level, message: String, hint: &str| {
        checks.push(Check {
            id,
            level,
            message,
            hint: hint.to_owned(),
        });
    };
    let security = settings.middleware_security;
    if !security {
        add(
            "security.W001",
            Level::Warning,
            "MIDDLEWARE_SECURITY is false: no nosniff, Referrer-Policy, \
             Cross-Origin-Opener-Policy, HSTS or HTTPS redirect"
                .into(),
            "Remove MIDDLEWARE_SECURITY = false.",
        );
    }
    if !settings.middleware_clickjacking {
        add(
            "security.W002",
            Level::Warning,
            "MIDDLEWARE_CLICKJACKING is false: no X-Frame-Options header, so any site can \
             show your pages in a frame"
                .into(),
            "Remove MIDDLEWARE_CLICKJACKING = false.",
        );
    }
    let hsts = settings.secure_hsts_seconds > 0;
    if security && !hsts {
        add(
            "security.W004",
            Level::Warning,
            "SECURE_HSTS_SECONDS is 0: browsers may reach the site over plain HTTP".into(),
            "Set SECURE_HSTS_SECONDS (start small, then 31536000) once the whole site is on \
             HTTPS; a large value is hard to take back.",
        );
    }
    if security && hsts && !settings.secure_hsts_include_subdomains {
        add(
            "security.W005",
            Level::Warning,
            "SECURE_HSTS_INCLUDE_SUBDOMAINS is false: subdomains may be reached over HTTP and \
             set cookies for this site"
                .into(),
            "Set SECURE_HSTS_INCLUDE_SUBDOMAINS = true once every subdomain is on HTTPS.",
        );
    }
    if security && !settings.secure_content_type_nosniff {
        add(
            "security.W006",
            Level::Warning,
            "SECURE_CONTENT_TYPE_NOSNIFF is false: browsers may run an upload as script".into(),
            "Remove SECURE_CONTENT_TYPE_NOSNIFF = false.",
        );
    }
    if security && !settings.secure_ssl_redirect {
        add(
            "security.W008",
            Level::Warning,
            "SECURE_SSL_REDIRECT is false: plain-HTTP requests are answered, not redirected".into(),
            "Set SECURE_SSL_REDIRECT = true (and SECURE_PROXY_SSL_HEADER behind a proxy), \
             unless the proxy already redirects.",
        );
    }
    if let Some(problem) = weak_secret(settings.web.secret_key.as_ref().map(|k| k.expose())) {
        add(
            "security.W009",
            Level::Error,
            format!("SECRET_KEY {problem}: sessions and signed values can be forged"),
            "Set a long random SECRET_KEY from the environment (FULLSTACK_SECRET_KEY), for \
             example `openssl rand -base64 48`.",
        );
    }
    if !settings.sessions.cookie_secure {
        add(
            "security.W012",
            Level::Warning,
            "SESSION_COOKIE_SECURE is false: the session cookie is sent over plain HTTP".into(),
            "Set SESSION_COOKIE_SECURE = true.",
        );
    }
    if !settings.sessions.cookie_http_only {
        add(
            "security.W013",
            Level::Warning,
            "SESSION_COOKIE_HTTPONLY is false: scripts can read the session cookie".into(),
            "Remove SESSION_COOKIE_HTTPONLY = false.",
        );
    }
    if !settings.middleware_csrf {
        add(
            "security.W003",
            Level::Warning,
            "MIDDLEWARE_CSRF is false: forms and APIs that use cookies take requests forged by \
             other sites' pages (only the cross-origin check stands)"
                .into(),
            "Remove MIDDLEWARE_CSRF = false; exempt the few routes that need it instead.",
        );
    } else if !settings.csrf_cookie_secure {
        add(
            "security.W016",
            Level::Warning,
            "CSRF_COOKIE_SECURE is false: the CSRF cookie is sent over plain HTTP, where a \
             network attacker can read or set it"
                .into(),
            "Set CSRF_COOKIE_SECURE = true.",
        );
    }
    if settings.web.debug {
        add(
            "security.W018",
            Level::Error,
            "DEBUG is true: error pages show code, settings and data to anyone".into(),
            "Set DEBUG = false in production (remove it, or FULLSTACK_DEBUG=false).",
        );
    }
    if settings.middleware_clickjacking && settings.x_frame_options != FrameOptions::Deny {
        add(
            "security.W019",
            Level::Warning,
            format!(
                "X_FRAME_OPTIONS is {}: your own pages may frame this site's, so a page of \
                 yours that shows user content can be used for clickjacking",
                settings.x_frame_options.as_str()
            ),
            "Use X_FRAME_OPTIONS = \"DENY\" unless the site frames its own pages.",
        );
    }
    if settings.allowed_hosts.is_empty() {
        add(
            "security.W020",
            Level::Warning,
            "ALLOWED_HOSTS is empty: with DEBUG off every request is refused with 400".into(),
            "List the site's host names: ALLOWED_HOSTS = [\"example.com\"].",
        );
    }
    if security && hsts && !settings.secure_hsts_preload {
        add(
            "security.W021",
            Level::Warning,
            "SECURE_HSTS_PRELOAD is false: the site cannot be on browsers' HSTS preload list"
                .into(),
            "Set SECURE_HSTS_PRELOAD = true and submit the site to hstspreload.org, once sure.",
        );
    }
    if security && settings.secure_referrer_policy.is_empty() {
        add(
            "security.W022",
            Level::Warning,
            "SECURE_REFERRER_POLICY is empty: full URLs leak to other sites in Referer".into(),
            "Remove SECURE_REFERRER_POLICY = \"\" (the default is \"same-origin\").",
        );
    }
    for (position, fallback) in settings.web.secret_key_fallbacks.iter().enumerate() {
        if let Some(problem) = weak_secret(Some(fallback.expose())) {
            add(
                "security.W025",
                Level::Warning,
                format!("SECRET_KEY_FALLBACKS[{position}] {problem}"),
                "Remove it, or replace it with the long random key it was.",
            );
        }
    }
    if !settings.middleware_csp || settings.secure_csp.is_empty() {
        let why = if settings.middleware_csp {
            "SECURE_CSP is empty"
        } else {
            "MIDDLEWARE_CSP is false"
        };
        add(
            "security.W026",
            Level::Warning,
            format!("{why}: no Content-Security-Policy limits what an injected script can do"),
            "Set SECURE_CSP, for example default-src = [\"'self'\"] and \
             script-src = [\"'self'\", \"nonce\"] (try SECURE_CSP_REPORT_ONLY first).",
        );
    }
    checks
}

/// What makes `key` guessable, if anything.
fn weak_secret(key: Option<&str>) -> Option<String> {
    let key = key.unwrap_or_default();
    if key.is_empty() {
        return Some("is not set".into());
    }
    let length = key.chars().count();
    if length < SECRET_KEY_MIN_LENGTH {
        return Some(format!(
            "has {length} characters, fewer than {SECRET_KEY_MIN_LENGTH}"
        ));
    }
    let unique = key.chars().collect::<BTreeSet<_>>().len();
    if unique < SECRET_KEY_MIN_UNIQUE_CHARACTERS {
        return Some(format!(
            "has {unique} different characters, fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS}"
        ));
    }
    INSECURE_PREFIXES
        .iter()
        .find(|prefix| key.starts_with(*prefix))
        .map(|prefix| format!("starts with `{prefix}`, a development key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD_KEY: &str = "v9Jq2LrX7pZ0cWm4Hs8Tk1Ny6Bd3Fg5Qa-Ue_Ri+Oo/Pl=Zx!Cv@Ke#";

    /// Settings that pass every check.
    fn secure() -> String {
        format!(
            r#"
            SECRET_KEY = "{GOOD_KEY}"
            ALLOWED_HOSTS = ["example.com"]
            SESSION_COOKIE_SECURE = true
            CSRF_COOKIE_SECURE = true
            SECURE_HSTS_SECONDS = 31536000
            SECURE_HSTS_INCLUDE_SUBDOMAINS = true
            SECURE_HSTS_PRELOAD = true
            SECURE_SSL_REDIRECT = true
            SECURE_CSP = {{ default-src = ["'self'"] }}
            "#
        )
    }

    /// The ids the checks find in the secure settings with `extra` lines added.
    fn ids_with(extra: &str) -> Vec<&'static str> {
        let text = format!("{extra}\n{}", secure());
        let settings = Settings::from_toml_str(&text).unwrap();
        deploy_checks(&settings).iter().map(|c| c.id).collect()
    }

    fn ids_of(check: impl Fn(&mut Settings)) -> Vec<&'static str> {
        let mut settings = Settings::from_toml_str(&secure()).unwrap();
        check(&mut settings);
        deploy_checks(&settings).iter().map(|c| c.id).collect()
    }

    #[test]
    fn secure_settings_pass() {
        assert_eq!(ids_with(""), Vec::<&str>::new());
    }

    #[test]
    fn defaults_fail_with_errors_for_the_key() {
        let checks = deploy_checks(&Settings::default());
        let ids: Vec<_> = checks.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                "security.W004",
                "security.W008",
                "security.W009",
                "security.W012",
                "security.W016",
                "security.W020",
                "security.W026"
            ]
        );
        let errors: Vec<_> = checks.iter().filter(|c| c.level == Level::Error).collect();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("is not set"), "{}", errors[0]);
    }

    #[test]
    fn security_middleware_off_is_w001_and_hides_its_own_checks() {
        assert_eq!(
            ids_of(|s| {
                s.middleware_security = false;
                s.secure_hsts_seconds = 0;
                s.secure_ssl_redirect = false;
            }),
            ["security.W001"]
        );
    }

    #[test]
    fn clickjacking_middleware_off_is_w002() {
        assert_eq!(
            ids_with("MIDDLEWARE_CLICKJACKING = false"),
            ["security.W002"]
        );
    }

    #[test]
    fn no_hsts_is_w004_only() {
        assert_eq!(ids_of(|s| s.secure_hsts_seconds = 0), ["security.W004"]);
    }

    #[test]
    fn hsts_without_subdomains_is_w005() {
        assert_eq!(
            ids_of(|s| s.secure_hsts_include_subdomains = false),
            ["security.W005"]
        );
    }

    #[test]
    fn nosniff_off_is_w006() {
        assert_eq!(
            ids_with("SECURE_CONTENT_TYPE_NOSNIFF = false"),
            ["security.W006"]
        );
    }

    #[test]
    fn no_ssl_redirect_is_w008() {
        assert_eq!(ids_of(|s| s.secure_ssl_redirect = false), ["security.W008"]);
    }

    #[test]
    fn weak_secret_keys_are_w009_errors() {
        for key in [
            "short",
            &"ab".repeat(30),
            &format!("django-insecure-{GOOD_KEY}"),
        ] {
            let text = secure().replace(GOOD_KEY, key);
            let checks = deploy_checks(&Settings::from_toml_str(&text).unwrap());
            assert_eq!(checks.len(), 1, "{key}: {checks:?}");
            assert_eq!(
                (checks[0].id, checks[0].level),
                ("security.W009", Level::Error)
            );
        }
        assert_eq!(weak_secret(Some(GOOD_KEY)), None);
        assert_eq!(weak_secret(Some(&"abcde".repeat(10))), None);
    }

    #[test]
    fn session_cookie_flags_are_w012_and_w013() {
        assert_eq!(
            ids_of(|s| s.sessions.cookie_secure = false),
            ["security.W012"]
        );
        assert_eq!(
            ids_of(|s| s.sessions.cookie_http_only = false),
            ["security.W013"]
        );
    }

    #[test]
    fn csrf_cookie_not_secure_is_w016_and_the_middleware_off_w003() {
        assert_eq!(ids_of(|s| s.csrf_cookie_secure = false), ["security.W016"]);
        // Off, its cookie does not matter: W003 alone, as Django reports it.
        assert_eq!(
            ids_of(|s| {
                s.middleware_csrf = false;
                s.csrf_cookie_secure = false;
            }),
            ["security.W003"]
        );
        // Django dropped W017 (CSRF_COOKIE_HTTPONLY): scripts read the token from the page
        // anyway, so hiding the cookie protects nothing; it is not reported.
        assert_eq!(
            ids_of(|s| s.csrf_cookie_httponly = false),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn debug_is_a_w018_error() {
        let mut settings = Settings::from_toml_str(&secure()).unwrap();
        settings.web.debug = true;
        let checks = deploy_checks(&settings);
        assert_eq!(checks.len(), 1);
        assert_eq!(
            (checks[0].id, checks[0].level),
            ("security.W018", Level::Error)
        );
    }

    #[test]
    fn sameorigin_framing_is_w019_unless_the_middleware_is_off() {
        assert_eq!(
            ids_with("X_FRAME_OPTIONS = \"SAMEORIGIN\""),
            ["security.W019"]
        );
        assert_eq!(
            ids_with("X_FRAME_OPTIONS = \"SAMEORIGIN\"\nMIDDLEWARE_CLICKJACKING = false"),
            ["security.W002"]
        );
    }

    #[test]
    fn no_allowed_hosts_is_w020() {
        assert_eq!(ids_of(|s| s.allowed_hosts.clear()), ["security.W020"]);
    }

    #[test]
    fn hsts_without_preload_is_w021() {
        assert_eq!(ids_of(|s| s.secure_hsts_preload = false), ["security.W021"]);
    }

    #[test]
    fn no_referrer_policy_is_w022() {
        assert_eq!(ids_with("SECURE_REFERRER_POLICY = \"\""), ["security.W022"]);
    }

    #[test]
    fn a_weak_fallback_key_is_w025() {
        let checks = deploy_checks(
            &Settings::from_toml_str(&format!(
                "SECRET_KEY_FALLBACKS = [\"{GOOD_KEY}\", \"old\"]\n{}",
                secure()
            ))
            .unwrap(),
        );
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].id, "security.W025");
        assert!(checks[0].message.contains("[1]"), "{}", checks[0]);
    }

    #[test]
    fn no_csp_is_w026() {
        assert_eq!(ids_of(|s| s.secure_csp.clear()), ["security.W026"]);
        assert_eq!(ids_with("MIDDLEWARE_CSP = false"), ["security.W026"]);
    }
}
