use std::path::Path;

use super::*;

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn temp_dir(name: &str, settings: Option<&str>) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("fullstack-settings-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    if let Some(text) = settings {
        std::fs::write(dir.join(Settings::FILE), text).unwrap();
    }
    dir
}

#[test]
fn defaults_are_djangos() {
    let s = Settings::default();
    assert!(!s.web.debug);
    assert!(s.allowed_hosts.is_empty());
    assert!(s.secure_content_type_nosniff);
    assert_eq!(s.secure_referrer_policy, "same-origin");
    assert_eq!(s.secure_cross_origin_opener_policy, "same-origin");
    assert_eq!(s.secure_hsts_seconds, 0);
    assert!(!s.secure_ssl_redirect);
    assert_eq!(s.x_frame_options, FrameOptions::Deny);
    assert_eq!(s.login_url, "/accounts/login/");
    assert_eq!(s.login_redirect_url, "/accounts/profile/");
    assert!(s.middleware_security && s.middleware_clickjacking);
}

#[test]
fn one_file_and_the_environment_configure_micro_and_fullstack() {
    let dir = temp_dir(
        "both",
        Some(
            "SECRET_KEY = \"k\"\nALLOWED_HOSTS = [\"example.com\"]\nX_FRAME_OPTIONS = \"SAMEORIGIN\"\n[APP]\ntoken = \"t\"",
        ),
    );
    let s = Settings::load_with(
        &dir,
        vars(&[
            ("FULLSTACK_DEBUG", "1"),
            ("FULLSTACK_SECRET_KEY", "123456"),
            ("FULLSTACK_ALLOWED_HOSTS", "a.example, .b.example"),
            ("FULLSTACK_SECURE_HSTS_SECONDS", "60"),
            (
                "FULLSTACK_SECURE_PROXY_SSL_HEADER",
                "X-Forwarded-Proto: https",
            ),
            ("FULLSTACK_APP_PUBLIC_SITE", "Polls"),
            ("MICRO_DEBUG", "nonsense, not ours"),
        ]),
    )
    .unwrap();
    assert!(s.web.debug);
    assert_eq!(s.web.secret_key.as_ref().unwrap().expose(), "123456");
    assert_eq!(s.allowed_hosts, ["a.example", ".b.example"]);
    assert_eq!(s.secure_hsts_seconds, 60);
    assert_eq!(s.x_frame_options, FrameOptions::SameOrigin);
    assert_eq!(
        s.secure_proxy_ssl_header.as_ref().unwrap().to_string(),
        "x-forwarded-proto: https"
    );
    assert_eq!(s.web.public_app()["site"].as_str(), Some("Polls"));
    assert_eq!(s.web.app["token"].as_str(), Some("t"));
    assert_eq!(s.crate_root(), Some(dir.as_path()));
}

#[test]
fn database_url_from_the_file_the_plain_variable_or_the_prefixed_one() {
    let dir = temp_dir("db", Some("DATABASE_URL = \"sqlite://file.db\""));
    let url = |pairs: &[(&str, &str)]| Settings::load_with(&dir, vars(pairs)).unwrap().database_url;
    assert_eq!(url(&[]).as_deref(), Some("sqlite://file.db"));
    assert_eq!(
        url(&[("DATABASE_URL", "postgres://plain")]).as_deref(),
        Some("postgres://plain")
    );
    assert_eq!(
        url(&[
            ("DATABASE_URL", "postgres://plain"),
            ("FULLSTACK_DATABASE_URL", "mysql://prefixed")
        ])
        .as_deref(),
        Some("mysql://prefixed")
    );
    assert_eq!(
        url(&[("DATABASE_URL", "")]).as_deref(),
        Some("sqlite://file.db")
    );
}

#[test]
fn unknown_and_malformed_keys_name_the_key_and_source() {
    let dir = temp_dir("bad", Some("ALLOWED_HOST = [\"x\"]"));
    let err = Settings::load_with(&dir, vars(&[])).unwrap_err();
    assert_eq!(err.key, "ALLOWED_HOST", "{err}");
    assert!(
        err.message.contains("`ALLOWED_HOSTS`"),
        "lists the keys: {err}"
    );
    assert!(err.message.contains("`DEBUG`"), "and micro's: {err}");
    assert!(err.message.contains(Settings::FILE), "{err}");
    let empty = temp_dir("empty", None);
    let err = Settings::load_with(&empty, vars(&[("FULLSTACK_SECURE_HSTS_SECONDS", "a year")]))
        .unwrap_err();
    assert_eq!(err.key, "SECURE_HSTS_SECONDS", "{err}");
    assert!(
        err.message.contains("`FULLSTACK_SECURE_HSTS_SECONDS`"),
        "{err}"
    );
    let err = Settings::load_with(&empty, vars(&[("FULLSTACK_DEBGU", "1")])).unwrap_err();
    assert_eq!(err.key, "DEBGU", "{err}");
    assert!(err.message.contains("`FULLSTACK_DEBGU`"), "{err}");
    let err = Settings::load_with(&empty, vars(&[("FULLSTACK_DEBUG", "maybe")])).unwrap_err();
    assert_eq!(err.key, "DEBUG", "{err}");
    assert!(err.message.contains("`FULLSTACK_DEBUG`"), "{err}");
    let err = Settings::from_toml_str("CSRF_TRUSTED_ORIGINS = [\"app.example.com\"]").unwrap_err();
    assert_eq!(err.key, "CSRF_TRUSTED_ORIGINS", "{err}");
    assert!(err.message.contains("app.example.com"), "{err}");
    let ok =
        Settings::from_toml_str("CSRF_TRUSTED_ORIGINS = [\"https://app.example.com\"]").unwrap();
    assert_eq!(ok.csrf_trusted_origins, ["https://app.example.com"]);
    let err = Settings::from_toml_str("TRUSTED_HOSTS = [\"example.com\"]").unwrap_err();
    assert_eq!(err.key, "TRUSTED_HOSTS", "{err}");
    assert!(err.message.contains("ALLOWED_HOSTS"), "{err}");
    let err = Settings::from_toml_str("X_FRAME_OPTIONS = \"ALLOW\"").unwrap_err();
    assert_eq!(err.key, "X_FRAME_OPTIONS", "{err}");
    let err = Settings::from_toml_str("SECURE_PROXY_SSL_HEADER = \"https\"").unwrap_err();
    assert_eq!(err.key, "SECURE_PROXY_SSL_HEADER", "{err}");
    assert!(err.message.contains("Header-Name: value"), "{err}");
}

#[test]
fn a_named_settings_file_must_exist() {
    let empty = temp_dir("named", None);
    let missing = empty.join("nope.toml");
    let err = Settings::load_with(
        Path::new("/nonexistent"),
        vars(&[("FULLSTACK_SETTINGS", missing.to_str().unwrap())]),
    )
    .unwrap_err();
    assert!(err.message.contains("cannot read the file"), "{err}");
    // Without the variable, no file is no error.
    assert!(Settings::load_with(&empty, vars(&[])).is_ok());
}

#[test]
fn csrf_settings_default_to_djangos_and_read_the_environment() {
    let s = Settings::default();
    assert!(s.middleware_csrf);
    assert_eq!(s.csrf_cookie_name, "csrftoken");
    assert_eq!(s.csrf_cookie_age, 31_449_600);
    assert_eq!(s.csrf_cookie_path, "/");
    assert!(!s.csrf_cookie_secure && !s.csrf_cookie_httponly);
    assert_eq!(s.csrf_cookie_samesite, micro::SameSite::Lax);
    assert_eq!(s.csrf_header_name, "X-CSRFToken");
    assert_eq!(s.csrf_failure_template, "403_csrf.html");
    let csrf = s.csrf().unwrap();
    assert_eq!(csrf.header().as_str(), "x-csrftoken");
    assert_eq!(csrf.cookie(), "csrftoken");

    let dir = temp_dir("csrf", None);
    let s = Settings::load_with(
        &dir,
        vars(&[
            ("FULLSTACK_CSRF_COOKIE_AGE", "0"),
            ("FULLSTACK_CSRF_COOKIE_SECURE", "true"),
            ("FULLSTACK_CSRF_COOKIE_SAMESITE", "Strict"),
            ("FULLSTACK_CSRF_COOKIE_NAME", "123"),
            ("FULLSTACK_CSRF_HEADER_NAME", "HTTP_X_XSRF_TOKEN"),
            ("FULLSTACK_CSRF_TRUSTED_ORIGINS", "https://*.example.com"),
        ]),
    )
    .unwrap();
    assert_eq!(s.csrf_cookie_age, 0);
    assert!(s.csrf_cookie_secure);
    assert_eq!(s.csrf_cookie_samesite, micro::SameSite::Strict);
    assert_eq!(
        s.csrf_cookie_name, "123",
        "a string, though it looks like a number"
    );
    let csrf = s.csrf().unwrap();
    assert_eq!(csrf.header().as_str(), "x-xsrf-token");
    assert_eq!(
        csrf.trusted_origins().collect::<Vec<_>>(),
        ["https://*.example.com"]
    );
}

#[test]
fn session_settings_default_to_djangos_and_read_file_and_environment() {
    use crate::settings::SessionEngine;
    let s = Settings::default();
    assert_eq!(s.sessions, crate::settings::SessionSettings::default());
    assert_eq!(s.sessions.engine, SessionEngine::Db);
    assert_eq!(s.sessions.cookie_name, "sessionid");
    assert_eq!(s.sessions.age.as_secs(), 1_209_600);

    let dir = temp_dir(
        "sessions",
        Some(
            "SESSION_ENGINE = \"django.contrib.sessions.backends.cached_db\"\n\
             SESSION_COOKIE_NAME = \"sid\"\nSESSION_COOKIE_DOMAIN = \".example.com\"\n\
             SESSION_REDIS_PREFIX = \"site:\"",
        ),
    );
    let s = Settings::load_with(
        &dir,
        vars(&[
            ("FULLSTACK_SESSION_COOKIE_AGE", "60"),
            ("FULLSTACK_SESSION_COOKIE_SECURE", "true"),
            ("FULLSTACK_SESSION_COOKIE_HTTPONLY", "false"),
            ("FULLSTACK_SESSION_COOKIE_SAMESITE", "Strict"),
            ("FULLSTACK_SESSION_COOKIE_PATH", "/app"),
            ("FULLSTACK_SESSION_EXPIRE_AT_BROWSER_CLOSE", "yes"),
            ("FULLSTACK_SESSION_SAVE_EVERY_REQUEST", "1"),
            ("FULLSTACK_SESSION_STORE_TIMEOUT", "0.5"),
        ]),
    )
    .unwrap();
    let sessions = &s.sessions;
    assert_eq!(sessions.engine, SessionEngine::CachedDb);
    assert_eq!(sessions.cookie_name, "sid");
    assert_eq!(sessions.cookie_domain.as_deref(), Some(".example.com"));
    assert_eq!(sessions.age.as_secs(), 60);
    assert!(sessions.cookie_secure && !sessions.cookie_http_only);
    assert_eq!(sessions.cookie_same_site, micro::SameSite::Strict);
    assert_eq!(sessions.cookie_path, "/app");
    assert!(sessions.expire_at_browser_close && sessions.save_every_request);
    assert_eq!(sessions.store_timeout.as_millis(), 500);
    assert_eq!(sessions.redis_prefix, "site:");
    // One set of flags for every session cookie; micro's keeps its own name.
    assert!(s.web.session_cookie_secure && !s.web.session_cookie_httponly);
    assert_eq!(s.web.session_cookie_samesite, micro::SameSite::Strict);
    assert_eq!(s.web.session_cookie_path, "/app");
    assert_eq!(s.web.session_cookie_name, "session");
}

#[test]
fn bad_session_settings_name_the_key() {
    let bad = |text: &str| Settings::from_toml_str(text).unwrap_err();
    let err = bad("SESSION_ENGNIE = \"db\"");
    assert_eq!(err.key, "SESSION_ENGNIE", "{err}");
    assert!(err.message.contains("`SESSION_ENGINE`"), "{err}");
    let err = bad("SESSION_ENGINE = \"file\"");
    assert_eq!(err.key, "SESSION_ENGINE", "{err}");
    assert!(err.message.contains("signed_cookies"), "{err}");
    assert_eq!(bad("SESSION_COOKIE_AGE = 0").key, "SESSION_COOKIE_AGE");
    assert_eq!(bad("SESSION_COOKIE_AGE = -5").key, "SESSION_COOKIE_AGE");
    assert_eq!(
        bad("SESSION_STORE_TIMEOUT = 0").key,
        "SESSION_STORE_TIMEOUT"
    );
    assert_eq!(
        bad("SESSION_COOKIE_NAME = \"a b\"").key,
        "SESSION_COOKIE_NAME"
    );
    assert_eq!(
        bad("SESSION_COOKIE_SECURE = \"maybe\"").key,
        "SESSION_COOKIE_SECURE"
    );
    let err = bad("SESSION_ENGINE = \"cache\"");
    #[cfg(feature = "redis")]
    assert_eq!(err.key, "SESSION_REDIS_URL", "{err}");
    #[cfg(not(feature = "redis"))]
    assert!(err.message.contains("`redis` cargo feature"), "{err}");
    #[cfg(feature = "redis")]
    {
        let err = bad("SESSION_ENGINE = \"cache\"\nSESSION_REDIS_URL = \"http://:hunter2@x\"");
        assert_eq!(err.key, "SESSION_REDIS_URL", "{err}");
        assert!(!err.message.contains("hunter2"), "{err}");
    }
}

#[test]
fn the_redis_url_is_masked_when_settings_are_printed() {
    let s = Settings::from_toml_str("SESSION_REDIS_URL = \"redis://:hunter2@127.0.0.1:6379/0\"")
        .unwrap();
    assert_eq!(
        s.sessions.redis_url.as_ref().unwrap().expose(),
        "redis://:hunter2@127.0.0.1:6379/0"
    );
    let printed = format!("{s:?} {:#?}", s.sessions);
    assert!(!printed.contains("hunter2"), "{printed}");
}
