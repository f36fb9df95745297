//! Syndication feeds (Django's `django.contrib.syndication`): a [`Feed`] of a queryset's rows,
//! served as RSS 2.0 (`rss_view`) and Atom 1.0 (`atom_view`), written by the `rss` and
//! `atom_syndication` crates (which escape every text). Links may be given as paths: they are
//! made absolute with the request's host, as Django's feeds do.
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use fullstack::Model;
//! use fullstack::query::prelude::*;
//! use fullstack::syndication::Feed;
//!
//! #[derive(Model)]
//! #[model(app = "blog", ordering = ["-published"])]
//! struct Post {
//!     id: i64,
//!     #[field(max_length = 100)]
//!     title: String,
//!     body: String,
//!     published: DateTime<Utc>,
//! }
//!
//! let feed = Feed::new("The blog", "/", "What is new on the blog", Post::objects())
//!     .item_title(|p: &Post| p.title.clone())
//!     .item_link(|p: &Post| format!("/posts/{}/", p.id))
//!     .item_description(|p: &Post| p.body.clone())
//!     .item_pubdate(|p: &Post| p.published);
//! let mut app = micro::App::new();
//! app.route("/feed/rss/", feed.clone().rss_view());
//! app.route("/feed/atom/", feed.atom_view());
//! ```

use std::sync::Arc;

use chrono::{DateTime, Utc};
use micro::http::{HeaderValue, header};
use micro::routing::{MethodRouter, get};
use micro::{IntoResponse, Request, Response, State};

use crate::query::QuerySet;
use crate::{Database, Error, Model};

type Text<M> = Arc<dyn Fn(&M) -> String + Send + Sync>;
type Moment<M> = Arc<dyn Fn(&M) -> DateTime<Utc> + Send + Sync>;
/// The queryset of a request, made when it comes.
pub(crate) type Rows<M> = Arc<dyn Fn() -> QuerySet<M> + Send + Sync>;

/// Django's default number of items in a feed is every row; a feed is read often, so here
/// it is the newest 30 unless [`limit`](Feed::limit) says otherwise.
const DEFAULT_LIMIT: u64 = 30;

/// A feed of the rows of a queryset (in its order, the first [`limit`](Self::limit)).
pub struct Feed<M> {
    title: String,
    link: String,
    description: String,
    items: Rows<M>,
    limit: u64,
    item_title: Option<Text<M>>,
    item_link: Option<Text<M>>,
    item_description: Option<Text<M>>,
    item_author: Option<Text<M>>,
    item_pubdate: Option<Moment<M>>,
}

impl<M> Clone for Feed<M> {
    fn clone(&self) -> Self {
        Feed {
            title: self.title.clone(),
            link: self.link.clone(),
            description: self.description.clone(),
            items: self.items.clone(),
            limit: self.limit,
            item_title: self.item_title.clone(),
            item_link: self.item_link.clone(),
            item_description: self.item_description.clone(),
            item_author: self.item_author.clone(),
            item_pubdate: self.item_pubdate.clone(),
        }
    }
}

/// What relative links are made absolute with: the scheme and host the client asked for, as
/// Django's `add_domain(domain, link, request.is_secure())`: `https://` when the request came
/// over HTTPS (or the proxy of `SECURE_PROXY_SSL_HEADER` says so), the host read as the
/// settings say (`USE_X_FORWARDED_HOST`) and checked against `ALLOWED_HOSTS` before any handler
/// runs. Links that are absolute already are kept as they are.
pub(crate) fn origin(req: &Request) -> String {
    let proxy = req
        .state::<crate::Settings>()
        .map(crate::Settings::trusted_proxy)
        .unwrap_or_default();
    let scheme = if proxy.is_secure(req.uri(), req.headers()) {
        "https"
    } else {
        "http"
    };
    let host = proxy.host(req.uri(), req.headers()).unwrap_or("localhost");
    format!("{scheme}://{host}")
}

pub(crate) fn absolute(origin: &str, link: &str) -> String {
    if link.starts_with("http://") || link.starts_with("https://") {
        link.to_owned()
    } else if link.starts_with('/') {
        format!("{origin}{link}")
    } else {
        format!("{origin}/{link}")
    }
}

impl<M: Model> Feed<M> {
    /// A feed titled `title`, linking to `link` (the site's page the feed follows), described
    /// by `description`, of the rows of `items`.
    pub fn new(
        title: impl Into<String>,
        link: impl Into<String>,
        description: impl Into<String>,
        items: QuerySet<M>,
    ) -> Self {
        Feed {
            title: title.into(),
            link: link.into(),
            description: description.into(),
            items: Arc::new(move || items.clone()),
            limit: DEFAULT_LIMIT,
            item_title: None,
            item_link: None,
            item_description: None,
            item_author: None,
            item_pubdate: None,
        }
    }

    /// The rows come from `f`, called for each request (Django's `items()` method), instead
    /// of the queryset given to [`new`](Self::new): a filter on the time, such as the posts
    /// published by now, is then the request's, not the start-up's.
    ///
    /// ```
    /// # use chrono::{DateTime, Utc};
    /// # use fullstack::Model;
    /// # use fullstack::query::prelude::*;
    /// # use fullstack::syndication::Feed;
    /// # #[derive(Model)]
    /// # #[model(app = "blog")]
    /// # struct Post { id: i64, #[field(max_length = 100)] title: String, published: DateTime<Utc> }
    /// let feed = Feed::new("The blog", "/", "New posts", Post::objects())
    ///     .items_with(|| Post::objects().filter(Post::PUBLISHED.lte(Utc::now())))
    ///     .item_title(|p: &Post| p.title.clone());
    /// # let _ = feed;
    /// ```
    #[must_use]
    pub fn items_with(mut self, f: impl Fn() -> QuerySet<M> + Send + Sync + 'static) -> Self {
        self.items = Arc::new(f);
        self
    }

    /// How many rows the feed holds (30).
    #[must_use]
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = n;
        self
    }

    /// Each item's title.
    #[must_use]
    pub fn item_title(mut self, f: impl Fn(&M) -> String + Send + Sync + 'static) -> Self {
        self.item_title = Some(Arc::new(f));
        self
    }

    /// Each item's link (a path is made absolute with the request's host); also its unique
    /// id in the feed.
    #[must_use]
    pub fn item_link(mut self, f: impl Fn(&M) -> String + Send + Sync + 'static) -> Self {
        self.item_link = Some(Arc::new(f));
        self
    }

    /// Each item's description, as text (escaped into RSS's HTML description, and an Atom
    /// `text` summary): a reader shows it as the item's summary.
    #[must_use]
    pub fn item_description(mut self, f: impl Fn(&M) -> String + Send + Sync + 'static) -> Self {
        self.item_description = Some(Arc::new(f));
        self
    }

    /// Each item's author's name.
    #[must_use]
    pub fn item_author(mut self, f: impl Fn(&M) -> String + Send + Sync + 'static) -> Self {
        self.item_author = Some(Arc::new(f));
        self
    }

    /// When each item was published (and, in Atom, last updated).
    #[must_use]
    pub fn item_pubdate(mut self, f: impl Fn(&M) -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.item_pubdate = Some(Arc::new(f));
        self
    }

    async fn rows(&self, db: &Database) -> Result<Vec<M>, Error> {
        (self.items)().limit(self.limit).all(db).await
    }

    fn text(f: &Option<Text<M>>, row: &M) -> Option<String> {
        f.as_ref().map(|f| f(row))
    }

    /// The feed as RSS 2.0, links made absolute with `origin` (`https://example.com`).
    ///
    /// # Errors
    /// The database's error.
    pub async fn rss(&self, db: &Database, origin: &str) -> Result<String, Error> {
        let rows = self.rows(db).await?;
        let items: Vec<rss::Item> = rows
            .iter()
            .map(|row| {
                let link = Self::text(&self.item_link, row).map(|l| absolute(origin, &l));
                let mut item = rss::Item::default();
                item.set_title(Self::text(&self.item_title, row));
                // RSS readers show a description as HTML: the text is escaped into it, so
                // what the user typed reads as text and never runs.
                item.set_description(
                    Self::text(&self.item_description, row)
                        .map(|d| quick_xml::escape::escape(d.as_str()).into_owned()),
                );
                item.set_author(Self::text(&self.item_author, row));
                item.set_pub_date(self.item_pubdate.as_ref().map(|f| f(row).to_rfc2822()));
                item.set_guid(link.clone().map(|l| rss::Guid {
                    value: l,
                    permalink: true,
                }));
                item.set_link(link);
                item
            })
            .collect();
        let mut channel = rss::Channel::default();
        channel.set_title(self.title.clone());
        channel.set_link(absolute(origin, &self.link));
        channel.set_description(self.description.clone());
        channel.set_items(items);
        if let Some(newest) = self.newest(&rows) {
            channel.set_last_build_date(newest.to_rfc2822());
        }
        Ok(channel.to_string())
    }

    /// The newest publication date of `rows`, when the feed has dates.
    fn newest(&self, rows: &[M]) -> Option<DateTime<Utc>> {
        let f = self.item_pubdate.as_ref()?;
        rows.iter().map(|r| f(r)).max()
    }

    /// The feed as Atom 1.0, links made absolute with `origin`.
    ///
    /// # Errors
    /// The database's error.
    pub async fn atom(&self, db: &Database, origin: &str) -> Result<String, Error> {
        use atom_syndication::{Content, Entry, Link, Person, Text as AtomText};
        let rows = self.rows(db).await?;
        // Atom requires an `updated` on the feed and each entry: the newest date, else now.
        let fallback = self.newest(&rows).unwrap_or_else(Utc::now).fixed_offset();
        let entries: Vec<Entry> = rows
            .iter()
            .map(|row| {
                let link = Self::text(&self.item_link, row).map(|l| absolute(origin, &l));
                let when = self
                    .item_pubdate
                    .as_ref()
                    .map_or(fallback, |f| f(row).fixed_offset());
                let mut entry = Entry::default();
                entry.set_title(AtomText::plain(
                    Self::text(&self.item_title, row).unwrap_or_default(),
                ));
                entry.set_id(link.clone().unwrap_or_default());
                entry.set_updated(when);
                entry.set_published(Some(when));
                if let Some(link) = link {
                    let mut l = Link::default();
                    l.set_href(link);
                    l.set_rel("alternate");
                    entry.set_links(vec![l]);
                }
                if let Some(author) = Self::text(&self.item_author, row) {
                    let mut p = Person::default();
                    p.set_name(author);
                    entry.set_authors(vec![p]);
                }
                if let Some(summary) = Self::text(&self.item_description, row) {
                    entry.set_summary(Some(AtomText::plain(summary.clone())));
                    let mut c = Content::default();
                    c.set_value(Some(summary));
                    c.set_content_type(Some("text".to_owned()));
                    entry.set_content(Some(c));
                }
                entry
            })
            .collect();
        let mut feed = atom_syndication::Feed::default();
        let home = absolute(origin, &self.link);
        feed.set_title(AtomText::plain(self.title.clone()));
        feed.set_subtitle(Some(AtomText::plain(self.description.clone())));
        feed.set_id(home.clone());
        feed.set_updated(fallback);
        let mut l = Link::default();
        l.set_href(home);
        l.set_rel("alternate");
        feed.set_links(vec![l]);
        feed.set_entries(entries);
        Ok(feed.to_string())
    }
}

impl<M: Model> Feed<M> {
    fn view(self, atom: bool) -> MethodRouter {
        let feed = Arc::new(self);
        get(move |State(db): State<Database>, req: Request| {
            let feed = feed.clone();
            async move {
                let origin = origin(&req);
                let (body, kind) = if atom {
                    (
                        feed.atom(&db, &origin).await,
                        "application/atom+xml; charset=utf-8",
                    )
                } else {
                    (
                        feed.rss(&db, &origin).await,
                        "application/rss+xml; charset=utf-8",
                    )
                };
                let body = body.map_err(|e| e.http_error())?;
                let mut res: Response = body.into_response();
                res.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
                Ok::<_, micro::Error>(res)
            }
        })
    }

    /// The feed as RSS 2.0 at a `GET` route (`application/rss+xml`).
    pub fn rss_view(self) -> MethodRouter {
        self.view(false)
    }

    /// The feed as Atom 1.0 at a `GET` route (`application/atom+xml`).
    pub fn atom_view(self) -> MethodRouter {
        self.view(true)
    }
}

#[cfg(test)]
mod tests {
    use super::absolute;

    #[test]
    fn paths_become_absolute_links() {
        assert_eq!(absolute("http://h", "/a/"), "http://h/a/");
        assert_eq!(absolute("http://h", "a/"), "http://h/a/");
        assert_eq!(absolute("http://h", "https://x.org/a"), "https://x.org/a");
    }
}
