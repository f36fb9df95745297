//! Serving over real sockets: keep-alive, pipelining, HTTP/2 prior knowledge, the client address,
//! graceful shutdown (in-flight requests, refused connections, the shutdown timeout), the
//! header-read and body-read timeouts, and the cap on connections.

mod common;

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use micro::{App, ClientAddr, Request, StatusCode, TestClient};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};

use common::{TestServer, WAIT, empty, http1_connect, http1_get, raw_exchange, read_reply, within};

fn app() -> App {
    let mut app = App::new();
    app.get("/ok", || async { "ok" });
    app.get("/first", || async { "first" });
    app.get("/second", || async { "second" });
    app.get("/peer", |req: Request| async move {
        match req.client_addr() {
            Some(addr) => addr.to_string(),
            None => "no address".to_owned(),
        }
    });
    // Tower layers find the address in the extensions; the handler behind them sees it too.
    app.route(
        "/peer-layered",
        micro::routing::get(|req: Request| async move {
            let seen_by_layer = req.header("x-layer-peer").map(str::to_owned);
            let ext = req
                .extensions()
                .get::<ClientAddr>()
                .map(|a| a.0.to_string());
            match (req.client_addr(), ext, seen_by_layer) {
                (Some(addr), Some(ext), Some(layer)) if addr.to_string() == ext && ext == layer => {
                    addr.to_string()
                }
                (addr, ext, layer) => format!("mismatch {addr:?} {ext:?} {layer:?}"),
            }
        })
        .layer(tower::util::MapRequestLayer::new(
            |mut req: http::Request<micro::Body>| {
                let peer = req
                    .extensions()
                    .get::<ClientAddr>()
                    .map(|a| a.0.to_string());
                if let Some(value) = peer.and_then(|p| http::HeaderValue::from_str(&p).ok()) {
                    req.headers_mut().insert("x-layer-peer", value);
                }
                req
            },
        )),
    );
    app.get("/version", |req: Request| async move {
        format!("{:?}", req.version())
    });
    app
}

/// An app whose `/slow` handler reports that it started and then waits for `release`
/// (forever if `release` is `None`).
fn slow_app(started: mpsc::UnboundedSender<()>, release: Option<Arc<Notify>>) -> App {
    let mut app = app();
    app.get("/slow", move || {
        let started = started.clone();
        let release = release.clone();
        async move {
            let _ = started.send(());
            match release {
                Some(release) => release.notified().await,
                None => std::future::pending::<()>().await,
            }
            "slow done"
        }
    });
    app
}

/// Connects until the OS refuses the connection, bounded by [`WAIT`]. There is no signal for "the
/// listener is closed", so this polls: a connect that raced with the close (accepted into the
/// backlog, or reset during the handshake) is retried shortly after.
async fn wait_until_refused(addr: std::net::SocketAddr) {
    within("new connections to be refused", async {
        loop {
            match TcpStream::connect(addr).await {
                Err(err) if err.kind() == std::io::ErrorKind::ConnectionRefused => return,
                Err(_) | Ok(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    })
    .await
}

#[tokio::test]
async fn keep_alive_serves_two_requests_on_one_connection() {
    let server = TestServer::start(app()).await;
    let mut conn = http1_connect(server.addr).await;

    let one = conn.get("/peer").await;
    let two = conn.get("/peer").await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(two.status, StatusCode::OK);
    assert!(one.text().starts_with("127.0.0.1:"), "{}", one.text());
    assert_eq!(one.text(), two.text(), "same client port: same connection");
    assert!(!conn.closed.is_finished(), "the connection stays open");
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let server = TestServer::start(app()).await;
    let host = server.addr;
    let requests = format!(
        "GET /first HTTP/1.1\r\nHost: {host}\r\n\r\nGET /second HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    );
    let raw = raw_exchange(server.addr, requests.as_bytes()).await;
    let text = String::from_utf8_lossy(&raw);

    assert_eq!(text.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{text}");
    let first = text.find("\r\n\r\nfirst").expect("first response body");
    let second = text.find("\r\n\r\nsecond").expect("second response body");
    assert!(first < second, "responses out of order: {text}");
}

/// An HTTP/2 (prior knowledge) connection to `addr`; the handle ends when the connection does.
async fn http2_connect(
    addr: std::net::SocketAddr,
) -> (
    hyper::client::conn::http2::SendRequest<common::ClientBody>,
    tokio::task::JoinHandle<Result<(), hyper::Error>>,
) {
    let stream = within("connect", TcpStream::connect(addr)).await.unwrap();
    let (sender, conn) = within(
        "the HTTP/2 handshake",
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream)),
    )
    .await
    .expect("HTTP/2 handshake");
    (sender, tokio::spawn(conn))
}

#[tokio::test]
async fn http2_with_prior_knowledge() {
    let server = TestServer::start(app()).await;
    let (sender, _connection) = http2_connect(server.addr).await;

    let send = |path: &str| {
        let mut sender = sender.clone();
        let req = http::Request::get(server.url(path)).body(empty()).unwrap();
        async move { read_reply(sender.send_request(req).await.expect("h2 response")).await }
    };
    // Two streams at once on the one connection.
    let (version, peer) = within("two HTTP/2 responses", async {
        tokio::join!(send("/version"), send("/peer"))
    })
    .await;
    assert_eq!(version.status, StatusCode::OK);
    assert_eq!(version.version, http::Version::HTTP_2);
    assert_eq!(version.text(), "HTTP/2.0");
    assert_eq!(peer.status, StatusCode::OK);
    assert!(peer.text().starts_with("127.0.0.1:"), "{}", peer.text());
}

#[tokio::test]
async fn client_addr_is_the_peer_address() {
    let server = TestServer::start(app()).await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let local = stream.local_addr().unwrap();
    let (mut sender, conn) = within(
        "the HTTP/1 handshake",
        hyper::client::conn::http1::handshake(TokioIo::new(stream)),
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    for path in ["/peer", "/peer-layered"] {
        let req = http::Request::get(path)
            .header("host", server.addr.to_string())
            .body(empty())
            .unwrap();
        let res = within("the response", async {
            read_reply(sender.send_request(req).await.unwrap()).await
        })
        .await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.text(), local.to_string(), "{path}");
    }
    assert!(local.ip().is_loopback());

    // In memory there is no socket, so no address.
    let res = TestClient::new(app()).get("/peer").await;
    assert_eq!(res.text(), "no address");
    // Under another server, the address is read from a `ClientAddr` it inserted.
    let mut service = app().into_service();
    let mut req = http::Request::get("/peer").body(empty()).unwrap();
    req.extensions_mut().insert(ClientAddr(local));
    let res = tower::ServiceExt::oneshot(&mut service, req).await.unwrap();
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap();
    assert_eq!(body.to_bytes(), local.to_string());
}

#[tokio::test]
async fn serve_reports_its_local_addr() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let serve = micro::serve(listener, app().into_service());
    assert_eq!(serve.local_addr().unwrap(), addr);
}

#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_requests_and_refuses_new_ones() {
    let (started_tx, mut started_rx) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    let mut server = TestServer::start(slow_app(started_tx, Some(release.clone()))).await;

    let mut conn = http1_connect(server.addr).await;
    let req = conn.request("GET", "/slow", empty());
    let in_flight = tokio::spawn(async move { conn.send(req).await });
    within("the slow handler to start", started_rx.recv())
        .await
        .expect("the handler started");

    server.trigger_shutdown();
    wait_until_refused(server.addr).await;

    release.notify_one();
    let res = within("the in-flight response", in_flight)
        .await
        .expect("the client task");
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.text(), "slow done");

    server
        .stopped_within(WAIT)
        .await
        .expect("serve returns Ok after a graceful shutdown");
}

#[tokio::test]
async fn graceful_shutdown_closes_idle_keep_alive_connections() {
    let mut server =
        TestServer::start_with(app(), |s| s.shutdown_timeout(Duration::from_secs(60))).await;
    let mut conn = http1_connect(server.addr).await;
    assert_eq!(conn.get("/ok").await.status, StatusCode::OK);

    server.trigger_shutdown();
    // Well before the 60 s shutdown timeout: the idle connection does not hold the server.
    server.stopped_within(WAIT).await.expect("serve returns Ok");
    let closed = within("the idle connection to close", &mut conn.closed).await;
    assert!(closed.is_ok(), "{closed:?}");
}

#[tokio::test]
async fn shutdown_timeout_bounds_a_handler_that_never_finishes() {
    let (started_tx, mut started_rx) = mpsc::unbounded_channel();
    let timeout = Duration::from_millis(200);
    let mut server =
        TestServer::start_with(slow_app(started_tx, None), |s| s.shutdown_timeout(timeout)).await;

    let mut conn = http1_connect(server.addr).await;
    let req = conn.request("GET", "/slow", empty());
    let _in_flight = tokio::spawn(async move { conn.sender.send_request(req).await });
    within("the slow handler to start", started_rx.recv())
        .await
        .expect("the handler started");

    server.trigger_shutdown();
    server
        .stopped_within(timeout + WAIT)
        .await
        .expect("serve returns Ok once the shutdown timeout passed");
}

#[tokio::test]
async fn connections_left_after_the_shutdown_timeout_are_dropped() {
    let (started_tx, mut started_rx) = mpsc::unbounded_channel();
    let timeout = Duration::from_millis(200);
    let mut server =
        TestServer::start_with(slow_app(started_tx, None), |s| s.shutdown_timeout(timeout)).await;

    let mut conn = http1_connect(server.addr).await;
    let req = conn.request("GET", "/slow", empty());
    let in_flight = tokio::spawn(async move { conn.sender.send_request(req).await });
    within("the slow handler to start", started_rx.recv())
        .await
        .expect("the handler started");

    server.trigger_shutdown();
    server
        .stopped_within(timeout + WAIT)
        .await
        .expect("serve returns Ok");

    // The serve future has returned: the connection must not live on in the background.
    let outcome = within("the server to drop the connection it gave up on", in_flight)
        .await
        .expect("the client task");
    assert!(
        outcome.is_err(),
        "the request should fail with a closed connection, got {outcome:?}"
    );
}

#[tokio::test]
async fn header_read_timeout_disconnects_a_slow_client() {
    let server =
        TestServer::start_with(app(), |s| s.header_read_timeout(Duration::from_millis(200))).await;

    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    // A request head that never ends.
    stream
        .write_all(b"GET /ok HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .await
        .unwrap();
    let mut received = Vec::new();
    let outcome = within(
        "the server to drop a client that never finishes its head",
        stream.read_to_end(&mut received),
    )
    .await;
    // Closed (EOF) or reset: either way, disconnected, and never a 200.
    if outcome.is_ok() {
        let text = String::from_utf8_lossy(&received);
        assert!(!text.contains("200 OK"), "{text}");
    }

    // Other clients are still served.
    assert_eq!(http1_get(server.addr, "/ok").await.text(), "ok");
}

/// The header-read timeout of the tests below, and how much later the server may act on it (it
/// checks four times per timeout period; see `micro::Serve::header_read_timeout`).
const HEAD_TIMEOUT: Duration = Duration::from_millis(400);
const HEAD_TIMEOUT_SLACK: Duration = Duration::from_millis(100 + 400);

/// Reads until the server closes the connection (or resets it); returns what arrived.
async fn read_until_closed(mut stream: impl tokio::io::AsyncRead + Unpin) -> Vec<u8> {
    let mut received = Vec::new();
    let _ = within(
        "the server to close the connection",
        stream.read_to_end(&mut received),
    )
    .await;
    received
}

#[tokio::test]
async fn a_head_trickled_byte_by_byte_is_cut_off_at_the_header_read_timeout() {
    let server = TestServer::start_with(app(), |s| s.header_read_timeout(HEAD_TIMEOUT)).await;
    let (read, mut write) = TcpStream::connect(server.addr).await.unwrap().into_split();
    let started = std::time::Instant::now();
    // Slowloris: every byte comes well within the timeout, but the head never ends.
    let trickle = tokio::spawn(async move {
        for byte in b"GET /ok HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
            .iter()
            .cycle()
        {
            if write.write_all(&[*byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let received = read_until_closed(read).await;
    let closed_after = started.elapsed();
    trickle.abort();
    assert!(
        received.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&received)
    );
    assert!(
        closed_after >= HEAD_TIMEOUT && closed_after <= HEAD_TIMEOUT * 5 / 4 + HEAD_TIMEOUT_SLACK,
        "closed after {closed_after:?}"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_read_timeout() {
    let server = TestServer::start_with(app(), |s| s.header_read_timeout(HEAD_TIMEOUT)).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    // Several requests, together longer than the timeout: a busy connection stays open.
    for _ in 0..4 {
        stream
            .write_all(b"GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        common::read_until(&mut stream, "\r\n\r\nok").await;
        tokio::time::sleep(HEAD_TIMEOUT / 3).await;
    }
    let idle_from = std::time::Instant::now();
    let received = read_until_closed(&mut stream).await;
    let closed_after = idle_from.elapsed();
    assert!(
        received.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&received)
    );
    assert!(
        closed_after + HEAD_TIMEOUT / 3 >= HEAD_TIMEOUT
            && closed_after <= HEAD_TIMEOUT * 5 / 4 + HEAD_TIMEOUT_SLACK,
        "closed after {closed_after:?} idle"
    );
}

#[tokio::test]
async fn the_header_read_timeout_spares_slow_handlers_and_slow_streams() {
    let mut app = app();
    app.get("/slow-handler", || async {
        tokio::time::sleep(HEAD_TIMEOUT * 3).await;
        "finally"
    });
    app.get("/slow-stream", || async {
        let chunks = futures_util::stream::unfold(0, |sent| async move {
            if sent == 3 {
                return None;
            }
            tokio::time::sleep(HEAD_TIMEOUT).await;
            Some((
                Ok::<_, std::io::Error>(bytes::Bytes::from(format!("chunk{sent};"))),
                sent + 1,
            ))
        });
        micro::Body::from_stream(chunks)
    });
    let server = TestServer::start_with(app, |s| s.header_read_timeout(HEAD_TIMEOUT)).await;

    let mut conn = http1_connect(server.addr).await;
    assert_eq!(conn.get("/slow-handler").await.text(), "finally");
    assert_eq!(
        conn.get("/slow-stream").await.text(),
        "chunk0;chunk1;chunk2;"
    );
    // The same connection, still open.
    assert_eq!(conn.get("/ok").await.text(), "ok");
}

#[tokio::test]
async fn http2_connections_without_streams_close_after_the_header_read_timeout() {
    let mut app = app();
    app.get("/slow-handler", || async {
        tokio::time::sleep(HEAD_TIMEOUT * 3).await;
        "finally"
    });
    app.get("/never", std::future::pending::<&'static str>);
    let server = TestServer::start_with(app, |s| s.header_read_timeout(HEAD_TIMEOUT)).await;
    let (sender, connection) = http2_connect(server.addr).await;
    let get = |path: &str| {
        let mut sender = sender.clone();
        let req = http::Request::get(server.url(path)).body(empty()).unwrap();
        async move { read_reply(sender.send_request(req).await.expect("h2 response")).await }
    };

    // A stream slower than the timeout is not cut.
    let reply = within("the slow handler", get("/slow-handler")).await;
    assert_eq!(reply.text(), "finally");
    // A stream the client gives up on (a reset) does not keep the connection busy for ever.
    let abandoned = tokio::time::timeout(HEAD_TIMEOUT / 4, get("/never")).await;
    assert!(abandoned.is_err(), "/never answered");

    let idle_from = std::time::Instant::now();
    let ended = within("the server to close the idle HTTP/2 connection", connection)
        .await
        .expect("the client's connection task");
    let closed_after = idle_from.elapsed();
    assert!(ended.is_ok(), "a GOAWAY is a clean end: {ended:?}");
    assert!(
        closed_after <= HEAD_TIMEOUT * 5 / 4 + HEAD_TIMEOUT_SLACK,
        "closed after {closed_after:?} idle"
    );
    // Other clients are still served.
    assert_eq!(http1_get(server.addr, "/ok").await.text(), "ok");
}

/// The body-read timeout of the tests below; the server acts on it up to a quarter later.
const BODY_TIMEOUT: Duration = Duration::from_millis(400);

/// An app that answers `/echo` with the length of the body it read, and `/late` after reading
/// its body and then sleeping, or after sleeping and then reading it.
fn body_app() -> App {
    let mut app = app();
    app.post("/echo", |body: String| async move {
        format!("read {}", body.len())
    });
    app.post("/read-then-sleep", |body: String| async move {
        tokio::time::sleep(BODY_TIMEOUT * 3).await;
        format!("read {}", body.len())
    });
    app.post("/sleep-then-read", |mut req: Request| async move {
        tokio::time::sleep(BODY_TIMEOUT * 3).await;
        match req.take_body().collect_limited(1 << 20).await {
            Ok(body) => format!("read {}", body.len()),
            Err(err) => format!("failed: {err}"),
        }
    });
    app
}

async fn body_server() -> TestServer {
    TestServer::start_with(body_app(), |s| s.body_read_timeout(BODY_TIMEOUT)).await
}

/// Sends a request head for a body of `length` bytes to `path`, on a new connection.
async fn post_head(server: &TestServer, path: &str, length: usize) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head =
        format!("POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {length}\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// Writes `chunk` every `every` until the server stops reading.
fn trickle(mut write: tokio::net::tcp::OwnedWriteHalf, chunk: Vec<u8>, every: Duration) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            if write.write_all(&chunk).await.is_err() {
                break;
            }
        }
    });
}

#[tokio::test]
async fn a_body_trickled_slower_than_the_minimum_rate_gets_a_408_within_the_timeout() {
    let server = body_server().await;
    let (read, write) = post_head(&server, "/echo", 10_000).await.into_split();
    let started = std::time::Instant::now();
    // A byte every 100 ms: no gap as long as the timeout, but 10 bytes per second in all.
    trickle(write, b"x".to_vec(), Duration::from_millis(100));
    let received = read_until_closed(read).await;
    let answered_after = started.elapsed();
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );
    assert!(
        answered_after >= BODY_TIMEOUT
            && answered_after <= BODY_TIMEOUT * 3 / 2 + HEAD_TIMEOUT_SLACK,
        "answered after {answered_after:?}"
    );
}

#[tokio::test]
async fn a_body_that_stops_coming_gets_a_408_whatever_came_before() {
    let server = body_server().await;
    let mut stream = post_head(&server, "/echo", 100_000).await;
    // Half the body at once, then nothing: 50 kB would earn 100 s at 500 bytes per second,
    // but no gap may be longer than the timeout.
    stream.write_all(&[b'x'; 50_000]).await.unwrap();
    let stalled_from = std::time::Instant::now();
    let received = read_until_closed(&mut stream).await;
    let answered_after = stalled_from.elapsed();
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(
        answered_after <= BODY_TIMEOUT * 5 / 4 + HEAD_TIMEOUT_SLACK,
        "answered after {answered_after:?}"
    );
    // Other clients are still served.
    assert_eq!(http1_get(server.addr, "/ok").await.text(), "ok");
}

#[tokio::test]
async fn a_body_that_keeps_coming_is_read_however_long_it_takes() {
    let server = body_server().await;
    let (mut read, write) = post_head(&server, "/echo", 3_000).await.into_split();
    // 300 bytes every 120 ms: 2.5 kB per second, over three times the timeout in all.
    let started = std::time::Instant::now();
    trickle(write, vec![b'x'; 300], Duration::from_millis(120));
    let mut reply = Vec::new();
    within("the echo", async {
        let mut buf = [0u8; 1024];
        while !String::from_utf8_lossy(&reply).contains("read 3000") {
            let n = read.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed: {:?}", String::from_utf8_lossy(&reply));
            reply.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    assert!(
        started.elapsed() > BODY_TIMEOUT * 2,
        "{:?}",
        started.elapsed()
    );
    let text = String::from_utf8_lossy(&reply);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

#[tokio::test]
async fn the_body_read_timeout_spares_slow_handlers() {
    let server = body_server().await;
    let mut conn = http1_connect(server.addr).await;
    let body = common::full(vec![b'x'; 5_000]);
    let reply = conn
        .send(conn.request("POST", "/read-then-sleep", body))
        .await;
    assert_eq!(reply.text(), "read 5000");
    // The client sent it all at once; the app reads it only after sleeping.
    let body = common::full(vec![b'x'; 5_000]);
    let reply = conn
        .send(conn.request("POST", "/sleep-then-read", body))
        .await;
    assert_eq!(reply.text(), "read 5000");
    assert_eq!(conn.get("/ok").await.text(), "ok");
}

#[tokio::test]
async fn the_body_read_timeout_is_on_by_default_and_can_be_turned_off() {
    let serve = micro::serve(
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
        App::new().into_service(),
    );
    let debug = format!("{serve:?}");
    assert!(debug.contains("body_read_timeout: 30s"), "{debug}");
    assert!(debug.contains("body_min_rate: 500"), "{debug}");

    let server = TestServer::start_with(body_app(), |s| s.body_read_timeout(Duration::MAX)).await;
    let mut stream = post_head(&server, "/echo", 10).await;
    stream.write_all(b"12345").await.unwrap();
    let mut buf = [0u8; 64];
    let outcome = tokio::time::timeout(BODY_TIMEOUT * 3, stream.read(&mut buf)).await;
    assert!(outcome.is_err(), "answered without the rest of the body");
    stream.write_all(b"67890").await.unwrap();
    let text = common::read_until(&mut stream, "read 10").await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

/// Whether a request written on `stream` is answered within `wait`.
async fn answered_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 1024];
    matches!(tokio::time::timeout(wait, stream.read(&mut buf)).await, Ok(Ok(n)) if n > 0)
}

#[tokio::test]
async fn with_a_connection_cap_the_next_connection_waits_until_one_closes() {
    let server = TestServer::start_with(app(), |s| s.max_connections(2)).await;
    let mut first = http1_connect(server.addr).await;
    let mut second = http1_connect(server.addr).await;
    assert_eq!(first.get("/ok").await.text(), "ok");
    assert_eq!(second.get("/ok").await.text(), "ok");

    // The OS completes the third handshake, but the server does not read from it yet.
    let mut third = TcpStream::connect(server.addr).await.unwrap();
    third
        .write_all(b"GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    assert!(
        !answered_within(&mut third, Duration::from_millis(300)).await,
        "a third connection was served with a cap of two"
    );
    // The two keep-alive connections still work.
    assert_eq!(second.get("/ok").await.text(), "ok");

    drop(first.sender);
    let _ = within("the first connection to close", first.closed).await;
    let text = common::read_until(&mut third, "\r\n\r\nok").await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

#[tokio::test]
async fn an_upgraded_connection_keeps_its_slot_until_it_ends() {
    let mut app = app();
    app.route(
        "/ws",
        micro::routing::any(|ws: micro::WebSocketUpgrade| async move {
            ws.on_upgrade(|mut socket| async move {
                while let Some(Ok(message)) = socket.recv().await {
                    if socket.send(message).await.is_err() {
                        break;
                    }
                }
            })
        }),
    );
    let server = TestServer::start_with(app, |s| s.max_connections(1)).await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut socket, response) =
        tokio_tungstenite::client_async(format!("ws://{}/ws", server.addr), stream)
            .await
            .unwrap();
    assert_eq!(response.status(), 101);

    let mut next = TcpStream::connect(server.addr).await.unwrap();
    next.write_all(b"GET /ok HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    assert!(
        !answered_within(&mut next, Duration::from_millis(300)).await,
        "served while the WebSocket held the only slot"
    );
    socket.close(None).await.unwrap();
    drop(socket);
    let text = common::read_until(&mut next, "\r\n\r\nok").await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}
