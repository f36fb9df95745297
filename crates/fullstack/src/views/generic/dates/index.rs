//! `ArchiveIndexView`: the latest rows by date, the front page of a blog.

use std::sync::Arc;

use micro::http::Uri;
use micro::routing::{MethodRouter, get};
use micro::{State, Templates};
use serde::Serialize;

use super::{DateField, Dated, date_view_options};
use crate::query::QuerySet;
use crate::views::generic::{Context, ListView};
use crate::{Column, Database, Model};

/// Django's `ArchiveIndexView`: the rows of `queryset` newest first by `field`, none dated in
/// the future unless [`allow_future`](Self::allow_future), decided at each request, as
/// `object_list` (also `latest` and `<model>_list`), a page at a time with
/// [`paginate_by`](Self::paginate_by) (`page_obj`, `paginator`, `is_paginated`, as
/// [`ListView`]); `date_list` holds the years that have rows (`YYYY-01-01`, newest first).
/// Without rows it is a 404 unless `allow_empty(true)`. Template `<app>/<model>_archive.html`.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use fullstack::Model;
/// use fullstack::query::prelude::*;
/// use fullstack::views::generic::ArchiveIndexView;
///
/// #[derive(Model, serde::Serialize)]
/// #[model(app = "blog")]
/// struct Post {
///     id: i64,
///     published: DateTime<Utc>,
/// }
///
/// let mut app = micro::App::new();
/// app.route("/", ArchiveIndexView::new(Post::objects(), Post::PUBLISHED).paginate_by(5).as_view());
/// ```
pub struct ArchiveIndexView<M, T> {
    dated: Dated<M, T>,
    paginate_by: Option<u64>,
}

impl<M: Model + Serialize, T: DateField> ArchiveIndexView<M, T> {
    /// The latest rows of `queryset` by `field`.
    pub fn new(queryset: QuerySet<M>, field: Column<M, T>) -> Self {
        ArchiveIndexView {
            dated: Dated::new(queryset, field),
            paginate_by: None,
        }
    }

    /// Shows `per_page` rows a page (`?page=N`, `?page=last`; another page is a 404).
    pub fn paginate_by(mut self, per_page: u64) -> Self {
        self.paginate_by = Some(per_page);
        self
    }

    date_view_options!();

    /// The template the view renders.
    pub fn template(&self) -> String {
        self.dated.template("_archive")
    }

    /// The context for the request's query string `query`: a query for the years, then the
    /// page's (a `COUNT(*)` and the page when paginated); the years also tell an empty list,
    /// so no query more is needed to refuse one.
    ///
    /// # Errors
    /// A 404 for a page that does not exist, or for no rows unless `allow_empty`; the
    /// database's error as [`crate::Error::http_error`] says.
    pub async fn context(
        &self,
        db: &Database,
        query: Option<&str>,
    ) -> Result<Context, micro::Error> {
        let field = &self.dated.field;
        let mut qs = self.dated.queryset.clone();
        if !self.dated.allow_future {
            qs = qs.filter(field.lte(T::now()));
        }
        let rows = qs
            .clone()
            .unordered()
            .values([field.year().into()])
            .all(db)
            .await
            .map_err(|e| e.http_error())?;
        let mut years = rows
            .iter()
            .map(|r| r.get::<i32>(0))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.http_error())?;
        if years.is_empty() && !self.dated.allow_empty {
            return Err(self.dated.nothing_available());
        }
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        let mut list = ListView::new(qs.order_by([field.desc()]));
        if let Some(per_page) = self.paginate_by {
            list = list.paginate_by(per_page);
        }
        let mut context = list.context(db, query).await?;
        if let Some(latest) = context.get("object_list").cloned() {
            context.insert("latest", latest);
        }
        let date_list: Vec<String> = years.iter().map(|y| format!("{y:04}-01-01")).collect();
        context.insert("date_list", date_list);
        context.extend(&self.dated.extra_context);
        Ok(context)
    }

    /// The view as a `GET` route.
    pub fn as_view(self) -> MethodRouter {
        let view = Arc::new(self);
        get(move |State(db): State<Database>, t: Templates, uri: Uri| {
            let view = view.clone();
            async move {
                let context = view.context(&db, uri.query()).await?;
                t.render(&view.template(), context)
            }
        })
    }
}
