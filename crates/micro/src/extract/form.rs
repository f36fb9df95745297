use serde::de::DeserializeOwned;

use super::{FromRequest, field_error, media_type, read_body, unsupported_media_type};
use crate::{Error, Request};

/// An `application/x-www-form-urlencoded` form, deserialised into `T`. For `GET` and `HEAD`
/// requests the query string is read instead, as browsers send GET forms there.
///
/// ```
/// use micro::{Form, Redirect};
///
/// #[derive(serde::Deserialize)]
/// struct Login { username: String, password: String }
///
/// async fn login(Form(form): Form<Login>) -> Redirect {
///     let _ = (form.username, form.password);
///     Redirect::see_other("/")
/// }
/// ```
///
/// Another content type is a 415, a body over the limit a 413, and a missing or invalid field a
/// 422 naming the field.
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

/// The urlencoded body a [`Form`] read, kept in `g` for templates' `request.form`.
#[cfg(feature = "templates")]
#[derive(Clone)]
pub(crate) struct ReadForm(pub(crate) bytes::Bytes);

impl<T: DeserializeOwned + Send> FromRequest for Form<T> {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        if req.method() == http::Method::GET || req.method() == http::Method::HEAD {
            return super::query::parse(req.query_string().unwrap_or("")).map(Form);
        }
        if media_type(req).as_deref() != Some("application/x-www-form-urlencoded") {
            return Err(unsupported_media_type(
                "application/x-www-form-urlencoded",
                req,
            ));
        }
        let bytes = read_body(req).await?;
        // Kept for `request.form` in templates, also when a field is invalid and the page shows
        // the form again. A clone of `Bytes` is a reference count.
        #[cfg(feature = "templates")]
        req.g().insert(ReadForm(bytes.clone()));
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(&bytes));
        serde_path_to_error::deserialize(de)
            .map(Form)
            .map_err(|err| {
                field_error(
                    http::StatusCode::UNPROCESSABLE_ENTITY,
                    "form data",
                    err.path(),
                    &err.inner().to_string(),
                )
            })
    }
}
