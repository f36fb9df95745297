//! The JSON API: the published posts, 10 a page, and one post with its body. Every error is
//! JSON too, with its status.

use fullstack::Database;
use fullstack::pagination::{PageNumber, Paginator};
use fullstack::query::prelude::*;
use micro::http::StatusCode;
use micro::{IntoResponse, Json, Path, Response, State};
use serde_json::{Value, json};

use fullstack::auth::User;

use super::{Post, Tag};

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// The posts as the API shows them, their bodies when `full`: three queries for all of them
/// (Django's `prefetch_related("tags")` and the authors by key), not two per post.
async fn posts_json(db: &Database, posts: &[Post], full: bool) -> Result<Vec<Value>, micro::Error> {
    let ids: Vec<i64> = posts.iter().map(|p| p.id).collect();
    let with_tags: Vec<(Post, Vec<Tag>)> = Post::objects()
        .filter(Post::ID.is_in(ids))
        .prefetch_many(Post::TAGS)
        .all(db)
        .await?;
    let authors = User::objects()
        .filter(User::ID.is_in(posts.iter().map(|p| p.author.id())))
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(posts.len());
    for post in posts {
        let tags = with_tags
            .iter()
            .find(|(p, _)| p.id == post.id)
            .map(|(_, tags)| tags.as_slice())
            .unwrap_or_default();
        let mut tags: Vec<&str> = tags.iter().map(|t| t.slug.as_str()).collect();
        tags.sort_unstable();
        let author = authors
            .iter()
            .find(|u| u.id == post.author.id())
            .map_or("", |u| u.username.as_str());
        let mut json = json!({
            "id": post.id,
            "title": post.title,
            "slug": post.slug,
            "author": author,
            "published": post.published.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "url": post.url(),
            "tags": tags,
        });
        if full {
            json["body"] = json!(post.body);
        }
        out.push(json);
    }
    Ok(out)
}

pub(super) async fn list(
    State(db): State<Database>,
    page: PageNumber,
) -> Result<Response, micro::Error> {
    let posts = Post::published();
    let paginator = Paginator::for_queryset(&posts, &db, 10).await?;
    let Ok(number) = paginator.parse_number(page.as_deref()) else {
        return Ok(error(
            StatusCode::NOT_FOUND,
            "That page number is not a page of posts.",
        ));
    };
    let page = paginator.page_of_queryset(&posts, &db, number).await?;
    let results = posts_json(&db, &page.object_list, false).await?;
    Ok(Json(json!({
        "count": paginator.count(),
        "page": number,
        "num_pages": paginator.num_pages(),
        "results": results,
    }))
    .into_response())
}

pub(super) async fn detail(
    State(db): State<Database>,
    Path(id): Path<String>,
) -> Result<Response, micro::Error> {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(error(StatusCode::NOT_FOUND, "No post has that id."));
    };
    match Post::published().filter(Post::ID.eq(id)).first(&db).await? {
        Some(post) => {
            let mut one = posts_json(&db, std::slice::from_ref(&post), true).await?;
            Ok(Json(one.pop().unwrap_or_default()).into_response())
        }
        None => Ok(error(StatusCode::NOT_FOUND, "No post has that id.")),
    }
}
