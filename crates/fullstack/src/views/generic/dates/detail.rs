//! `DateDetailView`: one row of a day, by key or slug.

use std::sync::Arc;

use micro::Templates;
use micro::routing::MethodRouter;
use serde::Serialize;

use super::url::{Span, period};
use super::{DateField, Dated, date_view_options};
use crate::views::generic::context::{model_name, not_found};
use crate::views::generic::detail::{Lookup, find};
use crate::views::generic::{Context, UrlVariables};
use crate::{Column, Database, Model};

/// Django's `DateDetailView` at `/<year>/<month>/<day>/<pk>/` (or `<slug>` with
/// [`slug_field`](Self::slug_field)): the row with that key dated that day, rendered with
/// `<app>/<model>_detail.html` as `object` and `<model>`. A row of another day, a future one
/// (unless `allow_future(true)`), or a date that is not one is a 404.
///
/// ```
/// use chrono::NaiveDate;
/// use fullstack::Model;
/// use fullstack::query::prelude::*;
/// use fullstack::views::generic::DateDetailView;
///
/// #[derive(Model, serde::Serialize)]
/// #[model(app = "blog")]
/// struct Post {
///     id: i64,
///     #[field(max_length = 50)]
///     slug: String,
///     published: NaiveDate,
/// }
///
/// let mut app = micro::App::new();
/// app.route(
///     "/posts/<year>/<month>/<day>/<slug>/",
///     DateDetailView::new(Post::objects(), Post::PUBLISHED).slug_field(Post::SLUG).as_view(),
/// );
/// ```
pub struct DateDetailView<M, T> {
    dated: Dated<M, T>,
    lookup: Lookup<M>,
}

impl<M: Model + Serialize, T: DateField> DateDetailView<M, T> {
    /// The row of `queryset` whose `field` falls on the rule's day and whose key is `<pk>`.
    pub fn new(queryset: crate::query::QuerySet<M>, field: Column<M, T>) -> Self {
        DateDetailView {
            dated: Dated::new(queryset, field),
            lookup: Lookup::Pk {
                kwarg: "pk".to_owned(),
            },
        }
    }

    /// Finds the row by `column`, equal to the `<slug>` rule variable.
    pub fn slug_field(mut self, column: Column<M, String>) -> Self {
        self.lookup = Lookup::Slug {
            column,
            kwarg: "slug".to_owned(),
        };
        self
    }

    date_view_options!();

    /// The template the view renders.
    pub fn template(&self) -> String {
        self.dated.template("_detail")
    }

    /// The object the request names (one query).
    ///
    /// # Errors
    /// A 404 when there is none that day (or it is in the future and that is not allowed),
    /// or the date is not one; the database's error as [`crate::Error::http_error`] says.
    pub async fn object(&self, db: &Database, vars: &UrlVariables) -> Result<M, micro::Error> {
        let period = period(vars, Span::Day)?;
        let day = self.dated.rows_in(&period).unordered();
        find(&day, &self.lookup, db, vars).await.map_err(|e| {
            if e.status() == 404 {
                not_found(M::META)
            } else {
                e
            }
        })
    }

    /// The context for `object`: `object`, `<model>` and the extra context.
    pub fn context(&self, object: &M) -> Context {
        let mut context = Context::new();
        context.insert("object", object);
        context.insert(model_name(M::META), object);
        context.extend(&self.dated.extra_context);
        context
    }

    /// The view as a `GET` route.
    pub fn as_view(self) -> MethodRouter {
        Dated::<M, T>::route(Arc::new(self), |view, db, t: Templates, vars| async move {
            let object = view.object(&db, &vars).await?;
            t.render(&view.template(), view.context(&object))
        })
    }
}
