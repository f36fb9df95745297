//! A client that calls the app in memory, without a socket, for tests.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, COOKIE, HOST, HeaderName, LOCATION, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

use crate::{App, AppService, Body, CommandError, Session};

/// Calls an app in memory, the way Flask's `app.test_client()` does: the full pipeline (layers,
/// hooks, error handlers) runs, only the socket is missing. Cookies set by responses are kept and
/// sent back, like a browser. Every request carries `Host: testserver` (see [`TEST_HOST`]) unless
/// it sets its own, and a response tells which templates were rendered with which context
/// ([`TestResponse::template`], [`TestResponse::context`]).
///
/// ```
/// use micro::{App, TestClient, Json};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mut app = App::new();
/// app.get("/hello/<name>", |micro::Path(name): micro::Path<String>| async move {
///     format!("Hello, {name}!")
/// });
/// app.post("/echo", |Json(v): Json<serde_json::Value>| async move { Json(v) });
///
/// let client = TestClient::new(app);
/// let res = client.get("/hello/ada").await;
/// assert_eq!(res.status(), 200);
/// assert_eq!(res.text(), "Hello, ada!");
///
/// let res = client.post("/echo").json(&serde_json::json!({"a": 1})).await;
/// assert_eq!(res.json::<serde_json::Value>()["a"], 1);
/// # }
/// ```
#[derive(Clone)]
pub struct TestClient {
    service: AppService,
    cookies: Arc<Mutex<Vec<cookie::Cookie<'static>>>>,
    follow_redirects: bool,
}

impl std::fmt::Debug for TestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestClient")
            .field("follow_redirects", &self.follow_redirects)
            .finish_non_exhaustive()
    }
}

/// The `Host` a [`TestClient`] request carries unless it sets one: Django's test client's.
/// Not `localhost`: a name that resolves nowhere cannot reach a real machine when an absolute
/// URL built from it leaks out of a test, and host validation can let it in for tests alone
/// without letting in `localhost`, which a production allow-list should not need.
pub const TEST_HOST: &str = "testserver";

macro_rules! method_builders {
    ($($name:ident => $method:ident),*) => {
        $(
            #[doc = concat!("Starts a `", stringify!($method), "` request to `uri` (a path with an optional query).")]
            pub fn $name(&self, uri: &str) -> TestRequest {
                self.request(Method::$method, uri)
            }
        )*
    };
}

impl TestClient {
    /// A client for `app`.
    pub fn new(app: App) -> Self {
        Self::from_service(app.into_service())
    }

    /// A client for an already frozen app.
    pub fn from_service(service: AppService) -> Self {
        TestClient {
            service,
            cookies: Arc::default(),
            follow_redirects: false,
        }
    }

    /// Follow redirects (up to 10) for every request from this client.
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }

    method_builders!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE, head => HEAD, options => OPTIONS);

    /// Starts a request with any method.
    pub fn request(&self, method: Method, uri: &str) -> TestRequest {
        TestRequest {
            client: self.clone(),
            method,
            uri: uri.to_owned(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            follow_redirects: self.follow_redirects,
            error: None,
        }
    }

    /// The value of a cookie the client holds.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.lock_cookies()
            .iter()
            .find(|c| c.name() == name)
            .map(|c| c.value().to_owned())
    }

    /// A CSRF token that the app accepts from this client, as a page's `csrf_token()` would give
    /// it: masked afresh at each call, for the client's CSRF cookie, which is made (as a first
    /// page would set it) when the client has none. The test client checks tokens as a browser's
    /// requests are checked; this is how a test posts like a page of the app:
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut app = micro::App::new();
    /// app.csrf_protect();
    /// app.post("/vote", || async { "counted" });
    /// let client = micro::TestClient::new(app);
    /// let token = client.csrf_token();
    /// let res = client.post("/vote").form(&[("csrfmiddlewaretoken", token)]).await;
    /// assert_eq!(res.status(), 200);
    /// # }
    /// ```
    ///
    /// # Panics
    /// When the app does not check tokens ([`App::csrf_protect`](crate::App::csrf_protect)).
    pub fn csrf_token(&self) -> String {
        let app = self.service.shared();
        let Some(csrf) = &app.csrf else {
            panic!(
                "TestClient::csrf_token: the app does not check CSRF tokens (App::csrf_protect)"
            );
        };
        let cookie = self.cookie(csrf.cookie());
        let (secret, token) = crate::csrf::token_for_cookie(cookie.as_deref());
        if cookie.as_deref() != Some(secret.as_str())
            && let Some(value) = crate::csrf::cookie_header(csrf, &secret)
        {
            self.store_cookies(&HeaderMap::from_iter([(SET_COOKIE, value)]));
        }
        token
    }

    /// Reads or changes the session the client's cookie holds, like Flask's
    /// `client.session_transaction()`: `f` gets the session as the app would load it from the
    /// cookie (what the last response set), and a change is signed with the app's key and stored
    /// in the cookie jar, so the next request carries it.
    ///
    /// ```
    /// use micro::{App, Config, Session, TestClient};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut app = App::from_config(Config::from_toml_str("SECRET_KEY = \"k\"").unwrap()).unwrap();
    /// app.get("/me", |s: Session| async move { format!("user {:?}", s.get::<u32>("user_id")) });
    /// app.post("/logout", |s: Session| async move { s.clear(); "bye" });
    ///
    /// let client = TestClient::new(app);
    /// client.session(|s| s.insert("user_id", 1)).unwrap(); // logged in, no login form
    /// assert_eq!(client.get("/me").await.text(), "user Some(1)");
    ///
    /// client.post("/logout").await;
    /// assert!(client.session(|s| s.is_empty()));
    /// # }
    /// ```
    ///
    /// # Panics
    /// When the app has no `SECRET_KEY` (it was not built with
    /// [`App::from_config`](crate::App::from_config)), or the changed session is too large for a
    /// cookie.
    pub fn session<R>(&self, f: impl FnOnce(&Session) -> R) -> R {
        let app = self.service.shared();
        let Some(keys) = &app.session_keys else {
            panic!(
                "TestClient::session: the app has no sessions: build it with App::from_config and a SECRET_KEY (or DEBUG = true)"
            );
        };
        let config = &app.config;
        let cookie = self.cookie(&config.session_cookie_name);
        let session = crate::session::from_cookie(keys, config, cookie.as_deref());
        let result = f(&session);
        match crate::session::set_cookie(&session, keys, config) {
            Ok(None) => {}
            Ok(Some(value)) => self.store_cookies(&HeaderMap::from_iter([(SET_COOKIE, value)])),
            Err(why) => panic!("TestClient::session: {why}"),
        }
        result
    }

    /// The value of type `T` the app was given with [`App::state`](crate::App::state), the one
    /// its handlers see: a test can seed or inspect the database the app uses.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use micro::{App, State, TestClient};
    ///
    /// #[derive(Clone, Default)]
    /// struct Db(Arc<Mutex<Vec<String>>>);
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut app = App::new();
    /// app.state(Db::default());
    /// app.post("/posts", |State(db): State<Db>| async move { db.0.lock().unwrap().push("hi".into()); "ok" });
    ///
    /// let client = TestClient::new(app);
    /// client.post("/posts").await;
    /// assert_eq!(*client.state::<Db>().0.lock().unwrap(), ["hi"]);
    /// # }
    /// ```
    ///
    /// # Panics
    /// When no `T` was registered; the message names the type.
    pub fn state<T: Send + Sync + 'static>(&self) -> &T {
        self.service
            .shared()
            .state
            .get::<T>()
            .unwrap_or_else(|| {
                panic!(
                    "TestClient::state: no {0} was registered: call app.state({0} {{ .. }}) before making the client",
                    std::any::type_name::<T>()
                )
            })
    }

    /// Runs one of the app's [commands](crate::App::command) in this process, against the
    /// state this client's requests see, like Flask's `app.test_cli_runner().invoke(..)`.
    /// `args` are the words after the program's name: `["init-db"]`, `["users", "create",
    /// "ada"]`. What the command prints goes to this process's output.
    ///
    /// # Errors
    /// The command's error; or, when `args` name no command, a message that says so; with the
    /// `clap` feature, clap's error when it refuses the arguments (or is asked for `--help`).
    pub async fn run_command<I, S>(&self, args: I) -> Result<(), CommandError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let args = args.into_iter().map(Into::into).collect();
        crate::commands::run_for_test(self.service.shared(), args).await
    }

    fn lock_cookies(&self) -> std::sync::MutexGuard<'_, Vec<cookie::Cookie<'static>>> {
        self.cookies.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cookie_header(&self, path: &str) -> Option<HeaderValue> {
        let jar = self.lock_cookies();
        let pairs: Vec<String> = jar
            .iter()
            .filter(|c| c.path().is_none_or(|p| path.starts_with(p)))
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect();
        (!pairs.is_empty())
            .then(|| HeaderValue::from_str(&pairs.join("; ")).ok())
            .flatten()
    }

    fn store_cookies(&self, headers: &HeaderMap) {
        let mut jar = self.lock_cookies();
        for value in headers.get_all(SET_COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            let Ok(cookie) = cookie::Cookie::parse(text.to_owned()) else {
                continue;
            };
            jar.retain(|c| c.name() != cookie.name());
            let expired = cookie
                .max_age()
                .is_some_and(|age| age.is_zero() || age.is_negative())
                || cookie
                    .expires_datetime()
                    .is_some_and(|at| at <= cookie::time::OffsetDateTime::now_utc());
            if !expired {
                jar.push(cookie.into_owned());
            }
        }
    }
}

/// A request being built by a [`TestClient`]; `.await` it (or call [`send`](Self::send)).
#[must_use = "a test request does nothing until it is awaited"]
pub struct TestRequest {
    client: TestClient,
    method: Method,
    uri: String,
    headers: HeaderMap,
    body: Bytes,
    follow_redirects: bool,
    error: Option<String>,
}

impl TestRequest {
    /// Adds a header.
    pub fn header(
        mut self,
        name: impl TryInto<HeaderName>,
        value: impl TryInto<HeaderValue>,
    ) -> Self {
        match (name.try_into(), value.try_into()) {
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
            }
            _ => self.error = Some("invalid header name or value".into()),
        }
        self
    }

    /// Sends what a browser adds to a request made by a page of another site
    /// (`Sec-Fetch-Site: cross-site` and `Origin: origin`), to test that the app refuses it or,
    /// for a trusted origin or an exempt route, takes it. Requests are otherwise sent without
    /// these headers, as API clients send them, and pass.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut app = micro::App::new();
    /// app.post("/transfer", || async { "sent" });
    /// let client = micro::TestClient::new(app);
    /// let res = client.post("/transfer").cross_site("https://evil.example").await;
    /// assert_eq!(res.status(), 403);
    /// assert_eq!(client.post("/transfer").same_origin().await.status(), 200);
    /// # }
    /// ```
    pub fn cross_site(self, origin: &str) -> Self {
        self.header("sec-fetch-site", "cross-site")
            .header(http::header::ORIGIN, origin)
    }

    /// Sends a valid CSRF token in the app's header (`X-CSRFToken`), as a page's script would;
    /// see [`TestClient::csrf_token`].
    ///
    /// Sends nothing when the app does not check tokens, so a test keeps working when the
    /// check is turned off.
    pub fn with_csrf_token(self) -> Self {
        let app = self.client.service.shared();
        let Some(name) = app.csrf.as_ref().map(|c| c.header().clone()) else {
            return self;
        };
        let token = self.client.csrf_token();
        self.header(name, token)
    }

    /// Sends `Sec-Fetch-Site: same-origin`, as a browser does for a form on the app's own pages.
    pub fn same_origin(self) -> Self {
        self.header("sec-fetch-site", "same-origin")
    }

    /// Appends query parameters, serialised with `serde_urlencoded`.
    pub fn query<T: Serialize + ?Sized>(mut self, query: &T) -> Self {
        match serde_urlencoded::to_string(query) {
            Ok(q) if !q.is_empty() => {
                self.uri
                    .push(if self.uri.contains('?') { '&' } else { '?' });
                self.uri.push_str(&q);
            }
            Ok(_) => {}
            Err(e) => self.error = Some(format!("query: {e}")),
        }
        self
    }

    /// Sends a JSON body with `Content-Type: application/json`.
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => {
                self.body = body.into();
                self.headers
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Err(e) => self.error = Some(format!("json: {e}")),
        }
        self
    }

    /// Sends an urlencoded form body.
    pub fn form<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_urlencoded::to_string(value) {
            Ok(body) => {
                self.body = body.into();
                self.headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                );
            }
            Err(e) => self.error = Some(format!("form: {e}")),
        }
        self
    }

    /// Sends raw bytes (set the content type with [`header`](Self::header)).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Follows redirects (up to 10) for this request.
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }

    /// Sends the request through the app.
    ///
    /// # Panics
    /// When the request could not be built (an invalid header, URI or body): a test bug.
    pub async fn send(self) -> TestResponse {
        if let Some(err) = self.error {
            panic!("TestClient: cannot build the request: {err}");
        }
        let mut method = self.method;
        let mut uri = self.uri;
        let mut body = self.body;
        let mut headers = self.headers;
        for _ in 0..=10 {
            let response = self
                .client
                .send_once(method.clone(), &uri, &headers, body.clone())
                .await;
            if !self.follow_redirects || !response.status.is_redirection() {
                return response;
            }
            let Some(location) = response.header(LOCATION) else {
                return response;
            };
            uri = resolve(&uri, location);
            // 301/302/303 turn into a GET without a body, as browsers do; 307/308 keep both.
            if !matches!(
                response.status,
                StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
            ) {
                if method != Method::HEAD {
                    method = Method::GET;
                }
                body = Bytes::new();
                headers.remove(CONTENT_TYPE);
            }
        }
        panic!("TestClient: more than 10 redirects, last to {uri}");
    }
}

impl IntoFuture for TestRequest {
    type Output = TestResponse;
    type IntoFuture = Pin<Box<dyn Future<Output = TestResponse> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

impl TestClient {
    async fn send_once(
        &self,
        method: Method,
        uri: &str,
        headers: &HeaderMap,
        body: Bytes,
    ) -> TestResponse {
        let mut req = http::Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::from(body))
            .unwrap_or_else(|e| panic!("TestClient: invalid request to `{uri}`: {e}"));
        *req.headers_mut() = headers.clone();
        if !req.headers().contains_key(HOST) {
            req.headers_mut()
                .insert(HOST, HeaderValue::from_static(TEST_HOST));
        }
        let recorder = RenderRecorder::default();
        req.extensions_mut().insert(recorder.clone());
        if !req.headers().contains_key(COOKIE)
            && let Some(cookies) = self.cookie_header(req.uri().path())
        {
            req.headers_mut().insert(COOKIE, cookies);
        }
        let response = match self.service.clone().oneshot(req).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let (parts, body) = response.into_parts();
        let body = match http_body_util::BodyExt::collect(body).await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => panic!("TestClient: the response body failed: {e}"),
        };
        self.store_cookies(&parts.headers);
        let rendered = std::mem::take(&mut *recorder.0.lock().unwrap_or_else(|e| e.into_inner()));
        TestResponse {
            status: parts.status,
            headers: parts.headers,
            body,
            rendered,
        }
    }
}

fn resolve(current: &str, location: &str) -> String {
    if location.starts_with('/') {
        return location.to_owned();
    }
    if let Some(rest) = location.split_once("://").map(|(_, r)| r) {
        // An absolute URL to this app: keep the path.
        return rest
            .find('/')
            .map_or("/".to_owned(), |i| rest[i..].to_owned());
    }
    let base = current.split('?').next().unwrap_or("/");
    let dir = &base[..=base.rfind('/').unwrap_or(0)];
    format!("{dir}{location}")
}

/// One template rendered for a request: its name and context, as a test reads them back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rendered {
    pub(crate) name: String,
    pub(crate) context: serde_json::Value,
}

/// The test client's marker in a request's extensions: renders for that request are noted in
/// it. Requests from a socket never carry it (a client cannot set extensions), so production
/// renders pay one failed extension lookup per `Templates` and nothing per render. Filled by
/// `Templates` (see `templates.rs`).
#[derive(Debug, Clone, Default)]
pub(crate) struct RenderRecorder(pub(crate) Arc<Mutex<Vec<Rendered>>>);

/// A response read by a [`TestClient`], its body already in memory.
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    /// The templates rendered for the request, in order.
    rendered: Vec<Rendered>,
}

impl TestResponse {
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// All headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header's value as text.
    pub fn header(&self, name: impl http::header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON.
    ///
    /// # Panics
    /// When the body is not JSON of type `T`; the message shows the body.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("TestResponse::json: {e}; the body was: {}", self.text()))
    }

    /// The names of the templates [`Templates`](crate::Templates) rendered for this request, in
    /// order (an error page's too), like Django's `response.templates`. Only the names asked
    /// for: a template they extend or include is not listed.
    pub fn templates(&self) -> Vec<&str> {
        self.rendered.iter().map(|r| r.name.as_str()).collect()
    }

    /// The template rendered last, if any: usually the page.
    pub fn template(&self) -> Option<&str> {
        self.rendered.last().map(|r| r.name.as_str())
    }

    /// The context the last template was rendered with, as JSON (Django's
    /// `response.context`): the context processors' values overlaid with the handler's
    /// context. micro's own globals (`request`, `session`, `g`, `config`) are not in it.
    ///
    /// ```
    /// use micro::{App, Templates, TestClient, context};
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut app = App::new();
    /// app.add_template("hello.html", "Hello, {{ name }}!").unwrap();
    /// app.get("/", |t: Templates| async move { t.render("hello.html", context! { name => "ada" }) });
    ///
    /// let res = TestClient::new(app).get("/").await;
    /// assert_eq!(res.template(), Some("hello.html"));
    /// assert_eq!(res.context()["name"], "ada");
    /// # }
    /// ```
    ///
    /// # Panics
    /// When no template was rendered for the request; the message says so.
    pub fn context(&self) -> &serde_json::Value {
        self.rendered.last().map(|r| &r.context).unwrap_or_else(|| {
            panic!(
                "TestResponse::context: no template was rendered for this request (status {})",
                self.status
            )
        })
    }

    /// The context the template `name` was rendered with (the last time, if it was rendered
    /// more than once).
    pub fn context_of(&self, name: &str) -> Option<&serde_json::Value> {
        self.rendered
            .iter()
            .rev()
            .find(|r| r.name == name)
            .map(|r| &r.context)
    }
}
