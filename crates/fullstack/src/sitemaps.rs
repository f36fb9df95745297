//! `sitemap.xml` (Django's `django.contrib.sitemaps`): the site's pages for search engines, as
//! the sitemaps.org protocol lists them: fixed paths, and the rows of querysets, each with its
//! location and, when known, when it last changed. Locations given as paths are made absolute
//! with the request's host, as the [feeds](crate::syndication) make their links; every text is
//! escaped.
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use fullstack::Model;
//! use fullstack::query::prelude::*;
//! use fullstack::sitemaps::Sitemap;
//!
//! #[derive(Model)]
//! #[model(app = "blog")]
//! struct Post { id: i64, #[field(max_length = 50)] slug: String, updated: DateTime<Utc> }
//!
//! let sitemap = Sitemap::new()
//!     .pages(["/", "/about/"])
//!     .rows(Post::objects(), |p: &Post| format!("/posts/{}/", p.slug), Some(|p: &Post| p.updated));
//! let mut app = micro::App::new();
//! app.route("/sitemap.xml", sitemap.as_view());
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use micro::http::{HeaderValue, header};
use micro::routing::{MethodRouter, get};
use micro::{IntoResponse, Request, Response, State};

use crate::query::QuerySet;
use crate::{Database, Error, Model};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The protocol's limit of locations in one sitemap file.
const MAX_URLS: u64 = 50_000;

/// One location: where, and when it last changed.
struct Url {
    loc: String,
    lastmod: Option<DateTime<Utc>>,
}

/// A part of the sitemap: its locations, read when the sitemap is asked for.
trait Section: Send + Sync {
    fn urls<'a>(&'a self, db: &'a Database) -> BoxFuture<'a, Result<Vec<Url>, Error>>;
}

struct Pages(Vec<String>);

impl Section for Pages {
    fn urls<'a>(&'a self, _: &'a Database) -> BoxFuture<'a, Result<Vec<Url>, Error>> {
        let urls = self
            .0
            .iter()
            .map(|loc| Url {
                loc: loc.clone(),
                lastmod: None,
            })
            .collect();
        Box::pin(async move { Ok(urls) })
    }
}

type Location<M> = Arc<dyn Fn(&M) -> String + Send + Sync>;
type LastModified<M> = Option<Arc<dyn Fn(&M) -> DateTime<Utc> + Send + Sync>>;

struct Rows<M> {
    queryset: crate::syndication::Rows<M>,
    location: Location<M>,
    lastmod: LastModified<M>,
}

impl<M: Model> Section for Rows<M> {
    fn urls<'a>(&'a self, db: &'a Database) -> BoxFuture<'a, Result<Vec<Url>, Error>> {
        Box::pin(async move {
            let rows = (self.queryset)().limit(MAX_URLS).all(db).await?;
            Ok(rows
                .iter()
                .map(|row| Url {
                    loc: (self.location)(row),
                    lastmod: self.lastmod.as_ref().map(|f| f(row)),
                })
                .collect())
        })
    }
}

/// The site's `sitemap.xml`.
#[derive(Clone, Default)]
pub struct Sitemap {
    sections: Vec<Arc<dyn Section>>,
}

impl std::fmt::Debug for Sitemap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sitemap")
            .field("sections", &self.sections.len())
            .finish()
    }
}

impl Sitemap {
    /// An empty sitemap.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fixed pages, by path or absolute URL (Django's sitemap of static views).
    #[must_use]
    pub fn pages<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> Self {
        self.sections
            .push(Arc::new(Pages(paths.into_iter().map(Into::into).collect())));
        self
    }

    /// A page per row of `queryset` (at most 50,000, the protocol's limit): its location, and
    /// when it last changed if `lastmod` says.
    #[must_use]
    pub fn rows<M: Model>(
        self,
        queryset: QuerySet<M>,
        location: impl Fn(&M) -> String + Send + Sync + 'static,
        lastmod: Option<impl Fn(&M) -> DateTime<Utc> + Send + Sync + 'static>,
    ) -> Self {
        self.rows_with(move || queryset.clone(), location, lastmod)
    }

    /// [`rows`](Self::rows) of the queryset `f` makes for each request (Django's `items()`),
    /// so that a filter on the time (the posts published by now) is the request's.
    #[must_use]
    pub fn rows_with<M: Model>(
        mut self,
        f: impl Fn() -> QuerySet<M> + Send + Sync + 'static,
        location: impl Fn(&M) -> String + Send + Sync + 'static,
        lastmod: Option<impl Fn(&M) -> DateTime<Utc> + Send + Sync + 'static>,
    ) -> Self {
        self.sections.push(Arc::new(Rows {
            queryset: Arc::new(f),
            location: Arc::new(location),
            lastmod: lastmod.map(|f| Arc::new(f) as Arc<dyn Fn(&M) -> DateTime<Utc> + Send + Sync>),
        }));
        self
    }

    /// The sitemap's XML, locations made absolute with `origin` (`https://example.com`).
    ///
    /// # Errors
    /// The database's error.
    pub async fn xml(&self, db: &Database, origin: &str) -> Result<String, Error> {
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for section in &self.sections {
            for url in section.urls(db).await? {
                let loc = crate::syndication::absolute(origin, &url.loc);
                out.push_str("<url><loc>");
                out.push_str(&quick_xml::escape::escape(loc.as_str()));
                out.push_str("</loc>");
                if let Some(at) = url.lastmod {
                    out.push_str("<lastmod>");
                    out.push_str(&at.format("%Y-%m-%d").to_string());
                    out.push_str("</lastmod>");
                }
                out.push_str("</url>\n");
            }
        }
        out.push_str("</urlset>\n");
        Ok(out)
    }

    /// The sitemap at a `GET` route (`application/xml`).
    pub fn as_view(self) -> MethodRouter {
        let sitemap = Arc::new(self);
        get(move |State(db): State<Database>, req: Request| {
            let sitemap = sitemap.clone();
            async move {
                let body = sitemap
                    .xml(&db, &crate::syndication::origin(&req))
                    .await
                    .map_err(|e| e.http_error())?;
                let mut res: Response = body.into_response();
                res.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/xml; charset=utf-8"),
                );
                Ok::<_, micro::Error>(res)
            }
        })
    }
}
