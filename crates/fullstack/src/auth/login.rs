//! `authenticate`, `login`, `logout`: Django's functions of those names, on the
//! [`Session`] of the sessions app.

use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use super::{AuthConfig, Credentials, User};
use crate::query::prelude::*;
use crate::sessions::Session;
use crate::{Database, Error};

/// The session key holding the logged-in user's key (as a string, as Django stores it).
pub const SESSION_KEY: &str = "_auth_user_id";
/// The session key holding the name of the backend that logged the user in.
pub const BACKEND_SESSION_KEY: &str = "_auth_user_backend";
/// The session key holding [`session_auth_hash`]: a password change ends the other sessions.
pub const HASH_SESSION_KEY: &str = "_auth_user_hash";

/// Asks each backend of `config` in turn; the first user found, with the name of the backend
/// that found it. `None` when no backend knows these credentials.
///
/// # Errors
/// When the database fails.
pub async fn authenticate(
    db: &Database,
    config: &AuthConfig,
    credentials: &Credentials,
) -> Result<Option<(User, String)>, Error> {
    for backend in config.backends() {
        if let Some(user) = backend.authenticate(db, config, credentials).await? {
            return Ok(Some((user, backend.name().to_owned())));
        }
    }
    Ok(None)
}

/// A keyed hash of the user's password hash, stored in the session at login: when the
/// password changes, the sessions that hold the old one stop being logged in (Django's
/// `get_session_auth_hash`, an HMAC-SHA256 keyed by the secret key).
pub fn session_auth_hash(user: &User, secret_key: &str) -> String {
    // Django's salted_hmac: the key is a hash of a salt and the secret.
    let key = Sha256::digest(format!("fullstack.auth.session_auth_hash{secret_key}").as_bytes());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(user.password.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Logs `user` in on `session`: a new session key (no fixation: a key an attacker planted
/// before the login is worthless after it; the data of another user's session is dropped, an
/// anonymous session's is kept),
/// the user's key, the backend's name and [`session_auth_hash`] in the session, and
/// `last_login` set. Give the backend name [`authenticate`] returned.
///
/// # Errors
/// When the session cannot hold the values or the database fails.
pub async fn login(
    db: &Database,
    session: &Session,
    user: &mut User,
    backend: &str,
    secret_key: &str,
) -> Result<(), micro::Error> {
    // Another user's session is dropped with its data; an anonymous one keeps its data (a
    // basket) under the new key, as in Django.
    match session.get::<String>(SESSION_KEY) {
        Some(id) if id != user.id.to_string() => session.flush(),
        _ => session.cycle_key(),
    }
    session.insert(SESSION_KEY, user.id.to_string())?;
    session.insert(BACKEND_SESSION_KEY, backend)?;
    session.insert(HASH_SESSION_KEY, session_auth_hash(user, secret_key))?;
    let now = Utc::now();
    user.last_login = Some(now);
    User::objects()
        .filter(User::PK.eq(user.id))
        .update(db, [User::LAST_LOGIN.set(Some(now))])
        .await
        .map_err(|e| e.http_error())?;
    Ok(())
}

/// Logs out: the session is deleted with its data and cookie (Django's `logout` flushes).
pub fn logout(session: &Session) {
    session.flush();
}

/// Sets `user`'s password (hashed with the preferred hasher) and saves it; the user's other
/// sessions end, since their [`session_auth_hash`] no longer matches. It does not validate:
/// run [`PasswordValidators::validate`](super::PasswordValidators::validate) first.
///
/// # Errors
/// When the database fails.
pub async fn set_password(
    db: &Database,
    config: &AuthConfig,
    user: &mut User,
    password: &str,
) -> Result<(), Error> {
    user.password = config.hashers.hash_async(password).await;
    User::objects()
        .filter(User::PK.eq(user.id))
        .update(db, [User::PASSWORD.set(user.password.clone())])
        .await?;
    Ok(())
}

/// After a password change, keeps *this* session logged in (Django's
/// `update_session_auth_hash`): a new key and the new hash.
///
/// # Errors
/// When the session cannot hold the value.
pub fn update_session_auth_hash(
    session: &Session,
    user: &User,
    secret_key: &str,
) -> Result<(), micro::Error> {
    session.cycle_key();
    session.insert(HASH_SESSION_KEY, session_auth_hash(user, secret_key))
}
