//! Server-Sent Events: exact framing, headers, keep-alive comments.

use std::time::Duration;

use futures_util::{StreamExt, stream};
use micro::{App, Event, Sse, TestClient};

#[tokio::test]
async fn events_are_framed_exactly() {
    let mut app = App::new();
    app.get("/events", || async {
        let events = stream::iter(vec![
            Event::new().data("a\nb"),
            Event::new().event("update").data("x"),
            Event::new().id("42").data("with id"),
            Event::new().retry(Duration::from_millis(2500)),
            Event::new().comment("just a comment"),
            Event::new()
                .event("multi")
                .id("7")
                .data("one\r\ntwo\rthree"),
        ]);
        Sse::new(events)
    });
    let res = TestClient::new(app).get("/events").await;
    assert_eq!(
        res.text(),
        concat!(
            "data: a\ndata: b\n\n",
            "event: update\ndata: x\n\n",
            "id: 42\ndata: with id\n\n",
            "retry: 2500\n\n",
            ": just a comment\n\n",
            "event: multi\nid: 7\ndata: one\ndata: two\ndata: three\n\n",
        )
    );
}

#[tokio::test]
async fn json_data_is_one_line() {
    let event = Event::new()
        .json_data(&serde_json::json!({"text": "two\nlines"}))
        .unwrap();
    assert_eq!(event.to_string(), "data: {\"text\":\"two\\nlines\"}\n\n");
}

#[tokio::test]
async fn content_type_and_cache_headers() {
    let mut app = App::new();
    app.get("/events", || async {
        Sse::new(stream::iter(vec![Event::new().data("hi")]))
    });
    let res = TestClient::new(app).get("/events").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("content-type"), Some("text/event-stream"));
    assert_eq!(res.header("cache-control"), Some("no-cache"));
    assert_eq!(res.header("x-accel-buffering"), Some("no"));
}

/// One event, 35 s of silence, another event.
fn slow_events() -> impl futures_util::Stream<Item = Event> + Send + 'static {
    stream::iter(vec![Event::new().data("first")]).chain(stream::once(async {
        tokio::time::sleep(Duration::from_secs(35)).await;
        Event::new().data("second")
    }))
}

// Paused time: the runtime jumps to each timer, so the 35 s take no time and the count is exact.
#[tokio::test(start_paused = true)]
async fn keep_alive_comments_fill_the_silence() {
    let mut app = App::new();
    app.get("/events", || async {
        Sse::new(slow_events()).keep_alive(Duration::from_secs(10))
    });
    let res = TestClient::new(app).get("/events").await;
    assert_eq!(
        res.text(),
        "data: first\n\n: keep-alive\n\n: keep-alive\n\n: keep-alive\n\ndata: second\n\n"
    );
}

#[tokio::test(start_paused = true)]
async fn the_default_keep_alive_is_fifteen_seconds() {
    assert_eq!(micro::response::DEFAULT_KEEP_ALIVE, Duration::from_secs(15));
    let mut app = App::new();
    app.get("/events", || async { Sse::new(slow_events()) });
    let res = TestClient::new(app).get("/events").await;
    assert_eq!(
        res.text(),
        "data: first\n\n: keep-alive\n\n: keep-alive\n\ndata: second\n\n"
    );
}

#[tokio::test(start_paused = true)]
async fn keep_alive_can_be_turned_off() {
    let mut app = App::new();
    app.get("/events", || async {
        Sse::new(slow_events()).without_keep_alive()
    });
    let res = TestClient::new(app).get("/events").await;
    assert_eq!(res.text(), "data: first\n\ndata: second\n\n");
}
