//! Why a page number names no page: Django's `PageNotAnInteger` and `EmptyPage`, which a web
//! app answers with a 404 (the request asked for a page that is not there).

use std::fmt;

/// A page number that names no page of a [`Paginator`](super::Paginator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidPage {
    /// Neither a whole number nor `last` (Django's `PageNotAnInteger`).
    NotAnInteger,
    /// 0 or negative (Django's `EmptyPage`).
    LessThanOne,
    /// After the last page (Django's `EmptyPage`).
    NoResults,
}

impl fmt::Display for InvalidPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Django's words (django/core/paginator.py).
        f.write_str(match self {
            InvalidPage::NotAnInteger => "That page number is not an integer",
            InvalidPage::LessThanOne => "That page number is less than 1",
            InvalidPage::NoResults => "That page contains no results",
        })
    }
}

impl InvalidPage {
    /// The 404 this becomes in a web app, its message Django's; `?` in a handler converts
    /// with it. (`InvalidPage` is deliberately not a `std::error::Error`: micro turns every
    /// such error returned with `?` into a 500.)
    ///
    /// ```
    /// use fullstack::pagination::InvalidPage;
    /// let err = InvalidPage::NoResults.http_error();
    /// assert_eq!(err.status(), 404);
    /// assert_eq!(err.message(), "That page contains no results");
    /// ```
    pub fn http_error(&self) -> micro::Error {
        micro::Error::new(micro::StatusCode::NOT_FOUND, self.to_string())
    }
}

impl From<InvalidPage> for micro::Error {
    fn from(e: InvalidPage) -> Self {
        e.http_error()
    }
}
