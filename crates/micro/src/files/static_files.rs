//! The static folder: its configuration, its route, and cache-busting URLs for its files.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::backend::confine_sync;
use super::safe_path::safe_relative;
use super::send_file::{SendFile, send_from_directory};
use crate::app::{Folder, Root};
use crate::routing::{MethodRouter, PATH_ENCODE, get};
use crate::{Error, IntoResponse, Request};

/// A static folder as configured on an app or blueprint, before it is mounted. Without a folder
/// nothing is served; the other settings wait for one, so the calls may come in any order.
#[derive(Debug, Clone, Default)]
pub(crate) struct StaticConfig {
    pub(crate) folder: Option<Folder>,
    pub(crate) url_path: Option<String>,
    pub(crate) max_age: Option<Duration>,
}

impl StaticConfig {
    /// Serving `folder`, with the default URL path and caching.
    pub(crate) fn new(folder: Folder) -> Self {
        StaticConfig {
            folder: Some(folder),
            ..StaticConfig::default()
        }
    }

    /// The URL path set, else Flask's default: `/` and the folder's last name (`/static` for
    /// `static`, `/assets` for `web/assets`).
    pub(crate) fn url_path(&self) -> String {
        if let Some(path) = &self.url_path {
            return normalize_url_path(path);
        }
        match self.folder.as_ref().and_then(|f| f.path.file_name()) {
            Some(name) => normalize_url_path(&name.to_string_lossy()),
            None => "/static".to_owned(),
        }
    }

    /// The folder mounted at `mount` (the full URL path, blueprint prefix included), under
    /// `root` if it is relative; `None` without a folder.
    pub(crate) fn mount(&self, mount: &str, root: &Root) -> Option<StaticFiles> {
        let configured = self.folder.clone()?;
        Some(StaticFiles {
            folder: root.resolve(&configured.path),
            configured,
            url_path: normalize_url_path(mount),
            max_age: self.max_age,
            fingerprints: Arc::default(),
        })
    }
}

/// `/static` from `static`, `/static/` or `/static`; `""` for the root.
fn normalize_url_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("/{trimmed}")
    }
}

/// A mounted static folder: where its files are on disk, the URL they are served under, and
/// cache-busting URLs for them.
///
/// An app serves its `static` folder (see [`App::static_folder`](crate::App::static_folder));
/// [`App::static_files`](crate::App::static_files) and
/// [`Request::static_files`](crate::Request::static_files) give it by endpoint name, for building
/// URLs:
///
/// ```
/// let app = micro::App::new();
/// let files = app.static_files("static").unwrap();
/// assert_eq!(files.url_path(), "/static");
/// assert_eq!(files.url("css/site.css"), "/static/css/site.css");
/// ```
#[derive(Clone)]
pub struct StaticFiles {
    /// Absolute: the configured folder under the app's root.
    folder: PathBuf,
    /// As configured, with the setting that named it.
    configured: Folder,
    url_path: String,
    max_age: Option<Duration>,
    fingerprints: Arc<Mutex<HashMap<String, Fingerprint>>>,
}

/// A file's content hash, with the size and modification time it was computed for.
struct Fingerprint {
    len: u64,
    modified: Option<SystemTime>,
    hash: String,
}

impl std::fmt::Debug for StaticFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticFiles")
            .field("folder", &self.folder)
            .field("url_path", &self.url_path)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl StaticFiles {
    /// `folder` served under `url_path`, outside any app: for building URLs where no app is at
    /// hand (template tests, for example). Apps and blueprints make their own.
    pub fn new(folder: impl Into<PathBuf>, url_path: &str) -> Self {
        let folder = folder.into();
        StaticFiles {
            folder: std::path::absolute(&folder).unwrap_or_else(|_| folder.clone()),
            configured: Folder::default_named(""),
            url_path: normalize_url_path(url_path),
            max_age: None,
            fingerprints: Arc::default(),
        }
    }

    /// The folder on disk: absolute, under the app's [root](crate::App::root) if it was
    /// configured as a relative folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The URL path the files are served under, like `/static` (`""` when served at the root).
    pub fn url_path(&self) -> &str {
        &self.url_path
    }

    /// How long clients may cache the files without asking (`None`: `no-cache`).
    pub fn max_age(&self) -> Option<Duration> {
        self.max_age
    }

    /// The URL of `filename`, percent-encoded as `url_for("static", ..)` builds it.
    pub fn url(&self, filename: &str) -> String {
        format!(
            "{}/{}",
            self.url_path,
            percent_encoding::utf8_percent_encode(filename, PATH_ENCODE)
        )
    }

    /// The URL of `filename` with a version made of its content, `/static/css/site.css?v=1a2b3c4d5e6f`
    /// (the first 12 hex digits of its SHA-256): the URL changes exactly when the file does, so
    /// pages can let browsers cache static files for a long time
    /// ([`App::static_max_age`](crate::App::static_max_age)) and still never serve a stale one.
    ///
    /// The hash is computed on first use and kept; it is computed again only when the file's size
    /// or modification time changes, so edits show up during development. That first use reads
    /// the file synchronously. A file that cannot be read (a typo in a template, say) gets the
    /// plain URL and a warning in the log, so the page still renders and the browser shows
    /// the 404.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("micro-doc-versioned-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("site.css"), "body { color: teal }").unwrap();
    /// let files = micro::StaticFiles::new(&dir, "/static");
    /// let url = files.versioned_url("site.css");
    /// assert!(url.starts_with("/static/site.css?v="));
    /// assert_eq!(url.len(), "/static/site.css?v=".len() + 12);
    /// assert_eq!(files.versioned_url("missing.css"), "/static/missing.css");
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn versioned_url(&self, filename: &str) -> String {
        let url = self.url(filename);
        match self.fingerprint(filename) {
            Ok(hash) => format!("{url}?v={hash}"),
            Err(err) => {
                tracing::warn!(target: "micro::static", file = filename, error = %err, "no version for a static file");
                url
            }
        }
    }

    /// A file of this folder as a response, with the folder's caching, for handlers that serve
    /// a static file under another URL (`/favicon.ico`, say).
    ///
    /// ```
    /// use micro::{App, Error, Request, Response};
    ///
    /// async fn favicon(req: Request) -> Result<Response, Error> {
    ///     let files = req.static_files("static").ok_or_else(Error::not_found)?;
    ///     Ok(files.file("favicon.ico").send(&req).await)
    /// }
    ///
    /// let mut app = App::new();
    /// app.get("/favicon.ico", favicon);
    /// ```
    pub fn file(&self, filename: &str) -> SendFile {
        let file = send_from_directory(&self.folder, filename).public();
        match self.max_age {
            Some(max_age) => file.max_age(max_age),
            None => file,
        }
    }

    /// The folder as configured, and the setting that named it.
    pub(crate) fn configured(&self) -> &Folder {
        &self.configured
    }

    /// Resolves the configured folder again, against a new root.
    pub(crate) fn rebase(&mut self, root: &Root) {
        self.folder = root.resolve(&self.configured.path);
        self.fingerprints = Arc::default();
    }

    /// The GET route serving the folder mounted as `endpoint` (`static`, `admin.static`), named
    /// `static` (blueprints prefix the name). It finds the folder in the frozen app, so the
    /// folder can still move with the app's root after the route is added.
    pub(crate) fn method_router(&self, endpoint: &str) -> MethodRouter {
        let endpoint = endpoint.to_owned();
        get(move |req: Request| {
            let sent = req.app.statics.get(&endpoint).map(|files| {
                files
                    .file(req.param("filename").unwrap_or_default())
                    .send(&req)
            });
            async move {
                match sent {
                    Some(sent) => sent.await,
                    None => Error::not_found().into_response(),
                }
            }
        })
        .name("static")
    }

    fn fingerprint(&self, filename: &str) -> io::Result<String> {
        let relative = safe_relative(filename)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a relative path"))?;
        let path = confine_sync(&self.folder, relative)?;
        let meta = std::fs::metadata(&path)?;
        if !meta.is_file() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a file"));
        }
        let (len, modified) = (meta.len(), meta.modified().ok());
        let mut cache = self.fingerprints.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = cache.get(relative)
            && known.len == len
            && known.modified == modified
        {
            return Ok(known.hash.clone());
        }
        let hash = content_hash(std::fs::File::open(&path)?)?;
        cache.insert(
            relative.to_owned(),
            Fingerprint {
                len,
                modified,
                hash: hash.clone(),
            },
        );
        Ok(hash)
    }
}

/// The first 12 hex digits of the SHA-256 of everything `reader` gives: stable across Rust and
/// crate versions, unlike std's `DefaultHasher`, and long enough that two versions of a file do
/// not collide.
fn content_hash(mut reader: impl Read) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_path_defaults_to_the_folder_name_like_flask() {
        let folder = |path: &str| Folder::named(path, "test");
        assert_eq!(StaticConfig::new(folder("static")).url_path(), "/static");
        assert_eq!(
            StaticConfig::new(folder("web/assets/")).url_path(),
            "/assets"
        );
        assert_eq!(StaticConfig::default().url_path(), "/static");
        let mut config = StaticConfig::new(folder("static"));
        config.url_path = Some("/files/".into());
        assert_eq!(config.url_path(), "/files");
        config.url_path = Some("/".into());
        assert_eq!(config.url_path(), "");
        let root = Root::working_directory();
        assert!(StaticConfig::default().mount("/static", &root).is_none());
    }

    #[test]
    fn urls_are_encoded_like_url_for() {
        let files = StaticFiles::new("static", "/static");
        assert_eq!(files.url("a b/ü.css"), "/static/a%20b/%C3%BC.css");
        assert_eq!(StaticFiles::new("static", "").url("x.js"), "/x.js");
    }

    #[test]
    fn content_hash_is_sha256_truncated() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223...
        assert_eq!(content_hash(&b"abc"[..]).unwrap(), "ba7816bf8f01");
    }
}
