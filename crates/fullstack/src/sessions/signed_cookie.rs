//! The `signed_cookies` engine: the session's data in the cookie itself, signed with
//! `SECRET_KEY` (micro's [`Signer`](micro::Signer), salt [`SALT`]). Nothing is kept on the
//! server, so nothing can be deleted there either: a copied cookie stays valid until it expires.

use serde_json::{Map, Value};

use super::handle;
use super::settings::SessionSettings;

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
