//! A Django-like layer on [`micro`]: an ORM and migrations on sqlx (SQLite by default, PostgreSQL
//! and MySQL/MariaDB for deployments), and a project of apps driven by management commands.
//!
//! This crate is being built: today it holds the database layer (one handle over the three
//! backends, values, rows, transactions with savepoints, query counting), the model contract
//! ([`model`]), querysets ([`query`], guide in `docs/fullstack/orm.md`) and [`migrations`]
//! (guide in `docs/fullstack/migrations.md`).

mod db;
mod error;
pub mod migrations;
pub mod model;
pub mod query;
mod query_log;

pub use db::{
    Backend, ColumnType, Database, DbType, PoolOptions, Row, Savepoint, Transaction, Value,
};
pub use error::Error;
pub use model::{Column, Model, ModelMeta};
pub use query_log::capture_queries;
