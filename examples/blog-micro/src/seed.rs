//! Loading a fixture (`examples/blog-suite/fixture.json`) into an empty database: the `seed`
//! command, and the tests.

use chrono::{DateTime, Utc};
use micro::{BoxError, CommandContext, CommandError};
use serde::Deserialize;

// measure: passwords
use crate::auth::hash_password;
// end measure: passwords
use crate::db::{Db, NewPost};

#[derive(Deserialize)]
struct Fixture {
    users: Vec<User>,
    tags: Vec<Tag>,
    posts: Vec<Post>,
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
struct User {
    username: String,
    password: String,
}

#[derive(Deserialize)]
struct Tag {
    name: String,
    slug: String,
}

#[derive(Deserialize)]
struct Post {
    author: String,
    title: String,
    slug: String,
    body: String,
    published: DateTime<Utc>,
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct Comment {
    post: String,
    name: String,
    body: String,
    created: DateTime<Utc>,
}

/// Loads the fixture `json` into `db`: users (their passwords hashed), tags, posts, comments.
///
/// # Errors
/// When the JSON is not a fixture, names a user, tag or post it does not define, or a row
/// cannot be stored (the database is not empty).
pub async fn seed(db: &Db, json: &str) -> Result<(), BoxError> {
    let fixture: Fixture = serde_json::from_str(json)?;
    for user in &fixture.users {
        // measure: passwords
        let hash = hash_password(&user.password).map_err(|e| e.message().to_owned())?;
        // end measure: passwords
        db.create_user(&user.username, &hash).await?;
    }
    for tag in &fixture.tags {
        db.create_tag(&tag.name, &tag.slug).await?;
    }
    for post in fixture.posts {
        let author = db
            .user(&post.author)
            .await?
            .ok_or(format!("post {}: no user {}", post.slug, post.author))?;
        let mut tags = Vec::new();
        for slug in &post.tags {
            let tag = db.tag(slug).await?;
            tags.push(tag.ok_or(format!("post {}: no tag {slug}", post.slug))?.id);
        }
        let new = NewPost {
            title: post.title,
            slug: post.slug,
            body: post.body,
            published: post.published,
            tags,
        };
        db.create_post(author.id, &new).await?;
    }
    for comment in &fixture.comments {
        let post = db
            .post_by_slug(&comment.post)
            .await?
            .ok_or(format!("comment: no post {}", comment.post))?;
        db.add_comment(post.id, &comment.name, &comment.body, comment.created)
            .await?;
    }
    Ok(())
}

/// `blog-micro seed FILE`.
pub(crate) async fn command(ctx: CommandContext) -> Result<(), CommandError> {
    let [file] = ctx.args() else {
        return Err("usage: blog-micro seed FILE".into());
    };
    let json = std::fs::read_to_string(file)?;
    seed(ctx.state::<Db>()?, &json).await?;
    println!("Loaded {file}.");
    Ok(())
}
