//! The session cookie's format: `payload.timestamp.signature`, all base64url, signed with
//! HMAC-SHA256 over a key derived from `SECRET_KEY` (Flask's itsdangerous model, SHA-256 instead
//! of SHA-1).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Separates what the session key signs from any other use of `SECRET_KEY`.
const SALT: &[u8] = b"micro.session.cookie";

/// Signing keys derived from the current secret and its fallbacks, current first.
#[derive(Clone)]
pub(crate) struct Keys {
    keys: Vec<[u8; 32]>,
}

/// Why a cookie value was not accepted; all of them mean "start an empty session".
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Rejected {
    Malformed,
    BadSignature,
}

impl Keys {
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let keys = secrets
            .into_iter()
            .map(|secret| {
                let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
                    .expect("HMAC takes keys of any length");
                mac.update(SALT);
                mac.finalize().into_bytes().into()
            })
            .collect();
        Keys { keys }
    }

    fn mac(key: &[u8; 32], signed: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(signed);
        mac
    }

    /// Signs `payload` (the session's JSON) with the current key and the current time.
    pub(crate) fn sign(&self, payload: &[u8]) -> String {
        self.sign_at(payload, now())
    }

    fn sign_at(&self, payload: &[u8], timestamp: u64) -> String {
        let signed = format!(
            "{}.{}",
            B64.encode(payload),
            B64.encode(timestamp.to_be_bytes())
        );
        let tag = Self::mac(&self.keys[0], signed.as_bytes())
            .finalize()
            .into_bytes();
        format!("{signed}.{}", B64.encode(tag))
    }

    /// Checks the signature with each key (current first); returns the payload, how old the
    /// signature is, and whether an old key made it (so the cookie gets re-signed with the
    /// current one). The age is checked by the caller, which knows the session's lifetime only
    /// once the payload is trusted.
    pub(crate) fn verify(&self, value: &str) -> Result<Verified, Rejected> {
        let (signed, tag) = value.rsplit_once('.').ok_or(Rejected::Malformed)?;
        let (payload, timestamp) = signed.split_once('.').ok_or(Rejected::Malformed)?;
        let tag = B64.decode(tag).map_err(|_| Rejected::Malformed)?;
        let index = self
            .keys
            .iter()
            .position(|key| Self::mac(key, signed.as_bytes()).verify_slice(&tag).is_ok())
            .ok_or(Rejected::BadSignature)?;
        let timestamp: [u8; 8] = B64
            .decode(timestamp)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(Rejected::Malformed)?;
        // A signature from the future (a clock set back) counts as new.
        let age = now().saturating_sub(u64::from_be_bytes(timestamp));
        let payload = B64.decode(payload).map_err(|_| Rejected::Malformed)?;
        Ok(Verified {
            payload,
            age: Duration::from_secs(age),
            old_key: index > 0,
        })
    }
}

/// A cookie value whose signature holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Verified {
    pub(crate) payload: Vec<u8>,
    /// Since the signature was made, to the second.
    pub(crate) age: Duration,
    /// Signed with a fallback key.
    pub(crate) old_key: bool,
}

/// Seconds since the Unix epoch.
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400;

    #[test]
    fn round_trip_and_tamper_detection() {
        let keys = Keys::new(["secret"]);
        let value = keys.sign(br#"{"user":1}"#);
        let verified = keys.verify(&value).unwrap();
        assert_eq!(verified.payload, br#"{"user":1}"#);
        assert!(!verified.old_key);
        assert!(verified.age < Duration::from_secs(2));

        let (payload, rest) = value.split_once('.').unwrap();
        let forged_payload = B64.encode(br#"{"user":2}"#);
        assert_ne!(payload, forged_payload);
        let forged = format!("{forged_payload}.{rest}");
        assert_eq!(keys.verify(&forged), Err(Rejected::BadSignature));
        assert_eq!(
            Keys::new(["other"]).verify(&value),
            Err(Rejected::BadSignature)
        );
        assert_eq!(keys.verify("garbage"), Err(Rejected::Malformed));
        assert_eq!(keys.verify("a.b.c"), Err(Rejected::Malformed));
    }

    #[test]
    fn the_age_of_the_signature_is_reported() {
        let keys = Keys::new(["secret"]);
        let old = keys.sign_at(b"{}", now() - 2 * DAY);
        let age = keys.verify(&old).unwrap().age.as_secs();
        assert!((2 * DAY..2 * DAY + 2).contains(&age), "{age}");
        let future = keys.sign_at(b"{}", now() + DAY);
        assert_eq!(keys.verify(&future).unwrap().age, Duration::ZERO);
    }

    #[test]
    fn the_timestamp_is_signed_too() {
        let keys = Keys::new(["secret"]);
        let old = keys.sign_at(b"{}", now() - 2 * DAY);
        let (payload, rest) = old.split_once('.').unwrap();
        let (_, tag) = rest.split_once('.').unwrap();
        let younger = format!("{payload}.{}.{tag}", B64.encode(now().to_be_bytes()));
        assert_eq!(keys.verify(&younger), Err(Rejected::BadSignature));
    }

    #[test]
    fn fallback_keys_verify_and_ask_for_resigning() {
        let old = Keys::new(["old"]).sign(b"{}");
        let rotated = Keys::new(["new", "old"]);
        let verified = rotated.verify(&old).unwrap();
        assert_eq!((verified.payload, verified.old_key), (b"{}".to_vec(), true));
        assert_eq!(Keys::new(["new"]).verify(&old), Err(Rejected::BadSignature));
    }
}
