//! `seed FILE`: loads a fixture (users, tags, posts, comments; `examples/blog-suite/fixture.json`
//! has the format) in one transaction.

use chrono::{DateTime, Utc};
use fullstack::auth::{Hashers, User};
use fullstack::query::prelude::*;
use fullstack::{CommandContext, CommandFuture, Database, Error, ForeignKey};
use serde::Deserialize;

use super::{Comment, Post, Tag};

#[derive(Deserialize)]
struct Fixture {
    users: Vec<FixtureUser>,
    tags: Vec<FixtureTag>,
    posts: Vec<FixturePost>,
    comments: Vec<FixtureComment>,
}

#[derive(Deserialize)]
struct FixtureUser {
    username: String,
    password: String,
}

#[derive(Deserialize)]
struct FixtureTag {
    name: String,
    slug: String,
}

#[derive(Deserialize)]
struct FixturePost {
    author: String,
    title: String,
    slug: String,
    published: DateTime<Utc>,
    tags: Vec<String>,
    body: String,
}

#[derive(Deserialize)]
struct FixtureComment {
    post: String,
    name: String,
    body: String,
    created: DateTime<Utc>,
}

pub(super) fn command<'a>(ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
    Box::pin(async move {
        let file: String = ctx
            .matches
            .get_one::<String>("file")
            .cloned()
            .unwrap_or_default();
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("cannot read {file}: {e}"))?;
        let db = ctx.database().await?;
        let counts = load(&db, &text).await?;
        writeln!(ctx.out, "Loaded {counts} from {file}")?;
        Ok(())
    })
}

/// Loads the fixture `json` into `db`, all or nothing; what it loaded, counted.
///
/// # Errors
/// When the JSON is not a fixture, names a user or tag it does not define, or the database
/// refuses a row (a slug taken already).
pub async fn load(db: &Database, json: &str) -> Result<String, Error> {
    let fixture: Fixture =
        serde_json::from_str(json).map_err(|e| Error::Usage(format!("not a fixture: {e}")))?;
    let hashers = Hashers::default();
    let mut tx = db.begin().await?;
    let mut users = Vec::new();
    for u in &fixture.users {
        let user = User::new(hashers.hash(&u.password), u.username.clone());
        users.push(User::objects().create(&mut tx, user).await?);
    }
    let mut tags = Vec::new();
    for t in &fixture.tags {
        let tag = Tag {
            id: 0,
            name: t.name.clone(),
            slug: t.slug.clone(),
        };
        tags.push(Tag::objects().create(&mut tx, tag).await?);
    }
    let mut posts = Vec::new();
    for p in &fixture.posts {
        let author = users
            .iter()
            .find(|u| u.username == p.author)
            .ok_or_else(|| Error::Usage(format!("{}: no user {}", p.slug, p.author)))?;
        let mut post = Post::new(
            ForeignKey::from(author),
            p.title.clone(),
            p.slug.clone(),
            p.body.clone(),
            p.published,
        );
        post.save(&mut tx).await?;
        let chosen: Vec<&Tag> = tags.iter().filter(|t| p.tags.contains(&t.slug)).collect();
        Post::TAGS.add(&mut tx, &post, chosen).await?;
        posts.push(post);
    }
    for c in &fixture.comments {
        let post = posts
            .iter()
            .find(|p| p.slug == c.post)
            .ok_or_else(|| Error::Usage(format!("a comment on {}, which is no post", c.post)))?;
        let comment = Comment {
            id: 0,
            post: ForeignKey::from(post),
            name: c.name.clone(),
            body: c.body.clone(),
            created: c.created,
        };
        Comment::objects().create(&mut tx, comment).await?;
    }
    tx.commit().await?;
    Ok(format!(
        "{} users, {} tags, {} posts, {} comments",
        users.len(),
        tags.len(),
        posts.len(),
        fixture.comments.len()
    ))
}
