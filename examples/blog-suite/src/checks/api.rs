//! The JSON API: the paginated list and one post, their shape, and JSON 404s.

use serde_json::{Value, json};

use super::{Ctx, expect, seen};
use crate::client::Page;
use crate::fixture::Post;
use crate::report::Report;

const PER_PAGE: usize = 10;

/// The JSON a post is, without its body.
pub(crate) fn post_json(id: &Value, p: &Post) -> Value {
    let mut tags = p.tags.clone();
    tags.sort();
    json!({
        "id": id,
        "title": p.title,
        "slug": p.slug,
        "author": p.author,
        "published": p.published.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "url": p.url(),
        "tags": tags,
    })
}

fn json_of(r: &mut Report, path: &str, page: &Page) -> Option<Value> {
    let ty = page.header("content-type").unwrap_or("");
    r.check(
        format!("{path} is application/json"),
        ty.starts_with("application/json"),
        ty.to_owned(),
    );
    match serde_json::from_str(&page.text) {
        Ok(v) => Some(v),
        Err(e) => {
            r.check(
                format!("{path} is JSON"),
                false,
                format!("{e}: {}", seen(page)),
            );
            None
        }
    }
}

pub(crate) async fn run(ctx: &Ctx, r: &mut Report) {
    let mut b = ctx.browser();
    let published = ctx.fixture.published(ctx.now);
    let pages: Vec<&[&Post]> = published.chunks(PER_PAGE).collect();
    let mut first_id = None;
    for (n, posts) in pages.iter().enumerate() {
        let path = if n == 0 {
            "/api/posts".to_owned()
        } else {
            format!("/api/posts?page={}", n + 1)
        };
        let Some(page) = expect(r, &mut b, &path, 200).await else {
            continue;
        };
        let Some(body) = json_of(r, &path, &page) else {
            continue;
        };
        let results = body["results"].as_array().cloned().unwrap_or_default();
        let want: Vec<Value> = posts
            .iter()
            .zip(&results)
            .map(|(p, got)| post_json(&got["id"], p))
            .collect();
        r.check(
            format!("{path}: count, page, num_pages"),
            body["count"] == published.len()
                && body["page"] == n + 1
                && body["num_pages"] == pages.len(),
            format!("{} {} {}", body["count"], body["page"], body["num_pages"]),
        );
        r.check(
            format!("{path}: the page's posts, newest first, as the spec's objects"),
            results.len() == posts.len()
                && results == want
                && results.iter().all(|p| p["id"].is_i64()),
            format!("{results:?}"),
        );
        if n == 0 {
            first_id = results.first().map(|p| p["id"].clone());
        }
    }
    let past = format!("/api/posts?page={}", pages.len() + 1);
    for bad in [
        "/api/posts?page=0",
        "/api/posts?page=x",
        past.as_str(),
        "/api/posts/abc",
        "/api/posts/999999",
    ] {
        if let Some(page) = expect(r, &mut b, bad, 404).await
            && let Some(body) = json_of(r, bad, &page)
        {
            r.check(
                format!("{bad}: a JSON error"),
                body["error"].is_string(),
                body.to_string(),
            );
        }
    }
    let (Some(id), Some(newest)) = (first_id, published.first()) else {
        return;
    };
    let path = format!("/api/posts/{id}");
    if let Some(page) = expect(r, &mut b, &path, 200).await
        && let Some(body) = json_of(r, &path, &page)
    {
        let mut want = post_json(&id, newest);
        want["body"] = json!(newest.body);
        r.check(
            format!("{path}: the post with its body"),
            body == want,
            body.to_string(),
        );
    }
}
