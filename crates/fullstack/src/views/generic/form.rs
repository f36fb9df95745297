//! Django's `FormView`: a form that is not a model's (a contact form, a search, a sign-up
//! step), shown, checked, and handed to your code when valid.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use micro::http::Method;
use micro::routing::{MethodRouter, get};
use micro::{IntoResponse, State, Templates, context};
use serde::Serialize;

use super::Context;
use crate::forms::{Form, FormData};
use crate::{Database, Error};

type OnValid<F> =
    dyn Fn(Database, F) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>> + Send + Sync;

/// Django's `FormView`: `GET` shows `template` with an empty `form`; `POST` binds the form:
/// invalid data is the form again with its errors (200, nothing lost), valid data goes to
/// `on_valid` (Django's `form_valid`) and the view redirects (303) to the success URL.
///
/// ```
/// use fullstack::forms::Form;
/// use fullstack::views::generic::FormView;
///
/// #[derive(Form)]
/// struct Contact {
///     #[form(max_length = 100)]
///     email: String,
///     message: String,
/// }
///
/// let view = FormView::new("contact.html", |_db, contact: Contact| async move {
///     println!("message from {}: {} bytes", contact.email, contact.message.len());
///     Ok(())
/// })
/// .success_url("/thanks/");
/// let mut app = micro::App::new();
/// app.route("/contact/", view.as_view());
/// ```
pub struct FormView<F> {
    template_name: String,
    success_url: String,
    extra_context: Context,
    on_valid: Arc<OnValid<F>>,
}

impl<F: Form> FormView<F> {
    /// The view of `F` on `template_name`, whose valid submissions `on_valid` receives (with
    /// the database, for what it does with them). An error it returns is the request's error
    /// (a 500, or what the error says).
    pub fn new<Fut>(
        template_name: impl Into<String>,
        on_valid: impl Fn(Database, F) -> Fut + Send + Sync + 'static,
    ) -> Self
    where
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        FormView {
            template_name: template_name.into(),
            success_url: "/".to_owned(),
            extra_context: Context::new(),
            on_valid: Arc::new(move |db, value| Box::pin(on_valid(db, value))),
        }
    }

    /// Where a valid POST goes (303). `/` by default.
    #[must_use]
    pub fn success_url(mut self, url: impl Into<String>) -> Self {
        self.success_url = url.into();
        self
    }

    /// A value every rendering gets (Django's `extra_context`).
    #[must_use]
    pub fn extra_context(mut self, name: impl Into<String>, value: impl Serialize) -> Self {
        self.extra_context.insert(name, value);
        self
    }

    /// The view as a `GET` and `POST` route.
    pub fn as_view(self) -> MethodRouter {
        let view = Arc::new(self);
        let handler = move |State(db): State<Database>,
                            t: Templates,
                            method: Method,
                            data: Option<FormData>| {
            let view = view.clone();
            async move {
                let extra = micro::minijinja::Value::from(micro::minijinja::value::Serde(
                    &view.extra_context,
                ));
                let Some(data) = data.filter(|_| method == Method::POST) else {
                    let form = F::unbound();
                    return Ok::<_, micro::Error>(
                        t.render(&view.template_name, context! { form, ..extra })?
                            .into_response(),
                    );
                };
                match F::bind(data) {
                    Ok((value, _)) => {
                        (view.on_valid)(db, value)
                            .await
                            .map_err(|e| e.http_error())?;
                        Ok(micro::Redirect::see_other(view.success_url.clone()).into_response())
                    }
                    Err(form) => Ok(t
                        .render(&view.template_name, context! { form, ..extra })?
                        .into_response()),
                }
            }
        };
        get(handler.clone()).post(handler)
    }
}
