//! The file system as tower-http's `ServeDir` sees it, with symlinks kept inside the folder.
//!
//! `ServeDir` refuses `..` in the URL but opens whatever the path points to, following symlinks
//! anywhere. A folder of static files may hold links (a build step's output, a shared asset), but a
//! link must not reach outside the folder: every path is resolved with `canonicalize` and must
//! still start with the folder's own resolved path, and the resolved path is the one opened. (Who
//! can write to the folder could still swap a directory for a link between the check and the
//! open: a served folder must not be writable by untrusted users, with or without this check.)

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_http::services::fs::{Backend, TokioBackend, TokioFile};

use crate::handler::BoxFuture;

/// Tokio's file system, confined to `root` (already canonical) when there is one.
#[derive(Clone, Debug)]
pub(crate) struct Confined {
    root: Option<Arc<Path>>,
}

impl Confined {
    /// Paths must resolve inside `root`, which must be canonical.
    pub(crate) fn within(root: Arc<Path>) -> Self {
        Confined { root: Some(root) }
    }

    /// No confinement: `send_file` serves the path its caller chose.
    pub(crate) fn anywhere() -> Self {
        Confined { root: None }
    }
}

impl Backend for Confined {
    type File = TokioFile;
    type Metadata = std::fs::Metadata;
    type OpenFuture = BoxFuture<'static, io::Result<TokioFile>>;
    type MetadataFuture = BoxFuture<'static, io::Result<std::fs::Metadata>>;

    fn open(&self, path: PathBuf) -> Self::OpenFuture {
        let root = self.root.clone();
        Box::pin(async move {
            let path = confine(root.as_deref(), path).await?;
            TokioBackend.open(path).await
        })
    }

    fn metadata(&self, path: PathBuf) -> Self::MetadataFuture {
        let root = self.root.clone();
        Box::pin(async move {
            let path = confine(root.as_deref(), path).await?;
            tokio::fs::metadata(path).await
        })
    }
}

/// `path` resolved, if it stays inside `root`. Every failure reads as "not found": a loop of
/// links or a name too long are the client's doing, and must be a 404, not a 500.
async fn confine(root: Option<&Path>, path: PathBuf) -> io::Result<PathBuf> {
    let Some(root) = root else {
        return Ok(path);
    };
    match tokio::fs::canonicalize(&path).await {
        Ok(real) if real.starts_with(root) => Ok(real),
        _ => Err(io::ErrorKind::NotFound.into()),
    }
}

/// The synchronous twin of the check, for fingerprinting files outside a request.
pub(crate) fn confine_sync(root: &Path, relative: &str) -> io::Result<PathBuf> {
    let root = std::fs::canonicalize(root)?;
    let real = std::fs::canonicalize(root.join(relative))?;
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(io::Error::new(
            io::ErrorKind::NotFound,
            "the path leads outside the static folder",
        ))
    }
}
