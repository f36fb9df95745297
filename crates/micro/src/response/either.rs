use super::{IntoResponse, Response};

/// One of two responses, for a handler whose branches answer with different types: a page on
/// one, a redirect on the other. Both sides convert with their own [`IntoResponse`], so no
/// branch needs `.into_response()`. For three kinds, nest: `Either<A, Either<B, C>>`.
///
/// ```
/// use micro::{Either, Error, Html, Redirect, Request};
///
/// async fn dashboard(req: Request) -> Result<Either<Html<&'static str>, Redirect>, Error> {
///     if req.header("x-user").is_none() {
///         return Ok(Either::Right(Redirect::see_other(req.url_for("login", ())?)));
///     }
///     Ok(Either::Left(Html("<h1>Dashboard</h1>")))
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a response does nothing unless it is returned"]
pub enum Either<L, R> {
    /// The first kind of response.
    Left(L),
    /// The second kind of response.
    Right(R),
}

impl<L: IntoResponse, R: IntoResponse> IntoResponse for Either<L, R> {
    fn into_response(self) -> Response {
        match self {
            Either::Left(left) => left.into_response(),
            Either::Right(right) => right.into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Either;
    use crate::{Html, IntoResponse, Redirect};

    #[test]
    fn each_side_is_its_own_response() {
        let page: Either<Html<&str>, Redirect> = Either::Left(Html("<p>form</p>"));
        let res = page.into_response();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");

        let moved: Either<Html<&str>, Redirect> = Either::Right(Redirect::see_other("/login"));
        let res = moved.into_response();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/login");
    }
}
