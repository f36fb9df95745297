//! [`CurrentUser`]: the user of the request (or nobody), for handlers, guards and templates.

use std::collections::BTreeMap;
use std::sync::Arc;

use micro::minijinja::Value;
use micro::minijinja::value::{Object, Serde};
use serde::Serialize;

use super::login::{BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, session_auth_hash};
use super::{AuthConfig, User, UserPermissions};
use crate::sessions::Session;
use crate::{Database, Settings};

/// The logged-in user of the request, or the anonymous user: an extractor. The user is loaded
/// once per request (the handler, its guards and the templates' `user` share it): the session
/// read, then one query by the backend that logged the user in (none while the session's copy
/// is younger than `AUTH_USER_CACHE` seconds). A session whose
/// [`session_auth_hash`] no longer matches (the password changed since) is flushed and the
/// request is anonymous.
///
/// ```
/// use fullstack::auth::CurrentUser;
///
/// async fn whoami(user: CurrentUser) -> String {
///     if user.is_authenticated() {
///         format!("{} ({} perms)", user.username(), user.all_perms().await.map(|p| p.len()).unwrap_or(0))
///     } else {
///         "anonymous".into()
///     }
/// }
/// ```
#[derive(Clone)]
pub struct CurrentUser {
    user: Option<Arc<User>>,
    db: Option<Database>,
    session: Option<Session>,
    /// The user's permissions, read at the first need and shared by the request's clones
    /// (the admin's checks and the templates' `perms` then cost one query between them).
    perms: Arc<tokio::sync::OnceCell<std::collections::BTreeSet<String>>>,
}

impl std::fmt::Debug for CurrentUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentUser")
            .field("username", &self.username())
            .finish_non_exhaustive()
    }
}

impl CurrentUser {
    /// Nobody.
    pub fn anonymous() -> Self {
        CurrentUser {
            user: None,
            db: None,
            session: None,
            perms: Default::default(),
        }
    }

    /// The user, `None` when anonymous. With `AUTH_USER_CACHE` on it may be the session's copy,
    /// whose `password` is empty: read the row (`User::objects()`) to check a password.
    pub fn user(&self) -> Option<&User> {
        self.user.as_deref()
    }

    /// Whether someone is logged in.
    pub fn is_authenticated(&self) -> bool {
        self.user.is_some()
    }

    /// The username, `""` when anonymous.
    pub fn username(&self) -> &str {
        self.user.as_deref().map_or("", |u| u.username.as_str())
    }

    /// Whether the user is logged in, active and staff.
    pub fn is_staff(&self) -> bool {
        self.user
            .as_deref()
            .is_some_and(|u| u.is_active && u.is_staff)
    }

    /// The session the user was read from (none when anonymous without a session).
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Whether the user has `perm` (`"polls.change_question"`): see
    /// [`UserPermissions::has_perm`]. Anonymous users have none.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn has_perm(&self, perm: &str) -> Result<bool, crate::Error> {
        match (&self.user, &self.db) {
            (Some(user), Some(db)) => user.has_perm(db, perm).await,
            _ => Ok(false),
        }
    }

    /// Every permission of the user, as `app_label.codename`: read once per request (one
    /// query), then shared.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn all_perms(&self) -> Result<std::collections::BTreeSet<String>, crate::Error> {
        let (Some(user), Some(db)) = (&self.user, &self.db) else {
            return Ok(Default::default());
        };
        self.perms
            .get_or_try_init(|| user.all_perms(db))
            .await
            .cloned()
    }

    /// What templates see as `user`.
    pub fn view(&self) -> UserView {
        match self.user.as_deref() {
            Some(u) => UserView {
                is_authenticated: true,
                is_anonymous: false,
                id: Some(u.id),
                username: u.username.clone(),
                first_name: u.first_name.clone(),
                last_name: u.last_name.clone(),
                email: u.email.clone(),
                is_staff: u.is_staff,
                is_superuser: u.is_superuser,
                is_active: u.is_active,
            },
            None => UserView {
                is_authenticated: false,
                is_anonymous: true,
                id: None,
                username: String::new(),
                first_name: String::new(),
                last_name: String::new(),
                email: String::new(),
                is_staff: false,
                is_superuser: false,
                is_active: false,
            },
        }
    }
}

/// The user as templates see it (`{{ user.username }}`, `{% if user.is_authenticated %}`):
/// never the password hash.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    /// Someone is logged in.
    pub is_authenticated: bool,
    /// Nobody is.
    pub is_anonymous: bool,
    /// The key.
    pub id: Option<i64>,
    /// Username.
    pub username: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Email.
    pub email: String,
    /// Staff.
    pub is_staff: bool,
    /// Superuser.
    pub is_superuser: bool,
    /// Active.
    pub is_active: bool,
}

/// The request's user, kept in its extensions once read.
#[derive(Clone)]
struct Loaded(CurrentUser);

impl micro::FromRequest for CurrentUser {
    type Rejection = micro::Error;

    async fn from_request(req: &mut micro::Request) -> Result<Self, micro::Error> {
        if let Some(Loaded(user)) = req.extensions().get::<Loaded>() {
            return Ok(user.clone());
        }
        let user = load(req).await?;
        req.extensions_mut().insert(Loaded(user.clone()));
        Ok(user)
    }
}

async fn load(req: &mut micro::Request) -> Result<CurrentUser, micro::Error> {
    let session = <Session as micro::FromRequest>::from_request(req).await?;
    let db = req.state::<Database>().cloned();
    let config = req.state::<AuthConfig>().cloned();
    let secret = req
        .state::<Settings>()
        .and_then(|s| s.web.secret_key.as_ref().map(|k| k.expose().to_owned()))
        .unwrap_or_default();
    let anonymous = CurrentUser {
        user: None,
        db: db.clone(),
        session: Some(session.clone()),
        perms: Default::default(),
    };
    let (Some(db), Some(config)) = (db, config) else {
        return Err(micro::Error::internal(
            "fullstack::auth::CurrentUser needs the auth app: add `.app(fullstack::auth::app())`",
        ));
    };
    let Some(id) = session
        .get::<String>(SESSION_KEY)
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return Ok(anonymous);
    };
    let backend = session
        .get::<String>(BACKEND_SESSION_KEY)
        .unwrap_or_default();
    let Some(backend) = config.backend_named(&backend) else {
        // A backend the project no longer has: Django logs such sessions out.
        session.flush();
        return Ok(anonymous);
    };
    let stored = session.get::<String>(HASH_SESSION_KEY).unwrap_or_default();
    let cache_for = req
        .state::<Settings>()
        .map_or(0, |s| i64::try_from(s.auth.user_cache).unwrap_or(i64::MAX));
    if cache_for > 0
        && let Some(user) = cached(&session, id, &stored, cache_for)
    {
        return Ok(CurrentUser {
            user: Some(Arc::new(user)),
            db: Some(db),
            session: Some(session),
            perms: Default::default(),
        });
    }
    let user = backend
        .get_user(&db, id)
        .await
        .map_err(|e| e.http_error())?;
    let Some(user) = user else {
        session.flush();
        return Ok(anonymous);
    };
    let expected = session_auth_hash(&user, &secret);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        stored.as_bytes(),
        expected.as_bytes(),
    )) {
        session.flush();
        return Ok(anonymous);
    }
    if cache_for > 0 {
        // Not cached is only slower: a session that cannot take the copy still works.
        let _ = session.insert(CACHE_SESSION_KEY, CachedUser::of(&user, &stored));
    }
    Ok(CurrentUser {
        user: Some(Arc::new(user)),
        db: Some(db),
        session: Some(session),
        perms: Default::default(),
    })
}

/// The session key of the user's copy (`AUTH_USER_CACHE`).
pub(super) const CACHE_SESSION_KEY: &str = "_auth_user_cache";

/// The user's row as the session keeps it, without the password hash (a signed-cookie session
/// is readable by its client), with when it was read and the session's auth hash then: a
/// password change in this session rewrites that hash, which outdates the copy.
#[derive(Serialize, serde::Deserialize)]
struct CachedUser {
    at: i64,
    hash: String,
    id: i64,
    last_login: Option<chrono::DateTime<chrono::Utc>>,
    is_superuser: bool,
    username: String,
    first_name: String,
    last_name: String,
    email: String,
    is_staff: bool,
    is_active: bool,
    date_joined: chrono::DateTime<chrono::Utc>,
}

impl CachedUser {
    fn of(user: &User, hash: &str) -> CachedUser {
        CachedUser {
            at: chrono::Utc::now().timestamp(),
            hash: hash.to_owned(),
            id: user.id,
            last_login: user.last_login,
            is_superuser: user.is_superuser,
            username: user.username.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            email: user.email.clone(),
            is_staff: user.is_staff,
            is_active: user.is_active,
            date_joined: user.date_joined,
        }
    }
}

/// The session's copy of user `id`, when it is younger than `max_age` seconds and was made
/// under the session's current auth hash.
fn cached(session: &Session, id: i64, hash: &str, max_age: i64) -> Option<User> {
    let c = session.get::<CachedUser>(CACHE_SESSION_KEY)?;
    let age = chrono::Utc::now().timestamp().saturating_sub(c.at);
    if c.id != id || c.hash != hash || !(0..max_age).contains(&age) {
        return None;
    }
    Some(User {
        id: c.id,
        password: String::new(),
        last_login: c.last_login,
        is_superuser: c.is_superuser,
        username: c.username,
        first_name: c.first_name,
        last_name: c.last_name,
        email: c.email,
        is_staff: c.is_staff,
        is_active: c.is_active,
        date_joined: c.date_joined,
        groups: Default::default(),
        user_permissions: Default::default(),
    })
}

/// `perms` in templates (Django's `PermWrapper`): `perms.polls` is true when the user has any
/// permission of `polls`, `perms.polls.change_question` when they have that one; a name they
/// lack is false, never an error.
#[derive(Debug)]
struct Perms(BTreeMap<String, Vec<String>>);

#[derive(Debug)]
struct AppPerms(Vec<String>);

impl Object for Perms {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let app = key.as_str()?;
        Some(Value::from_object(AppPerms(
            self.0.get(app).cloned().unwrap_or_default(),
        )))
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.0.is_empty()
    }
}

impl Object for AppPerms {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let codename = key.as_str()?;
        Some(Value::from(self.0.iter().any(|c| c == codename)))
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.0.is_empty()
    }
}

/// `user` and `perms` in every template: `{{ user.username }}`,
/// `{% if perms.polls.change_question %}`, `{% if perms.polls %}` (any permission of the app).
pub(super) async fn context_processor(user: CurrentUser) -> Result<Value, micro::Error> {
    let mut perms: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for perm in user.all_perms().await.map_err(|e| e.http_error())? {
        if let Some((app, codename)) = perm.split_once('.') {
            perms
                .entry(app.to_owned())
                .or_default()
                .push(codename.to_owned());
        }
    }
    Ok(micro::context! {
        user => Value::from(Serde(user.view())),
        perms => Value::from_object(Perms(perms)),
    })
}
