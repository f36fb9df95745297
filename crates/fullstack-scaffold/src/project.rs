//! A project's files (`fullstack-admin startproject`), from `templates/project/`: a cargo
//! project whose binary is its `manage.py`, its settings, a README, and one app.

use std::path::{Path, PathBuf};

use crate::app::app;
use crate::names::check_project_name;
use crate::scaffold::{Scaffold, render};

const CARGO_TOML: &str = include_str!("../templates/project/Cargo.toml.tmpl");
const MAIN: &str = include_str!("../templates/project/main.rs.tmpl");
const SETTINGS: &str = include_str!("../templates/project/settings.toml.tmpl");
const README: &str = include_str!("../templates/project/README.md.tmpl");
const GITIGNORE: &str = include_str!("../templates/project/gitignore.tmpl");

/// What `startproject` is asked for.
#[derive(Debug, Clone)]
pub struct ProjectOptions {
    /// The cargo package's name (`mysite`; `-` allowed, the crate is `my_site` for `my-site`).
    pub name: String,
    /// The label of the project's first app.
    pub app: String,
    /// The checkout of the fullstack workspace (the folder holding `crates/fullstack` and
    /// `crates/micro`) the project depends on by path: the crates are not published.
    pub fullstack_path: PathBuf,
    /// The settings' `SECRET_KEY`.
    pub secret_key: String,
}

impl ProjectOptions {
    /// Options with a fresh random secret key.
    pub fn new(name: &str, app: &str, fullstack_path: &Path) -> ProjectOptions {
        ProjectOptions {
            name: name.to_owned(),
            app: app.to_owned(),
            fullstack_path: fullstack_path.to_owned(),
            secret_key: secret_key(),
        }
    }
}

/// The files of the project `options` describe; an error says why a name, a label or the
/// fullstack path is refused.
pub fn project(options: &ProjectOptions) -> Result<Scaffold, String> {
    check_project_name(&options.name)?;
    let mut scaffold = app(&options.app)?;
    let krate = |name: &str| options.fullstack_path.join("crates").join(name);
    if !krate("fullstack").join("Cargo.toml").is_file() {
        return Err(format!(
            "{} is not a checkout of fullstack (it has no crates/fullstack/Cargo.toml): give the folder with --fullstack-path",
            options.fullstack_path.display()
        ));
    }
    let dependency = |name: &str| format!("{{ path = {} }}", toml_string(&krate(name)));
    let (fullstack, micro) = (dependency("fullstack"), dependency("micro"));
    let crate_name = options.name.replace('-', "_");
    let values = [
        ("project", options.name.as_str()),
        ("crate", crate_name.as_str()),
        ("app", options.app.as_str()),
        ("fullstack_dep", fullstack.as_str()),
        ("micro_dep", micro.as_str()),
        ("secret_key", options.secret_key.as_str()),
    ];
    let files = [
        ("Cargo.toml", CARGO_TOML),
        ("src/main.rs", MAIN),
        ("settings.toml", SETTINGS),
        ("README.md", README),
        (".gitignore", GITIGNORE),
    ];
    let mut all: Vec<(String, String)> = files
        .into_iter()
        .map(|(path, template)| (path.to_owned(), render(template, &values)))
        .collect();
    all.append(&mut scaffold.files);
    scaffold.files = all;
    Ok(scaffold)
}

/// A TOML basic string of a path (quotes and backslashes escaped: a Windows path stays one).
fn toml_string(path: &Path) -> String {
    let text = path.display().to_string();
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// 50 random characters (64 possible: 300 bits, and a byte maps to one without bias) after
/// Django's `insecure-` prefix, which `check --deploy` refuses: the generated key is for
/// development.
fn secret_key() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    let mut bytes = [0u8; 50];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    let key: String = bytes
        .iter()
        .map(|b| CHARS[usize::from(*b) % CHARS.len()] as char)
        .collect();
    format!("insecure-{key}")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{ProjectOptions, project};
    use crate::scaffold::unfilled;

    fn workspace() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
    }

    #[test]
    fn the_project_has_its_manage_py_settings_and_app_and_nothing_left_to_fill() {
        let options = ProjectOptions::new("my-site", "polls", workspace());
        let scaffold = project(&options).unwrap();
        let file = |name: &str| {
            let (_, text) = scaffold
                .files
                .iter()
                .find(|(path, _)| path == name)
                .unwrap();
            text.as_str()
        };
        for (path, text) in &scaffold.files {
            assert_eq!(unfilled(text), None, "{path}: {text}");
        }
        assert!(file("Cargo.toml").contains("name = \"my-site\""));
        assert!(file("Cargo.toml").contains("crates/fullstack\" }"));
        assert!(file("src/main.rs").contains("mod polls;"));
        assert!(file("src/main.rs").contains(".app(polls::app())"));
        assert!(file("settings.toml").contains(&options.secret_key));
        assert!(file("src/polls/models.rs").contains("app = \"polls\""));
        assert_eq!(scaffold.dirs, ["migrations/polls"]);
    }

    #[test]
    fn secret_keys_are_long_random_and_marked_insecure() {
        let (a, b) = (super::secret_key(), super::secret_key());
        assert_ne!(a, b);
        assert!(a.starts_with("insecure-") && a.len() == 59, "{a}");
        assert!(!a.contains('"') && !a.contains('\\'), "{a}");
    }

    #[test]
    fn refusals() {
        let options = |name: &str, app: &str| ProjectOptions::new(name, app, workspace());
        assert!(project(&options("1abc", "polls")).is_err());
        assert!(project(&options("mysite", "self")).is_err());
        let nowhere = ProjectOptions::new("mysite", "polls", Path::new("/no/such/folder"));
        let why = project(&nowhere).unwrap_err();
        assert!(why.contains("--fullstack-path"), "{why}");
    }

    #[test]
    fn paths_are_toml_strings() {
        assert_eq!(
            super::toml_string(Path::new(r#"C:\a "b""#)),
            r#""C:\\a \"b\"""#
        );
    }
}
