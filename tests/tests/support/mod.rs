//! Helpers for tests that need a real socket: a server on 127.0.0.1:0 and raw HTTP/1.1.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The bound on every wait in these tests: generous, so only a hang trips it.
pub(crate) const WAIT: Duration = Duration::from_secs(5);

/// A served app: its address, the trigger of its graceful shutdown, and the task running `serve`.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    pub(crate) stop: oneshot::Sender<()>,
    pub(crate) task: JoinHandle<io::Result<()>>,
}

/// Serves `app` on 127.0.0.1:0 with a 60 s shutdown timeout, far beyond any wait of the tests.
pub(crate) async fn serve(app: micro::App) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(
        micro::serve(listener, app.into_service())
            .shutdown_timeout(Duration::from_secs(60))
            .with_graceful_shutdown(async {
                stopped.await.ok();
            })
            .into_future(),
    );
    Server { addr, stop, task }
}

impl Server {
    /// Starts the graceful shutdown and waits (bounded) for `serve` to return.
    pub(crate) async fn shutdown(self) {
        self.stop.send(()).ok();
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("serve did not return in time")
            .unwrap()
            .unwrap();
    }
}

/// Writes `request` as is and reads the whole response until the server closes the connection.
pub(crate) async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut response))
        .await
        .expect("the response did not end in time")
        .unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

/// The status code of a raw response.
pub(crate) fn status(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"))
}

/// Reads from `stream` until what was read contains `needle`; returns all of it.
pub(crate) async fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    tokio::time::timeout(WAIT, async {
        while !String::from_utf8_lossy(&seen).contains(needle) {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(
                n > 0,
                "connection closed before {needle:?} arrived: {:?}",
                String::from_utf8_lossy(&seen)
            );
            seen.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .unwrap_or_else(|_| {
        panic!(
            "{needle:?} did not arrive in time: {:?}",
            String::from_utf8_lossy(&seen)
        )
    });
    String::from_utf8_lossy(&seen).into_owned()
}
