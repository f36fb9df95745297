use bytes::{BufMut, BytesMut};
use http::HeaderValue;
use http::header::CONTENT_TYPE;
use serde::Serialize;

use super::{IntoResponse, Response};
use crate::{Body, Error};

/// JSON: as a return value it serialises `T` with `application/json`; as an extractor it parses
/// the request body (see [`crate::extract`]).
///
/// ```
/// use micro::{Json, IntoResponse};
///
/// #[derive(serde::Serialize)]
/// struct Message { message: &'static str }
///
/// let res = Json(Message { message: "Hello, World!" }).into_response();
/// assert_eq!(res.headers()["content-type"], "application/json");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut buf = BytesMut::with_capacity(128).writer();
        match serde_json::to_writer(&mut buf, &self.0) {
            Ok(()) => {
                let mut res = Response::new(Body::from(buf.into_inner().freeze()));
                res.headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                res
            }
            Err(err) => Error::internal(err).into_response(),
        }
    }
}
