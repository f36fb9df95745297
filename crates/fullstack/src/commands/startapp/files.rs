//! The files `startapp` writes, as text with the app's label in place of `{{app}}`.

/// `src/<app>.rs`: the app's `AppConfig`, and a test of its page.
const MODULE: &str = r#"//! The `{{app}}` app: its models, views, templates and routes.

pub mod models;
mod views;

use fullstack::Model; // the models' META

/// The app, installed with `.app({{app}}::app())`: rooted at this crate, so its migrations
/// (`migrations/{{app}}`) and templates (`{{app}}/templates`) are found from any working
/// directory.
pub fn app() -> fullstack::AppConfig {
    fullstack::app!("{{app}}")
        .models(&[models::Item::META])
        .templates("{{app}}/templates")
        .routes(|app| {
            app.get("/{{app}}/", views::index);
        })
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_index_page_answers() {
        let db = fullstack::Database::connect("sqlite::memory:").await.unwrap();
        let project = fullstack::Project::new("test").app(super::app());
        let client = micro::TestClient::new(project.web_app(&db).unwrap());
        let res = client.get("/{{app}}/").await;
        assert_eq!(res.status(), 200);
        assert!(res.text().contains("The {{app}} app"), "{}", res.text());
    }
}
"#;

/// `src/<app>/models.rs`: one model to rename and grow.
const MODELS: &str = r#"//! The `{{app}}` models. After changing one, run `makemigrations`, then `migrate`.

use fullstack::Model;

/// An item of the `{{app}}` app: rename it and give it the fields it needs.
#[derive(Model, Debug, Clone)]
#[model(app = "{{app}}", ordering = ["id"])]
pub struct Item {
    /// The primary key (0 until saved).
    pub id: i64,
    /// Its name.
    #[field(max_length = 200)]
    pub name: String,
}
"#;

/// `src/<app>/views.rs`: the index page.
const VIEWS: &str = r#"//! The `{{app}}` views.

use micro::{Error, Html, Templates};

/// `GET /{{app}}/`: the app's index page.
pub(crate) async fn index(t: Templates) -> Result<Html<String>, Error> {
    t.render("{{app}}/index.html", ())
}
"#;

/// `<app>/templates/<app>/index.html`: namespaced by the app's label, as in Django.
const INDEX: &str = r#"<!doctype html>
<title>{{app}}</title>
<h1>The {{app}} app</h1>
<p>Edit {{app}}/templates/{{app}}/index.html and src/{{app}}/views.rs.</p>
"#;

/// Each file's path under the project's folder, and its text, for the app labelled `app`.
pub(super) fn for_app(app: &str) -> Vec<(String, String)> {
    [
        (format!("src/{app}.rs"), MODULE),
        (format!("src/{app}/models.rs"), MODELS),
        (format!("src/{app}/views.rs"), VIEWS),
        (format!("{app}/templates/{app}/index.html"), INDEX),
    ]
    .into_iter()
    .map(|(path, text)| (path, text.replace("{{app}}", app)))
    .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_file_names_the_app_and_nothing_is_left_to_fill() {
        for (path, text) in super::for_app("blog") {
            assert!(path.contains("blog"), "{path}");
            assert!(text.contains("blog"), "{path}: {text}");
            assert!(!text.contains("{{"), "{path}: {text}");
        }
    }
}
