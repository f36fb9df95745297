//! An e-commerce site on fullstack: a catalogue of categories and products, a cart kept in the
//! session, a checkout that places the order and takes the stock in one transaction, and an
//! admin shared by two staff roles that each see only their part of it.

pub mod admin;
pub mod shop;

use fullstack::Project;

/// The project: sessions, messages, auth (`/accounts/login/`), the shop, the admin, with
/// `settings.toml` beside `Cargo.toml` and the `FULLSTACK_*` environment variables.
///
/// # Errors
/// When the settings are not valid (the message names the key).
pub fn project() -> Result<Project, micro::ConfigError> {
    Ok(fullstack::project!("shop")
        .settings(fullstack::settings!()?)
        .app(fullstack::sessions::app())
        .app(fullstack::messages::app())
        .app(fullstack::auth::app())
        .app(shop::app())
        .app(fullstack::admin::app(admin::site()))
        .migrate_on_start(true))
}
