//! The files `fullstack-admin startproject` and a project's `startapp` command write, and the
//! checks of the names they are given: one set of templates (in this crate's `templates/`
//! folder) for both, so a new project's app and an app added later are the same.
//!
//! ```
//! let app = fullstack_scaffold::app("blog").unwrap();
//! assert!(app.files.iter().any(|(path, _)| path == "src/blog/models.rs"));
//! assert!(fullstack_scaffold::app("1abc").is_err());
//! ```

mod app;
mod names;
mod project;
mod scaffold;

pub use app::app;
pub use names::{check_app_label, check_project_name};
pub use project::{ProjectOptions, project};
pub use scaffold::Scaffold;
