//! An email to send, and its conversion into lettre's message (the MIME text).

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};

use super::MailError;

/// An email: Django's `EmailMessage` (with `EmailMultiAlternatives`' HTML alternative).
/// Addresses are `a@example.com` or `Ada <a@example.com>`; a message without a sender is
/// sent from `DEFAULT_FROM_EMAIL`.
///
/// ```
/// use fullstack::mail::EmailMessage;
///
/// let message = EmailMessage::new("Welcome", "Hello Ada", ["Ada <ada@example.com>"])
///     .from("Site <noreply@example.com>")
///     .html("<p>Hello Ada</p>")
///     .reply_to(["help@example.com"]);
/// assert_eq!(message.to, ["Ada <ada@example.com>"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// An HTML alternative of the body, if any.
    pub html: Option<String>,
    /// The sender; `None` sends from `DEFAULT_FROM_EMAIL`.
    pub from: Option<String>,
    /// The recipients.
    pub to: Vec<String>,
    /// Where replies go, if not to the sender.
    pub reply_to: Vec<String>,
}

impl EmailMessage {
    /// A plain-text message to `to`.
    pub fn new(
        subject: impl Into<String>,
        body: impl Into<String>,
        to: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        EmailMessage {
            subject: subject.into(),
            body: body.into(),
            html: None,
            from: None,
            to: to.into_iter().map(Into::into).collect(),
            reply_to: Vec::new(),
        }
    }

    /// Sent from `from` rather than `DEFAULT_FROM_EMAIL`.
    #[must_use]
    pub fn from(mut self, from: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// With an HTML alternative of the body (`multipart/alternative`).
    #[must_use]
    pub fn html(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }

    /// Replies go to `reply_to`.
    #[must_use]
    pub fn reply_to(mut self, reply_to: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.reply_to = reply_to.into_iter().map(Into::into).collect();
        self
    }

    /// The message as lettre builds it, sent from `default_from` when it names no sender.
    ///
    /// # Errors
    /// An address that does not parse, or a message without recipients.
    pub fn to_lettre(&self, default_from: &str) -> Result<lettre::Message, MailError> {
        if self.to.is_empty() {
            return Err(MailError::NoRecipients);
        }
        let mut builder = lettre::Message::builder()
            .from(mailbox(self.from.as_deref().unwrap_or(default_from))?)
            .subject(self.subject.clone());
        for to in &self.to {
            builder = builder.to(mailbox(to)?);
        }
        for reply_to in &self.reply_to {
            builder = builder.reply_to(mailbox(reply_to)?);
        }
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(self.body.clone());
        let built = match &self.html {
            None => builder.singlepart(text),
            Some(html) => builder.multipart(
                MultiPart::alternative().singlepart(text).singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html.clone()),
                ),
            ),
        };
        built.map_err(|e| MailError::Message(e.to_string()))
    }
}

fn mailbox(address: &str) -> Result<Mailbox, MailError> {
    address
        .parse()
        .map_err(|_| MailError::Address(address.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mime_text_has_the_headers_and_both_bodies() {
        let message = EmailMessage::new("Hi", "plain body", ["Ada <ada@example.com>"])
            .html("<p>html body</p>")
            .reply_to(["help@example.com"]);
        let text =
            String::from_utf8(message.to_lettre("site@example.com").unwrap().formatted()).unwrap();
        assert!(text.contains("From: site@example.com"), "{text}");
        assert!(text.contains("To: Ada <ada@example.com>"), "{text}");
        assert!(text.contains("Reply-To: help@example.com"), "{text}");
        assert!(text.contains("Subject: Hi"), "{text}");
        assert!(text.contains("multipart/alternative"), "{text}");
        assert!(text.contains("plain body") && text.contains("<p>html body</p>"));
    }

    #[test]
    fn bad_addresses_and_no_recipients_are_errors() {
        let none: [&str; 0] = [];
        assert_eq!(
            EmailMessage::new("s", "b", none)
                .to_lettre("a@example.com")
                .unwrap_err(),
            MailError::NoRecipients
        );
        assert_eq!(
            EmailMessage::new("s", "b", ["not an address"])
                .to_lettre("a@example.com")
                .unwrap_err(),
            MailError::Address("not an address".into())
        );
        // A header injection attempt is one subject line, not a new header.
        let text = String::from_utf8(
            EmailMessage::new("a\r\nBcc: evil@example.com", "b", ["x@example.com"])
                .to_lettre("a@example.com")
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(!text.contains("\r\nBcc: evil@example.com"), "{text}");
    }
}
