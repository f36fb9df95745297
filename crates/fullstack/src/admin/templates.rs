//! The admin's templates: embedded in the binary under Django's names, each replaceable by the
//! project (a template of the same name in its templates folder wins), and per app or model
//! as in Django: `admin/<app>/<model>/change_list.html`, then `admin/<app>/change_list.html`,
//! then `admin/change_list.html`. Which one a model uses is settled once, at start-up.

use std::collections::HashMap;

use super::site::{AdminSite, url_name};
use crate::model::ModelMeta;

const TEMPLATES: &[(&str, &str)] = &[
    ("admin/base.html", include_str!("templates/admin/base.html")),
    (
        "admin/index.html",
        include_str!("templates/admin/index.html"),
    ),
    (
        "admin/delete_confirmation.html",
        include_str!("templates/admin/delete_confirmation.html"),
    ),
    (
        "admin/object_history.html",
        include_str!("templates/admin/object_history.html"),
    ),
    (
        "admin/change_form.html",
        include_str!("templates/admin/change_form.html"),
    ),
    (
        "admin/login.html",
        include_str!("templates/admin/login.html"),
    ),
    (
        "admin/password_change_form.html",
        include_str!("templates/admin/password_change_form.html"),
    ),
    (
        "admin/password_change_done.html",
        include_str!("templates/admin/password_change_done.html"),
    ),
    (
        "admin/change_list.html",
        include_str!("templates/admin/change_list.html"),
    ),
];

/// The pages a model can have its own template for.
const PER_MODEL: &[&str] = &["change_list.html"];

/// For each registered model and page, the template it renders.
#[derive(Debug, Clone, Default)]
pub(crate) struct TemplateNames(HashMap<(String, &'static str), String>);

impl TemplateNames {
    pub(crate) fn get(&self, meta: &ModelMeta, page: &'static str) -> &str {
        self.0
            .get(&(meta.table.to_owned(), page))
            .map_or("admin/change_list.html", String::as_str)
    }
}

/// Adds the embedded templates the project has not replaced, and settles each model's.
pub(crate) fn install(app: &mut micro::App, site: &AdminSite) -> TemplateNames {
    for (name, source) in TEMPLATES {
        if app.templates_mut().get_template(name).is_err() {
            app.add_template(*name, *source)
                .expect("the admin's templates parse");
        }
    }
    let mut names = HashMap::new();
    for model in &site.models {
        let meta = model.meta();
        for page in PER_MODEL {
            let candidates = [
                format!("admin/{}/{}/{page}", meta.app, url_name(meta)),
                format!("admin/{}/{page}", meta.app),
                format!("admin/{page}"),
            ];
            let chosen = candidates
                .into_iter()
                .find(|n| app.templates_mut().get_template(n).is_ok())
                .unwrap_or_else(|| format!("admin/{page}"));
            names.insert((meta.table.to_owned(), *page), chosen);
        }
    }
    TemplateNames(names)
}
