//! Signed values (Flask's itsdangerous, Django's `signing`): `payload.timestamp.signature`, all
//! base64url, signed with HMAC-SHA256 over a key derived from a secret and a salt. micro's
//! session cookie is one use; fullstack's signed-cookie sessions and cookie messages are others.
//! Each use has its own salt, so a value signed for one purpose is refused by every other.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signs and verifies values with keys derived from a secret (`SECRET_KEY`), its fallbacks
/// (`SECRET_KEY_FALLBACKS`, for rotation) and a salt naming the purpose.
///
/// ```
/// use micro::Signer;
///
/// let signer = Signer::new(["current secret", "previous secret"], "myapp.unsubscribe");
/// let value = signer.sign(b"user=42");
/// let verified = signer.verify(&value).unwrap();
/// assert_eq!(verified.payload, b"user=42");
/// assert!(Signer::new(["current secret"], "myapp.other").verify(&value).is_err());
/// ```
#[derive(Clone)]
pub struct Signer {
    keys: Vec<[u8; 32]>,
}

impl std::fmt::Debug for Signer {
    // The derived keys are as good as the secret: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

/// Why a signed value was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Not of the `payload.timestamp.signature` shape, or not base64url.
    Malformed,
    /// No key (current or fallback) made this signature: tampered, or signed for another
    /// purpose or with another secret.
    BadSignature,
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Rejected::Malformed => "the signed value is malformed",
            Rejected::BadSignature => "the signature does not match",
        })
    }
}

impl std::error::Error for Rejected {}

impl Signer {
    /// Keys from `secrets` (the current one first, then the fallbacks) for the purpose `salt`.
    ///
    /// # Panics
    /// When `secrets` is empty: nothing could be signed.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a str>, salt: &str) -> Self {
        let keys: Vec<[u8; 32]> = secrets
            .into_iter()
            .map(|secret| {
                let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
                    .expect("HMAC takes keys of any length");
                mac.update(salt.as_bytes());
                mac.finalize().into_bytes().into()
            })
            .collect();
        assert!(!keys.is_empty(), "a Signer needs at least one secret");
        Signer { keys }
    }

    fn mac(key: &[u8; 32], signed: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(signed);
        mac
    }

    /// Signs `payload` with the current key and the current time.
    #[must_use]
    pub fn sign(&self, payload: &[u8]) -> String {
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
    /// signature is, and whether an old key made it (so the value gets re-signed with the
    /// current one). The age is checked by the caller, which may know the lifetime only once
    /// the payload is trusted (a session's "permanent" flag).
    ///
    /// # Errors
    /// [`Rejected`] when the value is malformed or no key made its signature.
    pub fn verify(&self, value: &str) -> Result<Verified, Rejected> {
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

/// A signed value whose signature holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// What was signed.
    pub payload: Vec<u8>,
    /// Since the signature was made, to the second.
    pub age: Duration,
    /// Signed with a fallback key: sign it again with the current one.
    pub old_key: bool,
}

/// The random key of a process in debug mode without `SECRET_KEY`: made once, so that every
/// signer of the process agrees (values do not survive a restart).
pub(crate) fn process_secret() -> &'static str {
    static SECRET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SECRET.get_or_init(|| {
        tracing::warn!(target: "micro::config", "SECRET_KEY is not set: using a random key for this process (debug mode only)");
        let mut bytes = [0u8; 32];
        if getrandom::fill(&mut bytes).is_err() {
            // No OS randomness: fall back to the process's randomly seeded hasher keys.
            use std::hash::{BuildHasher, Hasher};
            for chunk in bytes.chunks_mut(8) {
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u64(std::process::id().into());
                chunk.copy_from_slice(&h.finish().to_le_bytes());
            }
        }
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    })
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

    type Keys = Signer;
    const SALT: &str = "tests";

    #[test]
    fn a_value_signed_for_one_purpose_is_refused_for_another() {
        let value = Signer::new(["secret"], "a").sign(b"{}");
        assert_eq!(
            Signer::new(["secret"], "b").verify(&value),
            Err(Rejected::BadSignature)
        );
    }

    const DAY: u64 = 86_400;

    #[test]
    fn round_trip_and_tamper_detection() {
        let keys = Keys::new(["secret"], SALT);
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
            Keys::new(["other"], SALT).verify(&value),
            Err(Rejected::BadSignature)
        );
        assert_eq!(keys.verify("garbage"), Err(Rejected::Malformed));
        assert_eq!(keys.verify("a.b.c"), Err(Rejected::Malformed));
    }

    #[test]
    fn the_age_of_the_signature_is_reported() {
        let keys = Keys::new(["secret"], SALT);
        let old = keys.sign_at(b"{}", now() - 2 * DAY);
        let age = keys.verify(&old).unwrap().age.as_secs();
        assert!((2 * DAY..2 * DAY + 2).contains(&age), "{age}");
        let future = keys.sign_at(b"{}", now() + DAY);
        assert_eq!(keys.verify(&future).unwrap().age, Duration::ZERO);
    }

    #[test]
    fn the_timestamp_is_signed_too() {
        let keys = Keys::new(["secret"], SALT);
        let old = keys.sign_at(b"{}", now() - 2 * DAY);
        let (payload, rest) = old.split_once('.').unwrap();
        let (_, tag) = rest.split_once('.').unwrap();
        let younger = format!("{payload}.{}.{tag}", B64.encode(now().to_be_bytes()));
        assert_eq!(keys.verify(&younger), Err(Rejected::BadSignature));
    }

    #[test]
    fn fallback_keys_verify_and_ask_for_resigning() {
        let old = Keys::new(["old"], SALT).sign(b"{}");
        let rotated = Keys::new(["new", "old"], SALT);
        let verified = rotated.verify(&old).unwrap();
        assert_eq!((verified.payload, verified.old_key), (b"{}".to_vec(), true));
        assert_eq!(
            Keys::new(["new"], SALT).verify(&old),
            Err(Rejected::BadSignature)
        );
    }
}
