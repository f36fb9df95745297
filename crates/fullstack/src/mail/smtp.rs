//! The SMTP backend: lettre's async transport on tokio, with rustls for TLS (no OpenSSL).

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use micro::Secret;

use super::MailError;
use crate::settings::MailSettings;

/// Where and how the SMTP backend connects; [`from_settings`](Self::from_settings) reads the
/// `EMAIL_*` keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpOptions {
    /// The server's host name (`EMAIL_HOST`).
    pub host: String,
    /// Its port (`EMAIL_PORT`).
    pub port: u16,
    /// The user to log in as; empty for no login (`EMAIL_HOST_USER`).
    pub user: String,
    /// The password (`EMAIL_HOST_PASSWORD`).
    pub password: Option<Secret>,
    /// STARTTLS after connecting, required (`EMAIL_USE_TLS`).
    pub use_tls: bool,
    /// TLS from the first byte (`EMAIL_USE_SSL`).
    pub use_ssl: bool,
    /// How long to wait for the server (`EMAIL_TIMEOUT`); `None` is lettre's 60 seconds.
    pub timeout: Option<Duration>,
}

impl SmtpOptions {
    /// The options the settings give.
    pub fn from_settings(mail: &MailSettings) -> SmtpOptions {
        SmtpOptions {
            host: mail.host.clone(),
            port: mail.port,
            user: mail.host_user.clone(),
            password: mail.host_password.clone(),
            use_tls: mail.use_tls,
            use_ssl: mail.use_ssl,
            timeout: mail.timeout.map(Duration::from_secs),
        }
    }
}

pub(super) struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    host: String,
    port: u16,
}

impl std::fmt::Debug for Smtp {
    // The transport holds the credentials: only where it connects is printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Smtp {
    pub(super) fn new(options: &SmtpOptions) -> Result<Smtp, MailError> {
        let tls_error = |e: lettre::transport::smtp::Error| MailError::Transport(e.to_string());
        let mut builder = if options.use_ssl {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&options.host).map_err(tls_error)?
        } else if options.use_tls {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&options.host)
                .map_err(tls_error)?
        } else {
            // Django's default too: no TLS unless a setting asks for it.
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&options.host)
        };
        builder = builder.port(options.port).timeout(options.timeout);
        if !options.user.is_empty() {
            let password = options
                .password
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(options.user.clone(), password));
        }
        Ok(Smtp {
            transport: builder.build(),
            host: options.host.clone(),
            port: options.port,
        })
    }

    pub(super) async fn send(&self, message: lettre::Message) -> Result<(), MailError> {
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Transport(e.to_string()))
    }
}
