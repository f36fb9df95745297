//! The [`Session`] extractor: the session's values, loaded from the store when a handler asks
//! for it, and the bookkeeping the save after the handler reads.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::engine::{self, Engine, Storage};
use super::store::StoreError;
use super::{key, signed_cookie};
use crate::settings::SessionSettings;

/// Where a session's own expiry is kept in its data (Django's name).
const EXPIRY_KEY: &str = "_session_expiry";

/// What the first `Session` extractor of a request puts in its extensions: the cookie's key
/// and, once loaded, the session.
#[derive(Clone)]
pub(crate) struct Slot(pub(crate) Arc<SlotInner>);

pub(crate) struct SlotInner {
    pub(crate) settings: Arc<SessionSettings>,
    pub(crate) engine: Arc<Engine>,
    /// The session cookie's value: a key (looked up only when well formed), or the signed
    /// data of the `signed_cookies` engine.
    pub(crate) cookie_key: Option<String>,
    pub(crate) loaded: tokio::sync::OnceCell<Session>,
}

/// How long a session lasts, set with [`Session::set_expiry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// The settings' [`age`](SessionSettings::age) and browser-close choice.
    Default,
    /// This long from the last change; the cookie gets `Max-Age`.
    Age(Duration),
    /// Until the browser closes: the cookie has no `Max-Age` (the stored session still ends
    /// after the settings' age).
    AtBrowserClose,
}

/// The session of a request, kept server side: a map of JSON values under a random key
/// carried by a cookie. Take it as a handler argument; it needs the
/// [sessions app](super::app) in the project.
///
/// ```no_run
/// use fullstack::sessions::Session;
///
/// async fn login(session: Session) -> Result<&'static str, micro::Error> {
///     session.cycle_key(); // a new key at login: a key planted before it is worthless
///     session.insert("user_id", 42)?;
///     Ok("welcome")
/// }
/// ```
///
/// With the default `db` engine, reading it costs one query (none when the request has no
/// session cookie; none either with a cached `cached_db` session or a signed cookie); a changed
/// session is saved after the handler, an unchanged one is not written back. An unknown,
/// expired or malformed key is an empty session, never an error. Extraction fails with a 503
/// when the store does not answer, and with a 500 when the sessions app is not installed.
#[derive(Clone)]
pub struct Session {
    state: Arc<Mutex<State>>,
    pub(crate) storage: Storage,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("keys", &self.keys())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    /// The key the session is stored under, when it is stored.
    pub(crate) stored_key: Option<String>,
    /// Whether the next save moves the session to a new key.
    pub(crate) new_key_wanted: bool,
    pub(crate) data: Map<String, Value>,
    pub(crate) modified: bool,
}

impl Session {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.lock()
    }

    /// The value under `key`, if there is one and it reads as `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let state = self.lock();
        T::deserialize(state.data.get(key)?).ok()
    }

    /// Stores `value` under `key`.
    ///
    /// # Errors
    /// When `value` does not serialize to JSON (a 500).
    pub fn insert<T: Serialize>(&self, key: &str, value: T) -> Result<(), micro::Error> {
        let value = serde_json::to_value(value).map_err(micro::Error::internal)?;
        let mut state = self.lock();
        state.data.insert(key.to_owned(), value);
        state.modified = true;
        Ok(())
    }

    /// Removes and returns the value under `key`.
    pub fn remove<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let mut state = self.lock();
        let value = state.data.remove(key)?;
        state.modified = true;
        T::deserialize(value).ok()
    }

    /// Whether a value is stored under `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.lock().data.contains_key(key)
    }

    /// The keys of the stored values.
    pub fn keys(&self) -> Vec<String> {
        self.lock().data.keys().cloned().collect()
    }

    /// Whether the session holds nothing.
    pub fn is_empty(&self) -> bool {
        self.lock().data.is_empty()
    }

    /// Removes every value, keeping the key.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.data.clear();
        state.modified = true;
    }

    /// Keeps the data under a new key, Django's `cycle_key()`: call it at login, so a key an
    /// attacker planted in the browser before (session fixation) is worthless after.
    pub fn cycle_key(&self) {
        let mut state = self.lock();
        state.new_key_wanted = true;
        state.modified = true;
    }

    /// Deletes the session and its cookie, and starts an empty one under a new key (logout).
    pub fn flush(&self) {
        let mut state = self.lock();
        state.data.clear();
        state.new_key_wanted = true;
        state.modified = true;
    }

    /// Sets how long this session lasts.
    pub fn set_expiry(&self, expiry: Expiry) {
        let mut state = self.lock();
        match expiry {
            Expiry::Default => state.data.remove(EXPIRY_KEY),
            Expiry::Age(age) => state.data.insert(EXPIRY_KEY.into(), age.as_secs().into()),
            Expiry::AtBrowserClose => state.data.insert(EXPIRY_KEY.into(), 0.into()),
        };
        state.modified = true;
    }

    /// How long this session lasts: what [`set_expiry`](Self::set_expiry) said, else the
    /// settings'.
    pub fn expiry(&self) -> Expiry {
        self.lock().expiry()
    }
}

impl State {
    pub(crate) fn expiry(&self) -> Expiry {
        match self.data.get(EXPIRY_KEY).and_then(Value::as_u64) {
            Some(0) => Expiry::AtBrowserClose,
            Some(secs) => Expiry::Age(Duration::from_secs(secs)),
            None => Expiry::Default,
        }
    }
}

/// The age of a session with `expiry`, and whether its cookie lasts only until the browser
/// closes.
pub(crate) fn lifetime(expiry: Expiry, settings: &SessionSettings) -> (Duration, bool) {
    match expiry {
        Expiry::Default => (settings.age, settings.expire_at_browser_close),
        Expiry::Age(age) => (age, false),
        Expiry::AtBrowserClose => (settings.age, true),
    }
}

/// Runs a store call within the settings' timeout: a store that hangs is a store that is down.
pub(crate) async fn bounded<T>(
    timeout: Duration,
    call: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(timeout, call).await {
        Ok(result) => result,
        Err(_) => Err(StoreError(format!("no answer within {timeout:?}"))),
    }
}

impl micro::FromRequest for Session {
    type Rejection = micro::Error;

    async fn from_request(req: &mut micro::Request) -> Result<Self, micro::Error> {
        // The first extractor of a request makes its slot and schedules the save; the others
        // (a guard, the messages app, the handler) share it.
        let slot = match req.extensions().get::<Slot>() {
            Some(Slot(slot)) => slot.clone(),
            None => {
                let Some(sessions) = req.state::<super::Sessions>() else {
                    return Err(micro::Error::internal(
                        "fullstack::sessions::Session needs the sessions app: \
                         add `.app(fullstack::sessions::app())` to the project",
                    ));
                };
                let slot = Arc::new(SlotInner {
                    cookie_key: super::saving::cookie_value(
                        req.headers(),
                        &sessions.settings.cookie_name,
                    ),
                    settings: sessions.settings.clone(),
                    engine: sessions.engine.clone(),
                    loaded: tokio::sync::OnceCell::new(),
                });
                req.extensions_mut().insert(Slot(slot.clone()));
                let saved = slot.clone();
                req.on_response(move |res| super::saving::finish(res, saved));
                slot
            }
        };
        if let Some(session) = slot.loaded.get() {
            return Ok(session.clone());
        }
        let storage = engine::storage(&slot.engine, req)?;
        let session = slot
            .loaded
            .get_or_try_init(|| load(&slot, storage))
            .await
            .map_err(StoreError::into_unavailable)?;
        Ok(session.clone())
    }
}

async fn load(slot: &SlotInner, storage: Storage) -> Result<Session, StoreError> {
    let mut state = State::default();
    match &storage {
        Storage::Store(store) => {
            if let Some(cookie_key) = slot
                .cookie_key
                .as_deref()
                .filter(|k| key::is_well_formed(k))
            {
                let timeout = slot.settings.store_timeout;
                if let Some(record) = bounded(timeout, store.load(cookie_key)).await? {
                    state.stored_key = Some(record.key);
                    state.data = record.data;
                }
            }
        }
        Storage::Cookie(signer) => {
            let loaded = slot
                .cookie_key
                .as_deref()
                .and_then(|value| signed_cookie::load(signer, value, &slot.settings));
            if let Some((data, old_key)) = loaded {
                state.data = data;
                // Signed with a fallback key: sign it again with the current one.
                state.modified = old_key;
            }
        }
    }
    Ok(Session {
        state: Arc::new(Mutex::new(state)),
        storage,
    })
}
