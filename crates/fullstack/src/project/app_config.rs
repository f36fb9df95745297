//! [`AppConfig`]: one app of a project, Django's `INSTALLED_APPS` entry.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::commands::{CommandFn, FnCommand, ManagementCommand};
use crate::migrations::Migration;
use crate::model::ModelMeta;
use crate::{Error, Settings};

type RouteFn = Box<dyn Fn(&mut micro::App, &Settings) + Send + Sync>;
type BlueprintFn = Box<dyn Fn() -> micro::Blueprint + Send + Sync>;

/// What [`AppConfig::post_migrate`] runs once `migrate` has brought the database up to date:
/// given the database and the project (Django's `post_migrate` signal).
pub type PostMigrateFn =
    for<'a> fn(
        &'a crate::Database,
        &'a super::Project,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;

/// Migrations embedded in the binary, as `(app, name, json)`: the `embedded.rs` that
/// `makemigrations` writes in each app's migrations folder.
pub type EmbeddedMigrations = &'static [(&'static str, &'static str, &'static str)];

/// One app of a [`Project`](super::Project): a label, its models, its migrations folder, its
/// routes and templates, and its own management commands.
///
/// ```
/// # fn polls_routes(app: &mut micro::App) { app.get("/polls/", || async { "polls" }); }
/// let polls = fullstack::AppConfig::new("polls")
///     .migrations_dir("polls/migrations")
///     .routes(polls_routes)
///     .templates("polls/templates");
/// assert_eq!(polls.label(), "polls");
/// ```
pub struct AppConfig {
    label: String,
    models: Vec<&'static ModelMeta>,
    migrations_dir: Option<PathBuf>,
    embedded: Option<EmbeddedMigrations>,
    routes: Vec<RouteFn>,
    blueprints: Vec<BlueprintFn>,
    templates: Option<PathBuf>,
    static_folder: Option<PathBuf>,
    root: Option<PathBuf>,
    commands: Vec<Arc<dyn ManagementCommand>>,
    post_migrate: Vec<PostMigrateFn>,
}

impl fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppConfig")
            .field("label", &self.label)
            .field(
                "models",
                &self.models.iter().map(|m| m.name).collect::<Vec<_>>(),
            )
            .field("migrations_dir", &self.migrations_path())
            .field("embedded", &self.embedded.map(<[_]>::len))
            .field("templates", &self.templates_path())
            .field("static_folder", &self.static_path())
            .field("commands", &self.command_names())
            .finish_non_exhaustive()
    }
}

/// An [`AppConfig`] labelled `label` rooted at the calling crate's folder (the one with its
/// `Cargo.toml`) rather than the working directory: its migrations folder is
/// `migrations/<label>` there, so `makemigrations` writes into the crate from wherever it runs
/// (`cargo run -p mysite -- makemigrations` from a workspace root), and a relative
/// [templates folder](AppConfig::templates) is found there too. The usual way to start an app; `AppConfig::new(label)` keeps the
/// working-directory default. A deployed binary, whose source tree is gone, reads its
/// [embedded migrations](AppConfig::embedded_migrations) instead.
///
/// ```
/// let app = fullstack::app!("polls");
/// assert_eq!(app.label(), "polls");
/// let dir = app.migrations_path();
/// assert!(dir.is_absolute() && dir.ends_with("migrations/polls"));
/// assert!(dir.starts_with(env!("CARGO_MANIFEST_DIR")));
/// let templates = app.templates("polls/templates").templates_path().unwrap();
/// assert_eq!(templates, std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("polls/templates"));
/// ```
#[macro_export]
macro_rules! app {
    ($label:literal) => {
        $crate::AppConfig::new($label)
            .root(::core::env!("CARGO_MANIFEST_DIR"))
            .migrations_dir(::core::concat!(
                ::core::env!("CARGO_MANIFEST_DIR"),
                "/migrations/",
                $label
            ))
    };
}

impl AppConfig {
    /// An app labelled `label` (the `app` of its models, the folder of its migrations: no dots).
    ///
    /// # Panics
    /// When the label is empty or contains a dot or a path separator.
    #[track_caller]
    pub fn new(label: &str) -> Self {
        assert!(
            !label.is_empty() && !label.contains(['.', '/', '\\']),
            "fullstack: an app label must be non-empty, without dots or slashes, got `{label}`"
        );
        AppConfig {
            label: label.to_owned(),
            models: Vec::new(),
            migrations_dir: None,
            embedded: None,
            routes: Vec::new(),
            blueprints: Vec::new(),
            templates: None,
            static_folder: None,
            root: None,
            commands: Vec::new(),
            post_migrate: Vec::new(),
        }
    }

    /// The app's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Adds a model (its `ModelMeta::app` must be this app's label).
    #[must_use]
    pub fn model(mut self, meta: &'static ModelMeta) -> Self {
        self.models.push(meta);
        self
    }

    /// Adds models.
    #[must_use]
    pub fn models(mut self, metas: &[&'static ModelMeta]) -> Self {
        self.models.extend_from_slice(metas);
        self
    }

    /// The app's models.
    pub fn model_metas(&self) -> &[&'static ModelMeta] {
        &self.models
    }

    /// The folder holding this app's migrations (`0001_initial.json`, ...), where
    /// `makemigrations` writes. Default: `migrations/<label>` in the working directory
    /// ([`app!`](crate::app!) sets it beside the crate's `Cargo.toml` instead).
    #[must_use]
    pub fn migrations_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.migrations_dir = Some(dir.into());
        self
    }

    /// Migrations embedded in the binary (`include!("../migrations/polls/embedded.rs")`):
    /// `migrate`, `showmigrations`, `sqlmigrate`, `check` and `runserver` read them instead of
    /// the folder, so a deployed binary needs no migration files. `makemigrations` still reads
    /// and writes the folder.
    #[must_use]
    pub fn embedded_migrations(mut self, files: EmbeddedMigrations) -> Self {
        self.embedded = Some(files);
        self
    }

    /// Registers routes on the project's web app (`runserver`).
    #[must_use]
    pub fn routes(mut self, register: impl Fn(&mut micro::App) + Send + Sync + 'static) -> Self {
        self.routes.push(Box::new(move |app, _| register(app)));
        self
    }

    /// Registers routes or layers that depend on the project's [`Settings`] (a contrib app's
    /// layer configured by `SESSION_*` or `MESSAGE_*` keys); called with the settings the web
    /// app is built from.
    #[must_use]
    pub fn routes_with_settings(
        mut self,
        register: impl Fn(&mut micro::App, &Settings) + Send + Sync + 'static,
    ) -> Self {
        self.routes.push(Box::new(register));
        self
    }

    /// Registers the blueprint `make` builds on the project's web app (called once per
    /// `runserver`).
    #[must_use]
    pub fn blueprint(
        mut self,
        make: impl Fn() -> micro::Blueprint + Send + Sync + 'static,
    ) -> Self {
        self.blueprints.push(Box::new(make));
        self
    }

    /// The app's templates folder, searched after the project's own (`templates/`). A relative
    /// folder is under the app's [root](Self::root) when it has one, else under the project's
    /// web app's root. It must exist when `runserver` starts.
    #[must_use]
    pub fn templates(mut self, folder: impl Into<PathBuf>) -> Self {
        self.templates = Some(folder.into());
        self
    }

    /// The app's static files folder, served at `/static/<label>/...` (Django's per-app
    /// `static/` folders, kept apart by the label in the URL rather than by a subfolder). A
    /// relative folder is under the app's [root](Self::root), as the templates folder is, so
    /// with [`app!`](crate::app!) it is found beside the crate's `Cargo.toml` from any working
    /// directory. It must exist when `runserver` starts. The endpoint is `<label>_static.static`:
    /// `url_for('polls_static.static', filename='style.css')` in a template.
    ///
    /// ```
    /// let app = fullstack::app!("polls").static_folder("polls/static");
    /// let folder = app.static_path().unwrap();
    /// assert_eq!(folder, std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("polls/static"));
    /// ```
    #[must_use]
    pub fn static_folder(mut self, folder: impl Into<PathBuf>) -> Self {
        self.static_folder = Some(folder.into());
        self
    }

    /// The static folder as it is registered: under the app's root when it is relative and the
    /// app has one.
    pub fn static_path(&self) -> Option<PathBuf> {
        self.under_root(self.static_folder.as_ref()?)
    }

    /// `folder` under the app's root when it has one (`join` keeps an absolute `folder`).
    fn under_root(&self, folder: &Path) -> Option<PathBuf> {
        Some(match &self.root {
            Some(root) => root.join(folder),
            None => folder.to_path_buf(),
        })
    }

    /// Resolves the app's relative [templates folder](Self::templates) against `dir`: what
    /// [`app!`](crate::app!) sets to the crate's folder.
    #[must_use]
    pub fn root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.root = Some(dir.into());
        self
    }

    /// The templates folder as it is registered: under the app's root when it is relative and
    /// the app has one.
    pub fn templates_path(&self) -> Option<PathBuf> {
        self.under_root(self.templates.as_ref()?)
    }

    /// Adds a management command of this app.
    #[must_use]
    pub fn command(mut self, command: impl ManagementCommand + 'static) -> Self {
        self.commands.push(Arc::new(command));
        self
    }

    /// Adds a management command made of a clap definition and a handler function:
    ///
    /// ```
    /// use fullstack::{AppConfig, CommandContext, CommandFuture};
    ///
    /// fn hello<'a>(ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
    ///     Box::pin(async move {
    ///         writeln!(ctx.out, "hello")?;
    ///         Ok(())
    ///     })
    /// }
    ///
    /// let app = AppConfig::new("greetings").command_fn(clap::Command::new("hello"), hello);
    /// ```
    #[must_use]
    pub fn command_fn(self, command: clap::Command, handler: CommandFn) -> Self {
        self.command(FnCommand { command, handler })
    }

    /// Runs `hook` after every `migrate` (also when nothing was applied), in app order: how
    /// the auth app creates the permissions of every installed model.
    #[must_use]
    pub fn post_migrate(mut self, hook: PostMigrateFn) -> Self {
        self.post_migrate.push(hook);
        self
    }

    /// The [`post_migrate`](Self::post_migrate) hooks.
    pub fn post_migrate_hooks(&self) -> &[PostMigrateFn] {
        &self.post_migrate
    }

    pub(crate) fn commands(&self) -> &[Arc<dyn ManagementCommand>] {
        &self.commands
    }

    fn command_names(&self) -> Vec<String> {
        self.commands
            .iter()
            .map(|c| c.command().get_name().to_owned())
            .collect()
    }

    /// Where the app's migrations live (and `makemigrations` writes).
    pub fn migrations_path(&self) -> PathBuf {
        self.migrations_dir
            .clone()
            .unwrap_or_else(|| Path::new("migrations").join(&self.label))
    }

    /// The app's migrations from its folder (none when it does not exist).
    ///
    /// # Errors
    /// When a file cannot be read or parsed.
    pub fn migrations_from_dir(&self) -> Result<Vec<Migration>, Error> {
        let dir = self.migrations_path();
        if !dir.exists() {
            return Ok(Vec::new());
        }
        crate::migrations::read_app_dir(&self.label, &dir)
    }

    /// The app's migrations: the embedded ones when set, else the folder's.
    ///
    /// # Errors
    /// When a migration cannot be read or parsed.
    pub fn migrations(&self) -> Result<Vec<Migration>, Error> {
        match self.embedded {
            // Parsed, not ordered: an app's migrations may depend on another app's (the admin's
            // log on the auth app's users), which only the project's whole set has.
            Some(files) => files
                .iter()
                .map(|(app, name, json)| Migration::parse(app, name, json))
                .collect(),
            None => self.migrations_from_dir(),
        }
    }

    /// Registers the app's routes, blueprints, templates folder and static folder on `app`,
    /// built from `settings`.
    pub fn register(&self, app: &mut micro::App, settings: &Settings) {
        let mut templates = self.templates_path();
        for make in &self.blueprints {
            let mut bp = make();
            if let Some(folder) = templates.take() {
                bp.templates_folder(folder);
            }
            app.register_blueprint(bp);
        }
        if let Some(folder) = templates {
            // No blueprint to carry the folder: an empty one does.
            let mut bp = micro::Blueprint::new(&format!("{}_templates", self.label), "");
            bp.templates_folder(folder);
            app.register_blueprint(bp);
        }
        if let Some(folder) = self.static_path() {
            // A blueprint of its own, so the URL is `/static/<label>/` whatever the prefix of
            // the app's blueprints.
            let mut bp = micro::Blueprint::new(&format!("{}_static", self.label), "");
            bp.static_folder(folder)
                .static_url_path(&format!("/static/{}", self.label));
            app.register_blueprint(bp);
        }
        for register in &self.routes {
            register(app, settings);
        }
    }
}
