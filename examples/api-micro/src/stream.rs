//! TODO(sse): `GET /api/v1/readings/stream`, a Server-Sent Events stream of new readings.
//!
//! Not implemented yet, on purpose: it waits for SSE support in micro (a streaming response
//! with keep-alive comments and `Last-Event-ID`). Nothing here fakes it.
//!
//! The plumbing is ready: `POST /readings` publishes every committed reading on the [`Feed`]
//! held in app state (`State<Feed>`), and `tests/api.rs` checks that it does. The endpoint will:
//!
//! - register `GET /readings/stream` on the `api` blueprint in `routes.rs` (the rule does not
//!   clash with `/readings/<int:id>`, whose converter refuses `stream`);
//! - `feed.subscribe()`, and send each reading as `event: reading`, `id: <reading id>`,
//!   `data: <the reading's JSON, as GET /readings/<id> returns it>`;
//! - accept the same `device` and `kind` filters as `GET /readings`;
//! - on `RecvError::Lagged(n)`, tell the client it missed `n` readings (it can fetch them with
//!   `GET /readings?since=...`) and go on; on `RecvError::Closed`, end the stream;
//! - decide whether reading the stream needs a token (the rest of the read API does not).
//!
//! [`Feed`]: crate::Feed
