//! The `blog` app: its models, its URLs (the reading pages mostly Django's generic views, the
//! writing ones plain handlers on ModelForms), its feeds, sitemap and JSON API, and `seed`.

mod api;
mod feeds;
mod models;
mod seed;
mod views;

pub use models::{Comment, CommentByPost, Post, Tag};
pub use seed::load as load_fixture;

use fullstack::auth::login_required;
use fullstack::query::prelude::*;
use fullstack::views::generic::{
    ArchiveIndexView, DayArchiveView, MonthArchiveView, YearArchiveView,
};
use fullstack::{AppConfig, Model};
use micro::routing::get;

/// The app: models, migrations (made by `makemigrations`, embedded in the binary), routes,
/// templates and the `seed` command.
pub fn app() -> AppConfig {
    fullstack::app!("blog")
        .models(&[Tag::META, Post::META, Comment::META])
        .embedded_migrations(include!("../migrations/blog/embedded.rs"))
        .templates("templates")
        .routes(|app| {
            let posts = || Post::objects();
            app.route(
                "/",
                ArchiveIndexView::new(posts(), Post::PUBLISHED)
                    .paginate_by(5)
                    .allow_empty(true)
                    .as_view(),
            );
            app.route(
                "/posts/<int:year>/",
                YearArchiveView::new(posts(), Post::PUBLISHED)
                    .make_object_list(true)
                    .as_view(),
            );
            app.route(
                "/posts/<int:year>/<month>/",
                MonthArchiveView::new(posts(), Post::PUBLISHED).as_view(),
            );
            app.route(
                "/posts/<int:year>/<month>/<day>/",
                DayArchiveView::new(posts(), Post::PUBLISHED).as_view(),
            );
            app.route(
                "/posts/<int:year>/<month>/<day>/<slug>/",
                get(views::post_page).post(views::post_page),
            );
            app.route("/tags/<slug>/", get(views::tag_page));
            app.route(
                "/posts/new/",
                get(views::new_post)
                    .post(views::new_post)
                    .guard(login_required()),
            );
            app.route(
                "/posts/edit/<int:id>/",
                get(views::edit_post)
                    .post(views::edit_post)
                    .guard(login_required()),
            );
            app.route(
                "/posts/delete/<int:id>/",
                get(views::delete_post)
                    .post(views::delete_post)
                    .guard(login_required()),
            );
            app.route("/feeds/rss/", feeds::feed().rss_view());
            app.route("/feeds/atom/", feeds::feed().atom_view());
            app.route("/sitemap.xml", feeds::sitemap().as_view());
            app.get("/api/posts", api::list);
            app.get("/api/posts/<id>", api::detail);
        })
        .command_fn(
            clap::Command::new("seed")
                .about("Loads a fixture (examples/blog-suite/fixture.json) into the database")
                .arg(clap::Arg::new("file").required(true)),
            seed::command,
        )
}
