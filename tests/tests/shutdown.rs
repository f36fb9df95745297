//! Graceful shutdown with long-lived responses open: SSE streams end, WebSockets get a 1001 Close,
//! and `serve` returns long before its 60 s shutdown timeout.

mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt, stream};
use micro::ws::WebSocketUpgrade;
use micro::{App, Event, Shutdown, Sse, Streamed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::client_async;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// An endless event stream, an echoing WebSocket that records that it ended, and a streamed
/// body guarded by the `Shutdown` extractor.
fn app(ws_done: Arc<AtomicBool>) -> App {
    let mut app = App::new();
    app.get("/events", || async {
        let hello = stream::iter(vec![Event::new().data("hello")]);
        Sse::new(hello.chain(stream::pending()))
    });
    app.get("/ws", move |ws: WebSocketUpgrade| {
        let ws_done = ws_done.clone();
        async move {
            ws.on_upgrade(move |mut socket| async move {
                while let Some(Ok(message)) = socket.recv().await {
                    if socket.send(message).await.is_err() {
                        break;
                    }
                }
                // Work after the socket ended: `serve` must wait for it.
                tokio::time::sleep(Duration::from_millis(50)).await;
                ws_done.store(true, Ordering::SeqCst);
            })
        }
    });
    app.get("/tail", |shutdown: Shutdown| async move {
        let lines = stream::iter(vec![Ok::<_, Infallible>("line\n")]).chain(stream::pending());
        Streamed::new("text/plain", shutdown.guard(lines))
    });
    app
}

#[tokio::test]
async fn open_streams_and_sockets_end_on_shutdown_without_holding_it() {
    let ws_done = Arc::new(AtomicBool::new(false));
    let mut server = common::TestServer::start_with(app(ws_done.clone()), |serve| {
        serve.shutdown_timeout(Duration::from_secs(60))
    })
    .await;

    let mut events = TcpStream::connect(server.addr).await.unwrap();
    events
        .write_all(b"GET /events HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    common::read_until(&mut events, "data: hello\n\n").await;

    let mut tail = TcpStream::connect(server.addr).await.unwrap();
    tail.write_all(b"GET /tail HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    common::read_until(&mut tail, "line\n").await;

    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut socket, _) = client_async(format!("ws://{}/ws", server.addr), stream)
        .await
        .unwrap();
    socket.send(WsMessage::text("ping")).await.unwrap();
    let echoed = tokio::time::timeout(common::WAIT, socket.next())
        .await
        .unwrap();
    assert_eq!(echoed.unwrap().unwrap(), WsMessage::text("ping"));

    // Shut down; `serve` has a 60 s timeout, the bound here is 5 s.
    server.trigger_shutdown();

    // The WebSocket is told the server is going away...
    let close = tokio::time::timeout(common::WAIT, socket.next())
        .await
        .expect("no Close frame in time");
    match close {
        Some(Ok(WsMessage::Close(Some(frame)))) => {
            assert_eq!(frame.code, CloseCode::Away);
            assert_eq!(frame.reason.as_str(), "going away");
        }
        other => panic!("expected a 1001 Close, got {other:?}"),
    }
    // ...and the client's answer completes the closing handshake.
    let end = tokio::time::timeout(common::WAIT, socket.next())
        .await
        .unwrap();
    assert!(end.is_none() || matches!(end, Some(Err(_))), "{end:?}");

    // The SSE response and the guarded stream end cleanly, with the final chunk.
    for connection in [&mut events, &mut tail] {
        let mut rest = Vec::new();
        tokio::time::timeout(common::WAIT, connection.read_to_end(&mut rest))
            .await
            .expect("the stream did not end")
            .unwrap();
        let rest = String::from_utf8_lossy(&rest);
        assert!(rest.ends_with("0\r\n\r\n"), "{rest:?}");
    }

    // Panics if serve is not done within 5 s: the streams would have held it open.
    server.stopped_within(common::WAIT).await.unwrap();
    assert!(
        ws_done.load(Ordering::SeqCst),
        "serve returned before the WebSocket handler finished"
    );
}

#[tokio::test]
async fn a_websocket_that_ignores_the_signal_is_dropped_at_the_deadline() {
    let mut app = App::new();
    app.get("/stubborn", |ws: WebSocketUpgrade| async move {
        // Never looks at its socket again, so it never sees the shutdown.
        ws.on_upgrade(|_socket| std::future::pending())
    });
    let mut server = common::TestServer::start_with(app, |serve| {
        serve.shutdown_timeout(Duration::from_millis(200))
    })
    .await;
    let addr = server.addr;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut socket, _) = client_async(format!("ws://{addr}/stubborn"), stream)
        .await
        .unwrap();
    server.trigger_shutdown();
    server.stopped_within(common::WAIT).await.unwrap();
    // The callback was dropped with its connection: the client sees the end, without a Close.
    let end = tokio::time::timeout(common::WAIT, socket.next())
        .await
        .expect("the connection was left open");
    assert!(!matches!(end, Some(Ok(WsMessage::Close(_)))), "{end:?}");
}
