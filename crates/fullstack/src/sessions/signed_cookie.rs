//! The `signed_cookies` engine: the session's data in the cookie itself, signed with
//! `SECRET_KEY` (micro's [`Signer`](micro::Signer), salt [`SALT`]). Nothing is kept on the
//! server, so nothing can be deleted there either: a copied cookie stays valid until it expires.

use serde_json::{Map, Value};

use super::handle;
use crate::settings::SessionSettings;

/// The signer's salt: a value signed for another purpose is refused here.
pub const SALT: &str = "fullstack.sessions.signed_cookies";

/// The biggest `Set-Cookie` value browsers keep (Flask's limit, micro's too).
pub(crate) const MAX_COOKIE_SIZE: usize = micro::MAX_COOKIE_SIZE;

/// The session in `value`, and whether to sign it again (an old key signed it). A tampered,
/// malformed or expired cookie is an empty session.
pub(crate) fn load(
    signer: &micro::Signer,
    value: &str,
    settings: &SessionSettings,
) -> Option<(Map<String, Value>, bool)> {
    let verified = signer.verify(value).ok()?;
    let Ok(Value::Object(data)) = serde_json::from_slice::<Value>(&verified.payload) else {
        return None;
    };
    let expiry = handle::State {
        data,
        ..handle::State::default()
    };
    // The lifetime is only known once the data is trusted (it may carry its own expiry).
    let (age, _) = handle::lifetime(expiry.expiry(), settings);
    if verified.age > age {
        return None;
    }
    Some((expiry.data, verified.old_key))
}

/// The cookie's value for `data`.
pub(crate) fn sign(signer: &micro::Signer, data: &Map<String, Value>) -> String {
    signer.sign(Value::Object(data.clone()).to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Map<String, Value> {
        serde_json::json!({"user": 42}).as_object().unwrap().clone()
    }

    #[test]
    fn a_signed_session_reads_back_and_tampering_empties_it() {
        let settings = SessionSettings::default();
        let signer = micro::Signer::new(["current"], SALT);
        let value = sign(&signer, &data());
        assert_eq!(load(&signer, &value, &settings), Some((data(), false)));
        let mut tampered = value.clone().into_bytes();
        tampered[2] ^= 1;
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(load(&signer, &tampered, &settings), None);
        assert_eq!(load(&signer, "not.signed.at-all", &settings), None);
        let other_purpose = micro::Signer::new(["current"], "micro.session");
        assert_eq!(load(&other_purpose, &value, &settings), None);
    }

    #[test]
    fn a_fallback_key_is_read_and_asks_for_a_new_signature() {
        let settings = SessionSettings::default();
        let old = micro::Signer::new(["old"], SALT);
        let value = sign(&old, &data());
        let rotated = micro::Signer::new(["new", "old"], SALT);
        assert_eq!(load(&rotated, &value, &settings), Some((data(), true)));
        let forgotten = micro::Signer::new(["new"], SALT);
        assert_eq!(load(&forgotten, &value, &settings), None);
    }

    #[test]
    fn data_that_is_not_an_object_is_an_empty_session() {
        let signer = micro::Signer::new(["current"], SALT);
        let value = signer.sign(b"[1, 2]");
        assert_eq!(load(&signer, &value, &SessionSettings::default()), None);
    }
}
