//! An app's files (`startapp`, and the first app of `startproject`), from `templates/app/`
//! with the app's label in place of `{{app}}`.

use crate::names::check_app_label;
use crate::scaffold::{Scaffold, render};

/// `src/<app>.rs`: the app's `AppConfig`, its routes, and a test of its page.
const MODULE: &str = include_str!("../templates/app/module.rs.tmpl");
/// `src/<app>/models.rs`: one model to rename and grow.
const MODELS: &str = include_str!("../templates/app/models.rs.tmpl");
/// `src/<app>/views.rs`: the index page.
const VIEWS: &str = include_str!("../templates/app/views.rs.tmpl");
/// `<app>/templates/<app>/index.html`: namespaced by the app's label, as in Django.
const INDEX: &str = include_str!("../templates/app/index.html.tmpl");

/// The files of the app labelled `label`, under a project's folder, and its empty migrations
/// folder; an error says why a label is refused (see [`check_app_label`]).
pub fn app(label: &str) -> Result<Scaffold, String> {
    check_app_label(label)?;
    let values = [("app", label)];
    let files = [
        (format!("src/{label}.rs"), MODULE),
        (format!("src/{label}/models.rs"), MODELS),
        (format!("src/{label}/views.rs"), VIEWS),
        (format!("{label}/templates/{label}/index.html"), INDEX),
    ]
    .into_iter()
    .map(|(path, template)| (path, render(template, &values)))
    .collect();
    Ok(Scaffold {
        files,
        dirs: vec![format!("migrations/{label}")],
    })
}

#[cfg(test)]
mod tests {
    use crate::scaffold::unfilled;

    #[test]
    fn every_file_names_the_app_and_nothing_is_left_to_fill() {
        let app = super::app("blog").unwrap();
        for (path, text) in &app.files {
            assert!(path.contains("blog"), "{path}");
            assert!(text.contains("blog"), "{path}: {text}");
            assert_eq!(unfilled(text), None, "{path}: {text}");
        }
        assert_eq!(app.dirs, ["migrations/blog"]);
    }

    #[test]
    fn a_bad_label_gives_no_files() {
        assert!(super::app("Blog").is_err());
    }
}
