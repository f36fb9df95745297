//! multer's errors as HTTP errors: size limits are 413 wherever they are hit.

use http::StatusCode;
use http_body_util::LengthLimitError;

use crate::Error;

/// The error for a multer failure, `limit` being the body limit of the request.
///
/// multer reports the body's own errors wrapped in `StreamReadFailed`, so the body limit hit
/// inside the parser arrives as a boxed [`LengthLimitError`] deep in a source chain: it is looked
/// for there, or it would turn into a 400 (the mistake of axum #3216).
pub(crate) fn from_multer(err: multer::Error, limit: usize) -> Error {
    match err {
        multer::Error::StreamSizeExceeded { .. } => Error::payload_too_large(limit),
        multer::Error::FieldSizeExceeded { limit, field_name } => {
            field_too_large(field_name.as_deref().unwrap_or(""), limit as usize)
        }
        multer::Error::StreamReadFailed(source) => {
            if hit_length_limit(source.as_ref()) {
                Error::payload_too_large(limit)
            } else if crate::activity::is_body_read_timeout(source.as_ref()) {
                crate::activity::body_read_timeout_error()
            } else {
                Error::bad_request("Failed to read the request body.").with_source_boxed(source)
            }
        }
        multer::Error::NoBoundary => missing_boundary(),
        other => Error::bad_request(format!("Malformed multipart body: {other}.")),
    }
}

fn hit_length_limit(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(err) = current {
        if err.is::<LengthLimitError>() {
            return true;
        }
        current = err.source();
    }
    false
}

/// 413 for one field, naming it in the message and in `details`.
pub(crate) fn field_too_large(name: &str, limit: usize) -> Error {
    Error::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("The field `{name}` is larger than the limit of {limit} bytes."),
    )
    .with_details(serde_json::json!([{
        "field": name,
        "message": format!("larger than the limit of {limit} bytes"),
    }]))
}

pub(crate) fn missing_boundary() -> Error {
    Error::bad_request("The `multipart/form-data` content type has no `boundary` parameter.")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real `LengthLimitError`, boxed as `Limited` reports it.
    async fn length_limit_error() -> crate::BoxError {
        use http_body_util::BodyExt;
        let body = http_body_util::Full::new(bytes::Bytes::from_static(b"hello"));
        http_body_util::Limited::new(body, 2)
            .collect()
            .await
            .unwrap_err()
    }

    #[tokio::test]
    async fn a_body_limit_inside_the_parser_is_a_413() {
        let err = multer::Error::StreamReadFailed(length_limit_error().await);
        assert_eq!(from_multer(err, 10).status(), 413);
    }

    #[tokio::test]
    async fn a_nested_body_limit_is_found() {
        #[derive(Debug)]
        struct Wrapper(crate::BoxError);
        impl std::fmt::Display for Wrapper {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("wrapped")
            }
        }
        impl std::error::Error for Wrapper {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(self.0.as_ref())
            }
        }
        let err = multer::Error::StreamReadFailed(Box::new(Wrapper(length_limit_error().await)));
        assert_eq!(from_multer(err, 10).status(), 413);
    }

    #[test]
    fn parser_limits_and_other_errors() {
        let err = multer::Error::StreamSizeExceeded { limit: 10 };
        assert_eq!(from_multer(err, 10).status(), 413);
        let err = multer::Error::FieldSizeExceeded {
            limit: 3,
            field_name: Some("photo".into()),
        };
        let err = from_multer(err, 10);
        assert_eq!(err.status(), 413);
        assert_eq!(err.details().unwrap()[0]["field"], "photo");
        assert_eq!(
            from_multer(multer::Error::IncompleteStream, 10).status(),
            400
        );
        let timeout = multer::Error::StreamReadFailed(Box::new(crate::activity::BodyReadTimeout));
        assert_eq!(from_multer(timeout, 10).status(), 408);
        let io = std::io::Error::other("reset");
        let err = from_multer(multer::Error::StreamReadFailed(Box::new(io)), 10);
        assert_eq!(err.status(), 400);
    }
}
