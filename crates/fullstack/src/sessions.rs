//! Server-side sessions, Django's `contrib.sessions`: a pluggable app with its model, its
//! migration, its `clearsessions` command and a tower layer, added to a project like any app.
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
//! `django_session` table), the browser keeps only a random key in a cookie. The guide is
//! `docs/fullstack/sessions.md`.

mod clearsessions;
mod database_store;
mod handle;
mod key;
mod layer;
mod model;
mod settings;
mod store;

use crate::AppConfig;

pub use database_store::DatabaseStore;
pub use handle::{Expiry, Session};
pub use layer::{SessionLayer, SessionService};
pub use model::StoredSession;
pub use settings::SessionSettings;
pub use store::{SessionBackend, SessionRecord, SessionStore, StoreError, StoreFuture};

/// The app's label: its models' `app`, its migrations' folder.
pub const LABEL: &str = "sessions";

/// The sessions app with the default [`SessionSettings`]: the model and its embedded migration,
/// the session layer on the web app, and the `clearsessions` command.
pub fn app() -> AppConfig {
    app_with(SessionSettings::default())
}

/// The sessions app with `settings` (cookie name, flags, age).
pub fn app_with(settings: SessionSettings) -> AppConfig {
    AppConfig::new(LABEL)
        .model(<StoredSession as crate::Model>::META)
        .migrations_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/sessions/migrations"
        ))
        .embedded_migrations(include!("sessions/migrations/embedded.rs"))
        .routes(move |app| {
            app.layer(SessionLayer::new(settings.clone()));
        })
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
