//! The app's root: the folder its relative template and static folders are resolved against,
//! like Flask's `root_path`, and the check, before serving, that the folders it was told to use
//! exist.

use std::fmt;
use std::path::{Path, PathBuf};

use super::App;
use crate::config::{Config, ConfigError, Origin};

/// Makes an [`App`] whose root is the calling crate's folder (the one with its `Cargo.toml`),
/// so `templates/` and `static/` beside `Cargo.toml` are found whatever the working directory:
/// `cargo run` from the workspace root, a test, an IDE. The way to start an app.
///
/// `micro::app!()` is an [`App`]; `micro::app!(config)` is [`App::from_config`] with that root,
/// a `Result`.
///
/// ```no_run
/// #[tokio::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let mut app = micro::app!(micro::Config::load()?)?; // templates/ and static/ beside Cargo.toml
///     app.get("/", || async { "Hello, World!" });
///     app.run().await?;
///     Ok(())
/// }
/// ```
///
/// The folder is captured when the crate is compiled, so a binary copied to a server points at
/// a folder that is not there: set `ROOT_PATH` in the configuration, or the `MICRO_ROOT_PATH`
/// variable, which win over it. If neither is set and the crate's folder does not exist, the
/// root is the working directory and a warning says so.
///
/// ```
/// let app = micro::app!();
/// assert_eq!(app.root(), std::path::Path::new(env!("CARGO_MANIFEST_DIR")));
/// ```
#[macro_export]
macro_rules! app {
    () => {
        $crate::App::with_crate_root(::core::env!("CARGO_MANIFEST_DIR"))
    };
    ($config:expr $(,)?) => {
        $crate::App::from_config_with_crate_root($config, ::core::env!("CARGO_MANIFEST_DIR"))
    };
}

/// What relative folders are resolved against, and who chose it.
#[derive(Debug, Clone)]
pub(crate) struct Root {
    path: PathBuf,
    chosen_by: ChosenBy,
}

#[derive(Debug, Clone)]
enum ChosenBy {
    /// `App::new` or `App::from_config` without `ROOT_PATH`.
    WorkingDirectory,
    /// `micro::app!`, with the crate's folder present.
    Crate,
    /// `micro::app!`, but the crate's folder is not on this machine.
    CrateMissing(PathBuf),
    /// `App::root_path`.
    Code,
    /// `ROOT_PATH` or `MICRO_ROOT_PATH`, with where it was read.
    Setting(String),
}

impl Root {
    pub(crate) fn working_directory() -> Root {
        Root {
            path: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            chosen_by: ChosenBy::WorkingDirectory,
        }
    }

    fn absolute(path: &Path, chosen_by: ChosenBy) -> Root {
        Root {
            path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            chosen_by,
        }
    }

    /// The crate's folder, if it exists here; the working directory otherwise.
    fn crate_folder(dir: &Path) -> Root {
        if dir.is_dir() {
            return Root::absolute(dir, ChosenBy::Crate);
        }
        let root = Root {
            chosen_by: ChosenBy::CrateMissing(dir.to_path_buf()),
            ..Root::working_directory()
        };
        tracing::warn!(target: "micro::config", "the app's root is {}", root.describe());
        root
    }

    /// `ROOT_PATH` from `config` if it is set, else `default`.
    fn from_config(config: &Config, default: impl FnOnce() -> Root) -> Root {
        match config
            .root_path
            .as_ref()
            .filter(|p| !p.as_os_str().is_empty())
        {
            Some(path) => Root::absolute(path, ChosenBy::Setting(setting("ROOT_PATH", config))),
            None => default(),
        }
    }

    /// `MICRO_ROOT_PATH` if it is set, else the crate's folder.
    fn from_env_or_crate(dir: &Path) -> Root {
        match std::env::var_os("MICRO_ROOT_PATH").filter(|v| !v.is_empty()) {
            Some(path) => Root::absolute(
                Path::new(&path),
                ChosenBy::Setting(Origin::Env("MICRO_ROOT_PATH".into()).to_string()),
            ),
            None => Root::crate_folder(dir),
        }
    }

    /// The root itself.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// `folder` under the root (an absolute folder stays as it is).
    pub(crate) fn resolve(&self, folder: &Path) -> PathBuf {
        self.path.join(folder)
    }

    /// The root and who chose it, for messages about folders.
    pub(crate) fn describe(&self) -> String {
        let path = self.path.display();
        match &self.chosen_by {
            ChosenBy::WorkingDirectory => format!(
                "{path}, the working directory (the app was made without a root: make it with \
                 micro::app!(), or set ROOT_PATH or MICRO_ROOT_PATH)"
            ),
            ChosenBy::Crate => format!("{path}, the crate's folder, captured by micro::app!"),
            ChosenBy::CrateMissing(dir) => format!(
                "{path}, the working directory, because the crate's folder {} that micro::app! \
                 captured at build time is not on this machine (set ROOT_PATH or MICRO_ROOT_PATH)",
                dir.display()
            ),
            ChosenBy::Code => format!("{path}, set by App::root_path"),
            ChosenBy::Setting(by) => format!("{path}, set by {by}"),
        }
    }

    /// Who named the root, when it was named explicitly and so must exist.
    fn named_by(&self) -> Option<String> {
        match &self.chosen_by {
            ChosenBy::Code => Some("App::root_path".into()),
            ChosenBy::Setting(by) => Some(by.clone()),
            _ => None,
        }
    }
}

/// `KEY`, and where it was read if it was: `STATIC_FOLDER in the file `micro.toml``.
pub(crate) fn setting(key: &str, config: &Config) -> String {
    match config.origin(key) {
        Some(origin) => format!("{key} {origin}"),
        None => key.to_owned(),
    }
}

#[cfg(any(feature = "templates", feature = "static-files"))]
/// The folder a config key names, `default` when it holds the default value and was not read
/// from a file or the environment (so it may be missing).
pub(crate) fn config_folder(config: &Config, key: &str, value: &Path, default: &str) -> Folder {
    if value == Path::new(default) && config.origin(key).is_none() {
        Folder::default_named(default)
    } else {
        Folder::named(value, setting(key, config))
    }
}

/// A folder as configured (relative or absolute), and the setting that named it: `None` for a
/// default, which may be missing.
#[derive(Debug, Clone)]
pub(crate) struct Folder {
    pub(crate) path: PathBuf,
    pub(crate) named_by: Option<String>,
}

#[cfg(any(feature = "templates", feature = "static-files"))]
impl Folder {
    pub(crate) fn default_named(path: &str) -> Folder {
        Folder {
            path: path.into(),
            named_by: None,
        }
    }

    pub(crate) fn named(path: impl Into<PathBuf>, by: impl Into<String>) -> Folder {
        Folder {
            path: path.into(),
            named_by: Some(by.into()),
        }
    }
}

/// Folders that were named explicitly and do not exist.
struct MissingFolders {
    lines: Vec<String>,
    root: String,
}

impl std::error::Error for MissingFolders {}

/// The message itself: `main` returning the error prints it with `Debug`.
impl fmt::Debug for MissingFolders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for MissingFolders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "micro: ")?;
        for line in &self.lines {
            writeln!(f, "{line}")?;
        }
        write!(
            f,
            "(relative folders are resolved against the app's root: {})",
            self.root
        )
    }
}

impl App {
    /// An empty app whose root is `crate_dir`, or `MICRO_ROOT_PATH` when that is set: what
    /// [`micro::app!()`](crate::app!) calls with the calling crate's folder.
    pub fn with_crate_root(crate_dir: impl AsRef<Path>) -> App {
        let mut app = App::new();
        app.set_root(Root::from_env_or_crate(crate_dir.as_ref()));
        app
    }

    /// [`App::from_config`] with `crate_dir` as the root unless `config` sets `ROOT_PATH`: what
    /// [`micro::app!(config)`](crate::app!) calls with the calling crate's folder.
    ///
    /// # Errors
    /// As [`App::from_config`].
    pub fn from_config_with_crate_root(
        config: Config,
        crate_dir: impl AsRef<Path>,
    ) -> Result<App, ConfigError> {
        let root = Root::from_config(&config, || Root::crate_folder(crate_dir.as_ref()));
        App::configure(config, root)
    }

    /// The root chosen for `config`: its `ROOT_PATH`, else the working directory.
    pub(super) fn root_for(config: &Config) -> Root {
        Root::from_config(config, Root::working_directory)
    }

    /// Resolves relative template and static folders against `path` (itself relative to the
    /// working directory if it is relative), like Flask's `root_path`; it wins over `ROOT_PATH`
    /// and [`micro::app!`](crate::app!). For a root computed at run time, such as the folder of
    /// the executable; the folders already configured move with it.
    ///
    /// ```
    /// let dir = std::env::temp_dir();
    /// let mut app = micro::App::new();
    /// app.root_path(&dir);
    /// assert_eq!(app.root(), dir);
    /// # #[cfg(feature = "static-files")]
    /// assert_eq!(app.static_files("static").unwrap().folder(), dir.join("static"));
    /// ```
    ///
    /// The folder must exist when the app starts serving.
    pub fn root_path(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.set_root(Root::absolute(path.as_ref(), ChosenBy::Code));
        self
    }

    /// The folder relative template and static folders are resolved against: the crate's with
    /// [`micro::app!`](crate::app!), `ROOT_PATH`, [`root_path`](Self::root_path), else the
    /// working directory when the app was made.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The root with who chose it, for blueprints' folders.
    #[cfg(feature = "static-files")]
    pub(crate) fn folder_root(&self) -> &Root {
        &self.root
    }

    /// Checks that every folder named explicitly (the root if it was set, `TEMPLATES_FOLDER`,
    /// `STATIC_FOLDER`, [`templates_folder`](Self::templates_folder),
    /// `static_folder`, blueprints' folders) exists. [`run`](Self::run) calls it before binding
    /// and [`into_service`](Self::into_service) before freezing; call it yourself before
    /// [`serve`](crate::serve) to get the error rather than a panic. Default folders that do not
    /// exist are fine: an app without templates has no `templates/`.
    ///
    /// # Errors
    /// `NotFound`, naming each missing folder's absolute path and the setting that asked for it.
    pub fn check_folders(&self) -> std::io::Result<()> {
        let mut lines = Vec::new();
        if let Some(by) = self.root.named_by()
            && !self.root.path().is_dir()
        {
            lines.push(format!(
                "the app's root {} does not exist (set by {by})",
                self.root.path().display()
            ));
        }
        for (what, folder) in self.named_folders() {
            let Some(by) = &folder.named_by else { continue };
            let path = self.root.resolve(&folder.path);
            if !path.is_dir() {
                lines.push(format!(
                    "the {what} {} does not exist (set by {by})",
                    path.display()
                ));
            }
        }
        if lines.is_empty() {
            return Ok(());
        }
        let missing = MissingFolders {
            lines,
            root: self.root.describe(),
        };
        Err(std::io::Error::new(std::io::ErrorKind::NotFound, missing))
    }

    /// Every template and static folder, with what it is for.
    fn named_folders(&self) -> Vec<(&'static str, &Folder)> {
        #[allow(unused_mut)] // without templates and static files there are none
        let mut folders = Vec::new();
        #[cfg(feature = "templates")]
        folders.extend(
            self.template_folders
                .iter()
                .map(|folder| ("templates folder", folder)),
        );
        #[cfg(feature = "static-files")]
        folders.extend(
            self.statics
                .values()
                .map(|files| ("static folder", files.configured())),
        );
        folders
    }

    /// Moves the root, and with it every folder resolved against it.
    pub(super) fn set_root(&mut self, root: Root) {
        self.root = root;
        #[cfg(feature = "templates")]
        crate::templates::set_folders(&mut self.templates, &self.root, &self.template_folders);
        #[cfg(feature = "static-files")]
        for files in self.statics.values_mut() {
            files.rebase(&self.root);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_resolve_against_the_root() {
        let root = Root::absolute(Path::new("/srv/site"), ChosenBy::Code);
        assert_eq!(
            root.resolve(Path::new("templates")),
            Path::new("/srv/site/templates")
        );
        assert_eq!(
            root.resolve(Path::new("/elsewhere")),
            Path::new("/elsewhere")
        );
        assert!(root.describe().contains("App::root_path"));
    }

    #[test]
    fn a_crate_folder_that_is_not_here_falls_back_to_the_working_directory() {
        let root = Root::crate_folder(Path::new("/no/such/crate/folder"));
        assert_eq!(root.path(), std::env::current_dir().unwrap());
        let said = root.describe();
        assert!(
            said.contains("/no/such/crate/folder") && said.contains("ROOT_PATH"),
            "{said}"
        );
        assert!(root.named_by().is_none());
    }
}
