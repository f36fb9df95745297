//! The HTTP error each ORM error becomes in a web app: errors the request caused are 4xx, a
//! database that cannot be reached is a 503 the client may retry, and only the rest (bugs) are
//! 500s.

use micro::StatusCode;
use micro::http::HeaderValue;
use micro::http::header::RETRY_AFTER;

use super::Error;

/// What a 503 asks clients to wait before they retry, in seconds: long enough for a pool to
/// free a connection or a restarting database to come back, short enough that a person
/// retrying by hand does not give up.
const RETRY_AFTER_SECONDS: &str = "5";

impl Error {
    /// The HTTP error this becomes when a handler returns it (what [`Project::web_app`]
    /// registers for every handler; call it from your own error handler in a plain micro app):
    ///
    /// - [`DoesNotExist`](Error::DoesNotExist): 404 (Django's `get_object_or_404`); the model is
    ///   in the details, and in the page in debug mode;
    /// - [`Invalid`](Error::Invalid): 422 whose message names the model and the field, with
    ///   `[{"field", "model", "message"}]` details, as micro's own validation errors;
    /// - [a unique violation](Error::is_unique_violation) (a write that raced another), and
    ///   [`Protected`](Error::Protected) (a delete that rows with `on_delete = protect` refuse):
    ///   409;
    /// - [unavailable](Error::is_unavailable): 503 with `Retry-After`;
    /// - everything else: 500, the cause logged and never shown.
    ///
    /// [`Project::web_app`]: crate::Project::web_app
    ///
    /// ```
    /// let err = fullstack::Error::DoesNotExist { model: "Question" };
    /// assert_eq!(err.http_error().status(), 404);
    /// ```
    pub fn http_error(&self) -> micro::Error {
        match self {
            Error::DoesNotExist { model } => micro::Error::not_found()
                .with_details(serde_json::json!({ "model": model }))
                .with_source(Error::DoesNotExist { model }),
            Error::Invalid {
                model,
                field,
                reason,
            } => {
                micro::Error::unprocessable(format!("Invalid value for {model}.{field}: {reason}."))
                    .with_details(serde_json::json!([{
                        "field": field,
                        "model": model,
                        "message": reason,
                    }]))
            }
            Error::Protected {
                model,
                referenced_by,
            } => micro::Error::new(
                StatusCode::CONFLICT,
                format!(
                    "This {model} cannot be deleted: {referenced_by} rows point at it and protect it."
                ),
            )
            .with_details(serde_json::json!({ "model": model, "referenced_by": referenced_by })),
            conflict if conflict.is_unique_violation() => {
                micro::Error::new(StatusCode::CONFLICT, CONFLICT)
                    .with_source(Cause(conflict.to_string()))
            }
            Error::Unavailable(why) => {
                micro::Error::new(StatusCode::SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE)
                    .with_header(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS))
                    .with_source(Cause(why.clone()))
            }
            unavailable if unavailable.is_unavailable() => {
                micro::Error::new(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE)
                    .with_header(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS))
                    .with_source(Cause(unavailable.to_string()))
            }
            other => micro::Error::internal(other.to_string()),
        }
    }
}

const CONFLICT: &str = "Someone else saved the same values at the same time. \
                        Please reload the page and try again.";

const SERVICE_UNAVAILABLE: &str =
    "A service this page needs is unavailable right now. Please try again in a few seconds.";

const UNAVAILABLE: &str =
    "The database is unavailable right now. Please try again in a few seconds.";

/// The text of an error that cannot be cloned (sqlx's), as the hidden cause of the HTTP error.
#[derive(Debug)]
struct Cause(String);

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Cause {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_gets_the_status_of_whoever_caused_it() {
        let missing = Error::DoesNotExist { model: "Question" }.http_error();
        assert_eq!(missing.status(), 404);
        assert_eq!(missing.details().unwrap()["model"], "Question");
        assert!(
            missing
                .source()
                .unwrap()
                .to_string()
                .contains("Question matching the query does not exist")
        );

        let protected = Error::Protected {
            model: "Question",
            referenced_by: "Choice",
        }
        .http_error();
        assert_eq!(protected.status(), 409);
        assert!(protected.message().contains("Choice rows point at it"));

        let invalid = Error::Invalid {
            model: "Product",
            field: "price",
            reason: "1.001 has 3 digits after the point; at most 2 are allowed".into(),
        }
        .http_error();
        assert_eq!(invalid.status(), 422);
        assert!(
            invalid.message().contains("Product.price"),
            "{}",
            invalid.message()
        );
        assert_eq!(invalid.details().unwrap()[0]["field"], "price");

        let down = Error::Database(sqlx::Error::PoolTimedOut).http_error();
        assert_eq!(down.status(), 503);
        assert_eq!(down.headers()[RETRY_AFTER], RETRY_AFTER_SECONDS);

        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(
            Error::Database(sqlx::Error::Io(refused))
                .http_error()
                .status(),
            503
        );

        let bug = Error::Usage("bulk_update needs fields".into()).http_error();
        assert_eq!(bug.status(), 500);
        let decode = Error::Database(sqlx::Error::ColumnNotFound("x".into())).http_error();
        assert_eq!(decode.status(), 500);
    }
}
