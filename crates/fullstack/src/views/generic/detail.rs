//! `DetailView`: one row, found by the primary key or a slug in the URL.

use std::sync::Arc;

use micro::routing::{MethodRouter, get};
use micro::{State, Templates};
use serde::Serialize;

use super::context::{model_name, not_found, template_name};
use super::{Context, UrlVariables};
use crate::query::{Executor, Q, QuerySet};
use crate::{Column, ColumnType, Database, Model, ModelMeta, Value};

/// How a detail view finds its object: by the `<pk>` rule variable, or a slug column by the
/// `<slug>` one.
pub(super) enum Lookup<M> {
    Pk {
        kwarg: String,
    },
    Slug {
        column: Column<M, String>,
        kwarg: String,
    },
}

/// Django's `DetailView`: the row of a queryset whose primary key is the rule's `<pk>` (or
/// whose slug is `<slug>`, with [`slug_field`](Self::slug_field)), rendered with
/// `<app>/<model>_detail.html` as `object` and `<model>`. No such row, or a `<pk>` that is not
/// a key at all (`/posts/abc/`), is a 404.
///
/// ```
/// use fullstack::Model;
/// use fullstack::query::prelude::*;
/// use fullstack::views::generic::DetailView;
///
/// #[derive(Model, serde::Serialize)]
/// #[model(app = "blog")]
/// struct Post {
///     id: i64,
///     #[field(max_length = 50, unique)]
///     slug: String,
/// }
///
/// let mut app = micro::App::new();
/// app.route("/posts/<pk>/", DetailView::new(Post::objects()).as_view());
/// app.route("/p/<slug>/", DetailView::new(Post::objects()).slug_field(Post::SLUG).as_view());
/// ```
pub struct DetailView<M> {
    queryset: QuerySet<M>,
    lookup: Lookup<M>,
    template_name: Option<String>,
    context_object_name: Option<String>,
    extra_context: Context,
}

impl<M: Model + Serialize> DetailView<M> {
    /// A view of the row of `queryset` named by the `<pk>` rule variable.
    pub fn new(queryset: QuerySet<M>) -> Self {
        DetailView {
            queryset,
            lookup: Lookup::Pk {
                kwarg: "pk".to_owned(),
            },
            template_name: None,
            context_object_name: None,
            extra_context: Context::new(),
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

    /// The rule variable holding the key or the slug, instead of `pk` or `slug`.
    pub fn url_kwarg(mut self, name: impl Into<String>) -> Self {
        match &mut self.lookup {
            Lookup::Pk { kwarg } | Lookup::Slug { kwarg, .. } => *kwarg = name.into(),
        }
        self
    }

    /// The template to render instead of `<app>/<model>_detail.html`.
    pub fn template_name(mut self, name: impl Into<String>) -> Self {
        self.template_name = Some(name.into());
        self
    }

    /// The second name of the object in the context, instead of `<model>`.
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
            .unwrap_or_else(|| template_name(M::META, "_detail"))
    }

    /// The object the rule variables `vars` name (one query).
    ///
    /// # Errors
    /// A 404 when there is none; a 500 naming the missing variable when the rule has neither;
    /// the database's error as [`crate::Error::http_error`] says.
    pub async fn object(&self, db: &Database, vars: &UrlVariables) -> Result<M, micro::Error> {
        find(&self.queryset, &self.lookup, db, vars).await
    }

    /// The context for `object`: `object`, `<model>` and the extra context.
    pub fn context(&self, object: &M) -> Context {
        let mut context = Context::new();
        context.insert("object", object);
        let name = self
            .context_object_name
            .clone()
            .unwrap_or_else(|| model_name(M::META));
        context.insert(name, object);
        context.extend(&self.extra_context);
        context
    }

    /// The view as a `GET` route.
    pub fn as_view(self) -> MethodRouter {
        let view = Arc::new(self);
        get(
            move |State(db): State<Database>, t: Templates, vars: UrlVariables| {
                let view = view.clone();
                async move {
                    let object = view.object(&db, &vars).await?;
                    t.render(&view.template(), view.context(&object))
                }
            },
        )
    }
}

/// The row of `queryset` that `lookup` names in `req` (Django's `SingleObjectMixin.get_object`).
pub(super) async fn find<M: Model, E: Executor>(
    queryset: &QuerySet<M>,
    lookup: &Lookup<M>,
    ex: E,
    vars: &UrlVariables,
) -> Result<M, micro::Error> {
    let filter = match lookup {
        Lookup::Pk { kwarg } => {
            let raw = url_variable(vars, kwarg, M::META)?;
            // A pk that cannot be a key names no row: the 404 of a missing one.
            let value = pk_value(M::META, raw).ok_or_else(|| not_found(M::META))?;
            Q::pk_eq(value)
        }
        Lookup::Slug { column, kwarg } => column.eq(url_variable(vars, kwarg, M::META)?),
    };
    match queryset.clone().filter(filter).get(ex).await {
        Ok(object) => Ok(object),
        Err(crate::Error::DoesNotExist { .. }) => Err(not_found(M::META)),
        Err(e) => Err(e.http_error()),
    }
}

fn url_variable<'r>(
    vars: &'r UrlVariables,
    name: &str,
    meta: &ModelMeta,
) -> Result<&'r str, micro::Error> {
    vars.get(name).ok_or_else(|| {
        // Django's AttributeError: the URL rule is the project's bug, not the client's.
        micro::Error::internal(format!(
            "Generic detail view for {} must be called with either an object pk or a slug in the URLconf (the rule has no <{name}>).",
            meta.name
        ))
    })
}

/// `raw` as a value of the primary key's type, if it is one.
fn pk_value(meta: &ModelMeta, raw: &str) -> Option<Value> {
    match meta.pk().ty {
        ColumnType::SmallInt => raw.parse().ok().map(Value::SmallInt),
        ColumnType::Int => raw.parse().ok().map(Value::Int),
        ColumnType::BigInt => raw.parse().ok().map(Value::BigInt),
        ColumnType::Uuid => raw.parse().ok().map(Value::Uuid),
        ColumnType::VarChar | ColumnType::Text => Some(Value::Text(raw.to_owned())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::ModelExt;

    #[derive(crate::Model, Serialize)]
    #[model(app = "blog")]
    struct BlogPost {
        id: i64,
    }

    #[test]
    fn a_pk_that_is_not_a_key_is_no_value_and_defaults_follow_django() {
        assert_eq!(pk_value(BlogPost::META, "12"), Some(Value::BigInt(12)));
        assert_eq!(pk_value(BlogPost::META, "12abc"), None);
        assert_eq!(pk_value(BlogPost::META, "-"), None);
        let view = DetailView::new(BlogPost::objects());
        assert_eq!(view.template(), "blog/blogpost_detail.html");
        let context = view.context(&BlogPost { id: 3 });
        assert_eq!(context.get("object").unwrap()["id"], 3);
        assert_eq!(context.get("blogpost").unwrap()["id"], 3);
    }
}
