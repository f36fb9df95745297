//! Django's editing views on [`ModelForm`]: [`CreateView`] and [`UpdateView`] show the form
//! (`<app>/<model>_form.html`) and save it, [`DeleteView`] asks (`<app>/<model>_confirm_delete.html`)
//! and deletes. Invalid data is the form again with its errors (200); a saved or deleted row
//! redirects (303) to the success URL, whose `{pk}` is the row's key.

use std::sync::Arc;

use micro::http::Method;
use micro::routing::{MethodRouter, get};
use micro::{IntoResponse, Response, State, Templates, context};
use serde::Serialize;

use super::context::template_name;
use super::detail::{Lookup, find};
use super::{Context, UrlVariables};
use crate::forms::{FormData, ModelFields, ModelForm};
use crate::query::QuerySet;
use crate::{Database, Model, Value};

/// The fields a create or update view's form edits.
#[derive(Debug, Clone)]
enum Fields {
    Only(Vec<&'static str>),
    Exclude(Vec<&'static str>),
}

/// What the editing views share: the form's fields, the template, where to go after.
#[derive(Debug, Clone)]
struct Editing {
    fields: Fields,
    template_name: Option<String>,
    success_url: String,
    extra_context: Context,
}

impl Editing {
    fn new(fields: &[&'static str]) -> Self {
        Editing {
            fields: Fields::Only(fields.to_vec()),
            template_name: None,
            success_url: "/".to_owned(),
            extra_context: Context::new(),
        }
    }

    async fn form<M: Model>(&self, db: &Database) -> Result<ModelForm<M>, micro::Error> {
        let fields = match &self.fields {
            Fields::Only(names) => ModelFields::Only(names),
            Fields::Exclude(names) => ModelFields::Exclude(names),
        };
        ModelForm::<M>::builder(fields)
            .build(db)
            .await
            .map_err(|e| e.http_error())
    }

    fn template<M: Model>(&self, suffix: &str) -> String {
        self.template_name
            .clone()
            .unwrap_or_else(|| template_name(M::META, suffix))
    }
}

/// `success_url` with `{pk}` replaced by the row's key.
fn success_url<M: Model>(url: &str, row: &M) -> String {
    let key = match row.pk() {
        Value::SmallInt(n) => n.to_string(),
        Value::Int(n) => n.to_string(),
        Value::BigInt(n) => n.to_string(),
        Value::Uuid(u) => u.to_string(),
        Value::Text(t) => form_urlencoded::byte_serialize(t.as_bytes()).collect(),
        _ => String::new(),
    };
    url.replace("{pk}", &key)
}

fn redirect(to: String) -> Response {
    micro::Redirect::see_other(to).into_response()
}

/// The options of every editing view: where it goes after, its template, its extra context.
macro_rules! view_options {
    () => {
        /// Where a successful POST goes (303); `{pk}` is replaced by the row's key. `/` by
        /// default.
        pub fn success_url(mut self, url: impl Into<String>) -> Self {
            self.editing.success_url = url.into();
            self
        }

        /// The template to render instead of Django's default name.
        pub fn template_name(mut self, name: impl Into<String>) -> Self {
            self.editing.template_name = Some(name.into());
            self
        }

        /// A value every rendering gets (Django's `extra_context`).
        pub fn extra_context(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
            self.editing.extra_context.insert(name, value);
            self
        }
    };
}

/// The options of the views with a form: [`view_options`]'s, and which fields it edits.
macro_rules! form_options {
    () => {
        view_options!();

        /// The form edits every editable field but these, instead of the ones given.
        pub fn exclude(mut self, names: &[&'static str]) -> Self {
            self.editing.fields = Fields::Exclude(names.to_vec());
            self
        }
    };
}

/// Django's `CreateView`: `GET` shows `<app>/<model>_form.html` with an empty `form`, `POST`
/// saves a new row from it and redirects to the success URL, or shows the form again with its
/// errors.
///
/// ```
/// use fullstack::Model;
/// use fullstack::views::generic::CreateView;
///
/// #[derive(Model, serde::Serialize)]
/// #[model(app = "blog")]
/// struct Post { id: i64, #[field(max_length = 100)] title: String }
///
/// let mut app = micro::App::new();
/// app.route("/posts/new/", CreateView::<Post>::new(&["title"]).success_url("/posts/{pk}/").as_view());
/// ```
pub struct CreateView<M> {
    editing: Editing,
    _model: std::marker::PhantomData<fn() -> M>,
}

impl<M: Model + Serialize> CreateView<M> {
    /// A view whose form edits `fields`.
    pub fn new(fields: &[&'static str]) -> Self {
        CreateView {
            editing: Editing::new(fields),
            _model: std::marker::PhantomData,
        }
    }

    form_options!();

    /// The view as a `GET` and `POST` route.
    pub fn as_view(self) -> MethodRouter {
        let view = Arc::new(self);
        let handler = move |State(db): State<Database>,
                            t: Templates,
                            method: Method,
                            data: Option<FormData>| {
            let view = view.clone();
            async move {
                let e = &view.editing;
                let form = e.form::<M>(&db).await?;
                let template = e.template::<M>("_form");
                let extra =
                    micro::minijinja::Value::from(micro::minijinja::value::Serde(&e.extra_context));
                let data = data.filter(|_| method == Method::POST);
                let Some(data) = data else {
                    let form = form.unbound();
                    return Ok::<_, micro::Error>(
                        t.render(&template, context! { form, ..extra })?
                            .into_response(),
                    );
                };
                match form
                    .save(&db, data, None)
                    .await
                    .map_err(|e| e.http_error())?
                {
                    Ok(row) => Ok(redirect(success_url(&e.success_url, &row))),
                    Err(form) => Ok(t
                        .render(&template, context! { form, ..extra })?
                        .into_response()),
                }
            }
        };
        get(handler.clone()).post(handler)
    }
}

/// Django's `UpdateView`: the row of a queryset named by `<pk>`, its `form` on
/// `<app>/<model>_form.html` (with `object`), saved by a `POST`; a missing row is a 404.
pub struct UpdateView<M> {
    queryset: QuerySet<M>,
    editing: Editing,
}

impl<M: Model + Serialize> UpdateView<M> {
    /// A view of `queryset`'s rows whose form edits `fields`.
    pub fn new(queryset: QuerySet<M>, fields: &[&'static str]) -> Self {
        UpdateView {
            queryset,
            editing: Editing::new(fields),
        }
    }

    form_options!();

    /// The view as a `GET` and `POST` route; the rule has a `<pk>`.
    pub fn as_view(self) -> MethodRouter {
        let view = Arc::new(self);
        let handler = move |State(db): State<Database>,
                            t: Templates,
                            method: Method,
                            vars: UrlVariables,
                            data: Option<FormData>| {
            let view = view.clone();
            async move {
                let lookup = Lookup::Pk {
                    kwarg: "pk".to_owned(),
                };
                let object = find(&view.queryset, &lookup, &db, &vars).await?;
                let e = &view.editing;
                let form = e.form::<M>(&db).await?;
                let template = e.template::<M>("_form");
                let extra =
                    micro::minijinja::Value::from(micro::minijinja::value::Serde(&e.extra_context));
                let data = data.filter(|_| method == Method::POST);
                let Some(data) = data else {
                    let form = form
                        .for_instance(&db, &object)
                        .await
                        .map_err(|e| e.http_error())?;
                    return Ok::<_, micro::Error>(
                        t.render(&template, context! { form, object => &object, ..extra })?
                            .into_response(),
                    );
                };
                match form
                    .save(&db, data, Some(&object))
                    .await
                    .map_err(|e| e.http_error())?
                {
                    Ok(row) => Ok(redirect(success_url(&e.success_url, &row))),
                    Err(form) => Ok(t
                        .render(&template, context! { form, object => &object, ..extra })?
                        .into_response()),
                }
            }
        };
        get(handler.clone()).post(handler)
    }
}

/// Django's `DeleteView`: `GET` asks on `<app>/<model>_confirm_delete.html` (with `object`),
/// `POST` deletes the row (and what its `on_delete` rules take with it) and redirects; a row
/// that others protect is a 409, a missing one a 404.
pub struct DeleteView<M> {
    queryset: QuerySet<M>,
    editing: Editing,
}

impl<M: Model + Serialize> DeleteView<M> {
    /// A view of `queryset`'s rows.
    pub fn new(queryset: QuerySet<M>) -> Self {
        DeleteView {
            queryset,
            editing: Editing::new(&[]),
        }
    }

    view_options!();

    /// The view as a `GET` and `POST` route; the rule has a `<pk>`.
    pub fn as_view(self) -> MethodRouter {
        let view = Arc::new(self);
        let handler =
            move |State(db): State<Database>, t: Templates, method: Method, vars: UrlVariables| {
                let view = view.clone();
                async move {
                    let lookup = Lookup::Pk {
                        kwarg: "pk".to_owned(),
                    };
                    let object = find(&view.queryset, &lookup, &db, &vars).await?;
                    let e = &view.editing;
                    if method != Method::POST {
                        let template = e.template::<M>("_confirm_delete");
                        let extra = micro::minijinja::Value::from(micro::minijinja::value::Serde(
                            &e.extra_context,
                        ));
                        return Ok(t
                            .render(&template, context! { object => &object, ..extra })?
                            .into_response());
                    }
                    crate::query::ModelExt::delete(&object, &db)
                        .await
                        .map_err(|e| e.http_error())?;
                    // (A protected row is `Error::Protected`: its HTTP error is a 409.)
                    Ok::<_, micro::Error>(redirect(success_url(&e.success_url, &object)))
                }
            };
        get(handler.clone()).post(handler)
    }
}
