use http::header::LOCATION;
use http::{HeaderValue, StatusCode};

use super::{IntoResponse, Response};
use crate::{Body, Error};

/// A redirect response. [`redirect`] gives Flask's default, 302 Found.
///
/// ```
/// use micro::{Redirect, IntoResponse};
///
/// let res = Redirect::see_other("/done").into_response();
/// assert_eq!(res.status(), 303);
/// assert_eq!(res.headers()["location"], "/done");
/// ```
#[derive(Debug, Clone)]
#[must_use = "a redirect does nothing unless it is returned"]
pub struct Redirect {
    status: StatusCode,
    location: String,
}

/// Redirects to `location` with 302 Found, like Flask's `redirect`.
///
/// ```
/// use micro::{redirect, Redirect, Request, Error};
///
/// async fn old_home(req: Request) -> Result<Redirect, Error> {
///     Ok(redirect(req.url_for("index", ())?))
/// }
/// ```
pub fn redirect(location: impl Into<String>) -> Redirect {
    Redirect::with_status(StatusCode::FOUND, location)
}

impl Redirect {
    /// A redirect with any 3xx status.
    pub fn with_status(status: StatusCode, location: impl Into<String>) -> Self {
        Redirect {
            status,
            location: location.into(),
        }
    }

    /// 303 See Other: the usual answer to a successful form POST.
    pub fn see_other(location: impl Into<String>) -> Self {
        Self::with_status(StatusCode::SEE_OTHER, location)
    }

    /// 307 Temporary Redirect: the method and body are kept.
    pub fn temporary(location: impl Into<String>) -> Self {
        Self::with_status(StatusCode::TEMPORARY_REDIRECT, location)
    }

    /// 308 Permanent Redirect: the method and body are kept.
    pub fn permanent(location: impl Into<String>) -> Self {
        Self::with_status(StatusCode::PERMANENT_REDIRECT, location)
    }

    /// The target.
    pub fn location(&self) -> &str {
        &self.location
    }
}

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        match HeaderValue::try_from(self.location) {
            Ok(location) => {
                let mut res = Response::new(Body::empty());
                *res.status_mut() = self.status;
                res.headers_mut().insert(LOCATION, location);
                res
            }
            Err(err) => Error::internal(err).into_response(),
        }
    }
}
