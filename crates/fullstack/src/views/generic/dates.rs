//! The date-based archives (Django's `django.views.generic.dates`): the rows of a year, a
//! month or a day by a date or datetime field, and one row of a day. Dates come from the rule
//! variables `<year>`, `<month>` (a number, `09` or `9`) and `<day>`; one that is not a date
//! (`2021/13/`, `2021/02/30/`) is a 404, and rows dated in the future are left out unless
//! `allow_future(true)`. Datetimes are cut into days in UTC.

mod archive;
mod date_field;
mod detail;
mod index;
mod url;

pub use archive::{DayArchiveView, MonthArchiveView, YearArchiveView};
pub use date_field::DateField;
pub use detail::DateDetailView;
pub use index::ArchiveIndexView;

use serde::Serialize;

use super::Context;
use crate::query::QuerySet;
use crate::{Column, Model};

/// What every date view holds: the rows, the date field and Django's options.
struct Dated<M, T> {
    queryset: QuerySet<M>,
    field: Column<M, T>,
    allow_future: bool,
    allow_empty: bool,
    template_name: Option<String>,
    extra_context: Context,
}

impl<M: Model, T: DateField> Dated<M, T> {
    fn new(queryset: QuerySet<M>, field: Column<M, T>) -> Self {
        Dated {
            queryset,
            field,
            allow_future: false,
            // Django's date views 404 on an empty period (list views show an empty page).
            allow_empty: false,
            template_name: None,
            extra_context: Context::new(),
        }
    }

    /// The rows dated in `range` (and not in the future unless allowed), latest first.
    fn rows_in(&self, range: &url::Period) -> QuerySet<M> {
        let mut qs = self
            .queryset
            .clone()
            .filter(self.field.gte(T::start_of(range.start)))
            .filter(self.field.lt(T::start_of(range.end)));
        if !self.allow_future {
            qs = qs.filter(self.field.lte(T::now()));
        }
        qs.order_by([self.field.desc()])
    }

    /// Django's 404 for a period without rows.
    fn nothing_available(&self) -> micro::Error {
        micro::Error::new(
            micro::StatusCode::NOT_FOUND,
            format!("No {} available", M::META.verbose_name_plural()),
        )
    }
}

/// The builder methods every date view shares.
macro_rules! date_view_options {
    () => {
        /// Whether rows dated after now are shown (`false`: they are a 404, as Django).
        pub fn allow_future(mut self, allow: bool) -> Self {
            self.dated.allow_future = allow;
            self
        }

        /// Whether a period without rows is shown (`false`: it is a 404, as Django).
        pub fn allow_empty(mut self, allow: bool) -> Self {
            self.dated.allow_empty = allow;
            self
        }

        /// The template to render instead of the default one.
        pub fn template_name(mut self, name: impl Into<String>) -> Self {
            self.dated.template_name = Some(name.into());
            self
        }

        /// A value every rendering gets (Django's `extra_context`).
        pub fn extra_context(
            mut self,
            name: impl Into<String>,
            value: impl serde::Serialize,
        ) -> Self {
            self.dated.extra_context.insert(name, value);
            self
        }
    };
}
use date_view_options;

/// The context the archives share: `object_list`, `<model>_list`, then `extra` values.
fn list_context<M: Model + Serialize>(rows: &[M]) -> Context {
    let mut context = Context::new();
    context.insert("object_list", rows);
    context.insert(
        format!("{}_list", super::context::model_name(M::META)),
        rows,
    );
    context
}
