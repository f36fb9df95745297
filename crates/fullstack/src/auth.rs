//! Users, groups, permissions, password hashing, logging in and out, guards and login
//! throttling, and bearer tokens for APIs: Django's `contrib.auth`, a pluggable app added to a project like any other. It
//! needs the [sessions](crate::sessions) app.
//!
//! ```no_run
//! use fullstack::Project;
//! use fullstack::auth::{self, CurrentUser};
//! use micro::routing::get;
//!
//! async fn home(user: CurrentUser) -> String {
//!     match user.user() {
//!         Some(u) => format!("hello, {}", u.username),
//!         None => "hello, stranger".into(),
//!     }
//! }
//!
//! let project = Project::new("site")
//!     .app(fullstack::sessions::app())
//!     .app(auth::app())
//!     .web(|app| {
//!         app.get("/", home);
//!         app.route("/secret/", get(|| async { "for members" }).guard(auth::login_required()));
//!     });
//! ```
//!
//! The guide is `docs/fullstack/auth.md`.

mod api_tokens;
mod backends;
mod commands;
mod current;
pub mod forms;
mod guards;
pub mod hashers;
mod login;
mod login_attempt;
mod models;
mod password_change;
mod permissions;
mod redirect;
mod reset;
mod throttle;
pub mod tokens;
pub mod validators;
mod views;

use std::sync::Arc;

use crate::AppConfig;

pub use api_tokens::{TOKEN_PREFIX, TokenUser};
pub use backends::{AuthBackend, BackendFuture, Credentials, ModelBackend};
pub use current::{CurrentUser, UserView};
pub use guards::{
    GuardFuture, login_required, permission_required, staff_required, user_passes_test,
};
pub use hashers::{Hasher, Hashers};
pub use login::{
    BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, authenticate, login, logout,
    session_auth_hash, set_password, update_session_auth_hash,
};
pub use login_attempt::{LoginAttempt, LoginOutcome, LoginRules};
pub use models::{ApiToken, Group, LoginFailure, Permission, User};
pub use password_change::change_password;
pub use permissions::{UserPermissions, create_permissions, default_permissions};
pub use redirect::safe_next;
pub use throttle::{Throttle, Throttled};
pub use tokens::PasswordResetTokenGenerator;
pub use validators::{PasswordValidators, UserAttributes};

/// The app's label: its models' `app`, its migrations' folder, its permissions' prefix.
pub const LABEL: &str = "auth";

/// What the auth app works with: its password hashers and validators and its authentication
/// backends, in the web app's state (read it with `micro::State<fullstack::auth::AuthConfig>`).
#[derive(Clone)]
pub struct AuthConfig {
    /// How passwords are hashed and checked.
    pub hashers: Hashers,
    /// What a new password must pass.
    pub validators: PasswordValidators,
    backends: Vec<Arc<dyn AuthBackend>>,
    views: bool,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("hashers", &self.hashers)
            .field(
                "backends",
                &self.backends.iter().map(|b| b.name()).collect::<Vec<_>>(),
            )
            .field("views", &self.views)
            .finish_non_exhaustive()
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            hashers: Hashers::default(),
            validators: PasswordValidators::default(),
            backends: vec![Arc::new(ModelBackend)],
            views: true,
        }
    }
}

impl AuthConfig {
    /// Hashes new passwords with `hasher` (Argon2id by default); every known encoding still
    /// verifies, and a login rehashes the others.
    #[must_use]
    pub fn hasher(mut self, hasher: Hasher) -> Self {
        self.hashers = Hashers::new(hasher);
        self
    }

    /// The password validators.
    #[must_use]
    pub fn validators(mut self, validators: PasswordValidators) -> Self {
        self.validators = validators;
        self
    }

    /// Adds an authentication backend, tried after the ones before it (Django's
    /// `AUTHENTICATION_BACKENDS`; the [`ModelBackend`] is the first by default).
    #[must_use]
    pub fn backend(mut self, backend: impl AuthBackend) -> Self {
        self.backends.push(Arc::new(backend));
        self
    }

    /// Only these backends, in this order.
    #[must_use]
    pub fn only_backends(mut self, backends: Vec<Arc<dyn AuthBackend>>) -> Self {
        self.backends = backends;
        self
    }

    /// Leaves out the views at `/accounts/...` (a project that writes its own).
    #[must_use]
    pub fn without_views(mut self) -> Self {
        self.views = false;
        self
    }

    /// The backends, in order.
    pub fn backends(&self) -> &[Arc<dyn AuthBackend>] {
        &self.backends
    }

    /// The backend named `name`.
    pub fn backend_named(&self, name: &str) -> Option<&Arc<dyn AuthBackend>> {
        self.backends.iter().find(|b| b.name() == name)
    }
}

/// The auth app with the default [`AuthConfig`].
pub fn app() -> AppConfig {
    app_with(AuthConfig::default())
}

/// The auth app with `config`: its models and embedded migration, the permissions made after
/// `migrate`, the [`AuthConfig`] in the web app's state, `user` and `perms` in templates, the
/// views at `/accounts/login/`, `/accounts/logout/`, `/accounts/password_change/` and the
/// password reset ones (`/accounts/password_reset/`, `/accounts/reset/<uidb64>/<token>/`), and the
/// `createsuperuser`, `changepassword` and `createtoken` commands.
pub fn app_with(config: AuthConfig) -> AppConfig {
    let commands_config = config.clone();
    let changepassword_config = config.clone();
    AppConfig::new(LABEL)
        .models(&[
            <Permission as crate::Model>::META,
            <Group as crate::Model>::META,
            <User as crate::Model>::META,
            <LoginFailure as crate::Model>::META,
            <ApiToken as crate::Model>::META,
        ])
        .migrations_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/auth/migrations"))
        .embedded_migrations(include!("auth/migrations/embedded.rs"))
        .post_migrate(permissions::post_migrate)
        .routes_with_settings(move |app, settings| {
            app.state(config.clone());
            // One throttle for the app, so a Redis store keeps one connection.
            app.state(Throttle::from_settings(settings).unwrap_or_else(|e| panic!("auth: {e}")));
            app.context_processor(current::context_processor);
            if config.views {
                views::register(app, settings);
            }
        })
        .command(commands::CreateSuperuser(commands_config))
        .command(commands::ChangePassword(changepassword_config))
        .command(commands::CreateToken)
}

#[cfg(test)]
mod tests {
    use crate::Project;

    #[tokio::test]
    async fn the_embedded_migration_matches_the_models() {
        let project = Project::new("site").app(super::app());
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let args = match std::env::var("FULLSTACK_AUTH_MAKEMIGRATIONS") {
            Ok(_) => vec!["site", "makemigrations", "--no-input"],
            Err(_) => vec!["site", "makemigrations", "--check", "--no-input"],
        };
        let code = project.run_with(args, &mut out, &mut err).await;
        let (out, err) = (String::from_utf8_lossy(&out), String::from_utf8_lossy(&err));
        assert_eq!(code, 0, "{out}{err}");
    }
}
