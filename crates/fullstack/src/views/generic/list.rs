//! `ListView`: the rows of a queryset in a template, a page at a time if asked.

use std::sync::Arc;

use micro::http::Uri;
use micro::routing::{MethodRouter, get};
use micro::{State, Templates};
use serde::Serialize;

use super::Context;
use super::context::{model_name, template_name};
use crate::pagination::{PageNumber, Paginator};
use crate::query::QuerySet;
use crate::{Database, Model};

/// Django's `ListView`: renders `<app>/<model>_list.html` with `object_list` (also
/// `<model>_list`), and when paginated `page_obj`, `paginator` and `is_paginated` (`null`,
/// `null` and `false` when not). The page comes from `?page=` (a number or `last`); a page that
/// does not exist is a 404.
///
/// ```
/// use fullstack::Model;
/// use fullstack::query::prelude::*;
/// use fullstack::views::generic::ListView;
///
/// #[derive(Model, serde::Serialize)]
/// #[model(app = "blog")]
/// struct Post {
///     id: i64,
///     #[field(max_length = 200)]
///     title: String,
/// }
///
/// let mut app = micro::App::new();
/// app.route(
///     "/posts/",
///     ListView::new(Post::objects().order_by([Post::ID.desc()])).paginate_by(10).as_view(),
/// );
/// ```
pub struct ListView<M> {
    queryset: QuerySet<M>,
    paginate_by: Option<u64>,
    paginate_orphans: u64,
    allow_empty: bool,
    page_kwarg: String,
    template_name: Option<String>,
    context_object_name: Option<String>,
    extra_context: Context,
}

impl<M: Model + Serialize> ListView<M> {
    /// A view of every row of `queryset`, unpaginated, an empty list allowed.
    pub fn new(queryset: QuerySet<M>) -> Self {
        ListView {
            queryset,
            paginate_by: None,
            paginate_orphans: 0,
            allow_empty: true,
            page_kwarg: PageNumber::PARAM.to_owned(),
            template_name: None,
            context_object_name: None,
            extra_context: Context::new(),
        }
    }

    /// Shows `per_page` rows a page.
    pub fn paginate_by(mut self, per_page: u64) -> Self {
        self.paginate_by = Some(per_page);
        self
    }

    /// A last page of `orphans` rows or fewer joins the page before (see
    /// [`Paginator::orphans`]).
    pub fn paginate_orphans(mut self, orphans: u64) -> Self {
        self.paginate_orphans = orphans;
        self
    }

    /// Whether an empty list is shown (`true`) or is a 404.
    pub fn allow_empty(mut self, allow: bool) -> Self {
        self.allow_empty = allow;
        self
    }

    /// The query parameter holding the page number (`page`).
    pub fn page_kwarg(mut self, name: impl Into<String>) -> Self {
        self.page_kwarg = name.into();
        self
    }

    /// The template to render instead of `<app>/<model>_list.html`.
    pub fn template_name(mut self, name: impl Into<String>) -> Self {
        self.template_name = Some(name.into());
        self
    }

    /// The second name of the list in the context, instead of `<model>_list`.
    pub fn context_object_name(mut self, name: impl Into<String>) -> Self {
        self.context_object_name = Some(name.into());
        self
    }

    /// A value every rendering gets (Django's `extra_context`).
    pub fn extra_context(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
        self.extra_context.insert(name, value);
        self
    }

    /// The template the view renders.
    pub fn template(&self) -> String {
        self.template_name
            .clone()
            .unwrap_or_else(|| template_name(M::META, "_list"))
    }

    /// The context for the page `query` (a request's query string) asks for: two queries when
    /// paginated (a `COUNT(*)` and the page), one when not.
    ///
    /// # Errors
    /// A 404 for a page that does not exist or an empty list not allowed; the database's
    /// error as [`crate::Error::http_error`] says.
    pub async fn context(
        &self,
        db: &Database,
        query: Option<&str>,
    ) -> Result<Context, micro::Error> {
        let mut context = Context::new();
        let name = self
            .context_object_name
            .clone()
            .unwrap_or_else(|| format!("{}_list", model_name(M::META)));
        match self.paginate_by {
            Some(per_page) => {
                let paginator = Paginator::for_queryset(&self.queryset, db, per_page)
                    .await
                    .map_err(|e| e.http_error())?
                    .orphans(self.paginate_orphans)
                    .allow_empty_first_page(self.allow_empty);
                if paginator.count() == 0 && !self.allow_empty {
                    return Err(self.empty_list());
                }
                let param = PageNumber::from_query_param(query, &self.page_kwarg);
                let number = paginator.parse_number(param.as_deref())?;
                let page = paginator
                    .page_of_queryset(&self.queryset, db, number)
                    .await?;
                context.insert("object_list", &page.object_list);
                context.insert(name, &page.object_list);
                context.insert("is_paginated", page.has_other_pages());
                context.insert("paginator", page.paginator());
                context.insert("page_obj", &page);
            }
            None => {
                let rows = self.queryset.all(db).await.map_err(|e| e.http_error())?;
                if rows.is_empty() && !self.allow_empty {
                    return Err(self.empty_list());
                }
                context.insert("object_list", &rows);
                context.insert(name, &rows);
                context.insert("is_paginated", false);
                context.insert("paginator", ());
                context.insert("page_obj", ());
            }
        }
        context.extend(&self.extra_context);
        Ok(context)
    }

    /// Django's 404 when `allow_empty` is off and there is nothing to show.
    fn empty_list(&self) -> micro::Error {
        micro::Error::new(
            micro::StatusCode::NOT_FOUND,
            "Empty list and “ListView.allow_empty” is False.",
        )
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
