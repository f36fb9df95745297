//! The `feeds` blueprint: RSS 2.0 and Atom 1.0 of the newest posts (the `rss` and
//! `atom_syndication` crates write and escape the XML), and the sitemap (a template, which
//! autoescapes `.xml`).

use atom_syndication as atom;
use chrono::Utc;
use micro::http::header::CONTENT_TYPE;
use micro::{Blueprint, Error, Request, State, Templates, context};

use crate::db::{Db, Post};

const FEED_SIZE: i64 = 10;
/// Enough for every post of a personal blog; a sitemap may list 50,000 URLs.
const SITEMAP_SIZE: i64 = 50_000;

pub(crate) fn blueprint() -> Blueprint {
    let mut bp = Blueprint::new("feeds", "");
    bp.get("/feeds/rss/", rss);
    bp.get("/feeds/atom/", atom);
    bp.get("/sitemap.xml", sitemap);
    bp
}

/// `http://` and the request's host: what absolute URLs start with (the app answers only
/// its `TRUSTED_HOSTS`, see `app()`).
fn site(req: &Request) -> String {
    format!("http://{}", req.host().unwrap_or("localhost"))
}

async fn newest(db: &Db, limit: i64) -> Result<Vec<Post>, Error> {
    Ok(db.published(Utc::now().timestamp(), limit, 0).await?)
}

type Xml = ([(micro::http::HeaderName, &'static str); 1], String);

async fn rss(db: State<Db>, req: Request) -> Result<Xml, Error> {
    let site = site(&req);
    let items = newest(&db, FEED_SIZE)
        .await?
        .into_iter()
        .map(|post| {
            let link = format!("{site}{}", post.url);
            rss::ItemBuilder::default()
                .title(post.title)
                .guid(rss::Guid {
                    value: link.clone(),
                    permalink: true,
                })
                .link(link)
                .description(post.body)
                .pub_date(post.published.to_rfc2822())
                .build()
        })
        .collect::<Vec<_>>();
    let channel = rss::ChannelBuilder::default()
        .title("blog-micro")
        .link(format!("{site}/"))
        .description("The newest posts of blog-micro")
        .items(items)
        .build();
    Ok((
        [(CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
        channel.to_string(),
    ))
}

async fn atom(db: State<Db>, req: Request) -> Result<Xml, Error> {
    let site = site(&req);
    let posts = newest(&db, FEED_SIZE).await?;
    let entries = posts
        .iter()
        .map(|post| {
            let link = format!("{site}{}", post.url);
            atom::Entry {
                title: atom::Text::plain(&post.title),
                id: link.clone(),
                updated: post.published.fixed_offset(),
                published: Some(post.published.fixed_offset()),
                authors: vec![atom::Person {
                    name: post.author.clone(),
                    ..Default::default()
                }],
                links: vec![atom::Link {
                    href: link,
                    ..Default::default()
                }],
                summary: Some(atom::Text::plain(&post.body)),
                ..Default::default()
            }
        })
        .collect();
    let feed = atom::Feed {
        title: atom::Text::plain("blog-micro"),
        id: format!("{site}/"),
        updated: posts
            .first()
            .map_or_else(Utc::now, |p| p.published)
            .fixed_offset(),
        links: vec![atom::Link {
            href: format!("{site}/"),
            ..Default::default()
        }],
        entries,
        ..Default::default()
    };
    Ok((
        [(CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed.to_string(),
    ))
}

async fn sitemap(t: Templates, db: State<Db>, req: Request) -> Result<Xml, Error> {
    let posts = newest(&db, SITEMAP_SIZE).await?;
    let xml = t.render_string("sitemap.xml", context! { site => site(&req), posts })?;
    Ok(([(CONTENT_TYPE, "application/xml; charset=utf-8")], xml))
}
