//! The year, month and day archives.

use std::sync::Arc;

use chrono::Datelike;
use micro::routing::{MethodRouter, get};
use micro::{State, Templates};
use serde::Serialize;

use super::url::{Period, Span, period};
use super::{DateField, Dated, date_view_options, list_context};
use crate::query::F;
use crate::views::generic::context::template_name;
use crate::views::generic::{Context, UrlVariables};
use crate::{Column, Database, Model};

/// Django's `YearArchiveView` at `/<year>/`: `date_list`, the months of the year that have
/// rows (as `YYYY-MM-01`, in order), and `year`; `object_list` is empty unless
/// [`make_object_list`](Self::make_object_list) (as Django). Template
/// `<app>/<model>_archive_year.html`.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use fullstack::Model;
/// use fullstack::query::prelude::*;
/// use fullstack::views::generic::{DayArchiveView, MonthArchiveView, YearArchiveView};
///
/// #[derive(Model, serde::Serialize)]
/// #[model(app = "blog")]
/// struct Post {
///     id: i64,
///     pub_date: DateTime<Utc>,
/// }
///
/// let mut app = micro::App::new();
/// app.route("/posts/<int:year>/", YearArchiveView::new(Post::objects(), Post::PUB_DATE).as_view());
/// app.route("/posts/<year>/<month>/", MonthArchiveView::new(Post::objects(), Post::PUB_DATE).as_view());
/// app.route(
///     "/posts/<year>/<month>/<day>/",
///     DayArchiveView::new(Post::objects(), Post::PUB_DATE).as_view(),
/// );
/// ```
pub struct YearArchiveView<M, T> {
    dated: Dated<M, T>,
    make_object_list: bool,
}

/// Django's `MonthArchiveView` at `/<year>/<month>/`: `object_list` (latest first),
/// `date_list` (the days with rows, as `YYYY-MM-DD`, in order), `year` and `month`. Template
/// `<app>/<model>_archive_month.html`.
pub struct MonthArchiveView<M, T> {
    dated: Dated<M, T>,
}

/// Django's `DayArchiveView` at `/<year>/<month>/<day>/`: `object_list` (latest first),
/// `year`, `month` and `day`. Template `<app>/<model>_archive_day.html`.
pub struct DayArchiveView<M, T> {
    dated: Dated<M, T>,
}

/// The numbers of the period's start, and its first day as `date`.
fn date_context(context: &mut Context, period: &Period, span: Span) {
    let start = period.start;
    context.insert("year", start.year());
    if span != Span::Year {
        context.insert("month", start.month());
    }
    if span == Span::Day {
        context.insert("day", start.day());
    }
    context.insert("date", start.to_string());
}

impl<M: Model + Serialize, T: DateField> Dated<M, T> {
    /// The distinct values of `part` among the rows of `period`, in order.
    async fn parts_in(
        &self,
        db: &Database,
        period: &Period,
        part: F<M, i32>,
    ) -> Result<Vec<u32>, micro::Error> {
        let rows = self
            .rows_in(period)
            .unordered()
            .values([part.into()])
            .all(db)
            .await
            .map_err(|e| e.http_error())?;
        let mut parts = rows
            .iter()
            .map(|r| r.get::<i32>(0).map(|n| u32::try_from(n).unwrap_or(0)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.http_error())?;
        parts.sort_unstable();
        parts.dedup();
        Ok(parts)
    }

    async fn rows(&self, db: &Database, period: &Period) -> Result<Vec<M>, micro::Error> {
        self.rows_in(period)
            .all(db)
            .await
            .map_err(|e| e.http_error())
    }

    pub(super) fn template(&self, suffix: &str) -> String {
        self.template_name
            .clone()
            .unwrap_or_else(|| template_name(M::META, suffix))
    }

    pub(super) fn route<V, Fut>(
        view: Arc<V>,
        handle: fn(Arc<V>, Database, Templates, UrlVariables) -> Fut,
    ) -> MethodRouter
    where
        V: Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<micro::Html<String>, micro::Error>>
            + Send
            + 'static,
    {
        get(
            move |State(db): State<Database>, t: Templates, vars: UrlVariables| {
                handle(view.clone(), db, t, vars)
            },
        )
    }
}

impl<M: Model + Serialize, T: DateField> YearArchiveView<M, T> {
    /// The year archive of `queryset` by `field`.
    pub fn new(queryset: crate::query::QuerySet<M>, field: Column<M, T>) -> Self {
        YearArchiveView {
            dated: Dated::new(queryset, field),
            make_object_list: false,
        }
    }

    /// Whether `object_list` holds the year's rows too (one more query).
    pub fn make_object_list(mut self, make: bool) -> Self {
        self.make_object_list = make;
        self
    }

    date_view_options!();

    /// The template the view renders.
    pub fn template(&self) -> String {
        self.dated.template("_archive_year")
    }

    /// The context for the rule variables' `<year>`.
    ///
    /// # Errors
    /// A 404 for a year that is not one, or without rows unless `allow_empty`; the database's
    /// error as [`crate::Error::http_error`] says.
    pub async fn context(
        &self,
        db: &Database,
        vars: &UrlVariables,
    ) -> Result<Context, micro::Error> {
        let period = period(vars, Span::Year)?;
        let months = self
            .dated
            .parts_in(db, &period, self.dated.field.month())
            .await?;
        if months.is_empty() && !self.dated.allow_empty {
            return Err(self.dated.nothing_available());
        }
        let rows = if self.make_object_list {
            self.dated.rows(db, &period).await?
        } else {
            Vec::new()
        };
        let mut context = list_context(&rows);
        let year = period.start.year();
        let date_list: Vec<String> = months
            .iter()
            .map(|m| format!("{year:04}-{m:02}-01"))
            .collect();
        context.insert("date_list", date_list);
        date_context(&mut context, &period, Span::Year);
        context.extend(&self.dated.extra_context);
        Ok(context)
    }

    /// The view as a `GET` route.
    pub fn as_view(self) -> MethodRouter {
        Dated::<M, T>::route(Arc::new(self), |view, db, t, vars| async move {
            let context = view.context(&db, &vars).await?;
            t.render(&view.template(), context)
        })
    }
}

impl<M: Model + Serialize, T: DateField> MonthArchiveView<M, T> {
    /// The month archive of `queryset` by `field`.
    pub fn new(queryset: crate::query::QuerySet<M>, field: Column<M, T>) -> Self {
        MonthArchiveView {
            dated: Dated::new(queryset, field),
        }
    }

    date_view_options!();

    /// The template the view renders.
    pub fn template(&self) -> String {
        self.dated.template("_archive_month")
    }

    /// The context for the rule variables' `<year>/<month>`.
    ///
    /// # Errors
    /// As [`YearArchiveView::context`].
    pub async fn context(
        &self,
        db: &Database,
        vars: &UrlVariables,
    ) -> Result<Context, micro::Error> {
        let period = period(vars, Span::Month)?;
        let rows = self.dated.rows(db, &period).await?;
        if rows.is_empty() && !self.dated.allow_empty {
            return Err(self.dated.nothing_available());
        }
        let days = self
            .dated
            .parts_in(db, &period, self.dated.field.day())
            .await?;
        let mut context = list_context(&rows);
        let (year, month) = (period.start.year(), period.start.month());
        let date_list: Vec<String> = days
            .iter()
            .map(|d| format!("{year:04}-{month:02}-{d:02}"))
            .collect();
        context.insert("date_list", date_list);
        date_context(&mut context, &period, Span::Month);
        context.extend(&self.dated.extra_context);
        Ok(context)
    }

    /// The view as a `GET` route.
    pub fn as_view(self) -> MethodRouter {
        Dated::<M, T>::route(Arc::new(self), |view, db, t, vars| async move {
            let context = view.context(&db, &vars).await?;
            t.render(&view.template(), context)
        })
    }
}

impl<M: Model + Serialize, T: DateField> DayArchiveView<M, T> {
    /// The day archive of `queryset` by `field`.
    pub fn new(queryset: crate::query::QuerySet<M>, field: Column<M, T>) -> Self {
        DayArchiveView {
            dated: Dated::new(queryset, field),
        }
    }

    date_view_options!();

    /// The template the view renders.
    pub fn template(&self) -> String {
        self.dated.template("_archive_day")
    }

    /// The context for the rule variables' `<year>/<month>/<day>`.
    ///
    /// # Errors
    /// As [`YearArchiveView::context`].
    pub async fn context(
        &self,
        db: &Database,
        vars: &UrlVariables,
    ) -> Result<Context, micro::Error> {
        let period = period(vars, Span::Day)?;
        let rows = self.dated.rows(db, &period).await?;
        if rows.is_empty() && !self.dated.allow_empty {
            return Err(self.dated.nothing_available());
        }
        let mut context = list_context(&rows);
        date_context(&mut context, &period, Span::Day);
        context.extend(&self.dated.extra_context);
        Ok(context)
    }

    /// The view as a `GET` route.
    pub fn as_view(self) -> MethodRouter {
        Dated::<M, T>::route(Arc::new(self), |view, db, t, vars| async move {
            let context = view.context(&db, &vars).await?;
            t.render(&view.template(), context)
        })
    }
}
