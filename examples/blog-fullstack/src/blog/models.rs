//! The blog's models: what SPEC.md's "Data" says, as fields with Django's options.

use chrono::{DateTime, Utc};
use fullstack::auth::User;
use fullstack::{ForeignKey, ManyToMany, Model};
use serde::Serialize;

// measure: tags-admin
/// A tag posts are filed under.
#[derive(Model, Debug, Clone, Serialize)]
#[model(app = "blog", ordering = ["name"])]
pub struct Tag {
    /// The key.
    pub id: i64,
    /// As shown.
    #[field(max_length = 50, unique)]
    pub name: String,
    /// In its page's URL.
    #[field(max_length = 50, unique, slug)]
    pub slug: String,
}
// end measure: tags-admin

/// A post; published when `published` is past.
#[derive(Model, Debug, Clone, Serialize)]
#[model(app = "blog", ordering = ["-published", "-id"])]
pub struct Post {
    /// The key.
    pub id: i64,
    /// Who wrote it: the only one who may edit or delete it.
    #[field(on_delete = cascade)]
    pub author: ForeignKey<User>,
    /// Its title.
    #[field(max_length = 200)]
    pub title: String,
    /// Its URL's last part.
    #[field(max_length = 200, unique, slug)]
    pub slug: String,
    /// Its text: paragraphs between blank lines.
    pub body: String,
    /// When it is published (UTC); in the future, nobody sees it yet.
    pub published: DateTime<Utc>,
    /// What it is filed under.
    #[serde(skip)]
    pub tags: ManyToMany<Tag>,
}

/// A reader's comment on a post.
#[derive(Model, Debug, Clone, Serialize)]
#[model(app = "blog", ordering = ["created", "id"])]
pub struct Comment {
    /// The key.
    pub id: i64,
    /// The post it is on; deleting the post deletes its comments.
    #[field(on_delete = cascade)]
    pub post: ForeignKey<Post>,
    /// Who wrote it.
    #[field(max_length = 80)]
    pub name: String,
    /// What they wrote.
    #[field(max_length = 2000)]
    pub body: String,
    /// When.
    #[field(default = now)]
    pub created: DateTime<Utc>,
}

impl Post {
    /// The posts published by now (Django's custom manager method): made at each call, so
    /// "now" is the request's.
    pub fn published() -> fullstack::query::QuerySet<Post> {
        use fullstack::query::prelude::*;
        Post::objects().filter(Post::PUBLISHED.lte(Utc::now()))
    }

    /// Its page: its published day in UTC, then its slug (Django's `get_absolute_url`).
    pub fn url(&self) -> String {
        format!(
            "/posts/{}/{}/",
            self.published.format("%Y/%m/%d"),
            self.slug
        )
    }
}
