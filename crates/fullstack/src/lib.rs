//! A Django-like layer on [`micro`]: an ORM and migrations on sqlx (SQLite by default, PostgreSQL
//! and MySQL/MariaDB for deployments), and a project of apps driven by management commands.
//!
//! This crate is being built: today it holds the database layer (one handle over the three
//! backends, values, rows, transactions with savepoints, query counting), the model metadata,
//! [`migrations`], and the [`Project`] of apps ([`AppConfig`]) with its management
//! [`commands`] (`runserver`, `migrate`, `makemigrations`, ...). Querysets build on them; see
//! the repository's issue tracker for their state.

pub mod commands;
mod db;
mod error;
pub mod migrations;
pub mod model;
pub mod project;
mod query_log;

pub use commands::{CommandContext, CommandError, CommandFn, CommandFuture, ManagementCommand};
pub use db::{
    Backend, ColumnType, Database, DbType, PoolOptions, Row, Savepoint, Transaction, Value,
};
pub use error::Error;
pub use model::{Column, Model, ModelMeta};
pub use project::{AppConfig, Project};
pub use query_log::capture_queries;
