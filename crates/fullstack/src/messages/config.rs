//! What the messages app reads from the project's settings when the web app is built.

use std::collections::BTreeMap;

use crate::Settings;
use crate::settings::{MESSAGE_LEVEL_NAMES, MessageStorage};

use super::Level;

/// Django's `CookieStorage.max_cookie_size`: the signed value's length, under the 4 kB
/// browsers keep for a cookie with its name and attributes, and small enough to send on
/// every request.
pub(super) const MAX_COOKIE_SIZE: usize = 2048;

/// The cookie's name (Django's).
pub(super) const COOKIE_NAME: &str = "messages";

/// The key of the messages in the session (Django's).
pub(super) const SESSION_KEY: &str = "_messages";

/// The salt of the cookie's signature: a value signed for another use is refused here.
pub(super) const SALT: &str = "fullstack.messages";

#[derive(Debug)]
pub(super) struct Config {
    pub(super) level: Level,
    /// Every level's tag: the five names, then `MESSAGE_TAGS` over them.
    tags: BTreeMap<i32, String>,
    pub(super) storage: MessageStorage,
    /// The cookie's signer, or why there is none (no `SECRET_KEY` outside debug mode).
    pub(super) signer: Result<micro::Signer, String>,
    /// The cookie's attributes: the session cookie's, as in Django.
    pub(super) cookie_domain: Option<String>,
    pub(super) cookie_secure: bool,
    pub(super) cookie_http_only: bool,
    pub(super) cookie_same_site: micro::SameSite,
}

impl Config {
    pub(super) fn from_settings(settings: &Settings) -> Config {
        let mut tags: BTreeMap<i32, String> = MESSAGE_LEVEL_NAMES
            .iter()
            .map(|(name, n)| (*n, (*name).to_owned()))
            .collect();
        tags.extend(settings.messages.tags.clone());
        let web = &settings.web;
        Config {
            level: Level::new(settings.messages.level),
            tags,
            storage: settings.messages.storage,
            signer: web
                .signer(SALT)
                .map_err(|e| format!("{}: {}", e.key, e.message)),
            cookie_domain: web.session_cookie_domain.clone(),
            cookie_secure: web.session_cookie_secure,
            cookie_http_only: web.session_cookie_httponly,
            cookie_same_site: web.session_cookie_samesite,
        }
    }

    /// The level's tag (`""` for a custom level without one).
    pub(super) fn level_tag(&self, level: Level) -> String {
        self.tags.get(&level.value()).cloned().unwrap_or_default()
    }

    pub(super) fn uses_cookie(&self) -> bool {
        self.storage != MessageStorage::Session
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_tags_override_the_level_names() {
        let mut settings = Settings::from_toml_str(
            "MESSAGE_TAGS = { error = \"danger\", 50 = \"critical\" }\nDEBUG = true",
        )
        .unwrap();
        settings.web.secret_key = Some(micro::Secret::new("k"));
        let config = Config::from_settings(&settings);
        assert_eq!(config.level_tag(Level::ERROR), "danger");
        assert_eq!(config.level_tag(Level::new(50)), "critical");
        assert_eq!(config.level_tag(Level::SUCCESS), "success");
        assert_eq!(config.level_tag(Level::new(5)), "");
        assert!(config.signer.is_ok());
    }

    #[test]
    fn no_secret_key_outside_debug_is_no_signer_not_a_panic() {
        let config = Config::from_settings(&Settings::default());
        assert!(config.signer.unwrap_err().contains("SECRET_KEY"));
    }
}
