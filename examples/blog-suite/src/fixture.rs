//! `fixture.json`, read: the data every check computes its expectations from, so the suite
//! never hard-codes an answer the fixture does not give.

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The fixture's text, for a blog's `seed` to load.
pub(crate) const JSON: &str = include_str!("../fixture.json");

/// Everything the blog is seeded with.
#[derive(Debug, Deserialize)]
pub struct Fixture {
    /// Who may log in.
    pub users: Vec<User>,
    /// The tags.
    pub tags: Vec<Tag>,
    /// The posts, one in the future.
    pub posts: Vec<Post>,
    /// The comments.
    pub comments: Vec<Comment>,
}

/// A user and their password.
#[derive(Debug, Deserialize)]
pub struct User {
    /// The login name.
    pub username: String,
    /// The password, in clear (the blogs store a hash).
    pub password: String,
}

/// A tag.
#[derive(Debug, Deserialize)]
pub struct Tag {
    /// As shown.
    pub name: String,
    /// In URLs.
    pub slug: String,
}

/// A post.
#[derive(Debug, Deserialize)]
pub struct Post {
    /// Its author's username.
    pub author: String,
    /// Its title.
    pub title: String,
    /// Its slug.
    pub slug: String,
    /// When it is published.
    pub published: DateTime<Utc>,
    /// Its tags' slugs.
    pub tags: Vec<String>,
    /// Its text.
    pub body: String,
}

/// A comment.
#[derive(Debug, Deserialize)]
pub struct Comment {
    /// The slug of its post.
    pub post: String,
    /// Who wrote it.
    pub name: String,
    /// What they wrote.
    pub body: String,
    /// When.
    pub created: DateTime<Utc>,
}

impl Fixture {
    /// The fixture.
    ///
    /// # Panics
    /// When `fixture.json` is not what these types say (a mistake in this crate).
    pub fn load() -> Fixture {
        serde_json::from_str(JSON).expect("fixture.json matches the fixture types")
    }

    /// The published posts (at `now`), newest first.
    pub fn published(&self, now: DateTime<Utc>) -> Vec<&Post> {
        let mut posts: Vec<&Post> = self.posts.iter().filter(|p| p.published <= now).collect();
        // The fixture's order breaks ties of `published` as the blogs' ids do.
        posts.reverse();
        posts.sort_by_key(|p| std::cmp::Reverse(p.published));
        posts
    }

    /// The posts not published yet.
    pub fn future(&self, now: DateTime<Utc>) -> Vec<&Post> {
        self.posts.iter().filter(|p| p.published > now).collect()
    }

    /// The password of `username`.
    pub fn password(&self, username: &str) -> &str {
        self.users
            .iter()
            .find(|u| u.username == username)
            .map_or("", |u| u.password.as_str())
    }
}

impl Post {
    /// Its URL: its published day in UTC, then its slug.
    pub fn url(&self) -> String {
        format!(
            "/posts/{}/{}/",
            self.published.format("%Y/%m/%d"),
            self.slug
        )
    }
}
