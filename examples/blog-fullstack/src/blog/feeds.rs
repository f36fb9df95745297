//! The RSS and Atom feeds of the newest posts, and the sitemap: Django's syndication and
//! sitemaps frameworks. The querysets are made per request, so a post appears when its time
//! comes (`Post::published`).

use fullstack::sitemaps::Sitemap;
use fullstack::syndication::Feed;

use super::Post;

pub(super) fn feed() -> Feed<Post> {
    Feed::new(
        "The blog",
        "/",
        "The newest posts of the blog",
        Post::published(),
    )
    .items_with(Post::published)
    .limit(10)
    .item_title(|p: &Post| p.title.clone())
    .item_link(Post::url)
    .item_description(|p: &Post| p.body.clone())
    .item_pubdate(|p: &Post| p.published)
}

pub(super) fn sitemap() -> Sitemap {
    Sitemap::new()
        .pages(["/"])
        .rows_with(Post::published, Post::url, Some(|p: &Post| p.published))
}
