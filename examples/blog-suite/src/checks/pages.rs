//! The read-only pages: the front page and its pagination, the date archives, each post's page,
//! the tag pages, and the post that is not published yet.

use std::collections::BTreeSet;

use chrono::Datelike;

use super::{Ctx, expect, titles};
use crate::fixture::Post;
use crate::html;
use crate::report::Report;

const PER_PAGE: usize = 5;

pub(crate) async fn run(ctx: &Ctx, r: &mut Report) {
    let published = ctx.fixture.published(ctx.now);
    front_page(ctx, r, &published).await;
    archives(ctx, r, &published).await;
    post_pages(ctx, r, &published).await;
    tag_pages(ctx, r, &published).await;
    not_published(ctx, r).await;
}

fn titles_of(posts: &[&Post]) -> Vec<String> {
    posts.iter().map(|p| p.title.clone()).collect()
}

async fn front_page(ctx: &Ctx, r: &mut Report, published: &[&Post]) {
    let mut b = ctx.browser();
    let pages: Vec<&[&Post]> = published.chunks(PER_PAGE).collect();
    let Some(first) = expect(r, &mut b, "/", 200).await else {
        return;
    };
    let links = html::post_links(&first.text);
    let want: Vec<(String, String)> = pages[0]
        .iter()
        .map(|p| (p.url(), p.title.clone()))
        .collect();
    r.check(
        "the front page lists the 5 newest posts, linked to their URLs",
        links == want,
        format!("{links:?}"),
    );
    r.check(
        "the front page links to the next page and not to a previous one",
        html::rel_link(&first.text, "next").as_deref() == Some("?page=2")
            && html::rel_link(&first.text, "prev").is_none(),
        format!(
            "next {:?}, prev {:?}",
            html::rel_link(&first.text, "next"),
            html::rel_link(&first.text, "prev")
        ),
    );
    r.check(
        "a page for nobody logged in links to the login page",
        first
            .text
            .contains("class=\"login\" href=\"/accounts/login/\"")
            || first
                .text
                .contains("href=\"/accounts/login/\" class=\"login\""),
        "no <a class=\"login\" href=\"/accounts/login/\">",
    );
    for (n, posts) in pages.iter().enumerate().skip(1) {
        let path = format!("/?page={}", n + 1);
        if let Some(page) = expect(r, &mut b, &path, 200).await {
            r.check(
                format!("{path} lists the posts of page {}", n + 1),
                titles(&page) == titles_of(posts),
                format!("{:?}", titles(&page)),
            );
            r.check(
                format!("{path} links to the page before"),
                html::rel_link(&page.text, "prev").as_deref() == Some(&format!("?page={n}")),
                format!("{:?}", html::rel_link(&page.text, "prev")),
            );
        }
    }
    if let Some(last) = expect(r, &mut b, "/?page=last", 200).await {
        r.check(
            "?page=last is the last page",
            titles(&last) == titles_of(pages[pages.len() - 1]),
            format!("{:?}", titles(&last)),
        );
    }
    let past = format!("/?page={}", pages.len() + 1);
    for bad in ["/?page=0", "/?page=x", "/?page=-1", past.as_str()] {
        expect(r, &mut b, bad, 404).await;
    }
}

async fn archives(ctx: &Ctx, r: &mut Report, published: &[&Post]) {
    let mut b = ctx.browser();
    let years: BTreeSet<i32> = published.iter().map(|p| p.published.year()).collect();
    for year in &years {
        let path = format!("/posts/{year}/");
        let want: Vec<&Post> = published
            .iter()
            .copied()
            .filter(|p| p.published.year() == *year)
            .collect();
        if let Some(page) = expect(r, &mut b, &path, 200).await {
            r.check(
                format!("{path} lists that year's posts, newest first"),
                titles(&page) == titles_of(&want),
                format!("{:?}", titles(&page)),
            );
        }
    }
    // The busiest month and day of the fixture, and periods with nothing in them.
    let month = published
        .iter()
        .map(|p| p.published.format("%Y/%m").to_string())
        .max_by_key(|m| {
            published
                .iter()
                .filter(|p| p.published.format("%Y/%m").to_string() == *m)
                .count()
        });
    let day = published
        .iter()
        .map(|p| p.published.format("%Y/%m/%d").to_string())
        .max_by_key(|d| {
            published
                .iter()
                .filter(|p| p.published.format("%Y/%m/%d").to_string() == *d)
                .count()
        });
    for (period, format) in [(month, "%Y/%m"), (day, "%Y/%m/%d")] {
        let Some(period) = period else { continue };
        let path = format!("/posts/{period}/");
        let want: Vec<&Post> = published
            .iter()
            .copied()
            .filter(|p| p.published.format(format).to_string() == period)
            .collect();
        if let Some(page) = expect(r, &mut b, &path, 200).await {
            r.check(
                format!("{path} lists that period's posts, newest first"),
                titles(&page) == titles_of(&want) && want.len() > 1,
                format!("{:?}", titles(&page)),
            );
        }
    }
    let empty_year = years.iter().min().map_or(2000, |y| y - 1);
    for bad in [
        format!("/posts/{empty_year}/"),
        "/posts/2021/13/".to_owned(),
        "/posts/2021/00/".to_owned(),
        "/posts/2021/02/30/".to_owned(),
        "/posts/2021/08/".to_owned(),
        "/posts/2021/09/02/".to_owned(),
        "/posts/year/".to_owned(),
    ] {
        expect(r, &mut b, &bad, 404).await;
    }
}

async fn post_pages(ctx: &Ctx, r: &mut Report, published: &[&Post]) {
    let mut b = ctx.browser();
    for post in published {
        let Some(page) = expect(r, &mut b, &post.url(), 200).await else {
            continue;
        };
        let title = html::texts(&page.text, "post-title");
        r.check(
            format!("{}: the title", post.url()),
            title == [post.title.clone()],
            format!("{title:?}"),
        );
        let author = html::texts(&page.text, "post-author");
        r.check(
            format!("{}: the author", post.url()),
            author == [post.author.clone()],
            format!("{author:?}"),
        );
        let tags: BTreeSet<(String, String)> = page
            .text
            .split("<a ")
            .skip(1)
            .filter_map(|a| {
                let tag = format!("<a {}", &a[..a.find('>')? + 1]);
                let classes = html::attr(&tag, "class")?;
                classes.split_whitespace().any(|c| c == "tag").then(|| {
                    let text_end = a.find("</a>").unwrap_or(a.len());
                    let text = html::unescape(a[a.find('>').unwrap_or(0) + 1..text_end].trim());
                    (html::attr(&tag, "href").unwrap_or_default(), text)
                })
            })
            .collect();
        let want: BTreeSet<(String, String)> = post
            .tags
            .iter()
            .filter_map(|slug| ctx.fixture.tags.iter().find(|t| &t.slug == slug))
            .map(|t| (format!("/tags/{}/", t.slug), t.name.clone()))
            .collect();
        r.check(
            format!("{}: its tags, linked to their pages", post.url()),
            tags == want,
            format!("{tags:?}"),
        );
        let body = html::inner(&page.text, "post-body");
        let want: Vec<String> = post
            .body
            .split("\n\n")
            .map(|p| p.trim().to_owned())
            .collect();
        let shown = body
            .first()
            .map(|b| html::paragraphs(b))
            .unwrap_or_default();
        r.check(
            format!("{}: the body, a <p> per paragraph", post.url()),
            body.len() == 1 && shown == want,
            format!("{body:?}"),
        );
    }
    // Markup a user wrote is text.
    for post in published {
        let marks: Vec<String> = markup_in(&post.title)
            .into_iter()
            .chain(markup_in(&post.body))
            .collect();
        if marks.is_empty() {
            continue;
        }
        if let Ok(page) = b.get(&post.url()).await {
            let raw: Vec<&String> = marks
                .iter()
                .filter(|m| page.text.contains(m.as_str()))
                .collect();
            r.security(
                format!("{}: markup in the title and body is escaped", post.url()),
                raw.is_empty(),
                format!("unescaped: {raw:?}"),
            );
        }
    }
    // The wrong slug on a right date, the right slug on a wrong date.
    if let Some(post) = published.first() {
        let wrong_slug = format!("/posts/{}/no-such-post/", post.published.format("%Y/%m/%d"));
        expect(r, &mut b, &wrong_slug, 404).await;
        let day_before = post.published - chrono::Duration::days(1);
        let wrong_day = format!("/posts/{}/{}/", day_before.format("%Y/%m/%d"), post.slug);
        expect(r, &mut b, &wrong_day, 404).await;
    }
    // The comments of the fixture, oldest first, escaped.
    for slug in ctx
        .fixture
        .comments
        .iter()
        .map(|c| &c.post)
        .collect::<BTreeSet<_>>()
    {
        let Some(post) = published.iter().find(|p| &p.slug == slug) else {
            continue;
        };
        let mut comments: Vec<_> = ctx
            .fixture
            .comments
            .iter()
            .filter(|c| &c.post == slug)
            .collect();
        comments.sort_by_key(|c| c.created);
        let Ok(page) = b.get(&post.url()).await else {
            continue;
        };
        let names = html::texts(&page.text, "comment-name");
        let bodies = html::texts(&page.text, "comment-body");
        r.check(
            format!("{}: its comments, oldest first", post.url()),
            names == comments.iter().map(|c| c.name.clone()).collect::<Vec<_>>()
                && bodies == comments.iter().map(|c| c.body.clone()).collect::<Vec<_>>(),
            format!("{names:?} {bodies:?}"),
        );
        let unescaped = comments
            .iter()
            .flat_map(|c| markup_in(&c.body))
            .find(|m| page.text.contains(m.as_str()));
        r.security(
            format!("{}: a comment's markup is escaped", post.url()),
            unescaped.is_none(),
            format!("{unescaped:?}"),
        );
    }
}

async fn tag_pages(ctx: &Ctx, r: &mut Report, published: &[&Post]) {
    let mut b = ctx.browser();
    for tag in &ctx.fixture.tags {
        let tagged: Vec<&Post> = published
            .iter()
            .copied()
            .filter(|p| p.tags.contains(&tag.slug))
            .collect();
        for (n, posts) in tagged.chunks(PER_PAGE).enumerate() {
            let path = if n == 0 {
                format!("/tags/{}/", tag.slug)
            } else {
                format!("/tags/{}/?page={}", tag.slug, n + 1)
            };
            if let Some(page) = expect(r, &mut b, &path, 200).await {
                r.check(
                    format!("{path} lists the tag's published posts, newest first"),
                    titles(&page) == titles_of(posts),
                    format!("{:?}", titles(&page)),
                );
            }
        }
    }
    expect(r, &mut b, "/tags/no-such-tag/", 404).await;
}

async fn not_published(ctx: &Ctx, r: &mut Report) {
    let mut b = ctx.browser();
    for post in ctx.fixture.future(ctx.now) {
        expect(r, &mut b, &post.url(), 404).await;
        expect(
            r,
            &mut b,
            &format!("/posts/{}/", post.published.year()),
            404,
        )
        .await;
        let mut listed = false;
        for path in
            std::iter::once("/".to_owned()).chain(post.tags.iter().map(|t| format!("/tags/{t}/")))
        {
            if let Ok(page) = b.get(&path).await {
                listed |= titles(&page).contains(&post.title);
            }
        }
        r.check(
            format!("{} is listed nowhere before its date", post.slug),
            !listed,
            "it is listed",
        );
    }
}

/// The tags written in `text` (`<b>`, `</b>`, `<script>`), as they would be if not escaped.
pub(crate) fn markup_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        out.push(rest[start..=start + len].to_owned());
        rest = &rest[start + len + 1..];
    }
    out
}
