//! The `api` blueprint: the published posts as JSON, read-only. Errors are `{"error": "..."}`
//! (the app's 404 handler answers so for every `/api/` path).

use chrono::Utc;
use micro::{Blueprint, Error, Json, Path, Query, State};
use serde::Serialize;
use serde_json::{Value, json};

use crate::db::{Db, Post};
use crate::pagination::{Page, PageQuery};

const PER_PAGE: i64 = 10;

pub(crate) fn blueprint() -> Blueprint {
    let mut bp = Blueprint::new("api", "/api");
    bp.get("/posts", list);
    bp.get("/posts/<int:id>", detail);
    bp
}

/// A post as the API shows it; `body` only in the detail.
#[derive(Serialize)]
struct ApiPost {
    id: i64,
    title: String,
    slug: String,
    author: String,
    published: String,
    url: String,
    /// The tags' slugs, alphabetical.
    tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
}

async fn api_post(db: &Db, post: Post, with_body: bool) -> Result<ApiPost, Error> {
    let tags = db.tags_of(post.id).await?;
    Ok(ApiPost {
        id: post.id,
        published: post.published.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        tags: tags.into_iter().map(|t| t.slug).collect(),
        body: with_body.then_some(post.body),
        title: post.title,
        slug: post.slug,
        author: post.author,
        url: post.url,
    })
}

async fn list(db: State<Db>, Query(q): Query<PageQuery>) -> Result<Json<Value>, Error> {
    let now = Utc::now().timestamp();
    let page = Page::of(&q, db.count_published(now).await?, PER_PAGE)
        .ok_or_else(|| Error::new(404, "Invalid page."))?;
    let mut results = Vec::new();
    for post in db.published(now, page.limit(), page.offset()).await? {
        results.push(api_post(&db, post, false).await?);
    }
    Ok(Json(json!({
        "count": page.count,
        "page": page.number,
        "num_pages": page.num_pages,
        "results": results,
    })))
}

async fn detail(db: State<Db>, Path(id): Path<i64>) -> Result<Json<ApiPost>, Error> {
    let not_found = || Error::new(404, format!("No post with id {id}."));
    let post = db.post(id).await?.ok_or_else(not_found)?;
    if post.published > Utc::now() {
        return Err(not_found());
    }
    Ok(Json(api_post(&db, post, true).await?))
}
