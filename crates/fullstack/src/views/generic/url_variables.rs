//! The matched rule's variables as owned strings, for views that look rows up by them.

use micro::{FromRequest, Request};

/// The variables of the URL rule a request matched (`<pk>`, `<year>`, ...), as the text the
/// URL held. An extractor that never fails; the date and detail views read it.
///
/// ```
/// use fullstack::views::generic::UrlVariables;
/// let vars = UrlVariables::from_pairs([("year", "2021")]);
/// assert_eq!(vars.get("year"), Some("2021"));
/// assert_eq!(vars.get("month"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlVariables(Vec<(String, String)>);

impl UrlVariables {
    /// Variables from names and values (for tests and hand-written handlers).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        UrlVariables(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    }

    /// The value of variable `name`, if the rule has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl FromRequest for UrlVariables {
    type Rejection = std::convert::Infallible;

    async fn from_request(req: &mut Request) -> Result<Self, Self::Rejection> {
        Ok(UrlVariables::from_pairs(req.params()))
    }
}
