//! [`Settings::safe_settings`]: every setting as text, secrets masked, for the DEBUG error page
//! (Django's `SafeExceptionReporterFilter.get_safe_settings`).

use std::fmt::Debug;

use super::Settings;

/// What a masked value shows.
pub const MASK: &str = "********************";

/// Words that make a setting's (or a header's) value secret, anywhere in its name, in any case:
/// Django's list.
const HIDDEN: &[&str] = &["API", "AUTH", "TOKEN", "KEY", "SECRET", "PASS", "SIGNATURE"];

/// Whether a setting or header called `name` holds a secret.
pub fn is_sensitive(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    HIDDEN.iter().any(|word| upper.contains(word))
}

/// `text` with the password of a URL in it masked: `postgres://app:hunter2@db/site` becomes
/// `postgres://app:********************@db/site`.
pub fn mask_url_password(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else {
        return text.to_owned();
    };
    let rest = &text[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return text.to_owned();
    };
    let Some(colon) = authority[..at].find(':') else {
        return text.to_owned();
    };
    let start = scheme_end + 3 + colon + 1;
    let end = scheme_end + 3 + at;
    format!("{}{MASK}{}", &text[..start], &text[end..])
}

impl Settings {
    /// Every setting with its value as text, in the order of [`Settings::known_keys`], then the
    /// `[APP]` table's leaves as `APP.name`: what the DEBUG error page shows. A value is masked
    /// when its name holds `API`, `AUTH`, `TOKEN`, `KEY`, `SECRET`, `PASS` or `SIGNATURE`, and
    /// a URL's password is masked in any value. A key this list does not know how to show is
    /// masked too, so a key added later is never shown in clear by mistake.
    ///
    /// ```
    /// let mut settings = fullstack::Settings::from_toml_str(r#"
    ///     DATABASE_URL = "postgres://app:hunter2@db/site"
    ///     [APP]
    ///     api_token = "t0k3n"
    ///     site_name = "Polls"
    /// "#).unwrap();
    /// settings.web.secret_key = Some(micro::Secret::new("very secret"));
    /// let safe = settings.safe_settings();
    /// let value = |key: &str| safe.iter().find(|(k, _)| k == key).unwrap().1.clone();
    /// assert_eq!(value("SECRET_KEY"), fullstack::settings::MASK);
    /// assert_eq!(value("DATABASE_URL"), format!("\"postgres://app:{}@db/site\"", fullstack::settings::MASK));
    /// assert_eq!(value("APP.api_token"), fullstack::settings::MASK);
    /// assert_eq!(value("APP.site_name"), "\"Polls\"");
    /// assert_eq!(value("DEBUG"), "false");
    /// ```
    pub fn safe_settings(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for key in Self::known_keys() {
            if key == "APP" {
                app_leaves("APP", &toml::Value::Table(self.web.app.clone()), &mut out);
                continue;
            }
            let value = match self.value_text(key) {
                _ if is_sensitive(key) => MASK.to_owned(),
                Some(text) => mask_url_password(&text),
                None => MASK.to_owned(),
            };
            out.push((key.to_owned(), value));
        }
        out
    }

    /// A setting's value as text, `None` for a key this function does not know.
    fn value_text(&self, key: &str) -> Option<String> {
        let w = &self.web;
        let m = &self.messages;
        let sessions = &self.sessions;
        Some(match key {
            // micro's
            "DEBUG" => show(&w.debug),
            "TESTING" => show(&w.testing),
            "ROOT_PATH" => show(&w.root_path),
            "MAX_CONTENT_LENGTH" => show(&w.max_content_length),
            "TEMPLATES_FOLDER" => show(&w.templates_folder),
            "TEMPLATES_AUTO_RELOAD" => show(&w.templates_auto_reload),
            "STATIC_FOLDER" => show(&w.static_folder),
            "STATIC_URL_PATH" => show(&w.static_url_path),
            "SEND_FILE_MAX_AGE_DEFAULT" => show(&w.send_file_max_age_default),
            "SESSION_LIFETIME" => show(&w.session_lifetime),
            "PERMANENT_SESSION_LIFETIME" => show(&w.permanent_session_lifetime),
            "TRUSTED_HOSTS" => show(&w.trusted_hosts),
            "TRUSTED_ORIGINS" => show(&w.trusted_origins),
            // fullstack's
            "ALLOWED_HOSTS" => show(&self.allowed_hosts),
            "USE_X_FORWARDED_HOST" => show(&self.use_x_forwarded_host),
            "CSRF_TRUSTED_ORIGINS" => show(&self.csrf_trusted_origins),
            "DATABASE_URL" => show(&self.database_url.as_deref().unwrap_or_default()),
            "SECURE_CONTENT_TYPE_NOSNIFF" => show(&self.secure_content_type_nosniff),
            "SECURE_REFERRER_POLICY" => show(&self.secure_referrer_policy),
            "SECURE_CROSS_ORIGIN_OPENER_POLICY" => show(&self.secure_cross_origin_opener_policy),
            "SECURE_HSTS_SECONDS" => show(&self.secure_hsts_seconds),
            "SECURE_HSTS_INCLUDE_SUBDOMAINS" => show(&self.secure_hsts_include_subdomains),
            "SECURE_HSTS_PRELOAD" => show(&self.secure_hsts_preload),
            "SECURE_SSL_REDIRECT" => show(&self.secure_ssl_redirect),
            "SECURE_PROXY_SSL_HEADER" => show(
                &self
                    .secure_proxy_ssl_header
                    .as_ref()
                    .map(ToString::to_string),
            ),
            "X_FRAME_OPTIONS" => show(&self.x_frame_options.as_str()),
            "LOGIN_URL" => show(&self.login_url),
            "LOGIN_REDIRECT_URL" => show(&self.login_redirect_url),
            "LOGOUT_REDIRECT_URL" => show(&self.logout_redirect_url),
            "MIDDLEWARE_SECURITY" => show(&self.middleware_security),
            "MIDDLEWARE_CLICKJACKING" => show(&self.middleware_clickjacking),
            "SECURE_CSP" => show(&self.secure_csp),
            "SECURE_CSP_REPORT_ONLY" => show(&self.secure_csp_report_only),
            "MIDDLEWARE_CSP" => show(&self.middleware_csp),
            "MIDDLEWARE_CSRF" => show(&self.middleware_csrf),
            // fullstack's sessions app (its cookie flags are shared with micro's cookie)
            "SESSION_ENGINE" => show(&sessions.engine),
            "SESSION_COOKIE_NAME" => show(&sessions.cookie_name),
            "SESSION_COOKIE_AGE" => show(&sessions.age),
            "SESSION_COOKIE_DOMAIN" => show(&sessions.cookie_domain),
            "SESSION_COOKIE_PATH" => show(&sessions.cookie_path),
            "SESSION_COOKIE_SECURE" => show(&sessions.cookie_secure),
            "SESSION_COOKIE_HTTPONLY" => show(&sessions.cookie_http_only),
            "SESSION_COOKIE_SAMESITE" => show(&sessions.cookie_same_site),
            "SESSION_EXPIRE_AT_BROWSER_CLOSE" => show(&sessions.expire_at_browser_close),
            "SESSION_SAVE_EVERY_REQUEST" => show(&sessions.save_every_request),
            // A Redis URL may carry a password: shown with it masked, as DATABASE_URL is.
            "SESSION_REDIS_URL" => show(&sessions.redis_url.as_ref().map_or("", |u| u.expose())),
            "SESSION_REDIS_PREFIX" => show(&sessions.redis_prefix),
            "SESSION_STORE_TIMEOUT" => show(&sessions.store_timeout),
            "AUTH_THROTTLE_FAILURES" => show(&self.auth.throttle_failures),
            "AUTH_THROTTLE_WINDOW" => show(&self.auth.throttle_window),
            "AUTH_THROTTLE_STORE" => show(&self.auth.throttle_store),
            "AUTH_THROTTLE_REDIS_PREFIX" => show(&self.auth.throttle_redis_prefix),
            "PASSWORD_RESET_TIMEOUT" => show(&self.auth.password_reset_timeout),
            "AUTH_USER_CACHE" => show(&self.auth.user_cache),
            "EMAIL_BACKEND" => show(&self.mail.backend),
            "EMAIL_HOST" => show(&self.mail.host),
            "EMAIL_PORT" => show(&self.mail.port),
            "EMAIL_HOST_USER" => show(&self.mail.host_user),
            // Masked by its name already; shown masked here too so no change of the name rule
            // can print it.
            "EMAIL_HOST_PASSWORD" => MASK.to_owned(),
            "EMAIL_USE_TLS" => show(&self.mail.use_tls),
            "EMAIL_USE_SSL" => show(&self.mail.use_ssl),
            "EMAIL_TIMEOUT" => show(&self.mail.timeout),
            "DEFAULT_FROM_EMAIL" => show(&self.mail.default_from_email),
            "CSRF_COOKIE_NAME" => show(&self.csrf_cookie_name),
            "CSRF_COOKIE_AGE" => show(&self.csrf_cookie_age),
            "CSRF_COOKIE_DOMAIN" => show(&self.csrf_cookie_domain),
            "CSRF_COOKIE_PATH" => show(&self.csrf_cookie_path),
            "CSRF_COOKIE_SECURE" => show(&self.csrf_cookie_secure),
            "CSRF_COOKIE_HTTPONLY" => show(&self.csrf_cookie_httponly),
            "CSRF_COOKIE_SAMESITE" => show(&self.csrf_cookie_samesite),
            "CSRF_HEADER_NAME" => show(&self.csrf_header_name),
            "CSRF_FAILURE_TEMPLATE" => show(&self.csrf_failure_template),
            // the messages app's
            "MESSAGE_LEVEL" => show(&m.level),
            "MESSAGE_TAGS" => show(&m.tags),
            "MESSAGE_STORAGE" => show(&m.storage),
            _ => return None,
        })
    }
}

/// A value as `Debug` prints it: strings quoted, lists and maps as Rust writes them.
fn show(value: &impl Debug) -> String {
    format!("{value:?}")
}

/// The leaves of the `[APP]` table, each under its dotted name, masked by name like the rest.
fn app_leaves(name: &str, value: &toml::Value, out: &mut Vec<(String, String)>) {
    match value {
        toml::Value::Table(table) => {
            for (key, inner) in table {
                let full = format!("{name}.{key}");
                if is_sensitive(key) {
                    out.push((full, MASK.to_owned()));
                } else {
                    app_leaves(&full, inner, out);
                }
            }
        }
        toml::Value::String(text) => {
            out.push((name.to_owned(), mask_url_password(&format!("{text:?}"))));
        }
        other => out.push((name.to_owned(), mask_url_password(&other.to_string()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_key_is_shown_or_masked_by_name() {
        let settings = Settings::default();
        for key in Settings::known_keys() {
            if key == "APP" || is_sensitive(key) {
                continue;
            }
            assert!(
                settings.value_text(key).is_some(),
                "settings/safe.rs: add an arm for `{key}` to value_text (until then it shows masked)"
            );
        }
    }

    #[test]
    fn secrets_are_masked_by_name() {
        for key in [
            "SECRET_KEY",
            "SECRET_KEY_FALLBACKS",
            "api_token",
            "AUTH_PROVIDER",
            "db_password",
            "STRIPE_SIGNATURE",
            "x-api-key",
        ] {
            assert!(is_sensitive(key), "{key}");
        }
        for key in ["DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "site_name"] {
            assert!(!is_sensitive(key), "{key}");
        }
    }

    #[test]
    fn the_session_redis_url_is_shown_with_its_password_masked() {
        let settings = Settings::from_toml_str(
            "SESSION_REDIS_URL = \"redis://:s3cret@cache:6379/0\"\nSESSION_ENGINE = \"db\"",
        )
        .unwrap();
        let shown = settings.safe_settings();
        let (_, url) = shown
            .iter()
            .find(|(k, _)| k == "SESSION_REDIS_URL")
            .unwrap();
        assert!(
            !url.contains("s3cret") && url.contains("cache:6379"),
            "{url}"
        );
    }

    #[test]
    fn url_passwords_are_masked() {
        assert_eq!(
            mask_url_password("mysql://root:pw@127.0.0.1:3306/db?x=@y"),
            format!("mysql://root:{MASK}@127.0.0.1:3306/db?x=@y")
        );
        assert_eq!(
            mask_url_password("\"redis://:s3cret@cache:6379\""),
            format!("\"redis://:{MASK}@cache:6379\"")
        );
        for clear in [
            "postgres://postgres@127.0.0.1/test",
            "sqlite://db.sqlite3",
            "no url",
            "https://example.com/a:b@c",
        ] {
            assert_eq!(mask_url_password(clear), clear);
        }
    }

    #[test]
    fn the_app_table_is_shown_leaf_by_leaf_masked_by_name() {
        let settings = Settings::from_toml_str(
            r#"
            [APP]
            name = "Polls"
            cache_url = "redis://:pw@cache"
            [APP.payments]
            secret = "sk_live"
            retries = 3
            "#,
        )
        .unwrap();
        let safe = settings.safe_settings();
        let get = |k: &str| {
            safe.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("APP.name").unwrap(), "\"Polls\"");
        assert_eq!(
            get("APP.cache_url").unwrap(),
            format!("\"redis://:{MASK}@cache\"")
        );
        assert_eq!(get("APP.payments.secret").unwrap(), MASK);
        assert_eq!(get("APP.payments.retries").unwrap(), "3");
        assert!(
            !safe
                .iter()
                .any(|(_, v)| v.contains("sk_live") || v.contains(":pw@"))
        );
    }
}
