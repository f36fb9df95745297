//! `send_file` and `send_from_directory`: a file from disk as a response, like Flask's functions
//! of the same names, served by tower-http's `ServeDir`.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_MATCH,
    IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, IF_UNMODIFIED_SINCE, LAST_MODIFIED, RANGE,
};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::Empty;
use tower_http::services::ServeDir;
use tower_http::services::fs::ServeFileSystemResponseBody;

use super::backend::Confined;
use super::headers::{cache_control, content_disposition, if_range_holds, with_charset};
use super::safe_path::{safe_relative, to_uri_path};
use crate::response::{IntoResponse, Response};
use crate::{Body, Error, Request, abort};

/// Sends the file at `path`, like Flask's `send_file`. The path is used as given: never build it
/// from what the client sent (use [`send_from_directory`] for that).
///
/// The response has the content type guessed from the extension, `Last-Modified` and an `ETag`,
/// answers `If-None-Match` and `If-Modified-Since` with 304, `Range` with 206 (416 when no part
/// of the file is in range), and is `no-cache` unless a [`max_age`](SendFile::max_age) is set. A
/// missing file or a directory is a 404, rendered by the app's error handlers.
///
/// ```
/// use micro::{App, Request, Response, send_file};
///
/// async fn report(req: Request) -> Response {
///     send_file("reports/latest.pdf")
///         .download_name("Quarterly report.pdf")
///         .send(&req)
///         .await
/// }
///
/// let mut app = App::new();
/// app.get("/report", report);
/// ```
pub fn send_file(path: impl Into<PathBuf>) -> SendFile {
    SendFile::new(Source::File(path.into()))
}

/// Sends `filename` from `directory`, where `filename` may come from the client, like Flask's
/// `send_from_directory`: a name that could lead outside the directory (`..`, an absolute path,
/// a backslash, a symlink pointing elsewhere) is a 404, as is a missing file or a directory.
///
/// ```
/// use micro::{App, Path, Request, Response, send_from_directory};
///
/// async fn download(Path(name): Path<String>, req: Request) -> Response {
///     send_from_directory("uploads", name).send(&req).await
/// }
///
/// let mut app = App::new();
/// app.get("/uploads/<path:name>", download);
/// ```
pub fn send_from_directory(directory: impl Into<PathBuf>, filename: impl Into<String>) -> SendFile {
    SendFile::new(Source::InDirectory {
        directory: directory.into(),
        filename: filename.into(),
    })
}

/// A file to send, built by [`send_file`] or [`send_from_directory`]; options are chained, then
/// [`send`](Self::send) answers a request with it.
#[derive(Debug, Clone)]
#[must_use = "a file is sent only when `send(&req)` is awaited and returned"]
pub struct SendFile {
    source: Source,
    content_type: Option<String>,
    download_name: Option<String>,
    max_age: Option<Duration>,
    public: bool,
}

#[derive(Debug, Clone)]
enum Source {
    File(PathBuf),
    InDirectory {
        directory: PathBuf,
        filename: String,
    },
}

impl SendFile {
    fn new(source: Source) -> Self {
        SendFile {
            source,
            content_type: None,
            download_name: None,
            max_age: None,
            public: false,
        }
    }

    /// Sets the content type instead of guessing it from the file's extension. Guessed text
    /// types get `; charset=utf-8`; a type given here is sent exactly as written.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Makes the browser save the file as `name` (`Content-Disposition: attachment`, with an
    /// RFC 6266 `filename*` for names that are not plain ASCII).
    pub fn download_name(mut self, name: impl Into<String>) -> Self {
        self.download_name = Some(name.into());
        self
    }

    /// Lets clients cache the file for `max_age` without asking again (`Cache-Control:
    /// max-age=N`); without it the response is `no-cache`, revalidated with the ETag on every use.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Marks the file as the same for every user, so shared caches may keep it too.
    pub(crate) fn public(mut self) -> Self {
        self.public = true;
        self
    }

    /// Answers `req` with the file. The request's method and conditional and range headers are
    /// read now; the returned future does not borrow `req`, so it can be awaited in any handler.
    ///
    /// Conditional and range headers count for GET and HEAD only: a file sent in answer to a
    /// POST is always sent whole.
    pub fn send(self, req: &Request) -> impl Future<Output = Response> + Send + use<> {
        let conditions = Conditions::of(req);
        async move {
            match self.serve(conditions).await {
                Ok(response) => response,
                Err(err) => err.into_response(),
            }
        }
    }

    async fn serve(self, conditions: Conditions) -> Result<Response, Error> {
        let (directory, uri, backend) = self.locate().await?;
        let mut response = call(&directory, &backend, conditions.request(&uri, true)?).await?;
        // ServeDir ignores If-Range: when the file changed since the client got its first part,
        // send the whole new file instead of the range.
        if response.status() == StatusCode::PARTIAL_CONTENT
            && let Some(if_range) = conditions.headers.get(IF_RANGE)
            && !if_range_holds(
                if_range,
                response.headers().get(ETAG),
                response.headers().get(LAST_MODIFIED),
            )
        {
            response = call(&directory, &backend, conditions.request(&uri, false)?).await?;
        }
        self.finish(response)
    }

    /// The directory ServeDir serves, the URI of the file in it, and how far links may lead.
    async fn locate(&self) -> Result<(PathBuf, String, Confined), Error> {
        match &self.source {
            Source::File(path) => {
                let Some(name) = path.file_name() else {
                    return Err(Error::not_found());
                };
                let Some(name) = name.to_str() else {
                    return Err(Error::internal(format!(
                        "send_file: the file name of {} is not UTF-8",
                        path.display()
                    )));
                };
                let directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
                Ok((directory, to_uri_path(name), Confined::anywhere()))
            }
            Source::InDirectory {
                directory,
                filename,
            } => {
                let relative = safe_relative(filename).ok_or_else(Error::not_found)?;
                let root = tokio::fs::canonicalize(directory)
                    .await
                    .map_err(|_| Error::not_found())?;
                Ok((
                    directory.clone(),
                    to_uri_path(relative),
                    Confined::within(Arc::from(root)),
                ))
            }
        }
    }

    /// ServeDir's answer as micro's: its error statuses become [`Error`]s, so the app's error
    /// handlers render them; successes get the caching and download headers.
    fn finish(
        self,
        response: http::Response<ServeFileSystemResponseBody>,
    ) -> Result<Response, Error> {
        let status = response.status();
        match status {
            StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED => {}
            StatusCode::NOT_FOUND => return Err(Error::not_found()),
            StatusCode::RANGE_NOT_SATISFIABLE => {
                let mut err = abort(status);
                if let Some(range) = response.headers().get(CONTENT_RANGE) {
                    err = err.with_header(CONTENT_RANGE, range.clone());
                }
                return Err(err);
            }
            _ => return Err(abort(status)),
        }
        let (mut parts, body) = response.into_parts();
        let headers = &mut parts.headers;
        headers.insert(CACHE_CONTROL, cache_control(self.max_age, self.public));
        if status != StatusCode::NOT_MODIFIED {
            let content_type = match self.content_type {
                Some(given) => Some(HeaderValue::try_from(given).map_err(|e| {
                    Error::internal(format!("send_file: invalid content type: {e}"))
                })?),
                None => headers.get(CONTENT_TYPE).and_then(with_charset),
            };
            if let Some(content_type) = content_type {
                headers.insert(CONTENT_TYPE, content_type);
            }
            if let Some(name) = &self.download_name {
                headers.insert(CONTENT_DISPOSITION, content_disposition(name));
            }
        }
        Ok(Response::from_parts(parts, Body::new(body)))
    }
}

/// What of the client's request decides the answer: HEAD or not, and the conditional and range
/// headers (kept only for GET and HEAD).
struct Conditions {
    head: bool,
    headers: HeaderMap,
}

impl Conditions {
    fn of(req: &Request) -> Self {
        let head = req.method() == Method::HEAD;
        let mut headers = HeaderMap::new();
        if head || req.method() == Method::GET {
            for name in [
                RANGE,
                IF_RANGE,
                IF_MATCH,
                IF_NONE_MATCH,
                IF_MODIFIED_SINCE,
                IF_UNMODIFIED_SINCE,
            ] {
                for value in req.headers().get_all(&name) {
                    headers.append(name.clone(), value.clone());
                }
            }
        }
        Conditions { head, headers }
    }

    /// The request ServeDir gets: always GET or HEAD, since ServeDir refuses other methods.
    fn request(&self, uri: &str, with_range: bool) -> Result<http::Request<Empty<Bytes>>, Error> {
        let method = if self.head { Method::HEAD } else { Method::GET };
        let mut req = http::Request::builder()
            .method(method)
            .uri(uri)
            .body(Empty::new())
            .map_err(Error::internal)?;
        *req.headers_mut() = self.headers.clone();
        if !with_range {
            req.headers_mut().remove(RANGE);
        }
        Ok(req)
    }
}

async fn call(
    directory: &Path,
    backend: &Confined,
    req: http::Request<Empty<Bytes>>,
) -> Result<http::Response<ServeFileSystemResponseBody>, Error> {
    ServeDir::with_backend(directory, backend.clone())
        // Directories are never listed nor completed with index.html: they are a 404.
        .append_index_html_on_directories(false)
        .redirect_to_trailing_slash(false)
        // A valid request for several ranges gets the whole file rather than ServeDir's 416.
        .ignore_multi_range_requests(true)
        .try_call(req)
        .await
        .map_err(io_error)
}

/// A failure that the client's path can cause is a 404; anything else is the server's fault.
fn io_error(err: io::Error) -> Error {
    use io::ErrorKind::*;
    match err.kind() {
        NotFound | PermissionDenied | NotADirectory | IsADirectory | InvalidInput
        | InvalidFilename => Error::not_found(),
        _ => Error::internal(err),
    }
}
