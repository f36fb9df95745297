//! Authentication backends (Django's `AUTHENTICATION_BACKENDS`): who checks credentials and
//! loads the user of a session. The [`ModelBackend`] checks the `auth_user` table; a project
//! adds others (a directory, a single sign-on) with [`AuthConfig::backend`](super::AuthConfig::backend).

use std::future::Future;
use std::pin::Pin;

use super::{AuthConfig, User};
use crate::query::prelude::*;
use crate::{Database, Error};

/// What a backend's methods return.
pub type BackendFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// What a login form sends.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// The username as typed.
    pub username: String,
    /// The password as typed.
    pub password: String,
}

impl Credentials {
    /// `username` and `password`.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }
}

/// One way to authenticate. [`authenticate`](super::authenticate) asks each backend in turn;
/// the first to return a user wins, and its [`name`](Self::name) is stored in the session so
/// [`get_user`](Self::get_user) of the same backend loads the user on later requests.
pub trait AuthBackend: Send + Sync + 'static {
    /// A name unique among the backends, stored in the session (`"model"`).
    fn name(&self) -> &str;

    /// The user these credentials belong to, `None` when they are not this backend's or are
    /// wrong. An inactive user must not be returned.
    fn authenticate<'a>(
        &'a self,
        db: &'a Database,
        config: &'a AuthConfig,
        credentials: &'a Credentials,
    ) -> BackendFuture<'a, Option<User>>;

    /// The user with key `id`, for a session this backend logged in; `None` when it is gone
    /// or may no longer log in.
    fn get_user<'a>(&'a self, db: &'a Database, id: i64) -> BackendFuture<'a, Option<User>> {
        Box::pin(async move {
            let user = User::objects().filter(User::PK.eq(id)).first(db).await?;
            Ok(user.filter(|u| u.is_active))
        })
    }
}

/// The `auth_user` table: the username (exactly as stored, as Django's) and its password hash.
/// An unknown username costs the same hashing time as a wrong password, so timing does not
/// tell which usernames exist. A hash of another algorithm or cost is replaced on success.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelBackend;

impl AuthBackend for ModelBackend {
    fn name(&self) -> &str {
        "model"
    }

    fn authenticate<'a>(
        &'a self,
        db: &'a Database,
        config: &'a AuthConfig,
        credentials: &'a Credentials,
    ) -> BackendFuture<'a, Option<User>> {
        Box::pin(async move {
            let found = User::objects()
                .filter(User::USERNAME.eq(credentials.username.clone()))
                .first(db)
                .await?;
            let Some(mut user) = found else {
                config.hashers.waste_time_async(&credentials.password).await;
                return Ok(None);
            };
            let verified = config
                .hashers
                .verify_async(&credentials.password, &user.password)
                .await;
            if !verified.ok || !user.is_active {
                return Ok(None);
            }
            if verified.needs_rehash {
                user.password = config.hashers.hash_async(&credentials.password).await;
                User::objects()
                    .filter(User::PK.eq(user.id))
                    .update(db, [User::PASSWORD.set(user.password.clone())])
                    .await?;
            }
            Ok(Some(user))
        })
    }
}
