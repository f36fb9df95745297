//! A project: apps ([`AppConfig`], Django's `INSTALLED_APPS`) and settings, driven by management
//! commands. [`Project::run`] is the program's `manage.py`.
//!
//! ```no_run
//! use fullstack::{AppConfig, Project};
//!
//! fn polls() -> AppConfig {
//!     AppConfig::new("polls").routes(|app| {
//!         app.get("/", || async { "Hello, polls" });
//!     })
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     Project::new("mysite").app(polls()).run()
//! }
//! ```
//!
//! See `docs/fullstack/project.md` for the layout and every command.

mod app_config;
mod logging;
mod root;

use std::fmt;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub use app_config::{AppConfig, EmbeddedMigrations, PostMigrateFn};
pub use logging::{DEFAULT_LOG_FILTER, Logging};

use crate::migrations::{self, MigrationSet, RustRegistry};
use crate::model::ModelMeta;
use crate::{Database, Error, PoolOptions, Settings};

/// The database a project uses when neither `--database-url`, [`Project::database_url`] nor
/// `DATABASE_URL` names one: `db.sqlite3` in the working directory, as Django's.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://db.sqlite3?mode=rwc";

type WebFn = Box<dyn Fn(&mut micro::App) + Send + Sync>;
type ServingFn = Box<dyn Fn(SocketAddr) + Send + Sync>;

/// Apps and settings; [`run`](Self::run) parses the command line and runs a management command.
pub struct Project {
    name: String,
    apps: Vec<AppConfig>,
    database_url: Option<String>,
    pool_options: PoolOptions,
    settings: Settings,
    /// Whether settings were given: without them the web app is `micro::App::new()`, which
    /// needs no secret key.
    configured: bool,
    web: Vec<WebFn>,
    rust_migrations: RustRegistry,
    shutdown: Option<micro::Shutdown>,
    on_serving: Option<ServingFn>,
    default_addr: SocketAddr,
    migrate_on_start: bool,
    root: Option<PathBuf>,
    logging: Logging,
}

impl fmt::Debug for Project {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Project")
            .field("name", &self.name)
            .field("apps", &self.apps)
            .field("database_url", &self.database_url)
            .finish_non_exhaustive()
    }
}

impl Project {
    /// A project named `name` (the program name in `--help`), without apps.
    pub fn new(name: &str) -> Self {
        Project {
            name: name.to_owned(),
            apps: Vec::new(),
            database_url: None,
            pool_options: PoolOptions::default(),
            settings: Settings::default(),
            configured: false,
            web: Vec::new(),
            rust_migrations: RustRegistry::new(),
            shutdown: None,
            on_serving: None,
            default_addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            migrate_on_start: false,
            root: None,
            logging: Logging::default(),
        }
    }

    /// Resolves the relative folders the project names (the web app's templates and static
    /// folders) against `dir` rather than the working directory: what
    /// [`fullstack::project!`](crate::project!) sets to the crate's folder. `ROOT_PATH` in the
    /// [configuration](Self::config), or `MICRO_ROOT_PATH`, still win at deploy time.
    #[must_use]
    pub fn root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.root = Some(dir.into());
        self
    }

    /// The folder given to [`root`](Self::root), if any: where a settings file beside
    /// `Cargo.toml` is found.
    pub fn root_dir(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// What `runserver` logs when the program installs no tracing subscriber (by default every
    /// request and each 500's cause on stderr, filtered by `RUST_LOG`); see [`Logging`].
    #[must_use]
    pub fn logging(mut self, logging: Logging) -> Self {
        self.logging = logging;
        self
    }

    /// The logging setting.
    pub fn logging_settings(&self) -> &Logging {
        &self.logging
    }

    /// Makes `runserver` apply the pending migrations before it serves, as `runserver
    /// --migrate` does: for development, examples and a single binary deployed on its own
    /// database. Off by default, as in Django, where a deployment runs `migrate` as a step of
    /// its own. Several processes starting at once still apply each migration once (the
    /// executor's lock on PostgreSQL and MySQL).
    ///
    /// ```
    /// let project = fullstack::Project::new("site").migrate_on_start(true);
    /// assert!(project.migrates_on_start());
    /// ```
    #[must_use]
    pub fn migrate_on_start(mut self, on: bool) -> Self {
        self.migrate_on_start = on;
        self
    }

    /// Whether `runserver` migrates before serving without being asked.
    pub fn migrates_on_start(&self) -> bool {
        self.migrate_on_start
    }

    /// The project's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Installs an app.
    ///
    /// # Panics
    /// When an app with the same label is already installed.
    #[must_use]
    #[track_caller]
    pub fn app(mut self, app: AppConfig) -> Self {
        assert!(
            !self.apps.iter().any(|a| a.label() == app.label()),
            "fullstack: app `{}` is installed twice",
            app.label()
        );
        self.apps.push(app);
        self
    }

    /// The installed apps, in order.
    pub fn apps(&self) -> &[AppConfig] {
        &self.apps
    }

    /// The database URL, unless `--database-url` is given (which wins). Without it,
    /// `DATABASE_URL` from the environment, else [`DEFAULT_DATABASE_URL`].
    #[must_use]
    pub fn database_url(mut self, url: impl Into<String>) -> Self {
        self.database_url = Some(url.into());
        self
    }

    /// The pool settings every command connects with (`runserver`'s pool size, ...); the
    /// defaults of [`PoolOptions`] otherwise.
    ///
    /// ```
    /// let project = fullstack::Project::new("site").pool_options(fullstack::PoolOptions {
    ///     max_connections: 4,
    ///     ..fullstack::PoolOptions::default()
    /// });
    /// assert_eq!(project.pool_settings().max_connections, 4);
    /// ```
    #[must_use]
    pub fn pool_options(mut self, options: PoolOptions) -> Self {
        self.pool_options = options;
        self
    }

    /// The pool settings the commands connect with.
    pub fn pool_settings(&self) -> &PoolOptions {
        &self.pool_options
    }

    /// The database URL the commands use, given no `--database-url`: the one given in code,
    /// else the settings' `DATABASE_URL`, else the `DATABASE_URL` variable, else
    /// [`DEFAULT_DATABASE_URL`].
    pub fn resolved_database_url(&self) -> String {
        self.database_url
            .clone()
            .or_else(|| self.settings.database_url.clone())
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
    }

    /// The project's settings (read them with [`fullstack::settings!`](crate::settings!) or
    /// [`Settings::load_from`]): the web app's configuration and middleware, the database URL.
    /// Without them, [`Settings::default`] and a web app from [`micro::App::new`].
    ///
    /// ```
    /// let settings = fullstack::Settings::from_toml_str("ALLOWED_HOSTS = [\"example.com\"]").unwrap();
    /// let project = fullstack::Project::new("site").settings(settings);
    /// assert_eq!(project.current_settings().allowed_hosts, ["example.com"]);
    /// ```
    #[must_use]
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self.configured = true;
        self
    }

    /// The settings the commands and the web app use.
    pub fn current_settings(&self) -> &Settings {
        &self.settings
    }

    /// Only the web part's configuration, micro's keys ([`Settings::from_config`]); prefer
    /// [`settings`](Self::settings).
    #[must_use]
    pub fn config(self, config: micro::Config) -> Self {
        self.settings(Settings::from_config(config))
    }

    /// Project-wide setup of the web app (layers, error handlers, project routes), run after the
    /// apps registered theirs.
    #[must_use]
    pub fn web(mut self, setup: impl Fn(&mut micro::App) + Send + Sync + 'static) -> Self {
        self.web.push(Box::new(setup));
        self
    }

    /// The Rust data migrations that `RunRust` operations call.
    #[must_use]
    pub fn rust_migrations(mut self, registry: RustRegistry) -> Self {
        self.rust_migrations = registry;
        self
    }

    pub(crate) fn rust_registry(&self) -> &RustRegistry {
        &self.rust_migrations
    }

    /// Where `runserver` listens when given no address and no `HOST`/`PORT` (default
    /// `127.0.0.1:8000`, as Django's).
    #[must_use]
    pub fn default_addr(mut self, addr: SocketAddr) -> Self {
        self.default_addr = addr;
        self
    }

    pub(crate) fn runserver_default_addr(&self) -> SocketAddr {
        self.default_addr
    }

    /// Stops `runserver` gracefully when `shutdown` fires (besides Ctrl-C and SIGTERM): for
    /// tests and embedding.
    #[must_use]
    pub fn shutdown(mut self, shutdown: micro::Shutdown) -> Self {
        self.shutdown = Some(shutdown);
        self
    }

    pub(crate) fn shutdown_handle(&self) -> Option<&micro::Shutdown> {
        self.shutdown.as_ref()
    }

    /// Called with the bound address once `runserver` listens (useful with port 0).
    #[must_use]
    pub fn on_serving(mut self, hook: impl Fn(SocketAddr) + Send + Sync + 'static) -> Self {
        self.on_serving = Some(Box::new(hook));
        self
    }

    pub(crate) fn serving(&self, addr: SocketAddr) {
        if let Some(hook) = &self.on_serving {
            hook(addr);
        }
    }

    /// Every app's models.
    pub fn models(&self) -> Vec<&'static ModelMeta> {
        self.apps
            .iter()
            .flat_map(|a| a.model_metas().iter().copied())
            .collect()
    }

    /// Installs every app's models in the process's [registry](crate::query::registry), which
    /// `delete()` consults for `on_delete`. The web app and the command line do it; call it
    /// when using the project's models otherwise (a script, a test without the web app).
    pub fn install_models(&self) {
        crate::query::registry::install(self.models());
    }

    /// Models listed in an app other than their own `app`.
    pub fn misplaced_models(&self) -> Vec<String> {
        self.apps
            .iter()
            .flat_map(|a| {
                a.model_metas()
                    .iter()
                    .filter(|m| m.app != a.label())
                    .map(|m| {
                        format!(
                            "model {}.{} is listed in app `{}`: list it in app `{}`",
                            m.app,
                            m.name,
                            a.label(),
                            m.app
                        )
                    })
            })
            .collect()
    }

    /// Every app's migrations (embedded or from their folders).
    ///
    /// # Errors
    /// When a migration cannot be read, or the set is inconsistent.
    pub fn migrations(&self) -> Result<MigrationSet, Error> {
        let mut all = Vec::new();
        for app in &self.apps {
            all.extend(app.migrations()?);
        }
        MigrationSet::new(all)
    }

    /// Every app's migrations from their folders (what `makemigrations` compares with).
    ///
    /// # Errors
    /// As [`migrations`](Self::migrations).
    pub fn migrations_from_dirs(&self) -> Result<MigrationSet, Error> {
        let mut all = Vec::new();
        for app in &self.apps {
            all.extend(app.migrations_from_dir()?);
        }
        MigrationSet::new(all)
    }

    /// What `check` reports: models in the wrong app, and model changes without a migration.
    /// Empty when all is well.
    pub fn check(&self) -> Vec<String> {
        let mut problems = self.misplaced_models();
        match self.migrations() {
            Ok(set) => problems.extend(migrations::check(&self.models(), &set)),
            Err(e) => problems.push(e.to_string()),
        }
        problems
    }

    /// The web app `runserver` serves: the settings' configuration, the security middleware
    /// (see [`security`](crate::security)), the [`Database`], the [`Settings`] and the
    /// [`Mailer`](crate::mail::Mailer) in state (read them with `micro::State<fullstack::Database>`,
    /// `micro::State<fullstack::Settings>`, `micro::State<fullstack::mail::Mailer>`),
    /// every app's routes, then the project's [`web`](Self::web) setup. Handy with
    /// [`micro::TestClient`]. A [`crate::Error`] returned by a handler becomes the HTTP error of
    /// [`Error::http_error`](crate::Error::http_error) (404, 422, 503 or 500).
    ///
    /// # Errors
    /// When the configuration is refused (no `SECRET_KEY` outside debug mode).
    pub fn web_app(&self, db: &Database) -> Result<micro::App, micro::ConfigError> {
        self.install_models();
        let mut app = self.base_app()?;
        app.state(db.clone());
        app.state(self.settings.clone());
        let mailer =
            crate::mail::Mailer::from_settings(&self.settings).map_err(|e| micro::ConfigError {
                key: "EMAIL_HOST".into(),
                message: e.to_string(),
            })?;
        app.state(mailer);
        // Django's get_object_or_404 and more, for every handler: `?` on a `get()` that found
        // nothing is a 404, a value that does not fit its field a 422, a database out of reach
        // a 503; only the rest are 500s.
        app.error_handler_for(|err: &crate::Error, _req| err.http_error());
        // Django's technical 500 and 404 in DEBUG; before the apps, so a project's own wins.
        crate::debug_page::install(&mut app, &self.settings);
        for a in &self.apps {
            a.register(&mut app, &self.settings);
        }
        for setup in &self.web {
            setup(&mut app);
        }
        // Django's CsrfViewMiddleware: micro checks tokens after routing and its cross-origin
        // check, before the hooks and handlers, so inside every layer (sessions included).
        if self.settings.middleware_csrf {
            app.csrf_protect_with(self.settings.csrf()?);
        }
        // Last, so it is the outermost layer: it sees the request first, as Django's
        // SecurityMiddleware heads MIDDLEWARE.
        crate::security::install(&mut app, &self.settings);
        Ok(app)
    }

    /// Runs the command line of this process (`std::env::args`) on a new Tokio runtime; the
    /// program's `manage.py`. Output goes to stdout, errors to stderr.
    pub fn run(self) -> std::process::ExitCode {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                eprintln!("Error: cannot start the Tokio runtime: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let code = runtime.block_on(self.run_async());
        std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
    }

    /// [`run`](Self::run) inside an existing runtime: returns the exit code.
    pub async fn run_async(&self) -> i32 {
        let mut out = std::io::stdout();
        let mut err = std::io::stderr();
        let args = std::env::args().collect();
        crate::commands::dispatch(self, args, &mut out, &mut err, true).await
    }

    /// Runs the command line `args` (the first item is the program name), writing output to
    /// `out` and errors to `err`; returns the exit code: 0 ok, 1 on errors (and `check`
    /// problems), 2 on a command-line error. `runserver` installs no log subscriber here (see
    /// [`Logging`]): the process's stderr is not one of the writers.
    pub async fn run_with<I, S>(&self, args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let args: Vec<String> = args.into_iter().map(Into::into).collect();
        // App commands delete too (`./manage.py purge`), not only the web app.
        self.install_models();
        crate::commands::dispatch(self, args, out, err, false).await
    }
}
