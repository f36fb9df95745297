//! Password validators, Django's four defaults with Django's messages: minimum length (8), not
//! a common password, not entirely numeric, not too similar to the user's username, names or
//! email address.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::{Arc, LazyLock};

/// The attributes of a user a password is compared with (empty strings are skipped).
#[derive(Debug, Clone, Default)]
pub struct UserAttributes<'a> {
    /// `username`.
    pub username: &'a str,
    /// `first_name`.
    pub first_name: &'a str,
    /// `last_name`.
    pub last_name: &'a str,
    /// `email`.
    pub email: &'a str,
}

impl<'a> UserAttributes<'a> {
    /// The attributes of `user`.
    pub fn of(user: &'a super::User) -> Self {
        UserAttributes {
            username: &user.username,
            first_name: &user.first_name,
            last_name: &user.last_name,
            email: &user.email,
        }
    }
}

/// Django's list of 20,000 common passwords (19,640 after its de-duplication), the file
/// `django/contrib/auth/common-passwords.txt.gz` of Django 5.2, copied unchanged. Django's
/// `CommonPasswordValidator` says where it comes from: "created by Royce Williams:
/// https://gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce", unhexed,
/// lower-cased and de-duplicated. Django distributes it under its BSD licence (3-clause,
/// Copyright (c) Django Software Foundation and individual contributors); Django's source names
/// no other licence for the gist.
///
/// Kept gzipped (80 KB instead of 180 KB in the binary) and inflated once, at first use.
const COMMON_GZ: &[u8] = include_bytes!("common-passwords.txt.gz");

/// The shipped list, inflated and parsed on first use and shared by every validator set.
static COMMON: LazyLock<Arc<HashSet<String>>> = LazyLock::new(|| {
    let mut text = String::new();
    flate2::read::GzDecoder::new(COMMON_GZ)
        .read_to_string(&mut text)
        .expect("the common-password list compiled into the crate is valid gzip and UTF-8");
    // No comments in Django's file: "#1pimp" is a password like any other.
    Arc::new(
        text.lines()
            .map(normalise)
            .filter(|l| !l.is_empty())
            .collect(),
    )
});

/// The validators a new password goes through (`AUTH_PASSWORD_VALIDATORS`).
#[derive(Debug, Clone)]
pub struct PasswordValidators {
    /// The fewest characters (Django: 8); 0 turns the check off.
    pub min_length: usize,
    /// The greatest similarity (0 to 1) to a user attribute (Django: 0.7); 1.0 or more turns it
    /// off.
    pub max_similarity: f64,
    /// Refuse all-digit passwords.
    pub numeric: bool,
    common: Arc<HashSet<String>>,
}

impl Default for PasswordValidators {
    fn default() -> Self {
        PasswordValidators {
            min_length: 8,
            max_similarity: 0.7,
            numeric: true,
            common: Arc::clone(&COMMON),
        }
    }
}

/// Django compares `password.lower().strip()`.
fn normalise(password: &str) -> String {
    password.trim().to_lowercase()
}

fn parse_list(text: &str) -> HashSet<String> {
    text.lines()
        .map(normalise)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

impl PasswordValidators {
    /// Replaces the common passwords with `list` (one a line; `#` starts a comment), Django's
    /// `CommonPasswordValidator(password_list_path=...)`.
    #[must_use]
    pub fn common_passwords(mut self, list: &str) -> Self {
        self.common = Arc::new(parse_list(list));
        self
    }

    /// Every problem with `password` for `user`, in Django's words; empty when it is fine.
    pub fn validate(&self, password: &str, user: &UserAttributes<'_>) -> Vec<String> {
        let mut errors = Vec::new();
        if let Some(e) = self.similarity(password, user) {
            errors.push(e);
        }
        if self.min_length > 0 && password.chars().count() < self.min_length {
            errors.push(format!(
                "This password is too short. It must contain at least {} character{}.",
                self.min_length,
                if self.min_length == 1 { "" } else { "s" }
            ));
        }
        if self.common.contains(&normalise(password)) {
            errors.push("This password is too common.".to_owned());
        }
        if self.numeric && !password.is_empty() && password.chars().all(|c| c.is_ascii_digit()) {
            errors.push("This password is entirely numeric.".to_owned());
        }
        errors
    }

    /// Django's `UserAttributeSimilarityValidator`: each attribute, whole and split at
    /// non-word characters, against the password with `SequenceMatcher.quick_ratio`.
    fn similarity(&self, password: &str, user: &UserAttributes<'_>) -> Option<String> {
        if self.max_similarity >= 1.0 {
            return None;
        }
        let password = password.to_lowercase();
        let attributes = [
            (user.username, "username"),
            (user.first_name, "first name"),
            (user.last_name, "last name"),
            (user.email, "email address"),
        ];
        for (value, verbose) in attributes {
            if value.is_empty() {
                continue;
            }
            let value = value.to_lowercase();
            let mut parts: Vec<&str> = value
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|p| !p.is_empty())
                .collect();
            parts.push(&value);
            for part in parts {
                if exceeds_length_ratio(&password, self.max_similarity, part) {
                    continue;
                }
                if quick_ratio(&password, part) >= self.max_similarity {
                    return Some(format!("The password is too similar to the {verbose}."));
                }
            }
        }
        None
    }
}

/// Django's `exceeds_maximum_length_ratio`: a password ten times as long as the value cannot be
/// similar to it, and skipping it keeps the comparison cheap.
fn exceeds_length_ratio(password: &str, max_similarity: f64, value: &str) -> bool {
    let pwd_len = password.chars().count();
    let value_len = value.chars().count();
    let bound = max_similarity / 2.0 * pwd_len as f64;
    pwd_len >= 10 * value_len && (value_len as f64) < bound
}

/// Python's `SequenceMatcher(a, b).quick_ratio()`: twice the characters in common (as
/// multisets) over the total length.
fn quick_ratio(a: &str, b: &str) -> f64 {
    let mut counts: HashMap<char, i64> = HashMap::new();
    for c in b.chars() {
        *counts.entry(c).or_default() += 1;
    }
    let mut matches = 0usize;
    for c in a.chars() {
        if let Some(n) = counts.get_mut(&c)
            && *n > 0
        {
            *n -= 1;
            matches += 1;
        }
    }
    let total = a.chars().count() + b.chars().count();
    if total == 0 {
        return 1.0;
    }
    2.0 * matches as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserAttributes<'static> {
        UserAttributes {
            username: "adalovelace",
            first_name: "Ada",
            last_name: "Lovelace",
            email: "ada@example.com",
        }
    }

    #[test]
    fn djangos_messages() {
        let v = PasswordValidators::default();
        assert_eq!(
            v.validate("x7#q", &UserAttributes::default()),
            ["This password is too short. It must contain at least 8 characters."]
        );
        assert_eq!(
            v.validate("password", &UserAttributes::default()),
            ["This password is too common."]
        );
        assert_eq!(
            v.validate("PassWord1", &UserAttributes::default()),
            ["This password is too common."]
        );
        assert_eq!(
            v.validate("80417265139", &UserAttributes::default()),
            ["This password is entirely numeric."]
        );
        assert_eq!(
            v.validate("12345678", &UserAttributes::default()),
            [
                "This password is too common.",
                "This password is entirely numeric."
            ]
        );
        assert!(
            v.validate("correct horse battery", &user()).is_empty(),
            "a good one passes"
        );
    }

    #[test]
    fn similarity_to_the_users_attributes() {
        let v = PasswordValidators::default();
        assert_eq!(
            v.validate("adalovelace1", &user()),
            ["The password is too similar to the username."]
        );
        let countess = UserAttributes {
            username: "countess",
            ..user()
        };
        assert_eq!(
            v.validate("Lovelace!", &countess),
            ["The password is too similar to the last name."]
        );
        assert_eq!(
            v.validate("ada@example.co", &countess),
            ["The password is too similar to the email address."]
        );
        // "ada" alone is short beside a long password: skipped by the length ratio.
        assert!(v.validate("ada-is-not-here-at-all-xyz", &user()).is_empty());
    }

    #[test]
    fn quick_ratio_is_pythons() {
        // difflib.SequenceMatcher(None, "abcd", "bcde").quick_ratio() == 0.75
        assert!((quick_ratio("abcd", "bcde") - 0.75).abs() < 1e-9);
        assert!((quick_ratio("", "") - 1.0).abs() < 1e-9);
    }

    #[test]
    fn djangos_whole_list_is_shipped() {
        assert_eq!(COMMON.len(), 19_640, "every line of Django's file");
        let v = PasswordValidators::default();
        // The last entries of Django's file and some from deep in the middle.
        for deep in [
            "fallen_angel",
            "lilmama12",
            "donaldduck",
            "hondacbr",
            "#1stunna",
        ] {
            assert_eq!(
                v.validate(deep, &UserAttributes::default()),
                ["This password is too common."],
                "{deep}"
            );
        }
        // Compared lower-cased and stripped, as Django does.
        assert_eq!(
            v.validate("  DonaldDuck \t", &UserAttributes::default()),
            ["This password is too common."]
        );
        assert!(
            v.validate("donaldduck-quacks-2026", &UserAttributes::default())
                .is_empty(),
            "only whole entries count"
        );
    }

    #[test]
    fn a_project_can_load_its_own_list() {
        let v = PasswordValidators::default().common_passwords("# mine\nZebraCrossing\n");
        assert_eq!(
            v.validate("zebracrossing", &UserAttributes::default()),
            ["This password is too common."]
        );
        assert!(
            v.validate("password", &UserAttributes::default())
                .is_empty()
        );
    }
}
