//! After the handler: the messages not read, and the ones added, go back to the storage.

use crate::settings::MessageStorage;

use super::config::SESSION_KEY;
use super::cookie;
use super::handle::{Slot, State};
use super::{Message, Messages};

/// The `after_request` hook of the messages app. It runs inside every layer, so a message
/// written to the session here is saved by the sessions layer after it.
pub(super) fn after_request(req: &micro::Request, response: &mut micro::Response) {
    let Some(Slot(slot)) = req.extensions().get::<Slot>() else {
        return;
    };
    // Nobody asked for the messages: nothing changed.
    if let Some(messages) = slot.loaded.get() {
        store(messages, response);
    }
}

/// Django's `BaseStorage.update`: after a read only what was added since is kept, else what
/// was loaded and added; an untouched storage is left alone.
fn store(messages: &Messages, response: &mut micro::Response) {
    let config = &messages.config;
    let mut state = messages.state();
    let keep: Vec<Message> = if state.used {
        state.queued.clone()
    } else if state.added_new {
        state.loaded.iter().chain(&state.queued).cloned().collect()
    } else {
        return;
    };
    match config.storage {
        MessageStorage::Session => to_session(&mut state, keep),
        MessageStorage::Cookie | MessageStorage::Fallback => {
            let Ok(signer) = &config.signer else {
                // No key to sign with: the fallback's session takes all (the cookie storage
                // refused the handler already).
                if config.storage == MessageStorage::Fallback {
                    to_session(&mut state, keep);
                }
                return;
            };
            let fallback = config.storage == MessageStorage::Fallback;
            let rest = if keep.is_empty() {
                if state.had_cookie {
                    cookie::set(response, config, None);
                }
                Vec::new()
            } else {
                let (value, stored) = cookie::fit(signer, &keep, fallback);
                cookie::set(response, config, Some(value));
                if fallback {
                    keep[stored..].to_vec()
                } else {
                    if stored < keep.len() {
                        tracing::warn!(target: "fullstack::messages", dropped = keep.len() - stored, "messages do not fit in the cookie: the oldest are dropped");
                    }
                    Vec::new()
                }
            };
            if fallback {
                to_session(&mut state, rest);
            }
        }
    }
}

/// Writes `keep` to the session (removing the key when there is nothing left and there was
/// something), so an unchanged session stays unwritten.
fn to_session(state: &mut State, keep: Vec<Message>) {
    if keep.is_empty() && !state.had_session {
        return;
    }
    let Some(session) = &state.session else {
        tracing::warn!(target: "fullstack::messages", lost = keep.len(), "messages for the session, but no session was taken: they are lost");
        return;
    };
    if keep.is_empty() {
        let _ = session.remove::<serde_json::Value>(SESSION_KEY);
    } else if let Err(err) = session.insert(SESSION_KEY, &keep) {
        tracing::error!(target: "fullstack::messages", "cannot store messages in the session: {err}");
    }
}
