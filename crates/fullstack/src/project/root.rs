//! The project's root: the crate folder its relative paths are resolved against, captured by
//! [`fullstack::project!`](crate::project!) as `micro::app!` does for a micro app.

use super::Project;

/// A [`Project`] named `name` whose root is the calling crate's folder (the one with its
/// `Cargo.toml`): the web app's `templates/` and `static/` are found there whatever the working
/// directory, so a binary started from elsewhere serves the same pages. The usual way to start
/// a project; `Project::new(name)` keeps the working directory.
///
/// ```
/// let project = fullstack::project!("mysite");
/// assert_eq!(project.name(), "mysite");
/// assert_eq!(project.root_dir(), Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))));
/// ```
#[macro_export]
macro_rules! project {
    ($name:expr $(,)?) => {
        $crate::Project::new($name).root(::core::env!("CARGO_MANIFEST_DIR"))
    };
}

impl Project {
    /// The web app before the apps' routes: the settings' configuration, rooted at the folder
    /// the settings were loaded from, else at the project's root (`ROOT_PATH` and
    /// `MICRO_ROOT_PATH` win over both, as with `micro::app!`).
    pub(super) fn base_app(&self) -> Result<micro::App, micro::ConfigError> {
        if self.configured {
            return self.settings.web_app(self.root.as_deref());
        }
        Ok(match &self.root {
            Some(root) => micro::App::with_crate_root(root),
            None => micro::App::new(),
        })
    }
}
