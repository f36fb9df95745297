//! The [`Messages`] extractor: the messages waiting for this visitor, loaded from the storage
//! once per request, and the ones handlers add for the next page.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::sessions::Session;
use crate::settings::MessageStorage;

use super::config::{Config, SESSION_KEY};
use super::{Level, Message, cookie};

/// What the layer puts in a request's extensions: the app's config and, once asked for, the
/// request's messages.
#[derive(Clone)]
pub(super) struct Slot(pub(super) Arc<SlotInner>);

pub(super) struct SlotInner {
    pub(super) config: Arc<Config>,
    pub(super) loaded: tokio::sync::OnceCell<Messages>,
}

/// The messages of a request (Django's `request._messages`): take it as a handler argument to
/// add messages for the visitor's next page, which shows them with `get_messages()`.
///
/// ```
/// use fullstack::messages::{Level, Messages};
///
/// async fn vote(messages: Messages) -> micro::Redirect {
///     messages.success("Thanks for voting.");
///     messages.add(Level::WARNING, "The poll closes tonight.").with_tags("closing");
///     micro::Redirect::see_other("/results")
/// }
/// ```
///
/// Messages below the level (`MESSAGE_LEVEL`, or [`set_level`](Self::set_level)) are
/// dropped. They are stored by `MESSAGE_STORAGE` after the handler, error pages included;
/// messages a page did not read wait for the next one. Extraction fails with a 500 when the
/// messages app is not installed (or the storage needs the sessions app and it is not), and
/// with a 503 when the session store does not answer.
#[derive(Clone)]
pub struct Messages {
    state: Arc<Mutex<State>>,
    pub(super) config: Arc<Config>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Messages")
            .field("loaded", &state.loaded)
            .field("queued", &state.queued)
            .field("used", &state.used)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
pub(super) struct State {
    /// The messages the storage held when the request came.
    pub(super) loaded: Vec<Message>,
    /// The messages added since (or since they were read).
    pub(super) queued: Vec<Message>,
    /// Read by a page (or [`Messages::read`]): the loaded ones are not stored again.
    pub(super) used: bool,
    pub(super) added_new: bool,
    pub(super) level: Option<Level>,
    /// The request carried a `messages` cookie (valid or not).
    pub(super) had_cookie: bool,
    /// The session held messages.
    pub(super) had_session: bool,
    /// The session, when the storage uses it and it was taken.
    pub(super) session: Option<Session>,
}

/// A message just added: give it tags.
#[derive(Debug)]
pub struct Added<'a> {
    messages: &'a Messages,
    /// Where the message is in the queue; `None` when its level dropped it.
    index: Option<usize>,
}

impl Added<'_> {
    /// Extra tags (`"vote highlighted"`), before the level's in `message.tags`: CSS classes,
    /// say.
    pub fn with_tags(self, tags: &str) -> Self {
        if let Some(i) = self.index {
            let mut state = self.messages.lock();
            if let Some(m) = state.queued.get_mut(i) {
                m.extra_tags = tags.to_owned();
            }
        }
        self
    }

    /// Whether the message was kept (its level is at least the minimum).
    pub fn is_kept(&self) -> bool {
        self.index.is_some()
    }
}

impl Messages {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        self.lock()
    }

    /// Adds a message of `level` for the next page, unless the level is below the minimum.
    pub fn add(&self, level: Level, text: impl Into<String>) -> Added<'_> {
        let mut state = self.lock();
        if level < state.level.unwrap_or(self.config.level) {
            return Added {
                messages: self,
                index: None,
            };
        }
        state.queued.push(Message {
            level,
            message: text.into(),
            extra_tags: String::new(),
        });
        state.added_new = true;
        let index = Some(state.queued.len() - 1);
        drop(state);
        Added {
            messages: self,
            index,
        }
    }

    /// A [`Level::DEBUG`] message (dropped at the default level).
    pub fn debug(&self, text: impl Into<String>) -> Added<'_> {
        self.add(Level::DEBUG, text)
    }

    /// A [`Level::INFO`] message.
    pub fn info(&self, text: impl Into<String>) -> Added<'_> {
        self.add(Level::INFO, text)
    }

    /// A [`Level::SUCCESS`] message.
    pub fn success(&self, text: impl Into<String>) -> Added<'_> {
        self.add(Level::SUCCESS, text)
    }

    /// A [`Level::WARNING`] message.
    pub fn warning(&self, text: impl Into<String>) -> Added<'_> {
        self.add(Level::WARNING, text)
    }

    /// A [`Level::ERROR`] message.
    pub fn error(&self, text: impl Into<String>) -> Added<'_> {
        self.add(Level::ERROR, text)
    }

    /// The minimum level of this request (`MESSAGE_LEVEL` unless [`set_level`](Self::set_level)).
    pub fn level(&self) -> Level {
        self.lock().level.unwrap_or(self.config.level)
    }

    /// Changes the minimum level for the rest of this request (Django's `set_level`).
    pub fn set_level(&self, level: Level) {
        self.lock().level = Some(level);
    }

    /// The messages, marked read: they will not be shown again (what `get_messages()` does in
    /// a template). Messages added after this call wait for the next page.
    pub fn read(&self) -> Vec<Message> {
        let mut state = self.lock();
        state.used = true;
        let queued = std::mem::take(&mut state.queued);
        state.loaded.extend(queued);
        state.loaded.clone()
    }

    /// How many messages there are, without marking them read.
    pub fn len(&self) -> usize {
        let state = self.lock();
        state.loaded.len() + state.queued.len()
    }

    /// Whether there are none (without marking them read).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl micro::FromRequest for Messages {
    type Rejection = micro::Error;

    async fn from_request(req: &mut micro::Request) -> Result<Self, micro::Error> {
        let messages = extract(req).await?;
        if let (MessageStorage::Cookie, Err(why)) =
            (messages.config.storage, &messages.config.signer)
        {
            return Err(micro::Error::internal(format!(
                "fullstack::messages: MESSAGE_STORAGE = \"cookie\" cannot sign its cookie: {why}"
            )));
        }
        // A handler may add more than the cookie holds: the fallback needs the session then,
        // and taking it is async, unlike the saving after the handler.
        if messages.config.storage == MessageStorage::Fallback && messages.lock().session.is_none()
        {
            let session = session(req, &messages.config).await?;
            messages.lock().session = Some(session);
        }
        Ok(messages)
    }
}

/// The request's messages, loaded at the first call (by a handler or a template's context
/// processor).
pub(super) async fn extract(req: &mut micro::Request) -> Result<Messages, micro::Error> {
    let Some(Slot(slot)) = req.extensions().get::<Slot>().cloned() else {
        return Err(micro::Error::internal(
            "fullstack::messages::Messages needs the messages app: \
             add `.app(fullstack::messages::app())` to the project",
        ));
    };
    let messages = slot
        .loaded
        .get_or_try_init(|| load(req, &slot.config))
        .await?;
    Ok(messages.clone())
}

async fn load(req: &mut micro::Request, config: &Arc<Config>) -> Result<Messages, micro::Error> {
    let mut state = State::default();
    let mut from_session = config.storage == MessageStorage::Session;
    match &config.signer {
        Ok(signer) if config.uses_cookie() => {
            if let Some(data) = cookie::read(req.headers(), signer) {
                state.had_cookie = true;
                state.loaded = data.messages;
                from_session = data.more;
            }
        }
        // No SECRET_KEY outside debug mode: no cookie can be trusted or signed, so the
        // fallback keeps everything in the session, and a page of the cookie storage shows
        // nothing (a handler adding to it gets the 500 naming the key).
        Err(_) => from_session |= config.storage == MessageStorage::Fallback,
        Ok(_) => {}
    }
    if from_session {
        let session = session(req, config).await?;
        if let Some(stored) = session.get::<Vec<Message>>(SESSION_KEY) {
            state.had_session = true;
            state.loaded.extend(stored);
        } else if session.contains_key(SESSION_KEY) {
            // Not messages (written by something else): dropped at the next save.
            state.had_session = true;
        }
        state.session = Some(session);
    }
    Ok(Messages {
        state: Arc::new(Mutex::new(state)),
        config: config.clone(),
    })
}

/// The request's session, with an error that says what to do when there is none.
async fn session(req: &mut micro::Request, config: &Config) -> Result<Session, micro::Error> {
    use micro::FromRequest as _;
    Session::from_request(req).await.map_err(|err| {
        if err.status() != micro::StatusCode::INTERNAL_SERVER_ERROR {
            return err; // the store is down: its 503
        }
        let storage = match config.storage {
            MessageStorage::Session => "session",
            _ => "fallback",
        };
        micro::Error::internal(format!(
            "fullstack::messages: MESSAGE_STORAGE = \"{storage}\" keeps messages in the session: \
             add `.app(fullstack::sessions::app())` to the project, or set \
             MESSAGE_STORAGE = \"cookie\" ({})",
            err.source()
                .map_or_else(|| err.message().to_owned(), ToString::to_string)
        ))
    })
}
