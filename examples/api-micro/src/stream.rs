//! `GET /api/v1/readings/stream`: new readings as Server-Sent Events, as they are stored.
//!
//! Each reading is sent as `event: reading`, `id: <reading id>` and `data:` the reading's JSON
//! (what `GET /readings/<id>` returns). The `device` and `kind` query filters of
//! `GET /readings` apply. A client that falls too far behind gets an `event: lagged` whose data
//! is how many readings it missed (it can fetch them with `GET /readings?since=...`), then the
//! stream goes on. Keep-alive comments every 15 s keep proxies from closing an idle stream, and
//! the stream ends by itself when the server shuts down. Reading the stream needs no token, like
//! the rest of the read API.

use micro::response::{Event, Sse};
use micro::{Query, State};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::{Feed, Reading};

/// The filters a stream accepts; both optional.
#[derive(Debug, Default, Deserialize)]
pub struct StreamFilter {
    /// Only this device's readings.
    pub device: Option<String>,
    /// Only readings of this kind.
    pub kind: Option<String>,
}

impl StreamFilter {
    fn accepts(&self, reading: &Reading) -> bool {
        self.device.as_ref().is_none_or(|d| *d == reading.device_id)
            && self.kind.as_ref().is_none_or(|k| *k == reading.kind)
    }
}

/// The SSE handler.
pub(crate) async fn stream(
    State(feed): State<Feed>,
    Query(filter): Query<StreamFilter>,
) -> Sse<impl futures_util::Stream<Item = Event> + Send + 'static> {
    // Subscribe before answering, so nothing stored after the client connected is missed.
    let receiver = feed.subscribe();
    let events =
        futures_util::stream::unfold((receiver, filter), |(mut receiver, filter)| async move {
            loop {
                let event = match receiver.recv().await {
                    Ok(reading) if filter.accepts(&reading) => reading_event(&reading),
                    Ok(_) => continue,
                    Err(RecvError::Lagged(missed)) => {
                        Event::new().event("lagged").data(missed.to_string())
                    }
                    Err(RecvError::Closed) => return None,
                };
                return Some((event, (receiver, filter)));
            }
        });
    Sse::new(events)
}

fn reading_event(reading: &Reading) -> Event {
    let event = Event::new().event("reading").id(&reading.id.to_string());
    match event.clone().json_data(reading) {
        Ok(event) => event,
        // A `Reading` always serialises; should that change, say so on the stream, not panic.
        Err(err) => event.comment(&format!(
            "reading {} could not be encoded: {err}",
            reading.id
        )),
    }
}
