//! A REST JSON API on micro, of the kind Flask is chosen for: devices post sensor readings,
//! clients list and filter them page by page, and read per-device statistics.
//!
//! - SQLite through sqlx directly, no ORM: static, parameterised SQL in [`db`].
//! - Bearer tokens from the configuration, compared in constant time ([`auth`]).
//! - A hand-written [`validate`] that reports every bad field at once as a JSON 422.
//! - Every error as JSON, whatever the client's `Accept` header says.
//! - New readings published on a broadcast channel ([`Feed`]) and streamed to clients as
//!   Server-Sent Events ([`stream`]).
//!
//! Routes (the `api` blueprint, under `/api/v1`):
//!
//! | method and rule | endpoint | auth |
//! |---|---|---|
//! | `POST /readings` | `api.create_readings` | bearer token |
//! | `GET /readings` | `api.list_readings` | |
//! | `GET /readings/stream` | `api.stream` (Server-Sent Events) | |
//! | `GET /readings/<int:id>` | `api.get_reading` | |
//! | `DELETE /readings/<int:id>` | `api.delete_reading` | bearer token |
//! | `GET /devices/<device>/stats` | `api.device_stats` | |
//! | `GET /health` | `api.health` | |
//!
//! `main` serves it; the tests in `tests/api.rs` call [`app`] in memory.

pub mod auth;
pub mod db;
mod feed;
mod routes;
mod settings;
pub mod stream;
mod timestamp;
pub mod validate;

use micro::App;

pub use auth::{Authenticated, Tokens};
pub use db::{Reading, connect};
pub use feed::Feed;
pub use settings::{DEFAULT_DATABASE_URL, MIN_TOKEN_LEN, Settings};

/// The URL prefix of the API's blueprint.
pub const API_PREFIX: &str = "/api/v1";

/// Builds the app around an open database: `main` serves it and the tests call it in memory.
///
/// `feed` is where created readings are published; keep a clone to subscribe to it.
pub fn app(db: sqlx::SqlitePool, feed: Feed, tokens: Tokens, body_limit: usize) -> App {
    let mut app = App::new();
    app.body_limit(body_limit);
    app.state(db);
    app.state(feed);
    app.state(tokens);
    app.register_blueprint(routes::api());

    // An API answers JSON errors to every client, `curl` without `Accept` included.
    app.json_errors();
    app
}
