//! An uploaded file: in memory or in a temporary file, saved where the handler says.

use std::io;
use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use tempfile::TempPath;
use tokio::io::AsyncWriteExt;

use super::{Field, MultipartConfig};
use crate::{Error, secure_filename};

/// A file from a [`MultipartForm`](super::MultipartForm), like Werkzeug's `FileStorage`: Flask's
/// `request.files["photo"]`.
///
/// ```
/// use micro::{Error, MultipartForm, abort};
///
/// async fn upload(form: MultipartForm) -> Result<String, Error> {
///     let Some(photo) = form.file("photo") else {
///         return Err(abort(400));
///     };
///     // `filename()` is already made safe: no `..`, no path, no odd characters.
///     let dest = std::env::temp_dir().join(photo.filename());
///     photo.save(&dest).await?;
///     Ok(format!("saved {} bytes as {}", photo.len(), photo.filename()))
/// }
/// ```
///
/// Small files are kept in memory; larger ones are written to a temporary file as they arrive
/// (see [`MultipartConfig::memory_threshold`]), which is deleted when the `UploadedFile` is
/// dropped unless it was [`persist`](Self::persist)ed.
#[derive(Debug)]
pub struct UploadedFile {
    name: String,
    raw_filename: String,
    filename: String,
    content_type: Option<String>,
    len: u64,
    data: Data,
}

#[derive(Debug)]
enum Data {
    Memory(Bytes),
    Disk(TempPath),
}

impl UploadedFile {
    /// The form field the file came in (`photo` for `<input type=file name=photo>`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The client's file name made safe with [`secure_filename`]: one path component of
    /// `A-Z a-z 0-9 _ . -`. It can be empty (a name of only other characters).
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The file name exactly as the client sent it. Never use it as a path.
    pub fn raw_filename(&self) -> &str {
        &self.raw_filename
    }

    /// The content type the client claims; check the content if it matters.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The size in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The temporary file holding the data, when it is on disk.
    pub fn path(&self) -> Option<&Path> {
        match &self.data {
            Data::Disk(path) => Some(path),
            Data::Memory(_) => None,
        }
    }

    /// The data, when it is in memory.
    pub fn in_memory(&self) -> Option<&Bytes> {
        match &self.data {
            Data::Memory(bytes) => Some(bytes),
            Data::Disk(_) => None,
        }
    }

    /// The data, read from disk if it is there.
    ///
    /// # Errors
    /// When the temporary file cannot be read.
    pub async fn bytes(&self) -> io::Result<Bytes> {
        match &self.data {
            Data::Memory(bytes) => Ok(bytes.clone()),
            Data::Disk(path) => tokio::fs::read(path).await.map(Bytes::from),
        }
    }

    /// Writes the file to `dest` (created or truncated), Flask's `file.save(dest)`; the upload
    /// stays usable. Build `dest` from [`filename`](Self::filename), never from the raw name.
    ///
    /// # Errors
    /// When `dest` cannot be written.
    pub async fn save(&self, dest: impl AsRef<Path>) -> io::Result<()> {
        match &self.data {
            Data::Memory(bytes) => tokio::fs::write(dest, bytes).await,
            Data::Disk(path) => tokio::fs::copy(path, dest).await.map(|_| ()),
        }
    }

    /// Moves the file to `dest`: a rename when the temporary file is on the same file system
    /// (see [`MultipartConfig::temp_dir`]), a copy otherwise.
    ///
    /// # Errors
    /// When `dest` cannot be written.
    pub async fn persist(self, dest: impl AsRef<Path>) -> io::Result<()> {
        let dest = dest.as_ref().to_owned();
        let temp = match self.data {
            Data::Memory(bytes) => return tokio::fs::write(dest, bytes).await,
            Data::Disk(temp) => temp,
        };
        let renamed = {
            let dest = dest.clone();
            tokio::task::spawn_blocking(move || temp.persist(dest))
                .await
                .map_err(io::Error::other)?
        };
        match renamed {
            Ok(()) => Ok(()),
            // Another file system: copy, and let the temporary file be deleted on drop.
            Err(err) => tokio::fs::copy(&err.path, &dest).await.map(|_| ()),
        }
    }
}

/// Reads a file field, spilling to a temporary file past the memory threshold.
pub(crate) async fn receive(
    mut field: Field,
    config: &MultipartConfig,
) -> Result<UploadedFile, Error> {
    let name = field.name().to_owned();
    let raw_filename = field.file_name().unwrap_or_default().to_owned();
    let content_type = field.content_type().map(str::to_owned);
    let mut len = 0u64;
    let mut buffer = BytesMut::new();
    let mut disk: Option<(tokio::fs::File, TempPath)> = None;
    while let Some(chunk) = field.chunk().await? {
        len += chunk.len() as u64;
        if disk.is_none() && buffer.len() + chunk.len() > config.memory_threshold {
            let (mut file, path) = temp_file(config.temp_dir.clone()).await?;
            file.write_all(&buffer).await.map_err(write_failed)?;
            buffer = BytesMut::new();
            disk = Some((file, path));
        }
        match disk.as_mut() {
            Some((file, _)) => file.write_all(&chunk).await.map_err(write_failed)?,
            None => buffer.extend_from_slice(&chunk),
        }
    }
    let data = match disk {
        Some((mut file, path)) => {
            file.flush().await.map_err(write_failed)?;
            Data::Disk(path)
        }
        None => Data::Memory(buffer.freeze()),
    };
    Ok(UploadedFile {
        filename: secure_filename(&raw_filename),
        name,
        raw_filename,
        content_type,
        len,
        data,
    })
}

async fn temp_file(dir: Option<PathBuf>) -> Result<(tokio::fs::File, TempPath), Error> {
    let created = tokio::task::spawn_blocking(move || {
        let dir = dir.unwrap_or_else(std::env::temp_dir);
        tempfile::Builder::new()
            .prefix("micro-upload-")
            .tempfile_in(dir)
    })
    .await
    .map_err(Error::internal)?
    .map_err(Error::internal)?;
    let (file, path) = created.into_parts();
    Ok((tokio::fs::File::from_std(file), path))
}

fn write_failed(err: io::Error) -> Error {
    Error::internal(err)
}
