//! The application: where rules, hooks, error handlers and state are registered.

mod dispatch;
mod root;
mod service;
#[cfg(feature = "static-files")]
mod statics;

use std::sync::Arc;

use bytes::Bytes;
use http::StatusCode;
use tower::{Layer, Service};

pub use service::AppService;

#[cfg(any(feature = "templates", feature = "static-files"))]
pub(crate) use root::Folder;
pub(crate) use root::Root;

use crate::blueprint::Blueprint;
use crate::config::{Config, ConfigError};
use crate::cross_origin::{CrossOriginProtection, InvalidOrigin};
use crate::handler::{Handler, HookOutcome, erase_hook};
use crate::response::{IntoResponse, Response};
use crate::routing::{Converter, Converters, MethodRouter, Route, Router, Rule};
use crate::scaffold::{Scaffold, registration_methods};
use crate::session::Keys;
use crate::state::StateMap;
use crate::{Body, BoxError, Error, Request, UrlForError};

/// The default limit for body extractors: 2 MiB, like axum (Flask has none by default).
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// A web application: rules with their handlers, hooks, error handlers and shared state.
///
/// ```no_run
/// use micro::App;
///
/// #[tokio::main]
/// async fn main() -> std::io::Result<()> {
///     let mut app = App::new();
///     app.get("/", || async { "Hello, World!" });
///     app.run().await // HOST/PORT from the environment, default 127.0.0.1:5000
/// }
/// ```
///
/// Registration is immediate: a rule that cannot be routed panics at the line that added it, with
/// the rule's text and the reason (use [`try_route`](Self::try_route) to get a `Result`).
pub struct App {
    router: Router,
    converters: Converters,
    scaffold: Scaffold,
    state: StateMap,
    body_limit: usize,
    layers: Vec<Box<dyn FnOnce(Route) -> Route + Send>>,
    blueprint_names: std::collections::HashSet<String>,
    config: Config,
    /// What relative folders are resolved against.
    root: Root,
    session_keys: Option<Keys>,
    json_errors: bool,
    pub(crate) commands: crate::commands::Commands,
    /// `None` once turned off.
    cross_origin: Option<CrossOriginProtection>,
    /// `None` until turned on.
    csrf: Option<crate::Csrf>,
    /// `None`: every host (Flask's default).
    trusted_hosts: Option<crate::TrustedHosts>,
    #[cfg(feature = "templates")]
    templates: minijinja::Environment<'static>,
    /// Where templates are looked up: the app's folder, then blueprints' folders.
    #[cfg(feature = "templates")]
    template_folders: Vec<Folder>,
    /// The app's own static folder (no folder once disabled).
    #[cfg(feature = "static-files")]
    static_config: crate::files::StaticConfig,
    /// Every mounted static folder by endpoint name (`static`, `admin.static`...).
    #[cfg(feature = "static-files")]
    statics: std::collections::HashMap<String, crate::StaticFiles>,
}

/// The frozen app that requests run against.
pub(crate) struct Shared {
    pub(crate) router: Router,
    pub(crate) scaffold: Scaffold,
    pub(crate) state: StateMap,
    pub(crate) body_limit: usize,
    pub(crate) config: Config,
    pub(crate) session_keys: Option<Keys>,
    pub(crate) json_errors: bool,
    pub(crate) commands: crate::commands::Commands,
    pub(crate) cross_origin: Option<CrossOriginProtection>,
    pub(crate) csrf: Option<crate::Csrf>,
    pub(crate) trusted_hosts: Option<crate::TrustedHosts>,
    #[cfg(feature = "templates")]
    pub(crate) templates: minijinja::Environment<'static>,
    #[cfg(feature = "static-files")]
    pub(crate) statics: std::collections::HashMap<String, crate::StaticFiles>,
}

impl Shared {
    pub(crate) fn error_style(&self) -> crate::response::render_error::Style {
        crate::response::render_error::Style {
            // TESTING shows the cause as DEBUG does, so a failing test says why.
            debug: self.config.debug || self.config.testing,
            always_json: self.json_errors,
        }
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

/// A rule that could not be added, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteError {
    /// The rule as written.
    pub rule: String,
    /// Why it was refused.
    pub reason: String,
}

impl std::fmt::Display for RouteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot add the rule `{}`: {}", self.rule, self.reason)
    }
}

impl std::error::Error for RouteError {}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.router.endpoints.keys().collect();
        names.sort();
        f.debug_struct("App")
            .field("endpoints", &names)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

impl App {
    /// An empty app.
    #[cfg_attr(feature = "static-files", doc = "")]
    #[cfg_attr(
        feature = "static-files",
        doc = "Its one rule serves the files of `static/` under `/static`, as in Flask; see \
               [`static_folder`](Self::static_folder)."
    )]
    ///
    /// Its root, which relative folders (`templates/`, `static/`) are resolved against, is the
    /// working directory: prefer [`micro::app!()`](crate::app!), rooted at your crate's folder,
    /// so the app finds its files wherever it is started from.
    pub fn new() -> Self {
        #[allow(unused_mut)] // without the `static-files` feature there is nothing to mount
        let mut app = App {
            router: Router::default(),
            converters: Converters::default(),
            scaffold: Scaffold::default(),
            state: StateMap::default(),
            body_limit: DEFAULT_BODY_LIMIT,
            layers: Vec::new(),
            blueprint_names: Default::default(),
            config: Config::default(),
            root: Root::working_directory(),
            session_keys: None,
            json_errors: false,
            commands: Default::default(),
            cross_origin: Some(CrossOriginProtection::new()),
            csrf: None,
            trusted_hosts: None,
            #[cfg(feature = "templates")]
            templates: crate::templates::environment(false, false),
            #[cfg(feature = "templates")]
            template_folders: vec![Folder::default_named("templates")],
            #[cfg(feature = "static-files")]
            static_config: crate::files::StaticConfig::new(Folder::default_named("static")),
            #[cfg(feature = "static-files")]
            statics: Default::default(),
        };
        #[cfg(feature = "templates")]
        crate::templates::set_folders(&mut app.templates, &app.root, &app.template_folders);
        #[cfg(feature = "static-files")]
        app.remount_static();
        app
    }

    /// An app set up from a [`Config`]: body limit, debug mode, session signing keys and cookie
    /// settings, template and static folders, rooted at `ROOT_PATH` or else the working
    /// directory. Prefer [`micro::app!(config)`](crate::app!), rooted at your crate's folder.
    ///
    /// ```
    /// use micro::{App, Config};
    ///
    /// let app = App::from_config(Config::from_toml_str("SECRET_KEY = \"s3cret\"").unwrap()).unwrap();
    /// assert!(!app.config().debug);
    ///
    /// // Outside debug mode a secret key is required, and its absence is a startup error:
    /// let err = App::from_config(Config::default()).unwrap_err();
    /// assert_eq!(err.key, "SECRET_KEY");
    /// ```
    ///
    /// In debug mode without a key, a random one is made for this process (sessions do not
    /// survive a restart) and a warning is logged.
    ///
    /// # Errors
    /// When `SECRET_KEY` is missing or empty outside debug mode.
    pub fn from_config(config: Config) -> Result<App, ConfigError> {
        let root = App::root_for(&config);
        App::configure(config, root)
    }

    fn configure(config: Config, root: Root) -> Result<App, ConfigError> {
        let secrets = config.signing_secrets()?;
        let mut app = App::new();
        app.root = root;
        app.body_limit = config.max_content_length;
        app.session_keys = Some(Keys::new(
            secrets.iter().map(String::as_str),
            crate::session::SALT,
        ));
        if !config.trusted_hosts.is_empty() {
            app.trusted_hosts(&config.trusted_hosts);
        }
        for origin in &config.trusted_origins {
            app.trusted_origin(origin).map_err(|err| ConfigError {
                key: "TRUSTED_ORIGINS".into(),
                message: err.to_string(),
            })?;
        }
        #[cfg(feature = "templates")]
        {
            app.templates =
                crate::templates::environment(config.templates_auto_reload(), config.debug);
            app.template_folders = vec![root::config_folder(
                &config,
                "TEMPLATES_FOLDER",
                &config.templates_folder,
                "templates",
            )];
            crate::templates::set_folders(&mut app.templates, &app.root, &app.template_folders);
        }
        #[cfg(feature = "static-files")]
        {
            app.set_static_folder(root::config_folder(
                &config,
                "STATIC_FOLDER",
                &config.static_folder,
                "static",
            ));
            if let Some(path) = &config.static_url_path {
                app.static_url_path(path);
            }
            if let Some(age) = config.send_file_max_age_default {
                app.static_max_age(age);
            }
        }
        app.config = config;
        Ok(app)
    }

    /// Adds a template from a string, for templates embedded in the binary (with `include_str!`)
    /// or made in tests; it takes precedence over a file of the same name.
    ///
    /// # Errors
    /// When the template does not parse; the error names the line.
    #[cfg(feature = "templates")]
    pub fn add_template(
        &mut self,
        name: impl Into<String>,
        source: impl Into<String>,
    ) -> Result<&mut Self, minijinja::Error> {
        self.templates
            .add_template_owned(name.into(), source.into())?;
        Ok(self)
    }

    /// Loads templates from `folder` instead of `templates/` (or `TEMPLATES_FOLDER`); a
    /// relative folder is under the app's [root](Self::root). It must exist when the app starts
    /// serving.
    #[cfg(feature = "templates")]
    pub fn templates_folder(&mut self, folder: impl AsRef<std::path::Path>) -> &mut Self {
        self.template_folders[0] = Folder::named(folder.as_ref(), "App::templates_folder");
        crate::templates::set_folders(&mut self.templates, &self.root, &self.template_folders);
        self
    }

    /// Adds a blueprint's template folder, searched after the app's and earlier blueprints'.
    #[cfg(feature = "templates")]
    pub(crate) fn add_template_folder(&mut self, folder: Folder) {
        self.template_folders.push(folder);
        crate::templates::set_folders(&mut self.templates, &self.root, &self.template_folders);
    }

    /// The minijinja environment, to add filters, tests and globals:
    ///
    /// ```
    /// let mut app = micro::App::new();
    /// app.templates_mut().add_filter("shout", |s: String| s.to_uppercase());
    /// app.templates_mut().add_global("site_name", "My site");
    /// ```
    #[cfg(feature = "templates")]
    pub fn templates_mut(&mut self) -> &mut minijinja::Environment<'static> {
        &mut self.templates
    }

    /// The configuration the app was built with ([`Config::default`] for [`App::new`]).
    pub fn config(&self) -> &Config {
        &self.config
    }

    registration_methods!();

    /// Like [`route`](Self::route), returning the error instead of panicking.
    pub fn try_route(
        &mut self,
        rule: &str,
        methods: MethodRouter,
    ) -> Result<&mut Self, RouteError> {
        self.insert_route(rule, methods, None)?;
        Ok(self)
    }

    #[track_caller]
    fn add_route(&mut self, rule: &str, methods: MethodRouter) {
        if let Err(err) = self.try_route(rule, methods) {
            panic!("micro: {err}");
        }
    }

    pub(crate) fn scaffold_mut(&mut self) -> &mut Scaffold {
        &mut self.scaffold
    }

    pub(crate) fn insert_route(
        &mut self,
        rule: &str,
        methods: MethodRouter,
        scopes: Option<crate::routing::Scopes>,
    ) -> Result<(), RouteError> {
        let error = |reason: String| RouteError {
            rule: rule.to_owned(),
            reason,
        };
        let parsed = Rule::parse(rule, &self.converters).map_err(error)?;
        self.router.insert(parsed, methods, scopes).map_err(error)
    }

    /// Registers a blueprint: its rules under its URL prefix, its endpoints as `name.endpoint`,
    /// its hooks and error handlers for its own routes. See [`Blueprint`].
    ///
    /// # Panics
    /// When one of its rules cannot be added, or a blueprint of the same name is already
    /// registered; the message names the blueprint and the rule.
    #[track_caller]
    pub fn register_blueprint(&mut self, blueprint: Blueprint) -> &mut Self {
        if let Err(err) = self.try_register_blueprint(blueprint) {
            panic!("micro: {err}");
        }
        self
    }

    /// Like [`register_blueprint`](Self::register_blueprint), returning the error.
    pub fn try_register_blueprint(
        &mut self,
        blueprint: Blueprint,
    ) -> Result<&mut Self, RouteError> {
        blueprint.register_into(self, "", None, &[])?;
        Ok(self)
    }

    pub(crate) fn claim_blueprint_name(&mut self, name: &str) -> bool {
        self.blueprint_names.insert(name.to_owned())
    }

    /// Gives the endpoint `endpoint` a second name, `alias`, for `url_for`, as Flask's tutorial does
    /// with `app.add_url_rule("/", endpoint="index")` to let `url_for("index")` build `blog.index`.
    /// Requests to the rule still see the endpoint's own name in [`Request::endpoint`].
    ///
    /// ```
    /// use micro::{App, Blueprint};
    ///
    /// async fn index() -> &'static str { "the blog" }
    ///
    /// let mut blog = Blueprint::new("blog", "");
    /// blog.get("/", index);
    /// let mut app = App::new();
    /// app.register_blueprint(blog);
    /// app.alias("index", "blog.index");
    /// assert_eq!(app.url_for("index", ()).unwrap(), "/");
    /// ```
    ///
    /// # Panics
    /// When no endpoint is named `endpoint` yet (register its rule or blueprint first), or `alias`
    /// already names an endpoint or an alias.
    #[track_caller]
    pub fn alias(&mut self, alias: &str, endpoint: &str) -> &mut Self {
        if let Err(reason) = self.router.alias(alias, endpoint) {
            panic!("micro: cannot add the alias `{alias}` of `{endpoint}`: {reason}");
        }
        self
    }

    /// Registers a converter usable in rules added afterwards as `<name:variable>`.
    pub fn converter(&mut self, name: &str, converter: impl Converter) -> &mut Self {
        self.converters.register(name, Arc::new(converter));
        self
    }

    /// Shares `value` with every request, found by its type through [`State<T>`](crate::State) or
    /// [`Request::state`]. Registering a second value of the same type replaces the first.
    pub fn state<T: Send + Sync + 'static>(&mut self, value: T) -> &mut Self {
        self.state.insert(value);
        self
    }

    /// Renders every error as JSON (`{"status", "error", "message", "details"?}`), whatever the
    /// client's `Accept` says: for APIs, whose clients (`curl`, scripts) often send no `Accept`.
    /// Without it, JSON goes to clients that send or ask for JSON, HTML to the rest. Error
    /// handlers still take precedence.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut app = micro::App::new();
    /// app.json_errors();
    /// let res = micro::TestClient::new(app).get("/missing").await;
    /// assert_eq!(res.header("content-type"), Some("application/json"));
    /// assert_eq!(res.json::<serde_json::Value>()["status"], 404);
    /// # }
    /// ```
    pub fn json_errors(&mut self) -> &mut Self {
        self.json_errors = true;
        self
    }

    /// Answers only requests whose `Host` is one of `patterns` (the `TRUSTED_HOSTS` setting,
    /// Django's `ALLOWED_HOSTS`): `example.com`, `.example.com` for it and its subdomains, `*`
    /// for any (see [`TrustedHosts`](crate::TrustedHosts)). Any other host is a 400 before
    /// routing, so no handler builds an absolute URL (a feed's links, a mail's) on a host an
    /// attacker chose; [`Request::host`](crate::Request::host) is then a trusted name. A
    /// request without a `Host` names nothing and passes, and so does the in-process
    /// [`TestClient`](crate::TestClient)'s `testserver`. Without a call, every host is
    /// answered, as in Flask.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut app = micro::App::new();
    /// app.trusted_hosts(["example.com", ".example.org"]);
    /// app.get("/", || async { "hi" });
    /// let client = micro::TestClient::new(app);
    /// assert_eq!(client.get("/").header("host", "www.example.org").await.status(), 200);
    /// let res = client.get("/").header("host", "evil.tld").await;
    /// assert_eq!(res.status(), 400);
    /// # }
    /// ```
    pub fn trusted_hosts<S: AsRef<str>>(
        &mut self,
        patterns: impl IntoIterator<Item = S>,
    ) -> &mut Self {
        self.trusted_hosts = Some(crate::TrustedHosts::new(patterns));
        self
    }

    /// Trusts `origin` (`scheme://host[:port]`) to send unsafe requests here from a browser, as
    /// the `TRUSTED_ORIGINS` setting does: another site of yours whose pages post to this app.
    /// Other origins' `POST`s, `PUT`s and `DELETE`s are refused with a 403; see
    /// [`CrossOriginProtection`] for the rules.
    ///
    /// ```
    /// let mut app = micro::App::new();
    /// app.trusted_origin("https://admin.example.com").unwrap();
    /// assert!(app.trusted_origin("https://admin.example.com/").is_err()); // no path
    /// ```
    ///
    /// # Errors
    /// When `origin` is not of that form; the error names it.
    pub fn trusted_origin(&mut self, origin: &str) -> Result<&mut Self, InvalidOrigin> {
        match &mut self.cross_origin {
            Some(protection) => {
                protection.add_trusted_origin(origin)?;
            }
            // Still validated: a mistake should not wait until the protection is turned back on.
            None => {
                CrossOriginProtection::new().add_trusted_origin(origin)?;
            }
        }
        Ok(self)
    }

    /// Turns cross-origin protection off for the whole app: any site's pages can then post,
    /// put and delete here with the user's cookies, which only `SameSite=Lax` stands against
    /// (and not for sibling subdomains). A bad idea for an app that authenticates with cookies;
    /// prefer exempting the few routes that need it
    /// ([`MethodRouter::cross_origin_exempt`](crate::routing::MethodRouter::cross_origin_exempt),
    /// [`Blueprint::cross_origin_exempt`]).
    pub fn disable_cross_origin_protection(&mut self) -> &mut Self {
        self.cross_origin = None;
        self
    }

    /// Turns on the CSRF token check with Django's defaults: every `POST`, `PUT`, `PATCH` and
    /// `DELETE` must then send the token of a page this site rendered, in the form field
    /// `csrfmiddlewaretoken` (`{{ csrf_input() }}` in the form) or the `X-CSRFToken` header,
    /// or get a 403 that names the reason. The cross-origin check keeps running before it.
    /// Exempt routes with [`MethodRouter::csrf_exempt`](crate::routing::MethodRouter::csrf_exempt)
    /// and blueprints with [`Blueprint::csrf_exempt`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut app = micro::App::new();
    /// app.csrf_protect();
    /// app.post("/transfer", || async { "done" });
    /// let client = micro::TestClient::new(app);
    /// assert_eq!(client.post("/transfer").await.status(), 403);
    /// assert_eq!(client.post("/transfer").with_csrf_token().await.status(), 200);
    /// # }
    /// ```
    pub fn csrf_protect(&mut self) -> &mut Self {
        self.csrf_protect_with(crate::Csrf::new())
    }

    /// Turns on the CSRF token check with its cookie, names and trusted origins from `csrf`.
    pub fn csrf_protect_with(&mut self, csrf: crate::Csrf) -> &mut Self {
        self.csrf = Some(csrf);
        self
    }

    /// The most bytes body extractors read (default [`DEFAULT_BODY_LIMIT`]); routes can override
    /// it with [`MethodRouter::body_limit`]. Larger bodies get 413.
    pub fn body_limit(&mut self, bytes: usize) -> &mut Self {
        self.body_limit = bytes;
        self
    }

    /// Wraps the whole app, every route and the 404/405 answers included, in a tower layer
    /// (compression, CORS, tracing...). The layer added last is the outermost: it sees the request
    /// first and the response last. Unlike axum, the order of `layer` and `route` calls does not
    /// matter.
    ///
    /// ```
    /// use micro::App;
    /// use tower_http::cors::CorsLayer;
    ///
    /// let mut app = App::new();
    /// app.layer(CorsLayer::permissive());
    /// app.get("/", || async { "hi" });
    /// ```
    pub fn layer<L, S, B>(&mut self, layer: L) -> &mut Self
    where
        L: Layer<Route, Service = S> + Send + 'static,
        S: Service<http::Request<Body>, Response = http::Response<B>>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
        S::Error: Into<BoxError>,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        self.layers
            .push(Box::new(move |inner| Route::new(layer.layer(inner))));
        self
    }

    /// Builds the path of a named endpoint, like Flask's `url_for`: rule variables are filled in
    /// and percent-encoded, other values go to the query string, `_anchor` becomes `#anchor`.
    /// Values can be `()`, a map, a struct or a list of pairs. The path is relative to the host,
    /// so it never depends on a configured server name.
    ///
    /// ```
    /// use micro::App;
    ///
    /// async fn post() -> &'static str { "a post" }
    ///
    /// let mut app = App::new();
    /// app.get("/posts/<int:year>/<slug>", post);
    /// let url = app.url_for("post", serde_json::json!({"year": 2024, "slug": "hello world", "page": 2}));
    /// assert_eq!(url.unwrap(), "/posts/2024/hello%20world?page=2");
    /// assert!(app.url_for("nope", ()).is_err());
    /// ```
    pub fn url_for(
        &self,
        endpoint: &str,
        params: impl serde::Serialize,
    ) -> Result<String, UrlForError> {
        self.router.url_for(endpoint, params)
    }

    /// Freezes the app into a cloneable tower service, ready for any hyper-compatible server.
    ///
    /// # Panics
    /// When a folder named explicitly does not exist (see [`check_folders`](Self::check_folders),
    /// which returns the error instead).
    pub fn into_service(self) -> AppService {
        if let Err(err) = self.check_folders() {
            panic!("{err}");
        }
        self.freeze()
    }

    fn freeze(mut self) -> AppService {
        // One list of trusted origins for both checks, whichever way they were given. Both
        // lists hold origins already canonicalised by `cross_origin::canonical_origin`, which
        // each side accepts again, so nothing is dropped by ignoring the results.
        if let (Some(csrf), Some(protection)) = (&mut self.csrf, &mut self.cross_origin) {
            for origin in protection.trusted_origins() {
                let _ = csrf.trusted_origin(origin);
            }
            for origin in csrf.trusted_origins() {
                let _ = protection.add_trusted_origin(origin);
            }
        }
        let shared = Arc::new(Shared {
            router: self.router,
            scaffold: self.scaffold,
            state: self.state,
            body_limit: self.body_limit,
            config: self.config,
            session_keys: self.session_keys,
            json_errors: self.json_errors,
            commands: self.commands,
            cross_origin: self.cross_origin,
            csrf: self.csrf,
            trusted_hosts: self.trusted_hosts,
            #[cfg(feature = "templates")]
            templates: self.templates,
            #[cfg(feature = "static-files")]
            statics: self.statics,
        });
        AppService::new(shared, self.layers)
    }

    /// Serves the app on `HOST`:`PORT` from the environment (default `127.0.0.1:5000`, like
    /// Flask) until SIGINT or SIGTERM, then shuts down gracefully. See [`crate::serve`] for what
    /// the server does.
    ///
    /// The command line picks what to do: no arguments or `run` serve, `--help` lists the
    /// commands, and a [command](Self::command) runs instead of serving (`./program init-db`).
    /// A failed command prints its error and exits the process with status 1; a command line
    /// that names no command prints the list and exits with status 2.
    ///
    /// # Errors
    /// When `PORT` or `HOST` is invalid, a folder named explicitly does not exist (see
    /// [`check_folders`](Self::check_folders); checked before serving, not before a command), or
    /// the address cannot be bound.
    pub async fn run(self) -> std::io::Result<()> {
        self.run_command_line_or_serve(|| crate::server::addr_from_env(5000))
            .await
    }

    /// Serves the app on an explicit address until SIGINT or SIGTERM; the command line is read
    /// as by [`run`](Self::run).
    ///
    /// It says `serving on http://...` once: in the log when a tracing subscriber takes
    /// `micro::server` at INFO, else on stderr.
    ///
    /// # Errors
    /// When a folder named explicitly does not exist, or the address cannot be bound.
    pub async fn run_on(self, addr: impl tokio::net::ToSocketAddrs) -> std::io::Result<()> {
        self.run_command_line_or_serve(|| Ok(addr)).await
    }

    /// Runs the command the command line names, or serves on the address `addr` gives (asked
    /// only when serving, so a bad `PORT` does not stop a command).
    async fn run_command_line_or_serve<A: tokio::net::ToSocketAddrs>(
        self,
        addr: impl FnOnce() -> std::io::Result<A>,
    ) -> std::io::Result<()> {
        let folders = self.check_folders();
        let service = self.freeze();
        match crate::commands::run_command_line(service.shared(), std::env::args_os().collect())
            .await
        {
            crate::commands::Next::Done => Ok(()),
            crate::commands::Next::Serve => {
                folders?;
                serve_on(service, addr()?).await
            }
        }
    }
}

async fn serve_on(
    service: AppService,
    addr: impl tokio::net::ToSocketAddrs,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    if tracing::enabled!(target: "micro::server", tracing::Level::INFO) {
        tracing::info!(target: "micro::server", "serving on http://{local} (Ctrl-C to stop)");
    } else {
        eprintln!("micro: serving on http://{local} (Ctrl-C to stop)");
    }
    crate::serve(listener, service)
        .with_graceful_shutdown(crate::server::shutdown_signal())
        .await
}
