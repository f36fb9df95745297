//! `?page=N` for the lists, as Django's `Paginator` reads it: a number from 1 to the last page,
//! or `last`; anything else is a 404. An empty list still has its page 1.

use serde::{Deserialize, Serialize};

/// The query string of a paginated list.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// `N`, `last`, or nothing (the first page).
    pub page: Option<String>,
}

/// One page of a list of `count` items.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Page {
    /// From 1.
    pub number: i64,
    /// At least 1.
    pub num_pages: i64,
    /// How many items the list has.
    pub count: i64,
    per_page: i64,
}

impl Page {
    /// The page `query` asks for, or `None` when there is no such page.
    pub fn of(query: &PageQuery, count: i64, per_page: i64) -> Option<Page> {
        let num_pages = ((count + per_page - 1) / per_page).max(1);
        let number = match query.page.as_deref() {
            None | Some("") => 1,
            Some("last") => num_pages,
            Some(n) => n.parse().ok()?,
        };
        (1..=num_pages).contains(&number).then_some(Page {
            number,
            num_pages,
            count,
            per_page,
        })
    }

    /// The `LIMIT` of this page's query.
    pub fn limit(&self) -> i64 {
        self.per_page
    }

    /// The `OFFSET` of this page's query.
    pub fn offset(&self) -> i64 {
        (self.number - 1) * self.per_page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(q: Option<&str>, count: i64) -> Option<i64> {
        let query = PageQuery {
            page: q.map(str::to_owned),
        };
        Page::of(&query, count, 5).map(|p| p.number)
    }

    #[test]
    fn djangos_rules() {
        assert_eq!(page(None, 12), Some(1));
        assert_eq!(page(Some("3"), 12), Some(3));
        assert_eq!(page(Some("last"), 12), Some(3));
        assert_eq!(page(Some("last"), 0), Some(1));
        for bad in ["0", "4", "-1", "x", "1.5", "99999999999999999999"] {
            assert_eq!(page(Some(bad), 12), None, "{bad}");
        }
    }
}
