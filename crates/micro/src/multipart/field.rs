//! The streaming multipart extractor: fields one after another, each read chunk by chunk.

use bytes::{Bytes, BytesMut};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, StatusCode};
use http_body_util::{BodyDataStream, Limited};

use super::MultipartConfig;
use super::rejection::{field_too_large, from_multer, missing_boundary};
use crate::extract::BodyUse;
use crate::extract::{media_type, refuse_declared_overflow, take_body, unsupported_media_type};
use crate::{Error, FromRequest, Request};

/// A `multipart/form-data` body read field by field, as it arrives: nothing is buffered, so a
/// handler can stream an upload wherever it wants. For Flask's `request.form` and
/// `request.files`, take [`MultipartForm`](super::MultipartForm) instead.
///
/// ```
/// use micro::{Error, Multipart};
///
/// async fn upload(mut multipart: Multipart) -> Result<String, Error> {
///     let mut report = Vec::new();
///     while let Some(mut field) = multipart.next_field().await? {
///         let mut size = 0;
///         while let Some(chunk) = field.chunk().await? {
///             size += chunk.len(); // write it somewhere instead
///         }
///         report.push(format!("{}: {size} bytes", field.name()));
///     }
///     Ok(report.join("\n"))
/// }
/// ```
///
/// Another content type is a 415, a missing boundary or a malformed body a 400, and a body,
/// field or part count over the limits of the [`MultipartConfig`] a 413, wherever in the body the
/// limit is hit. The configuration comes from the request extensions (a layer may put one
/// there), else the app state, else the defaults.
pub struct Multipart {
    inner: multer::Multipart<'static>,
    config: MultipartConfig,
    body_limit: usize,
    parts: usize,
}

impl std::fmt::Debug for Multipart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multipart")
            .field("config", &self.config)
            .field("body_limit", &self.body_limit)
            .field("parts", &self.parts)
            .finish_non_exhaustive()
    }
}

impl FromRequest for Multipart {
    type Rejection = Error;
    const BODY: BodyUse = BodyUse::Reads;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        let config = MultipartConfig::for_request(req);
        Multipart::with_config(req, config)
    }
}

impl Multipart {
    /// Reads the body of `req` with `config` rather than the app's, for one handler:
    ///
    /// ```
    /// use micro::{Error, Multipart, MultipartConfig, Request};
    ///
    /// async fn avatar(mut req: Request) -> Result<String, Error> {
    ///     let config = MultipartConfig::new().max_file_size(256 * 1024).in_memory();
    ///     let form = Multipart::with_config(&mut req, config)?.into_form().await?;
    ///     Ok(format!("{} file(s)", form.files().len()))
    /// }
    /// ```
    ///
    /// # Errors
    /// 415, 400 or 413 as for the extractor, before any of the body is read.
    pub fn with_config(req: &mut Request, config: MultipartConfig) -> Result<Self, Error> {
        if media_type(req).as_deref() != Some("multipart/form-data") {
            return Err(unsupported_media_type("multipart/form-data", req));
        }
        let content_type = req.header(CONTENT_TYPE).unwrap_or_default();
        let boundary = multer::parse_boundary(content_type).map_err(|err| match err {
            multer::Error::NoBoundary => missing_boundary(),
            other => Error::bad_request(format!("Invalid multipart content type: {other}.")),
        })?;
        refuse_declared_overflow(req)?;
        let body_limit = req.body_limit();
        // The body limit is enforced twice: by `Limited` on the bytes read (which also covers
        // bodies without a length) and by multer on what it parses; both end as a 413.
        let stream = BodyDataStream::new(Limited::new(
            take_body(req, std::any::type_name::<Multipart>())?,
            body_limit,
        ));
        let constraints = multer::Constraints::new()
            .size_limit(multer::SizeLimit::new().whole_stream(body_limit as u64));
        Ok(Multipart {
            inner: multer::Multipart::with_constraints(stream, boundary, constraints),
            config,
            body_limit,
            parts: 0,
        })
    }

    /// The next field, or `None` at the end of the body. The previous field must be dropped (or
    /// consumed) first; whatever of it was not read is skipped.
    ///
    /// # Errors
    /// 400 for a malformed body, 413 past a limit.
    pub async fn next_field(&mut self) -> Result<Option<Field>, Error> {
        let next = self
            .inner
            .next_field()
            .await
            .map_err(|err| from_multer(err, self.body_limit))?;
        let Some(inner) = next else {
            return Ok(None);
        };
        self.parts += 1;
        if self.parts > self.config.max_parts {
            return Err(Error::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "The multipart body has more than {} parts.",
                    self.config.max_parts
                ),
            ));
        }
        let limit = if inner.file_name().is_some() {
            self.config.max_file_size.unwrap_or(usize::MAX)
        } else {
            self.config.max_text_size
        };
        Ok(Some(Field {
            inner,
            limit,
            read: 0,
            body_limit: self.body_limit,
        }))
    }

    /// The configuration this body is read with.
    pub fn config(&self) -> &MultipartConfig {
        &self.config
    }
}

/// One part of a multipart body: a text field, or a file when it has a file name.
pub struct Field {
    inner: multer::Field<'static>,
    limit: usize,
    read: usize,
    body_limit: usize,
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field")
            .field("name", &self.name())
            .field("file_name", &self.file_name())
            .field("content_type", &self.content_type())
            .finish_non_exhaustive()
    }
}

impl Field {
    /// The form field's name (empty when the part has none).
    pub fn name(&self) -> &str {
        self.inner.name().unwrap_or_default()
    }

    /// The file name exactly as the client sent it, for files. Never use it as a path: see
    /// [`secure_filename`](crate::secure_filename).
    pub fn file_name(&self) -> Option<&str> {
        self.inner.file_name()
    }

    /// Whether the part is a file (it has a file name, possibly empty).
    pub fn is_file(&self) -> bool {
        self.file_name().is_some()
    }

    /// The part's `Content-Type`, as the client claims it.
    pub fn content_type(&self) -> Option<&str> {
        self.headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }

    /// All the part's headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The next chunk of the part's data, or `None` at its end.
    ///
    /// # Errors
    /// 413 past the field's limit (or the body's), 400 for a malformed or broken body.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        let chunk = self
            .inner
            .chunk()
            .await
            .map_err(|err| from_multer(err, self.body_limit))?;
        if let Some(chunk) = &chunk {
            self.read += chunk.len();
            if self.read > self.limit {
                return Err(field_too_large(self.name(), self.limit));
            }
        }
        Ok(chunk)
    }

    /// The whole data of the part, in memory (within the field's limit).
    ///
    /// # Errors
    /// As [`chunk`](Self::chunk).
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let mut all = BytesMut::new();
        while let Some(chunk) = self.chunk().await? {
            all.extend_from_slice(&chunk);
        }
        Ok(all.freeze())
    }

    /// The whole data of the part as text.
    ///
    /// # Errors
    /// As [`chunk`](Self::chunk), and 400 when the data is not UTF-8.
    pub async fn text(self) -> Result<String, Error> {
        let name = self.name().to_owned();
        let bytes = self.bytes().await?;
        String::from_utf8(bytes.into())
            .map_err(|_| Error::bad_request(format!("The field `{name}` is not valid UTF-8.")))
    }
}
