//! The memory backend's outbox, Django's `mail.outbox`.

use std::sync::{Arc, Mutex, PoisonError};

use super::EmailMessage;

/// The messages a memory [`Mailer`](super::Mailer) sent, oldest first, each with its sender
/// filled in. Clones share the list.
#[derive(Debug, Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<EmailMessage>>>);

impl Outbox {
    pub(super) fn push(&self, message: EmailMessage) {
        self.lock().push(message);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<EmailMessage>> {
        // A panic elsewhere while holding it leaves a list that is still whole.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A copy of the messages sent so far.
    pub fn messages(&self) -> Vec<EmailMessage> {
        self.lock().clone()
    }

    /// How many were sent.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none was sent.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Forgets them (between the steps of a test).
    pub fn clear(&self) {
        self.lock().clear();
    }
}
