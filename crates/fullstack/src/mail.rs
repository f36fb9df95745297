//! Sending email, Django's `django.core.mail` on [lettre](https://lettre.rs): an
//! [`EmailMessage`] sent by the project's [`Mailer`], which the `EMAIL_BACKEND` setting picks:
//! `console` (printed, the default in `DEBUG`), `smtp` (the default otherwise; `EMAIL_HOST`,
//! `EMAIL_PORT`, `EMAIL_HOST_USER`, `EMAIL_HOST_PASSWORD`, `EMAIL_USE_TLS` / `EMAIL_USE_SSL`,
//! `EMAIL_TIMEOUT`) or `memory` (an [`Outbox`] tests read, as Django's `mail.outbox`).
//!
//! Handlers read the project's mailer from state:
//!
//! ```
//! use fullstack::mail::{EmailMessage, Mailer};
//! use micro::State;
//!
//! async fn invite(State(mailer): State<Mailer>) -> Result<&'static str, micro::Error> {
//!     let message = EmailMessage::new("Join us", "Come along.", ["ada@example.com"]);
//!     mailer.send(&message).await.map_err(|e| micro::Error::new(502, e.to_string()))?;
//!     Ok("sent")
//! }
//! ```
//!
//! The guide is `docs/fullstack/mail.md`.

mod message;
mod outbox;
mod smtp;

use std::io::Write;
use std::sync::Arc;

pub use message::EmailMessage;
pub use outbox::Outbox;
pub use smtp::SmtpOptions;

use crate::Settings;
use crate::settings::EmailBackend;

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailError {
    /// An address that does not parse.
    Address(String),
    /// A message without recipients.
    NoRecipients,
    /// lettre could not build the message.
    Message(String),
    /// The SMTP server refused the message, or could not be reached.
    Transport(String),
}

impl std::fmt::Display for MailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MailError::Address(a) => write!(f, "{a:?} is not a valid email address"),
            MailError::NoRecipients => f.write_str("the message has no recipients"),
            MailError::Message(e) => write!(f, "the message could not be built: {e}"),
            MailError::Transport(e) => write!(f, "the message could not be sent: {e}"),
        }
    }
}

impl std::error::Error for MailError {}

#[derive(Debug)]
enum Backend {
    Console,
    Memory(Outbox),
    Smtp(Box<smtp::Smtp>),
}

/// Sends [`EmailMessage`]s through the backend the settings chose. The project puts one in
/// the web app's state (`micro::State<fullstack::mail::Mailer>`); a project's
/// [`web`](crate::Project::web) setup may replace it (`app.state(Mailer::memory())`). Cheap
/// to clone: clones share the backend (and a memory backend's outbox).
#[derive(Debug, Clone)]
pub struct Mailer {
    backend: Arc<Backend>,
    default_from: String,
}

impl Mailer {
    /// Prints each message on standard output, as Django's console backend.
    pub fn console() -> Mailer {
        Mailer::with(Backend::Console)
    }

    /// Keeps each message in an [`Outbox`] (read it with [`outbox`](Self::outbox)).
    pub fn memory() -> Mailer {
        Mailer::with(Backend::Memory(Outbox::default()))
    }

    /// Sends through an SMTP server.
    ///
    /// # Errors
    /// When the TLS parameters for the host cannot be built.
    pub fn smtp(options: &SmtpOptions) -> Result<Mailer, MailError> {
        Ok(Mailer::with(Backend::Smtp(Box::new(smtp::Smtp::new(
            options,
        )?))))
    }

    fn with(backend: Backend) -> Mailer {
        Mailer {
            backend: Arc::new(backend),
            default_from: crate::settings::MailSettings::default().default_from_email,
        }
    }

    /// The mailer `settings` describe (`EMAIL_BACKEND`, or console in `DEBUG` and SMTP
    /// otherwise), sending from `DEFAULT_FROM_EMAIL` by default.
    ///
    /// # Errors
    /// When the SMTP host's TLS parameters cannot be built.
    pub fn from_settings(settings: &Settings) -> Result<Mailer, MailError> {
        let mail = &settings.mail;
        let mailer = match mail.backend_for(settings.web.debug) {
            EmailBackend::Console => Mailer::console(),
            EmailBackend::Memory => Mailer::memory(),
            EmailBackend::Smtp => Mailer::smtp(&SmtpOptions::from_settings(mail))?,
        };
        Ok(mailer.default_from(mail.default_from_email.clone()))
    }

    /// Sends messages that name no sender from `from`.
    #[must_use]
    pub fn default_from(mut self, from: impl Into<String>) -> Mailer {
        self.default_from = from.into();
        self
    }

    /// The sender of messages that name none.
    pub fn default_from_email(&self) -> &str {
        &self.default_from
    }

    /// The outbox of a memory mailer; `None` for the others.
    pub fn outbox(&self) -> Option<&Outbox> {
        match &*self.backend {
            Backend::Memory(outbox) => Some(outbox),
            _ => None,
        }
    }

    /// Sends `message`.
    ///
    /// # Errors
    /// A bad address, or the SMTP server's refusal.
    pub async fn send(&self, message: &EmailMessage) -> Result<(), MailError> {
        let built = message.to_lettre(&self.default_from)?;
        match &*self.backend {
            Backend::Console => {
                // Django's console backend: the message, then a line of dashes.
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(&built.formatted());
                let _ = writeln!(out, "\n{}", "-".repeat(79));
                Ok(())
            }
            Backend::Memory(outbox) => {
                let mut kept = message.clone();
                kept.from.get_or_insert_with(|| self.default_from.clone());
                outbox.push(kept);
                Ok(())
            }
            Backend::Smtp(smtp) => smtp.send(built).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_memory_backend_keeps_messages_with_their_sender() {
        let mailer = Mailer::memory().default_from("site@example.com");
        let shared = mailer.clone();
        shared
            .send(&EmailMessage::new("Hi", "body", ["a@example.com"]))
            .await
            .unwrap();
        let sent = mailer.outbox().unwrap().messages();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].from.as_deref(), Some("site@example.com"));
        assert_eq!(sent[0].subject, "Hi");
        // A bad message is refused and kept out of the outbox.
        assert!(
            mailer
                .send(&EmailMessage::new("s", "b", ["nope"]))
                .await
                .is_err()
        );
        assert_eq!(mailer.outbox().unwrap().len(), 1);
        mailer.outbox().unwrap().clear();
        assert!(mailer.outbox().unwrap().is_empty());
    }

    #[test]
    fn the_settings_choose_the_backend() {
        let debug = Settings::from_toml_str("DEBUG = true").unwrap();
        assert!(Mailer::from_settings(&debug).unwrap().outbox().is_none());
        let memory = Settings::from_toml_str(
            "EMAIL_BACKEND = \"memory\"\nDEFAULT_FROM_EMAIL = \"Site <s@example.com>\"",
        )
        .unwrap();
        let mailer = Mailer::from_settings(&memory).unwrap();
        assert!(mailer.outbox().is_some());
        assert_eq!(mailer.default_from_email(), "Site <s@example.com>");
        let production = Settings::default();
        let mailer = Mailer::from_settings(&production).unwrap();
        assert!(matches!(&*mailer.backend, Backend::Smtp(_)));
    }
}
