//! Server-side sessions, Django's `contrib.sessions`: a pluggable app with its model, its
//! migration and its `clearsessions` command, added to a project like any app.
//!
//! ```no_run
//! use fullstack::Project;
//! use fullstack::sessions::Session;
//!
//! async fn visits(session: Session) -> Result<String, micro::Error> {
//!     let n = session.get::<u32>("visits").unwrap_or(0) + 1;
//!     session.insert("visits", n)?;
//!     Ok(format!("visit number {n}"))
//! }
//!
//! let project = Project::new("site")
//!     .app(fullstack::sessions::app())
//!     .web(|app| {
//!         app.get("/", visits);
//!     });
//! ```
//!
//! The session's data lives in a [`SessionStore`] (the database by default, in the
//! `django_session` table), the browser keeps only a random key in a cookie. `SESSION_ENGINE`
//! picks another place: Redis (`RedisStore`, with the `redis` cargo feature), the database
//! behind an in-process cache ([`CachedDbStore`]), or the cookie itself, signed. The guide is
//! `docs/fullstack/sessions.md`.

mod cached_db_store;
mod clearsessions;
mod database_store;
mod engine;
mod handle;
mod key;
mod model;
#[cfg(feature = "redis")]
mod redis_store;
mod saving;
mod signed_cookie;
mod store;

use crate::AppConfig;

pub use crate::settings::{SessionEngine, SessionSettings};
pub use cached_db_store::CachedDbStore;
pub use database_store::DatabaseStore;
pub use handle::{Expiry, Session};
pub use model::StoredSession;
#[cfg(feature = "redis")]
pub use redis_store::RedisStore;
pub use saving::Sessions;
pub use signed_cookie::SALT as SIGNED_COOKIES_SALT;
pub use store::{SessionBackend, SessionRecord, SessionStore, StoreError, StoreFuture};

/// The app's label: its models' `app`, its migrations' folder.
pub const LABEL: &str = "sessions";

/// The sessions app as the project's [`Settings::sessions`](crate::Settings::sessions) (the
/// `SESSION_*` keys) configure it: the model and its embedded migration, the [`Sessions`] of
/// the web app, and the `clearsessions` command.
pub fn app() -> AppConfig {
    with_routes(|app, project| {
        sessions(project.sessions.clone(), project).install(app);
    })
}

/// The sessions app with `settings` made in code, whatever the project's `SESSION_*` keys say.
pub fn app_with(settings: SessionSettings) -> AppConfig {
    with_routes(move |app, project| {
        sessions(settings.clone(), project).install(app);
    })
}

/// The sessions for `settings`, signing with the project's `SECRET_KEY` when the engine is
/// `signed_cookies`.
fn sessions(settings: SessionSettings, project: &crate::Settings) -> Sessions {
    if settings.engine != SessionEngine::SignedCookies {
        return Sessions::new(settings);
    }
    match project.web.signer(SIGNED_COOKIES_SALT) {
        Ok(signer) => Sessions::with_signer(settings, signer),
        // No key outside debug mode: micro refuses to start the app for the same reason.
        Err(_) => Sessions::new(settings),
    }
}

fn with_routes(
    routes: impl Fn(&mut micro::App, &crate::Settings) + Send + Sync + 'static,
) -> AppConfig {
    AppConfig::new(LABEL)
        .model(<StoredSession as crate::Model>::META)
        .migrations_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/sessions/migrations"
        ))
        .embedded_migrations(include!("sessions/migrations/embedded.rs"))
        .routes_with_settings(routes)
        .command_fn(clearsessions::definition(), clearsessions::run)
}

#[cfg(test)]
mod tests {
    use crate::Project;

    #[tokio::test]
    async fn the_embedded_migration_matches_the_model() {
        let project = Project::new("site").app(super::app());
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let args = match std::env::var("FULLSTACK_SESSIONS_MAKEMIGRATIONS") {
            Ok(_) => vec!["site", "makemigrations", "--no-input"],
            Err(_) => vec!["site", "makemigrations", "--check", "--no-input"],
        };
        let code = project.run_with(args, &mut out, &mut err).await;
        let (out, err) = (String::from_utf8_lossy(&out), String::from_utf8_lossy(&err));
        assert_eq!(code, 0, "{out}{err}");
    }
}
