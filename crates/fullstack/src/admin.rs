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
//! The add, change, delete and history pages, actions, inlines, `list_editable` and the
//! foreign keys' autocomplete are there too: `docs/fullstack/admin.md` shows each option.

mod access;
mod actions;
mod autocomplete;
mod cells;
mod change;
mod changelist;
mod date_hierarchy;
mod delete;
mod editable;
mod history;
mod inlines;
mod models;
mod options;
mod password;
mod site;
mod templates;
mod views;

pub use inlines::Inline;
pub use models::{ADDITION, CHANGE, DELETION, LogEntry};
pub use options::ModelAdmin;
pub use site::AdminSite;

use crate::AppConfig;

/// The admin app's label.
pub const LABEL: &str = "admin";

/// The admin app showing `site`'s models at `/admin/`, with its [`LogEntry`] table.
///
/// # Panics
/// When an option of a registered model cannot work with the others: a foreign key in
/// [`autocomplete_fields`](ModelAdmin::autocomplete_fields) whose model is not registered, or
/// has no `search_fields`.
pub fn app(site: AdminSite) -> AppConfig {
    site.check();
    AppConfig::new(LABEL)
        .models(&[<LogEntry as crate::Model>::META])
        .migrations_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/admin/migrations"))
        .embedded_migrations(include!("admin/migrations/embedded.rs"))
        .routes_with_settings(move |app, settings| {
            app.state(site.clone());
            views::register(app, &site, settings);
        })
}

#[cfg(test)]
mod tests {
    use super::{AdminSite, ModelAdmin};
    use crate::{ForeignKey, Model, Project};

    #[derive(Model)]
    #[model(app = "shop")]
    struct Customer {
        id: i64,
        #[field(max_length = 100)]
        name: String,
    }

    #[derive(Model)]
    #[model(app = "shop")]
    struct Order {
        id: i64,
        #[field(on_delete = cascade)]
        customer: ForeignKey<Customer>,
    }

    #[test]
    #[should_panic(
        expected = "Order's autocomplete_fields names \"customer\", whose model is not registered"
    )]
    fn a_completed_foreign_key_needs_its_model_registered() {
        let site = AdminSite::new()
            .register(ModelAdmin::<Order>::new().autocomplete_fields(&["customer"]));
        let _ = super::app(site);
    }

    #[test]
    #[should_panic(expected = "but Customer's admin has no search_fields to search it by")]
    fn a_completed_foreign_key_needs_search_fields() {
        let site = AdminSite::new()
            .register(ModelAdmin::<Order>::new().autocomplete_fields(&["customer"]))
            .register(ModelAdmin::<Customer>::new());
        let _ = super::app(site);
    }

    #[test]
    #[should_panic(expected = "names \"id\", which is not a foreign key")]
    fn only_foreign_keys_are_completed() {
        let _ = ModelAdmin::<Order>::new().autocomplete_fields(&["id"]);
    }

    #[tokio::test]
    async fn the_embedded_migration_matches_the_models() {
        let project = Project::new("site")
            .app(crate::sessions::app())
            .app(crate::auth::app())
            .app(super::app(super::AdminSite::new()));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let args = match std::env::var("FULLSTACK_ADMIN_MAKEMIGRATIONS") {
            Ok(_) => vec!["site", "makemigrations", "--no-input"],
            Err(_) => vec!["site", "makemigrations", "--check", "--no-input"],
        };
        let code = project.run_with(args, &mut out, &mut err).await;
        let (out, err) = (String::from_utf8_lossy(&out), String::from_utf8_lossy(&err));
        assert_eq!(code, 0, "{out}{err}");
    }
}
