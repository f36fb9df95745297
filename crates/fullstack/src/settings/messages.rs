//! The messages app's keys, Django's `MESSAGE_LEVEL`, `MESSAGE_TAGS` and `MESSAGE_STORAGE`: read
//! here, with the other settings, so that a typo in them stops startup like any other key's.

use std::collections::BTreeMap;

use micro::{ConfigError, ConfigTable};
use serde::Deserialize;

/// The keys this file reads.
pub(super) const KEYS: &[&str] = &["MESSAGE_LEVEL", "MESSAGE_TAGS", "MESSAGE_STORAGE"];

/// Django's level names and numbers, for `MESSAGE_LEVEL = "info"` and `MESSAGE_TAGS`' keys.
pub(crate) const LEVEL_NAMES: [(&str, i32); 5] = [
    ("debug", 10),
    ("info", 20),
    ("success", 25),
    ("warning", 30),
    ("error", 40),
];

/// Where the messages app keeps the messages of a visitor between two requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum MessageStorage {
    /// In the session (the sessions app must be installed).
    #[serde(rename = "session")]
    Session,
    /// In a signed cookie of their own, `messages`: no server state, but at most about 2 kB.
    #[serde(rename = "cookie")]
    Cookie,
    /// The cookie, and the session for what does not fit in it (Django's default).
    #[default]
    #[serde(rename = "fallback")]
    Fallback,
}

/// The messages app's settings, in [`Settings::messages`](super::Settings::messages).
///
/// | key | default | what |
/// |---|---|---|
/// | `MESSAGE_LEVEL` | `20` (`"info"`) | messages below this level are dropped; a number or a level's name |
/// | `MESSAGE_TAGS` | `{}` | tags for levels (`{ 40 = "danger" }` or `{ error = "danger" }`), over `debug`, `info`, `success`, `warning`, `error` |
/// | `MESSAGE_STORAGE` | `"fallback"` | `"session"`, `"cookie"`, or `"fallback"` (the cookie, then the session for what does not fit) |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageSettings {
    /// The minimum level kept (Django's `MESSAGE_LEVEL`, `INFO` = 20).
    pub level: i32,
    /// A tag for a level, over the level names (Django's `MESSAGE_TAGS`).
    pub tags: BTreeMap<i32, String>,
    /// Where messages wait for the next page.
    pub storage: MessageStorage,
}

impl Default for MessageSettings {
    fn default() -> Self {
        MessageSettings {
            level: 20,
            tags: BTreeMap::new(),
            storage: MessageStorage::Fallback,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Raw {
    #[serde(rename = "MESSAGE_LEVEL")]
    level: Option<LevelText>,
    #[serde(rename = "MESSAGE_TAGS")]
    tags: BTreeMap<String, String>,
    #[serde(rename = "MESSAGE_STORAGE")]
    storage: MessageStorage,
}

/// A level as written: `20`, or `"20"` / `"info"` (the environment gives strings).
#[derive(Deserialize)]
#[serde(untagged)]
enum LevelText {
    Number(i64),
    Text(String),
}

impl LevelText {
    fn read(&self) -> Result<i32, String> {
        match self {
            LevelText::Number(n) => i32::try_from(*n).map_err(|_| format!("{n} is out of range")),
            LevelText::Text(text) => parse_level(text),
        }
    }
}

/// `"40"` or `"error"` (any case) as a level's number.
fn parse_level(text: &str) -> Result<i32, String> {
    let text = text.trim();
    if let Ok(n) = text.parse::<i32>() {
        return Ok(n);
    }
    LEVEL_NAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|(_, n)| *n)
        .ok_or_else(|| {
            format!(
                "`{text}` is not a level: write a number or debug, info, success, warning, error"
            )
        })
}

/// Takes this file's keys out of `table` and reads them.
pub(super) fn take(table: &mut ConfigTable) -> Result<MessageSettings, ConfigError> {
    let own = table.split_off(|key| KEYS.contains(&key));
    let located = |key: &str, message: String| ConfigError {
        key: key.to_owned(),
        message: match own.origin(key) {
            Some(origin) => format!("{message} ({origin})"),
            None => message,
        },
    };
    let raw: Raw = own.clone().deserialize()?;
    let mut settings = MessageSettings {
        storage: raw.storage,
        ..MessageSettings::default()
    };
    if let Some(level) = &raw.level {
        settings.level = level
            .read()
            .map_err(|message| located("MESSAGE_LEVEL", message))?;
    }
    for (level, tag) in raw.tags {
        let level = parse_level(&level).map_err(|message| located("MESSAGE_TAGS", message))?;
        settings.tags.insert(level, tag);
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<MessageSettings, ConfigError> {
        take(&mut ConfigTable::from_toml_str(text).unwrap())
    }

    #[test]
    fn defaults_are_djangos() {
        let s = read("").unwrap();
        assert_eq!(s, MessageSettings::default());
        assert_eq!(s.level, 20);
        assert_eq!(s.storage, MessageStorage::Fallback);
    }

    #[test]
    fn levels_by_number_or_name_and_tags_by_either() {
        let s = read(
            r#"
            MESSAGE_LEVEL = "Debug"
            MESSAGE_STORAGE = "cookie"
            MESSAGE_TAGS = { 40 = "danger", success = "ok", 50 = "critical" }
            "#,
        )
        .unwrap();
        assert_eq!(s.level, 10);
        assert_eq!(s.storage, MessageStorage::Cookie);
        assert_eq!(s.tags[&40], "danger");
        assert_eq!(s.tags[&25], "ok");
        assert_eq!(s.tags[&50], "critical");
        assert_eq!(read("MESSAGE_LEVEL = 30").unwrap().level, 30);
        assert_eq!(read("MESSAGE_LEVEL = \"25\"").unwrap().level, 25);
    }

    #[test]
    fn bad_values_are_errors_naming_the_key() {
        let err = read("MESSAGE_LEVEL = \"loud\"").unwrap_err();
        assert!(err.message.contains("`loud` is not a level"), "{err:?}");
        let err = read("MESSAGE_STORAGE = \"memory\"").unwrap_err();
        assert_eq!(err.key, "MESSAGE_STORAGE", "{err:?}");
        let err = read("MESSAGE_TAGS = { loud = \"x\" }").unwrap_err();
        assert!(err.message.contains("`loud`"), "{err:?}");
    }
}
