//! The page a request asks for: its `?page=` parameter, read as an extractor.

use micro::{FromRequest, Request};

/// The raw `page` query parameter of a request (`None` when absent); a
/// [`Paginator`](super::Paginator) reads it with
/// [`parse_number`](super::Paginator::parse_number). As an extractor it never fails: a bad
/// value is the paginator's to refuse with a 404.
///
/// ```
/// use fullstack::pagination::PageNumber;
/// assert_eq!(PageNumber::from_query(Some("q=x&page=3")).as_deref(), Some("3"));
/// assert_eq!(PageNumber::from_query(None).as_deref(), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageNumber(pub Option<String>);

impl PageNumber {
    /// The name of the query parameter, Django's `page_kwarg` default.
    pub const PARAM: &'static str = "page";

    /// The `page` parameter of a query string (the first, if repeated).
    pub fn from_query(query: Option<&str>) -> Self {
        Self::from_query_param(query, Self::PARAM)
    }

    /// The parameter `name` of a query string, for pages under another name.
    pub fn from_query_param(query: Option<&str>, name: &str) -> Self {
        let value = query.and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        });
        PageNumber(value)
    }

    /// The value, if the parameter was given.
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl From<&str> for PageNumber {
    fn from(value: &str) -> Self {
        PageNumber(Some(value.to_owned()))
    }
}

impl FromRequest for PageNumber {
    type Rejection = std::convert::Infallible;

    async fn from_request(req: &mut Request) -> Result<Self, Self::Rejection> {
        Ok(Self::from_query(req.query_string()))
    }
}
