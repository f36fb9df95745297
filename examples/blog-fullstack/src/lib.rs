//! The blog of `examples/blog-suite/SPEC.md`, written as a Django developer would: models and
//! migrations, the auth app's login, ModelForms, the generic date views, the feeds and
//! sitemap frameworks, and the admin for posts, tags and comments. `examples/blog-micro` is
//! the same blog written the Flask way.

pub mod blog;

use fullstack::Project;
use fullstack::admin::{AdminSite, Inline, ModelAdmin};

/// The project: sessions, messages, auth (`/accounts/login/`), the blog, the admin, with
/// `settings.toml` beside `Cargo.toml` and the `FULLSTACK_*` environment variables.
///
/// # Errors
/// When the settings are not valid (the message names the key).
pub fn project() -> Result<Project, micro::ConfigError> {
    Ok(fullstack::project!("blog-fullstack")
        .settings(fullstack::settings!()?)
        .app(fullstack::sessions::app())
        .app(fullstack::messages::app())
        .app(fullstack::auth::app())
        .app(blog::app())
        .app(fullstack::admin::app(admin_site()))
        .migrate_on_start(true))
}

/// Posts, tags and comments in the admin: a post's comments on its page.
pub fn admin_site() -> AdminSite {
    use blog::{Comment, Post, Tag};
    AdminSite::new()
        .site_header("Blog administration")
        .register(
            ModelAdmin::<Post>::new()
                .label(|p: &Post| p.title.clone())
                .list_display(["title", "author__username", "published"])
                .list_filter(["published"])
                .search_fields(["title", "body"])
                .date_hierarchy("published")
                .inline(
                    Inline::<Comment>::new("post")
                        .fields(&["name", "body"])
                        .extra(0),
                ),
        )
        // measure: tags-admin
        .register(
            ModelAdmin::<Tag>::new()
                .label(|t: &Tag| t.name.clone())
                .search_fields(["name"]),
        )
        // end measure: tags-admin
        .register(
            ModelAdmin::<Comment>::new()
                .list_display(["name", "post__title", "created"])
                .search_fields(["name", "body"])
                .autocomplete_fields(&["post"]),
        )
}
