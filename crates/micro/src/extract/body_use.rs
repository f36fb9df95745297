/// What an extractor does with the request body, which decides when it runs among a handler's
/// arguments: [`FromRequest::BODY`](super::FromRequest::BODY).
///
/// A handler's arguments are extracted in three passes, each in argument order: the extractors
/// that leave the body alone, then the one that reads it, then `Request`. So a guard (a login
/// check written as an extractor) answers before the body is touched, wherever it stands in the
/// signature: an anonymous `POST` gets the guard's redirect, not `Form`'s 415.
///
/// ```
/// use micro::{BodyUse, Bytes, FromRequest, Request, Error};
///
/// /// A body in a format of our own, read whole.
/// struct Csv(Vec<Vec<String>>);
///
/// impl FromRequest for Csv {
///     type Rejection = Error;
///     // Says that it reads the body: it runs after the other arguments, and a handler that
///     // also takes `Json` or `Form` does not compile.
///     const BODY: BodyUse = BodyUse::Reads;
///
///     async fn from_request(req: &mut Request) -> Result<Self, Error> {
///         let text = String::from_request(req).await?;
///         Ok(Csv(text.lines().map(|l| l.split(',').map(str::to_owned).collect()).collect()))
///     }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyUse {
    /// It reads the head only (method, URL, headers, cookies, state, `g`): the default. It runs
    /// first.
    Ignores,
    /// It reads the body (`Json`, `Form`, `Bytes`, `String`, `Body`, `Multipart`,
    /// `MultipartForm`, and an `Option` of one): it runs once the head extractors have, and a
    /// handler may have only one.
    Reads,
    /// It takes what is left of the request, the body too when no argument read it: `Request`.
    /// It runs last.
    TakesRest,
}
