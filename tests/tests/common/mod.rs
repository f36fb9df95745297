//! Helpers shared by the behaviour tests: bounded waits, a real server on 127.0.0.1:0 and small
//! HTTP/1 clients (hyper's and a raw socket).

#![allow(dead_code)]

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use micro::{App, AppService, BoxError, Serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The longest any test waits for something that should happen promptly.
pub(crate) const WAIT: Duration = Duration::from_secs(5);

/// Awaits `fut`, failing the test (instead of hanging) when it takes longer than [`WAIT`].
pub(crate) async fn within<F: Future>(what: &str, fut: F) -> F::Output {
    match tokio::time::timeout(WAIT, fut).await {
        Ok(value) => value,
        Err(_) => panic!("timed out after {WAIT:?} waiting for {what}"),
    }
}

/// The request body type the hyper clients send.
pub(crate) type ClientBody = BoxBody<Bytes, BoxError>;

/// A complete body.
pub(crate) fn full(bytes: impl Into<Bytes>) -> ClientBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// An empty body.
pub(crate) fn empty() -> ClientBody {
    full(Bytes::new())
}

/// A body of several chunks with no known length: hyper sends it chunked, without
/// `Content-Length`.
pub(crate) fn chunked(chunks: Vec<&'static str>) -> ClientBody {
    let frames =
        futures_util::stream::iter(chunks.into_iter().map(|c| {
            Ok::<_, BoxError>(hyper::body::Frame::data(Bytes::from_static(c.as_bytes())))
        }));
    http_body_util::StreamBody::new(frames).boxed()
}

/// A response read to the end.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) version: http::Version,
}

impl Reply {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An app served by `micro::serve` on 127.0.0.1:0, with a shutdown switch.
pub(crate) struct TestServer {
    pub(crate) addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl TestServer {
    pub(crate) async fn start(app: App) -> Self {
        Self::start_with(app, |serve| serve).await
    }

    /// Starts the server after `configure` set its options (timeouts).
    pub(crate) async fn start_with(
        app: App,
        configure: impl FnOnce(Serve<AppService>) -> Serve<AppService>,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let (tx, rx) = oneshot::channel::<()>();
        let serve = configure(micro::serve(listener, app.into_service())).with_graceful_shutdown(
            async move {
                let _ = rx.await;
            },
        );
        let task = tokio::spawn(serve.into_future());
        TestServer {
            addr,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Sends the graceful shutdown signal.
    pub(crate) fn trigger_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Waits (bounded by `limit`) for the serve future to return, and returns its result.
    pub(crate) async fn stopped_within(&mut self, limit: Duration) -> io::Result<()> {
        let task = self.task.take().expect("the server was already awaited");
        match tokio::time::timeout(limit, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => panic!("the serve task panicked: {join}"),
            Err(_) => panic!("the serve future did not return within {limit:?}"),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// An HTTP/1.1 connection made with hyper's client, its connection task running in the
/// background. `closed` resolves when the connection ends.
pub(crate) struct Http1Conn {
    pub(crate) sender: hyper::client::conn::http1::SendRequest<ClientBody>,
    pub(crate) closed: JoinHandle<Result<(), hyper::Error>>,
    pub(crate) addr: SocketAddr,
}

pub(crate) async fn http1_connect(addr: SocketAddr) -> Http1Conn {
    let stream = within("the TCP connection", TcpStream::connect(addr))
        .await
        .expect("connect to the test server");
    let (sender, conn) = within(
        "the HTTP/1 handshake",
        hyper::client::conn::http1::handshake(TokioIo::new(stream)),
    )
    .await
    .expect("HTTP/1 handshake");
    let closed = tokio::spawn(conn);
    Http1Conn {
        sender,
        closed,
        addr,
    }
}

impl Http1Conn {
    /// Builds a request to `path` with a `Host` header.
    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        body: ClientBody,
    ) -> Request<ClientBody> {
        Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, self.addr.to_string())
            .body(body)
            .expect("valid request")
    }

    /// Sends a request and reads the whole response, bounded by [`WAIT`].
    pub(crate) async fn send(&mut self, req: Request<ClientBody>) -> Reply {
        within("the response", async {
            self.sender.ready().await.expect("connection ready");
            let res = self
                .sender
                .send_request(req)
                .await
                .expect("the server answered");
            read_reply(res).await
        })
        .await
    }

    pub(crate) async fn get(&mut self, path: &str) -> Reply {
        let req = self.request("GET", path, empty());
        self.send(req).await
    }
}

pub(crate) async fn read_reply(res: http::Response<hyper::body::Incoming>) -> Reply {
    let (parts, body) = res.into_parts();
    let body = body
        .collect()
        .await
        .expect("the response body arrived")
        .to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
        version: parts.version,
    }
}

/// One request on a fresh HTTP/1.1 connection.
pub(crate) async fn http1_get(addr: SocketAddr, path: &str) -> Reply {
    http1_connect(addr).await.get(path).await
}

/// Writes `bytes` on a fresh raw TCP connection and reads until the server closes it.
pub(crate) async fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = within("the TCP connection", TcpStream::connect(addr))
        .await
        .expect("connect to the test server");
    stream.write_all(bytes).await.expect("write the request");
    let mut out = Vec::new();
    within(
        "the server to close the connection",
        stream.read_to_end(&mut out),
    )
    .await
    .expect("read the response");
    out
}

/// The status code of a raw HTTP/1 response.
pub(crate) fn raw_status(response: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(response);
    text.split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"))
}

/// Reads from `stream` until what was read contains `needle`, bounded by [`WAIT`]; returns all
/// of it.
pub(crate) async fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    within(needle, async {
        while !String::from_utf8_lossy(&seen).contains(needle) {
            let n = stream.read(&mut buf).await.expect("read from the server");
            assert!(
                n > 0,
                "connection closed before {needle:?} arrived: {:?}",
                String::from_utf8_lossy(&seen)
            );
            seen.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    String::from_utf8_lossy(&seen).into_owned()
}
