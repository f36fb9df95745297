//! Signed cookie sessions and flash messages, Flask's model.

use std::sync::{Arc, Mutex, MutexGuard};

use http::HeaderValue;
use http::header::SET_COOKIE;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub(crate) use crate::signing::Signer as Keys;

/// Separates what the session cookie signs from any other use of `SECRET_KEY`.
pub(crate) const SALT: &str = "micro.session.cookie";

use crate::config::{Config, SameSite};
use crate::extract::{Cookies, FromRequest};
use crate::response::Response;
use crate::{Error, Request};

/// Browsers drop cookies over 4096 bytes (name, value and attributes); Flask warns at 4093.
pub const MAX_COOKIE_SIZE: usize = 4093;

/// Where flash messages live in the session, as in Flask.
const FLASHES: &str = "_flashes";
/// Where the permanent flag lives in the session, as in Flask.
const PERMANENT: &str = "_permanent";

/// The user's session: a map of JSON values kept in a signed cookie, like Flask's `session`.
///
/// The client can read it (it is signed, not encrypted) but cannot change it: a tampered,
/// expired or unreadable cookie is an empty session, never an error page. The cookie is written
/// only when the session changed. Sessions need a `SECRET_KEY` (see
/// [`App::from_config`](crate::App::from_config)); without one the extractor is a 500 that says so.
///
/// ```
/// use micro::{App, Config, Error, Session};
///
/// async fn visit(session: Session) -> Result<String, Error> {
///     let visits: u32 = session.get("visits").unwrap_or(0) + 1;
///     session.insert("visits", visits)?;
///     Ok(format!("visit number {visits}"))
/// }
///
/// let config = Config::from_toml_str("SECRET_KEY = \"a long random value\"").unwrap();
/// let mut app = App::from_config(config).unwrap();
/// app.get("/", visit);
/// ```
///
/// A session that would not fit in a cookie (over [`MAX_COOKIE_SIZE`] bytes) is not silently
/// dropped, as Flask does: in debug mode the response becomes a 500 explaining it, otherwise
/// the change is not saved and an error is logged.
#[derive(Clone)]
pub struct Session {
    state: Arc<Mutex<State>>,
}

struct State {
    data: Map<String, Value>,
    modified: bool,
    /// The cookie is old enough to be signed again, unchanged, so an active user's session
    /// does not reach its lifetime.
    refresh: bool,
    /// A cookie came in: an emptied session must delete it.
    had_cookie: bool,
}

/// One flash message with its category (`"message"` unless given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Flash {
    /// The category, e.g. `"error"`, `"info"`.
    pub category: String,
    /// The message.
    pub message: String,
}

impl Session {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Each method leaves the map whole, so a poisoned lock is safe to keep using.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value at `key`, if present and of type `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let state = self.lock();
        serde_json::from_value(state.data.get(key)?.clone()).ok()
    }

    /// Stores `value` at `key`.
    ///
    /// # Errors
    /// When `value` cannot be serialised to JSON (a 500).
    pub fn insert<T: Serialize>(&self, key: &str, value: T) -> Result<(), Error> {
        let value = serde_json::to_value(value)?;
        let mut state = self.lock();
        state.data.insert(key.to_owned(), value);
        state.modified = true;
        Ok(())
    }

    /// Removes `key`, returning its value.
    pub fn remove<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let mut state = self.lock();
        let value = state.data.remove(key)?;
        state.modified = true;
        serde_json::from_value(value).ok()
    }

    /// Whether `key` is present.
    pub fn contains(&self, key: &str) -> bool {
        self.lock().data.contains_key(key)
    }

    /// Empties the session (logging out); the cookie is deleted.
    pub fn clear(&self) {
        let mut state = self.lock();
        state.data.clear();
        state.modified = true;
    }

    /// Whether the session holds nothing.
    pub fn is_empty(&self) -> bool {
        self.lock().data.is_empty()
    }

    /// Makes the cookie outlive the browser session, for `PERMANENT_SESSION_LIFETIME`.
    pub fn set_permanent(&self, permanent: bool) {
        let mut state = self.lock();
        if permanent {
            state.data.insert(PERMANENT.into(), Value::Bool(true));
        } else {
            state.data.remove(PERMANENT);
        }
        state.modified = true;
    }

    /// Whether the cookie outlives the browser session.
    pub fn is_permanent(&self) -> bool {
        is_permanent(&self.lock().data)
    }

    /// The session as a JSON object, without micro's internal keys (for templates and debugging).
    pub fn to_json(&self) -> Value {
        let state = self.lock();
        Value::Object(
            state
                .data
                .iter()
                .filter(|(k, _)| !k.starts_with('_'))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    /// Queues a flash message for the next page that shows them, like Flask's `flash`.
    pub fn flash(&self, message: impl Into<String>) {
        self.flash_with("message", message);
    }

    /// Queues a flash message with a category (`"error"`, `"success"`...).
    ///
    /// ```
    /// # fn demo(session: micro::Session) {
    /// session.flash_with("error", "Wrong password.");
    /// # }
    /// ```
    pub fn flash_with(&self, category: impl Into<String>, message: impl Into<String>) {
        let mut state = self.lock();
        let entry = state
            .data
            .entry(FLASHES)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(serde_json::json!([category.into(), message.into()]));
        }
        state.modified = true;
    }

    /// Takes the queued flash messages: each is shown once, like Flask's
    /// `get_flashed_messages`.
    pub fn take_flashes(&self) -> Vec<Flash> {
        let mut state = self.lock();
        let Some(Value::Array(list)) = state.data.remove(FLASHES) else {
            return Vec::new();
        };
        state.modified = true;
        list.into_iter()
            .filter_map(|item| {
                let [category, message]: [String; 2] = serde_json::from_value(item).ok()?;
                Some(Flash { category, message })
            })
            .collect()
    }

    /// Whether the session changed during this request.
    pub fn is_modified(&self) -> bool {
        self.lock().modified
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Session")
            .field("keys", &state.data.keys().collect::<Vec<_>>())
            .field("modified", &state.modified)
            .finish()
    }
}

impl FromRequest for Session {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        load(req)
    }
}

/// The request's session, read from its cookie the first time it is asked for.
pub(crate) fn load(req: &mut Request) -> Result<Session, Error> {
    if let Some(session) = &req.session {
        return Ok(session.clone());
    }
    let session = peek(req).ok_or_else(|| {
        Error::internal(
            "the session needs a SECRET_KEY: build the app with App::from_config and set SECRET_KEY (or DEBUG for a temporary key)",
        )
    })?;
    req.session = Some(session.clone());
    Ok(session)
}

/// The session in the request's cookie, not attached to the request (so never saved); `None`
/// when the app has no secret key.
pub(crate) fn peek(req: &Request) -> Option<Session> {
    let keys = req.app.session_keys.as_ref()?;
    let config = &req.app.config;
    let cookies = Cookies::from_headers(req.headers());
    Some(from_cookie(
        keys,
        config,
        cookies.get(&config.session_cookie_name),
    ))
}

/// The session a cookie value holds: empty when there is none, or it is tampered with, expired
/// or not a JSON object. The test client reads its cookie jar with it too.
pub(crate) fn from_cookie(keys: &Keys, config: &Config, cookie: Option<&str>) -> Session {
    let mut data = Map::new();
    let mut refresh = false;
    if let Some(value) = cookie {
        match keys.verify(value) {
            Ok(verified) => match serde_json::from_slice(&verified.payload) {
                Ok(Value::Object(map)) => {
                    let lifetime = lifetime(&map, config);
                    if verified.age > lifetime {
                        tracing::debug!(target: "micro::session", "session cookie expired");
                    } else {
                        data = map;
                        // Signed with a fallback key: re-sign with the current one.
                        refresh = verified.old_key || verified.age > lifetime / 10;
                    }
                }
                _ => {
                    tracing::debug!(target: "micro::session", "session cookie is not a JSON object")
                }
            },
            Err(why) => {
                tracing::debug!(target: "micro::session", "session cookie rejected: {why:?}")
            }
        }
    }
    Session {
        state: Arc::new(Mutex::new(State {
            data,
            modified: false,
            refresh,
            had_cookie: cookie.is_some(),
        })),
    }
}

fn is_permanent(data: &Map<String, Value>) -> bool {
    data.get(PERMANENT) == Some(&Value::Bool(true))
}

/// How long a session is accepted after its cookie was last signed: `PERMANENT_SESSION_LIFETIME`
/// for a permanent one, `SESSION_LIFETIME` for the others.
fn lifetime(data: &Map<String, Value>, config: &Config) -> std::time::Duration {
    if is_permanent(data) {
        config.permanent_session_lifetime
    } else {
        config.session_lifetime
    }
}

/// Writes the session cookie if the session changed; called once the response is final. A
/// session too large for a cookie is not saved; in debug mode the error is returned to be shown.
pub(crate) fn save(
    session: &Session,
    keys: &Keys,
    config: &Config,
    response: &mut Response,
) -> Option<Error> {
    match set_cookie(session, keys, config) {
        Ok(None) => None,
        Ok(Some(value)) => {
            response.headers_mut().append(SET_COOKIE, value);
            // A response that sets a session cookie is per user: keep it out of shared caches.
            crate::response::add_vary(response.headers_mut(), "Cookie");
            None
        }
        Err(message) => {
            tracing::error!(target: "micro::session", "{message}");
            config.debug.then(|| Error::new(500, message))
        }
    }
}

/// The `Set-Cookie` value that stores the session, if it changed; an error message when the
/// cookie would be over [`MAX_COOKIE_SIZE`]. The test client stores it in its jar.
pub(crate) fn set_cookie(
    session: &Session,
    keys: &Keys,
    config: &Config,
) -> Result<Option<HeaderValue>, String> {
    let state = session.lock();
    if !state.modified && !state.refresh {
        return Ok(None);
    }
    let mut cookie = cookie::Cookie::new(config.session_cookie_name.clone(), String::new());
    cookie.set_path(config.session_cookie_path.clone());
    if let Some(domain) = &config.session_cookie_domain {
        cookie.set_domain(domain.clone());
    }
    cookie.set_http_only(config.session_cookie_httponly);
    cookie.set_secure(config.session_cookie_secure);
    cookie.set_same_site(match config.session_cookie_samesite {
        SameSite::Lax => cookie::SameSite::Lax,
        SameSite::Strict => cookie::SameSite::Strict,
        SameSite::None => cookie::SameSite::None,
    });
    if state.data.is_empty() {
        if !state.had_cookie {
            return Ok(None);
        }
        cookie.make_removal();
    } else {
        let payload = serde_json::to_vec(&state.data).unwrap_or_default();
        cookie.set_value(keys.sign(&payload));
        if is_permanent(&state.data) {
            let secs = config.permanent_session_lifetime.as_secs();
            cookie.set_max_age(cookie::time::Duration::seconds(
                secs.try_into().unwrap_or(i64::MAX),
            ));
        }
    }
    let header = cookie.to_string();
    if header.len() > MAX_COOKIE_SIZE {
        return Err(format!(
            "the session cookie is {} bytes, over the {MAX_COOKIE_SIZE}-byte limit browsers keep, so this change to the session was not saved; keep less in the session (ids, not objects)",
            header.len()
        ));
    }
    match HeaderValue::try_from(header) {
        Ok(value) => Ok(Some(value)),
        Err(e) => {
            tracing::error!(target: "micro::session", "session cookie not sent: {e}");
            Ok(None)
        }
    }
}
