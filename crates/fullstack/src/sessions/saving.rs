//! What a web app's sessions are ([`Sessions`], in the app's state) and the step that saves a
//! request's session after its handler ran: scheduled by the [`Session`] extractor with
//! `micro::Request::on_response`, so a request that never takes its session pays nothing, not
//! even a layer.

use std::sync::Arc;

use chrono::Utc;
use cookie::{Cookie, SameSite};
use http::HeaderValue;
use http::header::{COOKIE, SET_COOKIE};
use micro::IntoResponse;

use super::engine::{Engine, MAX_COOKIE_SIZE, Storage};
use super::handle::{self, Session, SlotInner};
use super::store::{SessionRecord, StoreError};
use super::{key, signed_cookie};
use crate::settings::SessionSettings;

/// Server-side sessions for a web app: its settings and the engine made of them once (the
/// `cached_db` cache, the Redis connection). [`install`](Self::install) puts them in the app's
/// state, where the [`Session`] extractor finds them; the [sessions app](super::app) does it
/// for you.
#[derive(Debug, Clone)]
pub struct Sessions {
    pub(crate) settings: Arc<SessionSettings>,
    pub(crate) engine: Arc<Engine>,
}

impl Sessions {
    /// Sessions with `settings`. The `signed_cookies` engine needs
    /// [`with_signer`](Self::with_signer) instead (the sessions app does that for you).
    pub fn new(settings: SessionSettings) -> Self {
        Self::build(settings, None)
    }

    /// Sessions with `settings` whose `signed_cookies` engine signs with `signer` (for example
    /// `config.signer(fullstack::sessions::SIGNED_COOKIES_SALT)`).
    pub fn with_signer(settings: SessionSettings, signer: micro::Signer) -> Self {
        Self::build(settings, Some(signer))
    }

    fn build(settings: SessionSettings, signer: Option<micro::Signer>) -> Self {
        Sessions {
            engine: Arc::new(Engine::new(&settings, signer)),
            settings: Arc::new(settings),
        }
    }

    /// Makes them `app`'s sessions.
    pub fn install(self, app: &mut micro::App) {
        app.state(self);
    }
}

/// The step after the handler: saves the session it took, if it wants saving, and sets the
/// cookie; a store that fails is a 503, a deleted session a 400, an oversized signed cookie a 500.
pub(crate) async fn finish(response: micro::Response, slot: Arc<SlotInner>) -> micro::Response {
    let Some(session) = slot.loaded.get() else {
        // The session could not be loaded: the extractor's 503 is the response already.
        return response;
    };
    // Django's rule: a response that says the server failed saves nothing, so a handler that
    // changed the session and then failed leaves it as it was.
    if response.status().is_server_error() {
        return response;
    }
    match save(session, &slot).await {
        Ok(cookie) => with_cookie(response, cookie, &slot.settings),
        Err(SaveError::Store(e)) => e.into_unavailable().into_response(),
        Err(SaveError::Interrupted) => {
            tracing::warn!(
                target: "fullstack::sessions",
                "the session was deleted while this request ran (a logout in another \
                 request?): not saved, answering 400"
            );
            micro::Error::new(
                micro::StatusCode::BAD_REQUEST,
                "The request's session was deleted before the request completed. \
                 The user may have logged out in a concurrent request, for example.",
            )
            .into_response()
        }
        Err(SaveError::TooLarge(size)) => {
            let message = format!(
                "the signed session cookie would be {size} bytes, over the \
                 {MAX_COOKIE_SIZE} browsers keep: the session was not saved (keep less \
                 in it, or use a server-side SESSION_ENGINE)"
            );
            tracing::error!(target: "fullstack::sessions", "{message}: answering 500");
            micro::Error::internal(message).into_response()
        }
    }
}

/// The key in the request's session cookie.
pub(crate) fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// What the response's cookie becomes after a save.
enum CookieChange {
    Keep,
    /// The cookie's new value: a key, or the signed data.
    Set {
        value: String,
        max_age: Option<std::time::Duration>,
    },
    Remove,
}

/// Why a session could not be saved.
enum SaveError {
    /// The store failed or did not answer: a 503.
    Store(StoreError),
    /// The stored session was deleted while the request ran: a 400, as Django's
    /// `SessionInterrupted`.
    Interrupted,
    /// The signed cookie would be this many bytes, over [`MAX_COOKIE_SIZE`]: a 500.
    TooLarge(usize),
}

impl From<StoreError> for SaveError {
    fn from(e: StoreError) -> Self {
        SaveError::Store(e)
    }
}

/// Saves a changed session (any loaded one with `save_every_request`): one store call at most
/// (an update, an insert, a delete or a cycle), or a new signed cookie.
async fn save(session: &Session, slot: &SlotInner) -> Result<CookieChange, SaveError> {
    let settings = &slot.settings;
    let store = match &session.storage {
        Storage::Store(store) => store,
        Storage::Cookie(signer) => return save_cookie(session, slot, signer),
    };
    let (action, change) = {
        let mut state = session.state();
        if !wants_save(&state, settings) {
            return Ok(CookieChange::Keep);
        }
        if state.data.is_empty() {
            // Nothing to keep: no row, and no cookie (Django deletes both).
            let old = state.stored_key.take();
            let had_cookie = slot.cookie_key.is_some();
            let change = if had_cookie {
                CookieChange::Remove
            } else {
                CookieChange::Keep
            };
            (old.map(Action::Delete), change)
        } else {
            let (age, browser_close) = handle::lifetime(state.expiry(), settings);
            let old = state.stored_key.clone();
            let key = match (&old, state.new_key_wanted) {
                (Some(old), false) => old.clone(),
                _ => key::new_key(),
            };
            let record = SessionRecord {
                key: key.clone(),
                data: state.data.clone(),
                expire_date: Utc::now()
                    + chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX),
            };
            state.stored_key = Some(key.clone());
            let action = match old {
                Some(old) if old != key => Action::Cycle(old, record),
                // A session that was loaded is updated only if it still exists.
                Some(_) => Action::Update(record),
                None => Action::Create(record),
            };
            let max_age = (!browser_close).then_some(age);
            (
                Some(action),
                CookieChange::Set {
                    value: key,
                    max_age,
                },
            )
        }
    };
    let timeout = settings.store_timeout;
    match action {
        None => {}
        Some(Action::Delete(key)) => handle::bounded(timeout, store.delete(&key)).await?,
        Some(Action::Create(record)) => handle::bounded(timeout, store.save(&record)).await?,
        Some(Action::Update(record)) => {
            let still_there = handle::bounded(timeout, store.update(&record)).await?;
            if !still_there {
                session.state().stored_key = None;
                return Err(SaveError::Interrupted);
            }
        }
        Some(Action::Cycle(old, record)) => {
            handle::bounded(timeout, store.cycle(&old, &record)).await?;
        }
    }
    Ok(change)
}

/// Whether the session is to be saved: it changed, or `save_every_request` renews every
/// loaded session that holds something.
fn wants_save(state: &handle::State, settings: &SessionSettings) -> bool {
    state.modified || (settings.save_every_request && !state.data.is_empty())
}

/// The `signed_cookies` engine's save: the data signed into the cookie, refused when too big.
fn save_cookie(
    session: &Session,
    slot: &SlotInner,
    signer: &micro::Signer,
) -> Result<CookieChange, SaveError> {
    let settings = &slot.settings;
    let state = session.state();
    if !wants_save(&state, settings) {
        return Ok(CookieChange::Keep);
    }
    if state.data.is_empty() {
        return Ok(if slot.cookie_key.is_some() {
            CookieChange::Remove
        } else {
            CookieChange::Keep
        });
    }
    let (age, browser_close) = handle::lifetime(state.expiry(), settings);
    let value = signed_cookie::sign(signer, &state.data);
    let max_age = (!browser_close).then_some(age);
    // Measured as the browser gets it: name, value and attributes.
    let size = build_cookie(settings, value.clone(), max_age)
        .encoded()
        .to_string()
        .len();
    if size > MAX_COOKIE_SIZE {
        return Err(SaveError::TooLarge(size));
    }
    Ok(CookieChange::Set { value, max_age })
}

enum Action {
    Delete(String),
    Create(SessionRecord),
    Update(SessionRecord),
    Cycle(String, SessionRecord),
}

fn with_cookie(
    mut response: micro::Response,
    change: CookieChange,
    settings: &SessionSettings,
) -> micro::Response {
    let (value, max_age) = match change {
        CookieChange::Keep => return response,
        CookieChange::Set { value, max_age } => (value, max_age),
        CookieChange::Remove => (String::new(), Some(std::time::Duration::ZERO)),
    };
    let cookie = build_cookie(settings, value, max_age);
    if let Ok(header) = HeaderValue::from_str(&cookie.encoded().to_string()) {
        response.headers_mut().append(SET_COOKIE, header);
    }
    // Caches must not hand one visitor's page to another.
    micro::response::add_vary(response.headers_mut(), "Cookie");
    response
}

/// The session cookie with `value` and the settings' flags.
fn build_cookie(
    settings: &SessionSettings,
    value: String,
    max_age: Option<std::time::Duration>,
) -> Cookie<'static> {
    let mut cookie = Cookie::build((settings.cookie_name.clone(), value))
        .path(settings.cookie_path.clone())
        .http_only(settings.cookie_http_only)
        .secure(settings.cookie_secure)
        .same_site(match settings.cookie_same_site {
            micro::SameSite::Lax => SameSite::Lax,
            micro::SameSite::Strict => SameSite::Strict,
            micro::SameSite::None => SameSite::None,
        })
        .build();
    if let Some(domain) = &settings.cookie_domain {
        cookie.set_domain(domain.clone());
    }
    if let Some(age) = max_age {
        let secs = i64::try_from(age.as_secs()).unwrap_or(i64::MAX);
        cookie.set_max_age(cookie::time::Duration::seconds(secs));
    }
    cookie
}
