//! Password reset tokens, exactly as Django's `PasswordResetTokenGenerator`: `<timestamp in
//! base 36>-<every other hex digit of an HMAC-SHA256>`, the timestamp in seconds since
//! 2001-01-01, the HMAC over the user's key, password hash, last login (to the second), the
//! timestamp and the email, keyed by Django's `salted_hmac` of the `SECRET_KEY`. A token is
//! single use (setting the password changes the hash), dies when the user logs in (the last
//! login changes), and expires after `PASSWORD_RESET_TIMEOUT` seconds. A token Django made
//! with the same secret checks here, and the other way round.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::User;

const KEY_SALT: &str = "django.contrib.auth.tokens.PasswordResetTokenGenerator";

type Clock = dyn Fn() -> DateTime<Utc> + Send + Sync;

/// Makes and checks password reset tokens (Django's `default_token_generator`).
#[derive(Clone)]
pub struct PasswordResetTokenGenerator {
    secrets: Vec<String>,
    timeout: u64,
    clock: Arc<Clock>,
}

impl std::fmt::Debug for PasswordResetTokenGenerator {
    // The secrets are never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordResetTokenGenerator")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl PasswordResetTokenGenerator {
    /// Tokens made with the first of `secrets` (the `SECRET_KEY`) and checked against each
    /// (then `SECRET_KEY_FALLBACKS`), valid for `timeout` seconds.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>, timeout: u64) -> Self {
        PasswordResetTokenGenerator {
            secrets: secrets.into_iter().map(str::to_owned).collect(),
            timeout,
            clock: Arc::new(Utc::now),
        }
    }

    /// The generator the settings describe: `SECRET_KEY`, `SECRET_KEY_FALLBACKS`,
    /// `PASSWORD_RESET_TIMEOUT`.
    pub fn from_settings(settings: &crate::Settings) -> Self {
        let web = &settings.web;
        let secrets = web
            .secret_key
            .iter()
            .chain(&web.secret_key_fallbacks)
            .map(micro::Secret::expose);
        Self::new(secrets, settings.auth.password_reset_timeout)
    }

    /// Reads the time from `clock` instead of the system's (tests of expiry).
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// A token for `user`, now.
    pub fn make_token(&self, user: &User) -> String {
        let secret = self.secrets.first().map_or("", String::as_str);
        make_token_with_timestamp(user, seconds_since_2001((self.clock)()), secret)
    }

    /// Whether `token` was made for `user` (in its present state) with one of the secrets,
    /// and is not older than the timeout.
    pub fn check_token(&self, user: &User, token: &str) -> bool {
        let Some((ts_b36, _)) = token.split_once('-') else {
            return false;
        };
        if token.matches('-').count() != 1 {
            return false;
        }
        let Some(ts) = base36_to_int(ts_b36) else {
            return false;
        };
        let made_here = self.secrets.iter().any(|secret| {
            let expected = make_token_with_timestamp(user, ts, secret);
            bool::from(expected.as_bytes().ct_eq(token.as_bytes()))
        });
        if !made_here {
            return false;
        }
        let now = seconds_since_2001((self.clock)());
        now.saturating_sub(ts) <= self.timeout
    }
}

fn make_token_with_timestamp(user: &User, timestamp: u64, secret: &str) -> String {
    // Django's salted_hmac: the key is the SHA-256 of the salt and the secret.
    let key = Sha256::digest(format!("{KEY_SALT}{secret}").as_bytes());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(hash_value(user, timestamp).as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // Every other digit, to shorten the URL, as Django.
    let short: String = hex.chars().step_by(2).collect();
    format!("{}-{short}", int_to_base36(timestamp))
}

/// Django's `_make_hash_value`: what changes when the token must die.
fn hash_value(user: &User, timestamp: u64) -> String {
    // To the second, as Python prints a naive datetime: some databases drop microseconds.
    let login = user
        .last_login
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default();
    format!(
        "{}{}{login}{timestamp}{}",
        user.id, user.password, user.email
    )
}

fn seconds_since_2001(now: DateTime<Utc>) -> u64 {
    let base = Utc.with_ymd_and_hms(2001, 1, 1, 0, 0, 0).unwrap();
    u64::try_from((now - base).num_seconds()).unwrap_or(0)
}

fn int_to_base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("base 36 digits are ASCII")
}

fn base36_to_int(text: &str) -> Option<u64> {
    // Django refuses more than 13 digits: no huge numbers from a URL.
    if text.is_empty() || text.len() > 13 {
        return None;
    }
    u64::from_str_radix(text, 36).ok()
}

/// A user's key as it appears in a reset link: Django's `urlsafe_base64_encode` of it.
pub fn uid_to_base64(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(id.to_string())
}

/// The user's key in a reset link; `None` for anything that is not one.
pub fn uid_from_base64(uidb64: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(uidb64.trim_end_matches('=')).ok()?;
    std::str::from_utf8(&bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn user() -> User {
        let mut user = User::new("pbkdf2_sha256$x".to_owned(), "ada".to_owned());
        user.id = 42;
        user.email = "ada@example.com".to_owned();
        user.last_login = Some(Utc.with_ymd_and_hms(2026, 12, 3, 10, 14, 11).unwrap());
        user
    }

    fn at(seconds: u64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2001, 1, 1, 0, 0, 0).unwrap()
            + chrono::Duration::seconds(i64::try_from(seconds).unwrap())
    }

    #[test]
    fn a_token_is_djangos() {
        // Computed with Python's hmac and hashlib as Django's salted_hmac does.
        let generator = PasswordResetTokenGenerator::new(["django-test-secret"], 259_200)
            .with_clock(|| at(817_776_000));
        assert_eq!(
            generator.make_token(&user()),
            "divs00-00672c95b757bd2c34df3cbd3a311dff"
        );
        assert_eq!(uid_to_base64(42), "NDI");
        assert_eq!(uid_from_base64("NDI"), Some(42));
        assert_eq!(uid_from_base64("NDI="), Some(42));
        assert_eq!(uid_from_base64("!!"), None);
        assert_eq!(uid_from_base64("YWJj"), None);
    }

    #[test]
    fn it_dies_with_a_new_password_a_new_login_or_time() {
        let now = Arc::new(Mutex::new(at(800_000_000)));
        let clock = now.clone();
        let generator =
            PasswordResetTokenGenerator::new(["s"], 100).with_clock(move || *clock.lock().unwrap());
        let token = generator.make_token(&user());
        assert!(generator.check_token(&user(), &token));

        let mut changed = user();
        changed.password = "argon2$new".into();
        assert!(!generator.check_token(&changed, &token), "single use");
        let mut changed = user();
        changed.last_login = Some(Utc::now());
        assert!(!generator.check_token(&changed, &token), "a login kills it");
        let mut changed = user();
        changed.email = "eve@example.com".into();
        assert!(!generator.check_token(&changed, &token));

        *now.lock().unwrap() = at(800_000_100);
        assert!(generator.check_token(&user(), &token), "at the limit");
        *now.lock().unwrap() = at(800_000_101);
        assert!(!generator.check_token(&user(), &token), "expired");
    }

    #[test]
    fn other_secrets_fallbacks_and_garbage() {
        let old = PasswordResetTokenGenerator::new(["old"], 100);
        let token = old.make_token(&user());
        assert!(!PasswordResetTokenGenerator::new(["new"], 100).check_token(&user(), &token));
        assert!(PasswordResetTokenGenerator::new(["new", "old"], 100).check_token(&user(), &token));
        for bad in [
            "",
            "-",
            "abc",
            "zzzzzzzzzzzzzz-00",
            "a-b-c",
            "!!-00",
            &token[1..],
        ] {
            assert!(!old.check_token(&user(), bad), "{bad}");
        }
    }
}
