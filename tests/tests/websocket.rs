//! WebSockets over a real socket: echo, ping/pong, close, subprotocols, handshake errors.

mod common;

use std::net::SocketAddr;

use futures_util::{SinkExt, StreamExt};
use micro::ws::{Message, WebSocketUpgrade};
use micro::{App, TestClient};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message as WsMessage, http::HeaderValue};
use tokio_tungstenite::{WebSocketStream, client_async};

/// Echoes text and binary; reports every message it saw (pings and the close included).
fn app() -> (App, mpsc::UnboundedReceiver<Message>) {
    let (seen_tx, seen) = mpsc::unbounded_channel();
    let mut app = App::new();
    app.route(
        "/echo",
        micro::routing::any(move |ws: WebSocketUpgrade| {
            let seen_tx = seen_tx.clone();
            async move {
                ws.protocols(["chat.v2", "chat.v1"])
                    .on_upgrade(move |mut socket| async move {
                        if let Some(protocol) = socket.protocol() {
                            socket.send(format!("protocol {protocol}")).await.ok();
                        }
                        while let Some(Ok(message)) = socket.recv().await {
                            seen_tx.send(message.clone()).ok();
                            let reply = match message {
                                Message::Text(_) | Message::Binary(_) => message,
                                _ => continue,
                            };
                            if socket.send(reply).await.is_err() {
                                break;
                            }
                        }
                    })
            }
        }),
    );
    (app, seen)
}

async fn connect(addr: SocketAddr) -> WebSocketStream<TcpStream> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (socket, response) = client_async(format!("ws://{addr}/echo"), stream)
        .await
        .unwrap();
    assert_eq!(response.status(), 101);
    socket
}

async fn next(socket: &mut WebSocketStream<TcpStream>) -> WsMessage {
    tokio::time::timeout(common::WAIT, socket.next())
        .await
        .expect("no message in time")
        .expect("the socket ended")
        .expect("the socket failed")
}

#[tokio::test]
async fn echoes_text_and_binary() {
    let (app, _seen) = app();
    let mut server = common::TestServer::start(app).await;
    let mut socket = connect(server.addr).await;
    socket.send(WsMessage::text("hello")).await.unwrap();
    assert_eq!(next(&mut socket).await, WsMessage::text("hello"));
    socket
        .send(WsMessage::binary(vec![0u8, 159, 146, 150]))
        .await
        .unwrap();
    assert_eq!(
        next(&mut socket).await,
        WsMessage::binary(vec![0u8, 159, 146, 150])
    );
    socket.close(None).await.ok();
    server.trigger_shutdown();
    server.stopped_within(common::WAIT).await.unwrap();
}

#[tokio::test]
async fn pings_are_answered_with_pongs() {
    let (app, mut seen) = app();
    let mut server = common::TestServer::start(app).await;
    let mut socket = connect(server.addr).await;
    socket
        .send(WsMessage::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    assert_eq!(
        next(&mut socket).await,
        WsMessage::Pong(b"are you there".to_vec().into())
    );
    // The handler still hears about the ping.
    let heard = tokio::time::timeout(common::WAIT, seen.recv())
        .await
        .unwrap();
    assert_eq!(heard, Some(Message::Ping(b"are you there".to_vec().into())));
    socket.close(None).await.ok();
    server.trigger_shutdown();
    server.stopped_within(common::WAIT).await.unwrap();
}

#[tokio::test]
async fn a_close_from_the_client_is_answered_and_reported() {
    let (app, mut seen) = app();
    let mut server = common::TestServer::start(app).await;
    let mut socket = connect(server.addr).await;
    socket
        .close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        }))
        .await
        .unwrap();
    match next(&mut socket).await {
        WsMessage::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Normal),
        other => panic!("expected the close echoed, got {other:?}"),
    }
    let heard = tokio::time::timeout(common::WAIT, seen.recv())
        .await
        .unwrap();
    match heard {
        Some(Message::Close(Some(frame))) => {
            assert_eq!(frame.code, micro::ws::close_code::NORMAL);
            assert_eq!(frame.reason, "bye");
        }
        other => panic!("the handler saw {other:?}"),
    }
    server.trigger_shutdown();
    server.stopped_within(common::WAIT).await.unwrap();
}

#[tokio::test]
async fn the_first_subprotocol_the_server_prefers_is_agreed() {
    let (app, _seen) = app();
    let mut server = common::TestServer::start(app).await;
    let mut request = format!("ws://{}/echo", server.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("chat.v1, chat.v2"),
    );
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut socket, response) = client_async(request, stream).await.unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], "chat.v2");
    assert_eq!(next(&mut socket).await, WsMessage::text("protocol chat.v2"));
    socket.close(None).await.ok();
    server.trigger_shutdown();
    server.stopped_within(common::WAIT).await.unwrap();
}

fn handshake(method: &str, extra: &str) -> Vec<u8> {
    format!(
        "{method} /echo HTTP/1.1\r\nHost: test\r\nConnection: close, Upgrade\r\nUpgrade: websocket\r\n{extra}\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn handshake_errors_are_4xx_with_a_reason() {
    let (app, _seen) = app();
    let mut server = common::TestServer::start(app).await;
    let key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    let missing_key = raw(
        server.addr,
        &handshake("GET", "Sec-WebSocket-Version: 13\r\n"),
    )
    .await;
    assert_eq!(
        common::raw_status(missing_key.as_bytes()),
        400,
        "{missing_key}"
    );
    assert!(missing_key.contains("Sec-WebSocket-Key"));

    let wrong_version = raw(
        server.addr,
        &handshake("GET", &format!("{key}Sec-WebSocket-Version: 8\r\n")),
    )
    .await;
    assert_eq!(
        common::raw_status(wrong_version.as_bytes()),
        426,
        "{wrong_version}"
    );
    assert!(
        wrong_version
            .to_ascii_lowercase()
            .contains("sec-websocket-version: 13")
    );

    let not_get = raw(
        server.addr,
        &handshake(
            "POST",
            &format!("{key}Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n"),
        ),
    )
    .await;
    assert_eq!(common::raw_status(not_get.as_bytes()), 405, "{not_get}");

    let plain = raw(
        server.addr,
        b"GET /echo HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(common::raw_status(plain.as_bytes()), 426, "{plain}");
    server.trigger_shutdown();
    server.stopped_within(common::WAIT).await.unwrap();
}

#[tokio::test]
async fn the_test_client_cannot_upgrade_and_says_so() {
    let (app, _seen) = app();
    let res = TestClient::new(app)
        .get("/echo")
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), 500);
    assert!(res.text().contains("TestClient"), "{}", res.text());
}

/// A raw request on a fresh connection; the whole response as text.
async fn raw(addr: std::net::SocketAddr, request: &[u8]) -> String {
    String::from_utf8_lossy(&common::raw_exchange(addr, request).await).into_owned()
}
