//! Binding forms in handlers: [`FormData`] as an extractor, and [`FormResult`], the typed form
//! of a page that shows a form and takes it back.

use micro::{BodyUse, Bytes, Error, FromRequest, Method, MultipartForm, Request};

use super::{BoundForm, Form, FormData};

/// Reads a urlencoded or multipart body (or, for `GET` and `HEAD`, the query string).
///
/// Another content type is a 415; a malformed multipart body a 400; a body over the limit a 413.
/// Text that is not UTF-8 is not an error here: the field it belongs to reports it.
impl FromRequest for FormData {
    type Rejection = Error;
    const BODY: BodyUse = BodyUse::Reads;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        if req.method() == Method::GET || req.method() == Method::HEAD {
            return Ok(FormData::from_urlencoded(
                req.query_string().unwrap_or("").as_bytes(),
            ));
        }
        let media = req.header(http::header::CONTENT_TYPE).map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
        match media.as_deref() {
            Some("multipart/form-data") => Ok(FormData::from_multipart(
                MultipartForm::from_request(req).await?,
            )),
            Some("application/x-www-form-urlencoded") => {
                Ok(FormData::from_urlencoded(&Bytes::from_request(req).await?))
            }
            // A POST without a body (a button outside any field) has no type.
            None => {
                let body = Bytes::from_request(req).await?;
                if body.is_empty() {
                    Ok(FormData::new())
                } else {
                    Err(unsupported(None))
                }
            }
            Some(other) => Err(unsupported(Some(other))),
        }
    }
}

fn unsupported(got: Option<&str>) -> Error {
    Error::new(
        415,
        format!(
            "Unsupported Media Type: a form is sent as application/x-www-form-urlencoded or \
             multipart/form-data, not {}",
            got.unwrap_or("a body without a Content-Type")
        ),
    )
}

/// A form page's request: shown empty on `GET`, bound and cleaned on the other methods.
///
/// Invalid data is not an error response: the handler gets the bound form with its errors
/// and the values sent, and shows the page again (status 200, as Django). Only a body that is
/// not a form at all is refused (see [`FormData`]'s extractor).
///
/// ```
/// use fullstack::forms::{Form, FormResult};
/// use micro::{Error, Html, Redirect, Templates, context, IntoResponse, Response};
///
/// #[derive(Form)]
/// struct Contact {
///     #[form(max_length = 100)]
///     subject: String,
///     #[form(kind = "email")]
///     sender: String,
/// }
///
/// async fn contact(t: Templates, form: FormResult<Contact>) -> Result<Response, Error> {
///     match form {
///         FormResult::Valid(contact, _) => {
///             let _ = (contact.subject, contact.sender);
///             Ok(Redirect::see_other("/thanks").into_response())
///         }
///         FormResult::Unbound(form) | FormResult::Invalid(form) => {
///             Ok(t.render("contact.html", context! { form })?.into_response())
///         }
///     }
/// }
/// ```
#[derive(Debug)]
pub enum FormResult<T> {
    /// A `GET`: the form shown empty.
    Unbound(BoundForm),
    /// Data that did not validate: the form with its errors and the values sent.
    Invalid(BoundForm),
    /// Valid data, as the typed value, and the form.
    Valid(T, BoundForm),
}

impl<T> FormResult<T> {
    /// The value when valid, else the form to show.
    ///
    /// # Errors
    /// The form to show (unbound or invalid).
    pub fn valid(self) -> Result<T, BoundForm> {
        match self {
            FormResult::Valid(value, _) => Ok(value),
            FormResult::Unbound(form) | FormResult::Invalid(form) => Err(form),
        }
    }

    /// The form, whatever happened.
    pub fn form(&self) -> &BoundForm {
        match self {
            FormResult::Unbound(form) | FormResult::Invalid(form) | FormResult::Valid(_, form) => {
                form
            }
        }
    }
}

impl<T: Form> FromRequest for FormResult<T> {
    type Rejection = Error;
    const BODY: BodyUse = BodyUse::Reads;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        if req.method() == Method::GET || req.method() == Method::HEAD {
            return Ok(FormResult::Unbound(T::unbound()));
        }
        let data = FormData::from_request(req).await?;
        Ok(match T::bind(data) {
            Ok((value, form)) => FormResult::Valid(value, form),
            Err(form) => FormResult::Invalid(form),
        })
    }
}
