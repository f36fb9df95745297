//! A Django-like layer on [`micro`]: an ORM and migrations on sqlx (SQLite by default, PostgreSQL
//! and MySQL/MariaDB for deployments), and a project of apps driven by management commands.
//!
//! This crate is being built: today it holds the database layer (one handle over the three
//! backends, values, rows, transactions with savepoints, query counting), models
//! (`#[derive(Model)]`, see [`guide::models`]), querysets ([`query`], guide in
//! `docs/fullstack/orm.md`), [`migrations`] (guide in `docs/fullstack/migrations.md`), the
//! [`Project`] of apps ([`AppConfig`]) with its management [`commands`] (`runserver`,
//! `migrate`, `makemigrations`, ...), and testing tools ([`test`](mod@test): a test database per test,
//! `assert_num_queries`; guide in `docs/fullstack/testing.md`), the [`sessions`] app
//! (server-side sessions, guide in `docs/fullstack/sessions.md`), the [`messages`] app
//! (one-time messages, guide in `docs/fullstack/messages.md`), the [`auth`] app (users,
//! permissions, login, guide in `docs/fullstack/auth.md`), [`forms`] (declarative forms,
//! guide in `docs/fullstack/forms.md`), [`pagination`] (Django's paginator, guide in
//! `docs/fullstack/pagination.md`) and the generic [`views`] (guide in `docs/fullstack/views.md`).

// The derive's `::fullstack::...` paths, for the sessions app's own model.
extern crate self as fullstack;

pub mod admin;
pub mod auth;
pub mod commands;
mod db;
mod debug_page;
mod error;
pub mod forms;
pub mod guide;
pub mod mail;
pub mod messages;
pub mod migrations;
pub mod model;
pub mod pagination;
pub mod project;
pub mod query;
mod query_log;
#[cfg(feature = "redis")]
mod redis_connection;
pub mod security;
pub mod sessions;
pub mod settings;
pub mod sitemaps;
pub mod syndication;
pub mod test;
pub mod views;

pub use commands::{CommandContext, CommandError, CommandFn, CommandFuture, ManagementCommand};
pub use db::{
    Backend, ColumnType, Database, DbType, PoolOptions, PooledConnection, Row, Savepoint,
    Transaction, Value,
};
pub use error::Error;
/// Derives [`Model`](trait@Model) for a struct with named fields; see the
/// [`model`] module and `docs/fullstack/models.md` for the attributes.
pub use fullstack_macros::Model;
pub use model::{
    Column, FieldRef, ForeignKey, ManyToMany, ManyToManyField, Model, ModelMeta, OneToOne, TextKind,
};
pub use project::{AppConfig, DEFAULT_LOG_FILTER, Logging, Project};
pub use query_log::capture_queries;
/// The exact decimal type of decimal fields (`#[field(max_digits = 10, decimal_places = 2)]`),
/// from the `rust_decimal` crate, so a project need not depend on it itself.
pub use rust_decimal::Decimal;
pub use settings::Settings;
