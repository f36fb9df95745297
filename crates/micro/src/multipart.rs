//! `multipart/form-data` uploads (cargo feature `multipart`, on by default), parsed with multer.
//!
//! Two extractors, for two needs:
//!
//! - [`MultipartForm`] reads the whole form: text fields in memory, files in memory or in
//!   temporary files ([`UploadedFile`]), as Flask's `request.form` and `request.files`.
//! - [`Multipart`] hands over the fields one by one as they arrive, to stream a large upload
//!   wherever it should go.
//!
//! Both honour the request's body limit and a [`MultipartConfig`]: a limit hit anywhere,
//! including in the middle of the parser, is a 413, never a 400.

mod config;
mod field;
mod form;
mod rejection;
mod upload;

pub use config::MultipartConfig;
pub use field::{Field, Multipart};
pub use form::MultipartForm;
pub use upload::UploadedFile;
