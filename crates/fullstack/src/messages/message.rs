//! One message, as handlers add it, as it is stored, and as templates see it.

use std::sync::Arc;

use micro::minijinja::value::{Enumerator, Object, Value};
use serde::{Deserialize, Serialize};

use super::Level;
use super::config::Config;

/// A message for the visitor's next page: a level, the text, and extra tags (CSS classes,
/// say) besides the level's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Stored as `[level, text, tags]`: the cookie holds about 2 kB, names would waste it.
#[serde(from = "(Level, String, String)", into = "(Level, String, String)")]
pub struct Message {
    /// How important it is.
    pub level: Level,
    /// The text, escaped when a template prints it.
    pub message: String,
    /// Tags given with [`Added::with_tags`](super::Added::with_tags), space separated.
    pub extra_tags: String,
}

impl From<(Level, String, String)> for Message {
    fn from((level, message, extra_tags): (Level, String, String)) -> Self {
        Message {
            level,
            message,
            extra_tags,
        }
    }
}

impl From<Message> for (Level, String, String) {
    fn from(m: Message) -> Self {
        (m.level, m.message, m.extra_tags)
    }
}

/// A message as a template sees it: `message.message`, `message.level`, `message.tags`
/// (the extra tags, then the level's tag), `message.level_tag`, `message.extra_tags`;
/// `{{ message }}` prints the text. Printing escapes it like any string.
#[derive(Debug)]
pub(super) struct TemplateMessage {
    message: Message,
    level_tag: String,
}

impl TemplateMessage {
    pub(super) fn new(message: Message, config: &Config) -> Self {
        let level_tag = config.level_tag(message.level);
        TemplateMessage { message, level_tag }
    }

    /// Django's `Message.tags`: the extra tags, then the level's tag.
    fn tags(&self) -> String {
        [self.message.extra_tags.as_str(), self.level_tag.as_str()]
            .iter()
            .filter(|t| !t.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Object for TemplateMessage {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(match key.as_str()? {
            "message" => Value::from(self.message.message.clone()),
            "level" => Value::from(self.message.level.value()),
            "tags" => Value::from(self.tags()),
            "level_tag" => Value::from(self.level_tag.clone()),
            "extra_tags" => Value::from(self.message.extra_tags.clone()),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["message", "level", "tags", "level_tag", "extra_tags"])
    }

    // The text, not the map: `{{ message }}` as in Django. The formatter escapes it.
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_stored_as_a_short_array() {
        let m = Message {
            level: Level::SUCCESS,
            message: "Thanks".into(),
            extra_tags: "vote".into(),
        };
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"[25,"Thanks","vote"]"#);
        assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), m);
    }
}
