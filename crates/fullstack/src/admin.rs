//! The automatic admin, Django's `contrib.admin`: register models with a [`ModelAdmin`] and
//! staff users get, at `/admin/`, an index of the models they may see and a change list per
//! model (columns, search, filters, ordering by column, pagination), every permission checked
//! on the server. A pluggable app: it needs the [sessions](crate::sessions) and
//! [auth](crate::auth) apps.
//!
//! ```no_run
//! use fullstack::admin::{self, AdminSite, ModelAdmin};
//! use fullstack::{Model, Project};
//!
//! #[derive(Model)]
//! #[model(app = "polls")]
//! struct Question {
//!     id: i64,
//!     #[field(max_length = 200)]
//!     question_text: String,
//!     is_open: bool,
//! }
//!
//! let site = AdminSite::new().register(
//!     ModelAdmin::<Question>::new()
//!         .list_display(["question_text", "is_open"])
//!         .list_filter(["is_open"])
//!         .search_fields(["question_text"]),
//! );
//! let project = Project::new("site")
//!     .app(fullstack::sessions::app())
//!     .app(fullstack::auth::app())
//!     .app(admin::app(site));
//! # let _ = project;
//! ```
//!
//! Not built yet: the add, change, delete and history views, actions and inlines; see
//! `docs/fullstack/admin.md`.

mod access;
mod cells;
mod changelist;
mod delete;
mod options;
mod site;
mod templates;
mod views;

pub use options::ModelAdmin;
pub use site::AdminSite;

use crate::AppConfig;

/// The admin app's label.
pub const LABEL: &str = "admin";

/// The admin app showing `site`'s models at `/admin/`.
pub fn app(site: AdminSite) -> AppConfig {
    AppConfig::new(LABEL).routes_with_settings(move |app, settings| {
        app.state(site.clone());
        views::register(app, &site, settings);
    })
}
