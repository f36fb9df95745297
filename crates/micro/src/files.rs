//! Files from disk: the static folder, `send_file` and `send_from_directory`, cache-busting URLs.
//!
//! Serving is tower-http's `ServeDir`, which already does conditional requests (`ETag`,
//! `Last-Modified`, 304 and 412), single ranges (206, 416), HEAD and content types. micro wraps it
//! thinly: file names are checked before they reach the file system, symlinks may not lead out
//! of the folder, `If-Range` is honoured, `Cache-Control` and `Content-Disposition` are added, and
//! ServeDir's error statuses become [`Error`](crate::Error)s that the app's error handlers render.

mod backend;
mod headers;
mod safe_path;
mod send_file;
mod static_files;

pub use send_file::{SendFile, send_file, send_from_directory};
pub use static_files::StaticFiles;

pub(crate) use static_files::StaticConfig;
