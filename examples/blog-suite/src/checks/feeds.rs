//! The RSS and Atom feeds, parsed by a real feed parser (feed-rs), and the sitemap.

use super::{Ctx, expect};
use crate::report::Report;

const FEED_SIZE: usize = 10;

pub(crate) async fn run(ctx: &Ctx, r: &mut Report) {
    let mut b = ctx.browser();
    let published = ctx.fixture.published(ctx.now);
    let newest: Vec<_> = published.iter().take(FEED_SIZE).collect();
    for (path, kind) in [
        ("/feeds/rss/", "application/rss+xml"),
        ("/feeds/atom/", "application/atom+xml"),
    ] {
        let Some(page) = expect(r, &mut b, path, 200).await else {
            continue;
        };
        let ty = page.header("content-type").unwrap_or("");
        r.check(
            format!("{path} is {kind}"),
            ty.starts_with(kind),
            ty.to_owned(),
        );
        let feed = match feed_rs::parser::parse(page.text.as_bytes()) {
            Ok(feed) => feed,
            Err(e) => {
                r.check(format!("{path} parses as a feed"), false, e.to_string());
                continue;
            }
        };
        let titles: Vec<String> = feed
            .entries
            .iter()
            .map(|e| {
                e.title
                    .as_ref()
                    .map_or_else(String::new, |t| t.content.clone())
            })
            .collect();
        let want: Vec<String> = newest.iter().map(|p| p.title.clone()).collect();
        r.check(
            format!("{path} has the {FEED_SIZE} newest posts' titles"),
            titles == want,
            format!("{titles:?}"),
        );
        let links: Vec<String> = feed
            .entries
            .iter()
            .map(|e| e.links.first().map_or_else(String::new, |l| l.href.clone()))
            .collect();
        let want: Vec<String> = newest
            .iter()
            .map(|p| format!("{}{}", ctx.base, p.url()))
            .collect();
        r.check(
            format!("{path} links each entry to its absolute post URL"),
            links == want,
            format!("{links:?}"),
        );
        let described = feed.entries.iter().zip(&newest).all(|(e, p)| {
            let text = e
                .summary
                .as_ref()
                .map(|s| s.content.clone())
                .or_else(|| e.content.as_ref().and_then(|c| c.body.clone()))
                .unwrap_or_default();
            let first = p.body.split("\n\n").next().unwrap_or("");
            crate::html::unescape(&text).contains(first)
        });
        r.check(
            format!("{path} describes each entry by its body"),
            described,
            "a body is missing",
        );
    }

    let Some(page) = expect(r, &mut b, "/sitemap.xml", 200).await else {
        return;
    };
    let ty = page.header("content-type").unwrap_or("");
    r.check(
        "/sitemap.xml is XML",
        ty.starts_with("application/xml") || ty.starts_with("text/xml"),
        ty.to_owned(),
    );
    let locs: Vec<String> = page
        .text
        .split("<loc>")
        .skip(1)
        .filter_map(|l| {
            l.split_once("</loc>")
                .map(|(loc, _)| crate::html::unescape(loc.trim()))
        })
        .collect();
    let home = format!("{}/", ctx.base);
    let missing: Vec<String> = std::iter::once(home)
        .chain(published.iter().map(|p| format!("{}{}", ctx.base, p.url())))
        .filter(|u| !locs.contains(u))
        .collect();
    r.check(
        "/sitemap.xml lists / and every published post",
        missing.is_empty(),
        format!("missing {missing:?}"),
    );
    let future: Vec<String> = ctx
        .fixture
        .future(ctx.now)
        .iter()
        .map(|p| format!("{}{}", ctx.base, p.url()))
        .filter(|u| locs.contains(u))
        .collect();
    r.check(
        "/sitemap.xml leaves out what is not published",
        future.is_empty(),
        format!("{future:?}"),
    );
    let dated = published.iter().all(|p| {
        let url = format!("<loc>{}{}</loc>", ctx.base, p.url());
        page.text.split("<url>").any(|entry| {
            entry.contains(&url)
                && entry.contains(&format!("<lastmod>{}", p.published.format("%Y-%m-%d")))
        })
    });
    r.check(
        "/sitemap.xml dates each post by <lastmod>",
        dated,
        "a post's <lastmod> is missing or wrong",
    );
}
