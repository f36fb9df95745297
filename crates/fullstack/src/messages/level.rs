//! Message levels: Django's numbers, so custom levels (a `CRITICAL` of 50) fit between them.

use serde::{Deserialize, Serialize};

/// How important a message is: a number, Django's `DEBUG` 10, `INFO` 20, `SUCCESS` 25,
/// `WARNING` 30 and `ERROR` 40. Any other number is a custom level; give it a tag with
/// `MESSAGE_TAGS`.
///
/// ```
/// use fullstack::messages::Level;
///
/// assert!(Level::SUCCESS > Level::INFO);
/// assert_eq!(Level::new(50).value(), 50);
/// assert_eq!(Level::ERROR.default_tag(), Some("error"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Level(i32);

impl Level {
    /// Development detail, dropped at the default `MESSAGE_LEVEL`.
    pub const DEBUG: Level = Level(10);
    /// Information for the visitor.
    pub const INFO: Level = Level(20);
    /// An action that worked ("Thanks for voting.").
    pub const SUCCESS: Level = Level(25);
    /// Not a failure, but may become one.
    pub const WARNING: Level = Level(30);
    /// An action that failed.
    pub const ERROR: Level = Level(40);

    /// A level of number `value`.
    pub const fn new(value: i32) -> Level {
        Level(value)
    }

    /// The level's number.
    pub const fn value(self) -> i32 {
        self.0
    }

    /// The tag of one of the five standard levels (`"success"`), without `MESSAGE_TAGS`.
    pub fn default_tag(self) -> Option<&'static str> {
        crate::settings::MESSAGE_LEVEL_NAMES
            .iter()
            .find(|(_, n)| *n == self.0)
            .map(|(name, _)| *name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_levels_have_djangos_numbers_and_names() {
        let levels = [
            (Level::DEBUG, 10, "debug"),
            (Level::INFO, 20, "info"),
            (Level::SUCCESS, 25, "success"),
            (Level::WARNING, 30, "warning"),
            (Level::ERROR, 40, "error"),
        ];
        for (level, n, name) in levels {
            assert_eq!(level.value(), n);
            assert_eq!(level.default_tag(), Some(name));
        }
        assert_eq!(Level::new(50).default_tag(), None);
    }
}
