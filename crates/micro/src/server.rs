//! Serving over TCP with hyper 1.x: HTTP/1.1 (keep-alive, pipelining) and HTTP/2 cleartext on one
//! port, graceful shutdown with a deadline.

mod drain;
mod protocol;
mod watchdog;

use std::any::Any;
use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tower::{Service, ServiceExt};

use self::protocol::Protocol;
use self::watchdog::{Activity, BodyLimit, Expiry, Unfinished, Watchdog};
use crate::shutdown::{UpgradeTracker, end_on_shutdown};
use crate::{AppService, Body, BoxError, Shutdown, ShutdownTrigger};

/// The future that starts a graceful shutdown.
type Signal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The client's socket address, as tower layers and services see it: [`serve`] puts it in the
/// extensions of every request a layer or a service other than micro's app receives. Handlers
/// read it with [`Request::client_addr`](crate::Request::client_addr), which also works under
/// other servers that insert a `ClientAddr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

/// What the requests of one connection share, made once when it is accepted: the client's address
/// and the server's signals. micro's app gets it as an argument and keeps it in the
/// [`Request`](crate::Request); other services (and tower layers) find its parts in the request
/// extensions, put there by [`insert_into`](Self::insert_into).
#[derive(Debug)]
pub(crate) struct Connection {
    pub(crate) addr: SocketAddr,
    pub(crate) shutdown: Shutdown,
    pub(crate) tracker: UpgradeTracker,
    /// Requests, responses and request bodies, for the connection's watchdog.
    pub(crate) activity: Arc<Activity>,
}

impl Connection {
    /// Readies a response of this connection for hyper: wired to end on shutdown when it asks
    /// to, and counted as finished with once hyper has it all (see [`Activity`]).
    pub(crate) fn prepare(&self, response: &mut http::Response<Body>) {
        end_on_shutdown(response, &self.shutdown);
        watchdog::finish_when_sent(response, &self.activity);
    }

    /// Puts the connection's details into a request's extensions: [`ClientAddr`], [`Shutdown`]
    /// and the upgrade tracker.
    pub(crate) fn insert_into(&self, extensions: &mut http::Extensions) {
        extensions.insert(ClientAddr(self.addr));
        extensions.insert(self.shutdown.clone());
        extensions.insert(self.tracker.clone());
    }
}

/// Serves `service` on `listener` until the shutdown signal, if any, resolves.
///
/// - HTTP/1.1 with keep-alive and pipelining, and HTTP/2 with prior knowledge (h2c), told apart
///   by the connection preface; WebSocket-style upgrades are allowed.
/// - `TCP_NODELAY` on every connection; a client that sends no complete request head within the
///   [header-read timeout](Serve::header_read_timeout) (30 s) is disconnected, and so is an
///   HTTP/2 client with no stream open for that long. An HTTP/1 request body that stops coming
///   for the [body-read timeout](Serve::body_read_timeout) (30 s), or trickles in slower than
///   [its minimum rate](Serve::body_min_rate), fails with a 408.
/// - Optionally, at most [`max_connections`](Serve::max_connections) connections at once; the
///   next ones wait in the listener's backlog.
/// - An accept error such as "too many open files" is logged and retried after a pause, instead of
///   spinning.
/// - On shutdown the listener closes at once, idle connections close, in-flight requests finish;
///   after the [shutdown timeout](Serve::shutdown_timeout) (10 s) the rest are dropped. Every
///   request carries a [`Shutdown`] signal that fires at that moment: Server-Sent Events end,
///   WebSockets send a Close frame (1001, going away) and end, and `serve` waits for upgraded
///   connections too, so long-lived streams neither hold the shutdown until the deadline nor
///   get cut without a goodbye.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let mut app = micro::App::new();
/// app.get("/", || async { "hi" });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// micro::serve(listener, app.into_service())
///     .with_graceful_shutdown(async { tokio::signal::ctrl_c().await.ok(); })
///     .await
/// # }
/// ```
pub fn serve<S>(listener: TcpListener, service: S) -> Serve<S> {
    Serve {
        listener,
        service,
        signal: None,
        shutdown_timeout: Duration::from_secs(10),
        header_read_timeout: Duration::from_secs(30),
        body: BodyLimit {
            timeout: Duration::from_secs(30),
            min_rate: 500,
        },
        max_connections: None,
    }
}

/// A server being configured; `.await` it to run. See [`serve`].
#[must_use = "a server does nothing until it is awaited"]
pub struct Serve<S> {
    listener: TcpListener,
    service: S,
    signal: Option<Signal>,
    shutdown_timeout: Duration,
    header_read_timeout: Duration,
    body: BodyLimit,
    max_connections: Option<usize>,
}

impl<S> std::fmt::Debug for Serve<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("body_read_timeout", &self.body.timeout)
            .field("body_min_rate", &self.body.min_rate)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

impl<S> Serve<S> {
    /// Stops accepting and shuts down gracefully when `signal` resolves.
    pub fn with_graceful_shutdown(
        mut self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> Self {
        self.signal = Some(Box::pin(signal));
        self
    }

    /// How long in-flight requests may take to finish after the signal (default 10 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// How long a client may take to send a request head (default 30 s); an HTTP/1 connection
    /// that has waited that long for one, idle or fed a byte at a time, is closed. It also bounds
    /// the wait for a new connection's first bytes, and closes (with a GOAWAY) HTTP/2
    /// connections that have had no stream in progress for that long. The wait starts when the
    /// previous response has been handed over whole, or its streamed body has ended, so slow
    /// handlers and long streams are never cut. A watchdog checks four times per period, so a
    /// connection may live up to a quarter of the timeout longer (30 s: 30 to 37.5 s).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// How long the app may wait for the next bytes of an HTTP/1 request body (default 30 s),
    /// and the base of its whole wait (see [`body_min_rate`](Self::body_min_rate)). A body
    /// that stops coming, or trickles in slower than the minimum rate, fails: the body
    /// extractors answer 408 Request Timeout and the connection closes. Only the time the app
    /// spends waiting for body bytes counts: a handler that is slow before, between or after
    /// its reads is never cut. `Duration::MAX` turns it off. Checked by the same watchdog as the
    /// header-read timeout, at a quarter of the shorter of the two: a body may wait up to a
    /// quarter of it longer. HTTP/2 bodies are not covered (see `docs/micro/serving.md`).
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body.timeout = timeout;
        self
    }

    /// The average rate, in bytes per second, at which an HTTP/1 request body must keep
    /// coming (default 500, Apache's `MinRate`): each `rate` bytes received add a second to
    /// the [body-read timeout](Self::body_read_timeout) for the whole wait, so a body sent at
    /// least that fast is never cut, however large, and one trickled slower is cut once the
    /// app has waited the timeout plus that credit. 0 gives no credit: the app waits at most
    /// the timeout, in all, for the whole body.
    pub fn body_min_rate(mut self, bytes_per_second: u32) -> Self {
        self.body.min_rate = bytes_per_second;
        self
    }

    /// Serves at most `max` connections at once (default: no cap). Once `max` are open, the
    /// server stops accepting: new connections wait in the listener's backlog (their TCP
    /// handshake is done by the OS, they are read from once accepted) and are served as soon
    /// as one closes, as Go's `netutil.LimitListener` does. An upgraded connection (a
    /// WebSocket) keeps its slot until it ends. A cap bounds what the process needs in file
    /// descriptors and memory, at the price of making clients wait behind idle keep-alive
    /// connections (the header-read timeout closes those).
    ///
    /// # Panics
    /// When `max` is 0.
    pub fn max_connections(mut self, max: usize) -> Self {
        assert!(max > 0, "micro::serve: max_connections must be at least 1");
        self.max_connections = Some(max);
        self
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    /// When the OS cannot tell.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

impl<S, B> IntoFuture for Serve<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Output = io::Result<()>;
    type IntoFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run(self))
    }
}

async fn run<S, B>(serve: Serve<S>) -> io::Result<()>
where
    S: Service<http::Request<Body>, Response = http::Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let Serve {
        listener,
        service,
        signal,
        shutdown_timeout,
        header_read_timeout,
        body,
        max_connections,
    } = serve;
    let mut signal = signal.unwrap_or_else(|| Box::pin(std::future::pending()));
    let body = (body.timeout != Duration::MAX).then_some(body);
    let mut server = Server::new(header_read_timeout, body, max_connections);
    // micro's own app is called directly, with the connection as an argument: no `oneshot`, no
    // boxed future and no request extensions to fill. Any other service gets the connection's
    // details as extensions.
    let app = (&service as &dyn Any).downcast_ref::<AppService>().cloned();
    match app {
        Some(app) => {
            let respond = move |req, conn: &Arc<Connection>| app.respond(req, Some(conn.clone()));
            server.accept(&listener, &mut signal, respond).await;
        }
        None => {
            let respond = move |mut req: http::Request<Body>, conn: &Arc<Connection>| {
                conn.insert_into(req.extensions_mut());
                let response = service.clone().oneshot(req);
                let conn = conn.clone();
                async move {
                    let mut response = match response.await {
                        Ok(response) => response.map(Body::new),
                        Err(never) => match never {},
                    };
                    conn.prepare(&mut response);
                    Ok(response)
                }
            };
            server.accept(&listener, &mut signal, respond).await;
        }
    }
    drop(listener);
    server.shut_down(shutdown_timeout).await;
    Ok(())
}

/// The state of a running server: its connections and the signals it gives them.
struct Server {
    http1: http1::Builder,
    http2: http2::Builder<TokioExecutor>,
    header_read_timeout: Duration,
    /// The body-read timeout of HTTP/1 connections, unless turned off.
    body: Option<BodyLimit>,
    /// Connection slots, under `Serve::max_connections`.
    slots: Option<Arc<Semaphore>>,
    /// Whether every slot was taken at the last accept (so the cap is logged once per time).
    full: bool,
    /// Every connection's task: the shutdown waits for them, and drops those still open at its
    /// deadline.
    connections: tokio::task::JoinSet<()>,
    trigger: ShutdownTrigger,
    shutdown: Shutdown,
    /// Upgraded connections (WebSockets) run outside `connections` and `graceful`: tracked apart.
    tracker: UpgradeTracker,
    upgraded: mpsc::Receiver<()>,
    deadline: ShutdownTrigger,
}

impl Server {
    fn new(
        header_read_timeout: Duration,
        body: Option<BodyLimit>,
        max_connections: Option<usize>,
    ) -> Self {
        let mut http1 = http1::Builder::new();
        // No header-read timeout here: a watchdog per connection keeps it (see `watchdog`).
        http1.keep_alive(true);
        let mut http2 = http2::Builder::new(TokioExecutor::new());
        http2.timer(TokioTimer::new());
        let (trigger, shutdown) = Shutdown::channel();
        let (tracker, upgraded, deadline) = UpgradeTracker::new();
        Server {
            http1,
            http2,
            header_read_timeout,
            body,
            slots: max_connections.map(|max| Arc::new(Semaphore::new(max))),
            full: false,
            connections: tokio::task::JoinSet::new(),
            trigger,
            shutdown,
            tracker,
            upgraded,
            deadline,
        }
    }

    /// Accepts connections until `signal` resolves; `respond` answers each request.
    async fn accept<F, Fut>(&mut self, listener: &TcpListener, signal: &mut Signal, respond: F)
    where
        F: Fn(http::Request<Body>, &Arc<Connection>) -> Fut + Clone + Send + 'static,
        Fut: Future<Output = Result<http::Response<Body>, Infallible>> + Send + 'static,
    {
        loop {
            let slot = match self.slots.clone() {
                None => None,
                Some(slots) => tokio::select! {
                    biased;
                    () = &mut *signal => break,
                    slot = self.slot(slots) => Some(slot),
                },
            };
            let (stream, addr) = tokio::select! {
                biased;
                () = &mut *signal => break,
                accepted = listener.accept() => match accepted {
                    Ok(conn) => conn,
                    Err(err) => {
                        accept_error(err).await;
                        continue;
                    }
                },
            };
            if let Err(err) = stream.set_nodelay(true) {
                tracing::debug!(target: "micro::server", "TCP_NODELAY failed: {err}");
            }
            let activity = Arc::new(Activity::default());
            let conn = Arc::new(Connection {
                addr,
                shutdown: self.shutdown.clone(),
                tracker: self.tracker.for_connection(slot),
                activity: activity.clone(),
            });
            let respond = respond.clone();
            // The service for the connection's protocol: HTTP/1 bodies are read under the
            // body-read timeout (one at a time, as its watchdog follows them).
            let service = move |watch_bodies: bool| {
                move |req: http::Request<Incoming>| {
                    conn.activity.started();
                    let req = if watch_bodies {
                        req.map(|body| Body::watched(body, &conn.activity))
                    } else {
                        req.map(Body::new)
                    };
                    respond(req, &conn)
                }
            };
            let http1 = self.http1.clone();
            let http2 = self.http2.clone();
            let shutdown = self.shutdown.clone();
            let header_read_timeout = self.header_read_timeout;
            let body_limit = self.body;
            let conn = async move {
                // The first bytes count as part of the first request head: a client that sends
                // nothing is disconnected after the header-read timeout too.
                let detected = tokio::select! {
                    biased;
                    () = shutdown.wait() => return Ok(()),
                    detected = tokio::time::timeout(header_read_timeout, protocol::detect(&stream)) => detected,
                };
                let Ok(protocol) = detected else {
                    return Ok(());
                };
                let io = TokioIo::new(stream);
                let ended = match protocol? {
                    Protocol::Http1 => {
                        let service = hyper::service::service_fn(service(body_limit.is_some()));
                        let conn = http1.serve_connection(io, service).with_upgrades();
                        let watchdog =
                            Watchdog::new(header_read_timeout, body_limit, Expiry::Close);
                        drain::until_drained(
                            conn,
                            shutdown,
                            |conn| conn.graceful_shutdown(),
                            Some(watchdog),
                            &activity,
                        )
                        .await
                    }
                    // HTTP/2 heads arrive whole in frames: there the timeout closes connections
                    // that have had no stream open for that long.
                    Protocol::Http2 => {
                        let streams = activity.clone();
                        let service = service(false);
                        let service = hyper::service::service_fn(move |req| {
                            let response = service(req);
                            let unfinished = Unfinished::new(&streams);
                            async move {
                                let response = response.await;
                                unfinished.answered();
                                response
                            }
                        });
                        let conn = http2.serve_connection(io, service);
                        let watchdog = Watchdog::new(header_read_timeout, None, Expiry::GoAway);
                        drain::until_drained(
                            conn,
                            shutdown,
                            |conn| conn.graceful_shutdown(),
                            Some(watchdog),
                            &activity,
                        )
                        .await
                    }
                };
                match ended {
                    Some(served) => served.map_err(Into::into),
                    None => Err(format!(
                        "no complete request head within the header-read timeout ({header_read_timeout:?})"
                    )
                    .into()),
                }
            };
            while self.connections.try_join_next().is_some() {}
            self.connections.spawn(async move {
                let ended: Result<(), BoxError> = conn.await;
                if let Err(err) = ended {
                    tracing::debug!(target: "micro::server", "connection from {addr} ended: {err}");
                }
            });
        }
    }

    /// A connection slot, once one is free; says once that the cap is reached.
    async fn slot(&mut self, slots: Arc<Semaphore>) -> OwnedSemaphorePermit {
        if let Ok(slot) = slots.clone().try_acquire_owned() {
            self.full = false;
            return slot;
        }
        if !self.full {
            self.full = true;
            tracing::warn!(target: "micro::server", "every connection slot is taken (max_connections); new connections wait until one closes");
        }
        slots
            .acquire_owned()
            .await
            .expect("the server never closes its semaphore")
    }

    /// Shuts down gracefully, within `timeout`; the listener must be closed already.
    async fn shut_down(self, timeout: Duration) {
        let Server {
            mut connections,
            trigger,
            tracker,
            mut upgraded,
            deadline,
            ..
        } = self;
        // Long-lived responses end, and every connection finishes its request in flight and
        // closes (see `drain`).
        trigger.fire();
        while connections.try_join_next().is_some() {}
        let open = connections.len();
        tracing::info!(target: "micro::server", "shutting down, waiting for {open} connection(s)");
        let drained = async {
            while connections.join_next().await.is_some() {}
            // Upgraded connections left hyper (and their task) when they switched protocols;
            // each holds a tracker clone until its handler returns.
            drop(tracker);
            while upgraded.recv().await.is_some() {}
        };
        tokio::select! {
            () = drained => {}
            () = tokio::time::sleep(timeout) => {
                tracing::warn!(target: "micro::server", "shutdown timeout of {timeout:?} reached; dropping {} connection(s)", connections.len());
                connections.abort_all();
                deadline.fire();
            }
        }
    }
}

/// Per-connection errors (the client went away) are normal; others, like EMFILE, mean the
/// process is out of something: pause so the loop does not spin, and try again.
async fn accept_error(err: io::Error) {
    use io::ErrorKind::*;
    if matches!(
        err.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset | Interrupted
    ) {
        return;
    }
    tracing::error!(target: "micro::server", "accept failed: {err}; retrying in 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// `HOST` and `PORT` from the environment, with Flask's defaults.
pub(crate) fn addr_from_env(default_port: u16) -> io::Result<SocketAddr> {
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let port = match std::env::var("PORT") {
        Ok(p) => p.trim().parse::<u16>().map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("PORT must be a number from 0 to 65535, got `{p}`"),
            )
        })?,
        Err(_) => default_port,
    };
    let ip: std::net::IpAddr = host.trim_matches(['[', ']']).parse().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("HOST must be an IP address, got `{host}`"),
        )
    })?;
    Ok(SocketAddr::new(ip, port))
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM: the signal [`App::run`](crate::App::run) shuts down
/// on, for servers started with [`serve`].
///
/// ```no_run
/// # async fn demo(listener: tokio::net::TcpListener, app: micro::App) -> std::io::Result<()> {
/// micro::serve(listener, app.into_service())
///     .with_graceful_shutdown(micro::shutdown_signal())
///     .await
/// # }
/// ```
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!(target: "micro::server", "shutdown signal received");
}
