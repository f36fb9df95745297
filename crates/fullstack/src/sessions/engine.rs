//! The engine the sessions were built for (`SESSION_ENGINE`), and the storage a request's session
//! uses: a [`SessionStore`], or the signed cookie itself.

use std::sync::Arc;

use super::cached_db_store::{CachedDbStore, SessionCache, new_cache};
use super::store::{SessionBackend, SessionStore};
use super::{DatabaseStore, signed_cookie};
use crate::settings::{SessionEngine, SessionSettings};

/// What [`Sessions`](super::Sessions) made of its settings once, at startup: the
/// cached_db engine's cache and the Redis store live as long as the app, not one request.
pub(crate) enum Engine {
    Db,
    CachedDb(SessionCache),
    #[cfg(feature = "redis")]
    Redis(Arc<super::RedisStore>),
    SignedCookies(Arc<micro::Signer>),
    /// An engine that cannot work, and why: each request that takes a session is a 500 that
    /// says so (the settings check catches these at startup; code that builds its own
    /// [`SessionSettings`] lands here).
    Broken(String),
}

impl Engine {
    pub(crate) fn new(settings: &SessionSettings, signer: Option<micro::Signer>) -> Engine {
        let engine = match settings.engine {
            SessionEngine::Db => Engine::Db,
            SessionEngine::CachedDb => Engine::CachedDb(new_cache()),
            #[cfg(feature = "redis")]
            SessionEngine::Cache => match super::RedisStore::from_settings(settings) {
                Ok(store) => Engine::Redis(Arc::new(store)),
                Err(e) => Engine::Broken(e.0),
            },
            #[cfg(not(feature = "redis"))]
            SessionEngine::Cache => Engine::Broken(
                "SESSION_ENGINE \"cache\" needs fullstack's `redis` cargo feature".into(),
            ),
            SessionEngine::SignedCookies => match signer {
                Some(signer) => Engine::SignedCookies(Arc::new(signer)),
                None => Engine::Broken(
                    "SESSION_ENGINE \"signed_cookies\" needs a signer: use the sessions app, or \
                     Sessions::with_signer"
                        .into(),
                ),
            },
        };
        if let Engine::Broken(why) = &engine {
            tracing::error!(target: "fullstack::sessions", "{why}: sessions will answer 500");
        }
        engine
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Engine::Db => "Db",
            Engine::CachedDb(_) => "CachedDb",
            #[cfg(feature = "redis")]
            Engine::Redis(_) => "Redis",
            Engine::SignedCookies(_) => "SignedCookies",
            Engine::Broken(_) => "Broken",
        })
    }
}

/// Where one request's session is loaded from and saved to.
#[derive(Clone)]
pub(crate) enum Storage {
    Store(Arc<dyn SessionStore>),
    Cookie(Arc<micro::Signer>),
}

/// The storage for a request: a [`SessionBackend`] in the app's state wins (the explicit
/// choice), then the engine, on the app's [`Database`](crate::Database) where it needs one.
pub(crate) fn storage(engine: &Engine, req: &micro::Request) -> Result<Storage, micro::Error> {
    if let Some(backend) = req.state::<SessionBackend>() {
        return Ok(Storage::Store(backend.0.clone()));
    }
    let db = || {
        req.state::<crate::Database>().cloned().ok_or_else(|| {
            micro::Error::internal(
                "fullstack::sessions: no SessionBackend and no Database in the app's state",
            )
        })
    };
    Ok(match engine {
        Engine::Db => Storage::Store(Arc::new(DatabaseStore::new(db()?))),
        Engine::CachedDb(cache) => {
            Storage::Store(Arc::new(CachedDbStore::sharing(db()?, cache.clone())))
        }
        #[cfg(feature = "redis")]
        Engine::Redis(store) => Storage::Store(store.clone()),
        Engine::SignedCookies(signer) => Storage::Cookie(signer.clone()),
        Engine::Broken(why) => return Err(micro::Error::internal(why.clone())),
    })
}

pub(crate) use signed_cookie::MAX_COOKIE_SIZE;
