//! The limits and storage of multipart uploads.

use std::path::{Path, PathBuf};

use crate::Request;

/// Limits and storage for [`Multipart`](super::Multipart) and
/// [`MultipartForm`](super::MultipartForm).
///
/// The whole body is always bounded by the request's body limit
/// ([`Request::body_limit`](crate::Request::body_limit): 2 MiB unless the app or the route
/// raises it). Within it:
///
/// | setting | default | over it |
/// |---|---|---|
/// | [`max_text_size`](Self::max_text_size): each text field | 500 KB (Werkzeug's `max_form_memory_size`) | 413 |
/// | [`max_file_size`](Self::max_file_size): each file | none but the body limit | 413 |
/// | [`max_parts`](Self::max_parts): fields and files together | 1,000 (Werkzeug's `max_form_parts`) | 413 |
/// | [`memory_threshold`](Self::memory_threshold): larger files go to a temporary file | 500 KB | |
/// | [`temp_dir`](Self::temp_dir): where those temporary files go | the system's | |
///
/// Register it as app state for the whole app, or pass it to
/// [`Multipart::with_config`](super::Multipart::with_config) for one handler:
///
/// ```
/// use micro::{App, MultipartConfig};
///
/// let mut app = App::new();
/// app.body_limit(50 * 1024 * 1024); // uploads up to 50 MiB
/// app.state(
///     MultipartConfig::new()
///         .max_file_size(20 * 1024 * 1024)
///         .temp_dir("/var/tmp/uploads"),
/// );
/// ```
#[derive(Debug, Clone)]
pub struct MultipartConfig {
    pub(crate) max_text_size: usize,
    pub(crate) max_file_size: Option<usize>,
    pub(crate) max_parts: usize,
    pub(crate) memory_threshold: usize,
    pub(crate) temp_dir: Option<PathBuf>,
}

impl Default for MultipartConfig {
    fn default() -> Self {
        MultipartConfig {
            max_text_size: 500_000,
            max_file_size: None,
            max_parts: 1000,
            memory_threshold: 500_000,
            temp_dir: None,
        }
    }
}

impl MultipartConfig {
    /// The defaults.
    pub fn new() -> Self {
        MultipartConfig::default()
    }

    /// The most bytes one text field (a part without a file name) may have.
    pub fn max_text_size(mut self, bytes: usize) -> Self {
        self.max_text_size = bytes;
        self
    }

    /// The most bytes one file may have.
    pub fn max_file_size(mut self, bytes: usize) -> Self {
        self.max_file_size = Some(bytes);
        self
    }

    /// The most parts (fields and files) one body may have.
    pub fn max_parts(mut self, parts: usize) -> Self {
        self.max_parts = parts;
        self
    }

    /// Files up to `bytes` are kept in memory; larger ones are written to a temporary file as
    /// they arrive, like Werkzeug's spooled files.
    pub fn memory_threshold(mut self, bytes: usize) -> Self {
        self.memory_threshold = bytes;
        self
    }

    /// Keeps every file in memory (bounded by the limits all the same).
    pub fn in_memory(self) -> Self {
        self.memory_threshold(usize::MAX)
    }

    /// Writes every non-empty file to a temporary file.
    pub fn on_disk(self) -> Self {
        self.memory_threshold(0)
    }

    /// The directory for temporary files (default: [`std::env::temp_dir`]). Put it on the
    /// file system of the final destination, and [`UploadedFile::persist`] is a rename.
    ///
    /// [`UploadedFile::persist`]: super::UploadedFile::persist
    pub fn temp_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.temp_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// The configuration for `req`: one set by a layer in the request extensions, else the app
    /// state's, else the defaults.
    pub(crate) fn for_request(req: &Request) -> MultipartConfig {
        req.extensions()
            .get::<MultipartConfig>()
            .or_else(|| req.state::<MultipartConfig>())
            .cloned()
            .unwrap_or_default()
    }
}
