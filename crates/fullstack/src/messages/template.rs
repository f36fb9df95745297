//! `get_messages()` and `DEFAULT_MESSAGE_LEVELS` in templates, through a context processor.

use micro::minijinja::Value;

use super::Messages;
use super::handle::extract;
use super::message::TemplateMessage;

/// Loads the request's messages without taking the session for adding (a page that only
/// shows them costs no session query with the cookie or fallback storage).
pub(super) struct ForTemplates(Messages);

impl micro::FromRequest for ForTemplates {
    type Rejection = micro::Error;

    async fn from_request(req: &mut micro::Request) -> Result<Self, micro::Error> {
        extract(req).await.map(ForTemplates)
    }
}

/// The context processor: `get_messages()` returns the messages and marks them read, as
/// iterating Django's `messages` does; a page that does not call it leaves them for the next.
pub(super) async fn processor(ForTemplates(messages): ForTemplates) -> Value {
    let get = messages.clone();
    let get_messages = Value::from_function(move || -> Vec<Value> {
        get.read()
            .into_iter()
            .map(|m| Value::from_object(TemplateMessage::new(m, &get.config)))
            .collect()
    });
    let levels: Vec<(String, i32)> = crate::settings::MESSAGE_LEVEL_NAMES
        .iter()
        .map(|(name, n)| (name.to_ascii_uppercase(), *n))
        .collect();
    micro::context! {
        get_messages,
        DEFAULT_MESSAGE_LEVELS => Value::from_pairs(levels),
    }
}
