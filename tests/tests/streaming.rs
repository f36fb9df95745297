//! Streamed responses: complete bodies, chunks sent as produced, failures not disguised as ends.

mod common;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::{StreamExt, stream};
use micro::{App, Streamed, TestClient};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

#[tokio::test]
async fn a_streamed_body_arrives_complete() {
    let mut app = App::new();
    app.get("/lines", || async {
        let lines = stream::iter(0..100).map(|n| Ok::<_, Infallible>(format!("line {n}\n")));
        Streamed::new("text/plain; charset=utf-8", lines)
    });
    let res = TestClient::new(app).get("/lines").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let expected: String = (0..100).map(|n| format!("line {n}\n")).collect();
    assert_eq!(res.text(), expected);
}

/// A route streaming whatever the test sends into the channel, until the sender is dropped.
fn channel_app() -> (App, mpsc::Sender<Bytes>) {
    let (tx, rx) = mpsc::channel::<Bytes>(4);
    let slot = Arc::new(Mutex::new(Some(rx)));
    let mut app = App::new();
    app.get("/live", move || {
        let rx = slot.lock().unwrap().take().expect("one request only");
        async move {
            let chunks = stream::unfold(rx, |mut rx| async move {
                rx.recv()
                    .await
                    .map(|chunk| (Ok::<_, Infallible>(chunk), rx))
            });
            Streamed::new("application/octet-stream", chunks)
        }
    });
    (app, tx)
}

#[tokio::test]
async fn chunks_are_sent_as_they_are_produced() {
    let (app, tx) = channel_app();
    let mut server = common::TestServer::start(app).await;
    let mut client = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    client
        .write_all(b"GET /live HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    // Each chunk reaches the client while the stream is still open: nothing waits for the end.
    tx.send(Bytes::from_static(b"first-chunk")).await.unwrap();
    let head = common::read_until(&mut client, "first-chunk").await;
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    tx.send(Bytes::from_static(b"second-chunk")).await.unwrap();
    common::read_until(&mut client, "second-chunk").await;
    drop(tx);
    common::read_until(&mut client, "0\r\n\r\n").await;
    drop(client);
    server.trigger_shutdown();
    server.stopped_within(common::WAIT).await.unwrap();
}

#[tokio::test]
async fn a_failing_stream_is_not_disguised_as_a_complete_body() {
    let mut app = App::new();
    app.get("/broken", || async {
        let chunks = stream::iter(vec![
            Ok(Bytes::from_static(b"partial")),
            Err(std::io::Error::other("the database went away")),
        ]);
        Streamed::new("text/plain", chunks)
    });
    let mut server = common::TestServer::start(app).await;
    let mut client = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    client
        .write_all(b"GET /broken HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    let mut seen = Vec::new();
    let read = tokio::time::timeout(
        common::WAIT,
        tokio::io::AsyncReadExt::read_to_end(&mut client, &mut seen),
    )
    .await
    .expect("the connection was not closed");
    // Closed (or reset) without the terminating chunk, so the client knows the body is cut.
    let text = String::from_utf8_lossy(&seen);
    assert!(read.is_err() || !text.ends_with("0\r\n\r\n"), "{text}");
    server.trigger_shutdown();
    server.stopped_within(common::WAIT).await.unwrap();
}

#[tokio::test]
async fn an_invalid_content_type_is_a_500_not_a_panic() {
    let mut app = App::new();
    app.get("/bad", || async {
        Streamed::new(
            "text/plain\nx: y",
            stream::empty::<Result<Bytes, Infallible>>(),
        )
    });
    let res = TestClient::new(app).get("/bad").await;
    assert_eq!(res.status(), 500);
}
