//! The email keys, Django's: `EMAIL_BACKEND`, `EMAIL_HOST`, `EMAIL_PORT`, `EMAIL_HOST_USER`,
//! `EMAIL_HOST_PASSWORD`, `EMAIL_USE_TLS`, `EMAIL_USE_SSL`, `EMAIL_TIMEOUT` and
//! `DEFAULT_FROM_EMAIL`, read by [`Mailer::from_settings`](crate::mail::Mailer::from_settings).

use micro::{ConfigError, ConfigTable, Secret};
use serde::Deserialize;

/// The keys [`MailSettings`] reads.
pub(super) const KEYS: &[&str] = &[
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL",
];

/// Where email goes (`EMAIL_BACKEND`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailBackend {
    /// Printed on standard output (Django's console backend).
    Console,
    /// Sent to the SMTP server of `EMAIL_HOST`.
    Smtp,
    /// Kept in memory, where tests read it (Django's locmem backend and `mail.outbox`).
    Memory,
}

/// How the project sends email.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// `EMAIL_BACKEND`: `"console"`, `"smtp"` or `"memory"`; unset, it is `console` when
    /// `DEBUG` is on and `smtp` when it is off.
    #[serde(rename = "EMAIL_BACKEND")]
    pub backend: Option<EmailBackend>,
    /// `EMAIL_HOST` (`"localhost"`).
    #[serde(rename = "EMAIL_HOST")]
    pub host: String,
    /// `EMAIL_PORT` (25).
    #[serde(rename = "EMAIL_PORT")]
    pub port: u16,
    /// `EMAIL_HOST_USER`: empty means no authentication.
    #[serde(rename = "EMAIL_HOST_USER")]
    pub host_user: String,
    /// `EMAIL_HOST_PASSWORD`, never shown.
    #[serde(rename = "EMAIL_HOST_PASSWORD")]
    pub host_password: Option<Secret>,
    /// `EMAIL_USE_TLS`: STARTTLS after connecting (usually port 587).
    #[serde(rename = "EMAIL_USE_TLS")]
    pub use_tls: bool,
    /// `EMAIL_USE_SSL`: TLS from the first byte (usually port 465).
    #[serde(rename = "EMAIL_USE_SSL")]
    pub use_ssl: bool,
    /// `EMAIL_TIMEOUT` in seconds; unset, lettre's (60 s).
    #[serde(rename = "EMAIL_TIMEOUT")]
    pub timeout: Option<u64>,
    /// `DEFAULT_FROM_EMAIL` (`"webmaster@localhost"`): the sender of a message that names none.
    #[serde(rename = "DEFAULT_FROM_EMAIL")]
    pub default_from_email: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            backend: None,
            host: "localhost".to_owned(),
            port: 25,
            host_user: String::new(),
            host_password: None,
            use_tls: false,
            use_ssl: false,
            timeout: None,
            default_from_email: "webmaster@localhost".to_owned(),
        }
    }
}

impl MailSettings {
    /// Takes the email keys out of `table`.
    pub(super) fn take(table: &mut ConfigTable) -> Result<MailSettings, ConfigError> {
        let mail: MailSettings = table.split_off(|key| KEYS.contains(&key)).deserialize()?;
        if mail.use_tls && mail.use_ssl {
            // Django's words (ImproperlyConfigured in its SMTP backend).
            return Err(ConfigError {
                key: "EMAIL_USE_SSL".into(),
                message: "EMAIL_USE_TLS/EMAIL_USE_SSL are mutually exclusive, so only set one of \
                          those settings to True."
                    .into(),
            });
        }
        Ok(mail)
    }

    /// The backend in use: `EMAIL_BACKEND`, or `console` in `DEBUG` and `smtp` otherwise.
    pub fn backend_for(&self, debug: bool) -> EmailBackend {
        self.backend.unwrap_or(if debug {
            EmailBackend::Console
        } else {
            EmailBackend::Smtp
        })
    }
}

#[cfg(test)]
mod tests {
    use super::EmailBackend;
    use crate::Settings;

    #[test]
    fn read_from_the_settings_with_djangos_defaults() {
        let s = Settings::from_toml_str(
            r#"
            EMAIL_BACKEND = "smtp"
            EMAIL_HOST = "mail.example.com"
            EMAIL_PORT = 587
            EMAIL_USE_TLS = true
            EMAIL_HOST_PASSWORD = "hunter2"
            "#,
        )
        .unwrap();
        assert_eq!(s.mail.backend, Some(EmailBackend::Smtp));
        assert_eq!(s.mail.port, 587);
        assert_eq!(s.mail.host_password.as_ref().unwrap().expose(), "hunter2");
        let d = Settings::default();
        assert_eq!(d.mail.host, "localhost");
        assert_eq!(d.mail.port, 25);
        assert_eq!(d.mail.default_from_email, "webmaster@localhost");
        assert_eq!(d.mail.backend_for(true), EmailBackend::Console);
        assert_eq!(d.mail.backend_for(false), EmailBackend::Smtp);
    }

    #[test]
    fn bad_values_are_errors_naming_the_key() {
        let err = Settings::from_toml_str("EMAIL_BACKEND = \"carrier-pigeon\"").unwrap_err();
        assert!(err.to_string().contains("EMAIL_BACKEND"), "{err}");
        let err =
            Settings::from_toml_str("EMAIL_USE_TLS = true\nEMAIL_USE_SSL = true").unwrap_err();
        assert!(err.to_string().contains("mutually exclusive"), "{err}");
        assert!(Settings::from_toml_str("EMAIL_PORT = 70000").is_err());
    }

    #[test]
    fn the_password_is_never_shown() {
        let s = Settings::from_toml_str("EMAIL_HOST_PASSWORD = \"hunter2\"").unwrap();
        let safe = s.safe_settings();
        let shown = |key: &str| safe.iter().find(|(k, _)| k == key).unwrap().1.clone();
        assert_eq!(shown("EMAIL_HOST_PASSWORD"), crate::settings::MASK);
        assert_eq!(shown("EMAIL_HOST"), "\"localhost\"");
        assert!(!format!("{safe:?}").contains("hunter2"));
    }
}
