//! A whole multipart form, collected: Flask's `request.form` and `request.files` in one value.

use serde::de::DeserializeOwned;

use super::upload::receive;
use super::{Multipart, UploadedFile};
use crate::extract::BodyUse;
use crate::extract::field_error;
use crate::{Error, FromRequest, Request};

/// A `multipart/form-data` body read whole: its text fields and its files
/// ([`UploadedFile`]), Flask's `request.form` and `request.files`.
///
/// ```
/// use micro::{Error, MultipartForm, abort};
///
/// async fn upload(form: MultipartForm) -> Result<String, Error> {
///     let title = form.text("title").unwrap_or("untitled");
///     let Some(photo) = form.file("photo") else {
///         return Err(Error::bad_request("no photo"));
///     };
///     Ok(format!("{title}: {} ({} bytes)", photo.filename(), photo.len()))
/// }
/// ```
///
/// Text fields are held in memory within [`max_text_size`](super::MultipartConfig::max_text_size);
/// files are kept in memory or spooled to temporary files, see
/// [`MultipartConfig`](super::MultipartConfig). A file input left empty (browsers send a part
/// with an empty file name and no data) is left out, so `form.file("photo")` is `None` then.
/// Errors are those of [`Multipart`].
#[derive(Debug, Default)]
pub struct MultipartForm {
    texts: Vec<(String, String)>,
    files: Vec<UploadedFile>,
}

impl FromRequest for MultipartForm {
    type Rejection = Error;
    const BODY: BodyUse = BodyUse::Reads;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        Multipart::from_request(req).await?.into_form().await
    }
}

impl Multipart {
    /// Reads the rest of the body into a [`MultipartForm`].
    ///
    /// # Errors
    /// As [`next_field`](Self::next_field) and [`Field::chunk`](super::Field::chunk), and 500 when
    /// a temporary file cannot be written.
    pub async fn into_form(mut self) -> Result<MultipartForm, Error> {
        let mut form = MultipartForm::default();
        while let Some(field) = self.next_field().await? {
            if field.is_file() {
                let file = receive(field, self.config()).await?;
                if !(file.raw_filename().is_empty() && file.is_empty()) {
                    form.files.push(file);
                }
            } else {
                let name = field.name().to_owned();
                form.texts.push((name, field.text().await?));
            }
        }
        Ok(form)
    }
}

impl MultipartForm {
    /// The first value of the text field `name`: `request.form.get(name)`.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of the text field `name`, in order: `request.form.getlist(name)`.
    pub fn text_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.texts
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every text field as `(name, value)`, in order.
    pub fn texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.texts.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The first file of the field `name`: `request.files.get(name)`.
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.iter().find(|file| file.name() == name)
    }

    /// Every file of the field `name` (an `<input type=file multiple>`), in order:
    /// `request.files.getlist(name)`.
    pub fn file_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a UploadedFile> {
        self.files.iter().filter(move |file| file.name() == name)
    }

    /// Every file, in order.
    pub fn files(&self) -> &[UploadedFile] {
        &self.files
    }

    /// Takes the first file of the field `name` out of the form, to
    /// [`persist`](UploadedFile::persist) it.
    pub fn take_file(&mut self, name: &str) -> Option<UploadedFile> {
        let at = self.files.iter().position(|file| file.name() == name)?;
        Some(self.files.remove(at))
    }

    /// Deserialises the text fields into `T`, as [`Form<T>`](crate::Form) does for urlencoded
    /// bodies; a missing or invalid field is a 422 naming it.
    ///
    /// ```
    /// # async fn f(form: micro::MultipartForm) -> Result<(), micro::Error> {
    /// #[derive(serde::Deserialize)]
    /// struct Meta { title: String, tags: Option<String> }
    ///
    /// let meta: Meta = form.deserialize()?;
    /// # let _ = (meta.title, meta.tags); Ok(()) }
    /// ```
    ///
    /// # Errors
    /// 422 when the fields do not fit `T`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let pairs = self.texts.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
        serde_path_to_error::deserialize(de).map_err(|err| {
            field_error(
                http::StatusCode::UNPROCESSABLE_ENTITY,
                "form data",
                err.path(),
                &err.inner().to_string(),
            )
        })
    }
}
