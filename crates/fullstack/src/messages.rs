//! One-time messages for the visitor's next page, Django's `contrib.messages`: a handler adds
//! "Thanks for voting." and redirects; the page it redirects to shows it once.
//!
//! ```
//! use fullstack::Project;
//! use fullstack::messages::Messages;
//! use micro::{Redirect, Templates};
//!
//! async fn vote(messages: Messages) -> Redirect {
//!     messages.success("Thanks for voting.");
//!     Redirect::see_other("/results")
//! }
//!
//! async fn results(t: Templates) -> Result<micro::Html<String>, micro::Error> {
//!     t.render("results.html", ())
//! }
//!
//! let project = Project::new("site")
//!     .app(fullstack::sessions::app())
//!     .app(fullstack::messages::app())
//!     .web(|app| {
//!         app.add_template(
//!             "results.html",
//!             "{% for m in get_messages() %}<p class=\"{{ m.tags }}\">{{ m }}</p>{% endfor %}",
//!         )
//!         .unwrap();
//!         app.post("/vote", vote);
//!         app.get("/results", results);
//!     });
//! ```
//!
//! The messages wait in a signed cookie, or in the session (`MESSAGE_STORAGE`, see
//! [`MessageSettings`](crate::settings::MessageSettings)); micro's `flash` stays what micro
//! apps use. The guide is `docs/fullstack/messages.md`.

mod config;
mod cookie;
mod finish;
mod handle;
mod layer;
mod level;
mod message;
mod template;

use std::sync::Arc;

use crate::AppConfig;

pub use handle::{Added, Messages};
pub use level::Level;
pub use message::Message;

/// The app's label.
pub const LABEL: &str = "messages";

/// The messages app: the [`Messages`] extractor, `get_messages()` in templates, and the
/// storing of messages after each request, configured by the project's `MESSAGE_*` settings.
/// With the session or fallback storage (the default), install the
/// [sessions app](crate::sessions::app) too.
pub fn app() -> AppConfig {
    AppConfig::new(LABEL).routes_with_settings(|app, settings| {
        let config = Arc::new(config::Config::from_settings(settings));
        app.layer(layer::MessagesLayer { config });
        app.after_request(finish::after_request);
        app.context_processor(template::processor);
    })
}
