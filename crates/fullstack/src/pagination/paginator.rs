//! The arithmetic of Django's `Paginator`: how many pages a count makes, which rows a page
//! holds, which numbers are valid, and the elided page range.

use std::ops::Range;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::InvalidPage;

/// Django's `Paginator.ELLIPSIS`: what an elided page range shows for the pages it skips.
pub const ELLIPSIS: &str = "…";

/// Splits `count` items into pages of `per_page` (Django's `Paginator`). It holds numbers only:
/// [`page_of_vec`](Self::page_of_vec) and [`page_of_queryset`](Self::page_of_queryset) cut a
/// page out of the items.
///
/// ```
/// use fullstack::pagination::Paginator;
/// let paginator = Paginator::new(23, 10);
/// assert_eq!(paginator.num_pages(), 3);
/// assert_eq!(paginator.rows(3).unwrap(), 20..23);
/// // Orphans: a last page of 2 or fewer joins the page before it.
/// let paginator = Paginator::new(22, 10).orphans(2);
/// assert_eq!(paginator.num_pages(), 2);
/// assert_eq!(paginator.rows(2).unwrap(), 10..22);
/// ```
///
/// In a template it is `{{ paginator.count }}`, `{{ paginator.num_pages }}`,
/// `{{ paginator.per_page }}` and `{% for n in paginator.page_range %}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paginator {
    count: u64,
    per_page: u64,
    orphans: u64,
    allow_empty_first_page: bool,
}

/// One entry of an elided page range: a page number, or the [`ELLIPSIS`] for skipped pages.
/// It serialises as the number or as `"…"`, so a template can write
/// `{% if n == "…" %}…{% else %}<a href="?page={{ n }}">{{ n }}</a>{% endif %}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageLink {
    /// A page to link to.
    Number(u64),
    /// Pages left out.
    Ellipsis,
}

impl Serialize for PageLink {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PageLink::Number(n) => s.serialize_u64(*n),
            PageLink::Ellipsis => s.serialize_str(ELLIPSIS),
        }
    }
}

impl Paginator {
    /// Pages of `per_page` items over `count` items, with no orphans and an empty first page
    /// allowed (Django's defaults). A `per_page` of 0 is taken as 1: a page holds something.
    pub fn new(count: u64, per_page: u64) -> Self {
        Paginator {
            count,
            per_page: per_page.max(1),
            orphans: 0,
            allow_empty_first_page: true,
        }
    }

    /// A last page of `orphans` items or fewer is added to the page before it.
    pub fn orphans(mut self, orphans: u64) -> Self {
        self.orphans = orphans;
        self
    }

    /// Whether page 1 exists when there are no items (`true` by default); when it does not,
    /// an empty list has no pages and every page number is a 404.
    pub fn allow_empty_first_page(mut self, allow: bool) -> Self {
        self.allow_empty_first_page = allow;
        self
    }

    /// The number of items.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The most items a page holds (the last page may hold up to `per_page + orphans`).
    pub fn per_page(&self) -> u64 {
        self.per_page
    }

    /// The number of pages: at least 1 unless the list is empty and empty first pages are
    /// not allowed.
    pub fn num_pages(&self) -> u64 {
        if self.count == 0 && !self.allow_empty_first_page {
            return 0;
        }
        let hits = self.count.saturating_sub(self.orphans).max(1);
        hits.div_ceil(self.per_page)
    }

    /// The page numbers, from 1 (Django's `page_range`).
    pub fn page_range(&self) -> std::ops::RangeInclusive<u64> {
        1..=self.num_pages()
    }

    /// `number` if it names a page.
    ///
    /// # Errors
    /// [`InvalidPage::LessThanOne`] for 0, [`InvalidPage::NoResults`] after the last page.
    pub fn validate_number(&self, number: u64) -> Result<u64, InvalidPage> {
        if number < 1 {
            return Err(InvalidPage::LessThanOne);
        }
        if number > self.num_pages() {
            return Err(InvalidPage::NoResults);
        }
        Ok(number)
    }

    /// The page a request's `?page=` names (Django's `ListView` reading): none is page 1,
    /// `last` is the last page, anything else must be a whole number of a page.
    ///
    /// ```
    /// use fullstack::pagination::{InvalidPage, Paginator};
    /// let paginator = Paginator::new(23, 10);
    /// assert_eq!(paginator.parse_number(None), Ok(1));
    /// assert_eq!(paginator.parse_number(Some("last")), Ok(3));
    /// assert_eq!(paginator.parse_number(Some("two")), Err(InvalidPage::NotAnInteger));
    /// assert_eq!(paginator.parse_number(Some("-1")), Err(InvalidPage::LessThanOne));
    /// assert_eq!(paginator.parse_number(Some("4")), Err(InvalidPage::NoResults));
    /// ```
    ///
    /// # Errors
    /// [`InvalidPage`]: not an integer, less than 1, or after the last page.
    pub fn parse_number(&self, param: Option<&str>) -> Result<u64, InvalidPage> {
        let Some(param) = param else {
            return self.validate_number(1);
        };
        let param = param.trim();
        if param == "last" {
            return self.validate_number(self.num_pages());
        }
        // Django's int(): a sign and digits; anything below 1 is "less than 1", however big.
        match param.parse::<i128>() {
            Ok(n) if n < 1 => Err(InvalidPage::LessThanOne),
            Ok(n) => self.validate_number(u64::try_from(n).unwrap_or(u64::MAX)),
            Err(_) => Err(InvalidPage::NotAnInteger),
        }
    }

    /// The positions of the items on page `number` (Django's `bottom:top`), the orphans
    /// included on the last page.
    ///
    /// # Errors
    /// As [`validate_number`](Self::validate_number).
    pub fn rows(&self, number: u64) -> Result<Range<u64>, InvalidPage> {
        let number = self.validate_number(number)?;
        let bottom = (number - 1).saturating_mul(self.per_page);
        let mut top = bottom.saturating_add(self.per_page);
        if top.saturating_add(self.orphans) >= self.count {
            top = self.count;
        }
        Ok(bottom.min(self.count)..top)
    }

    /// Page numbers around `number` with the far ones replaced by [`PageLink::Ellipsis`]
    /// (Django's `get_elided_page_range`): `on_each_side` pages either side of `number` and
    /// `on_ends` at each end. Django's defaults are 3 and 2.
    ///
    /// ```
    /// use fullstack::pagination::{PageLink::{self, Ellipsis}, Paginator};
    /// let n = PageLink::Number;
    /// let paginator = Paginator::new(500, 10); // 50 pages
    /// assert_eq!(
    ///     paginator.elided_page_range(10, 3, 2).unwrap(),
    ///     [n(1), n(2), Ellipsis, n(7), n(8), n(9), n(10), n(11), n(12), n(13), Ellipsis, n(49), n(50)]
    /// );
    /// ```
    ///
    /// # Errors
    /// As [`validate_number`](Self::validate_number).
    pub fn elided_page_range(
        &self,
        number: u64,
        on_each_side: u64,
        on_ends: u64,
    ) -> Result<Vec<PageLink>, InvalidPage> {
        let number = self.validate_number(number)?;
        let num_pages = self.num_pages();
        let numbers = |r: std::ops::RangeInclusive<u64>| r.map(PageLink::Number);
        if num_pages <= (on_each_side + on_ends) * 2 {
            return Ok(numbers(self.page_range()).collect());
        }
        let mut links = Vec::new();
        if number > (1 + on_each_side + on_ends) + 1 {
            links.extend(numbers(1..=on_ends));
            links.push(PageLink::Ellipsis);
            links.extend(numbers(number - on_each_side..=number));
        } else {
            links.extend(numbers(1..=number));
        }
        if number + 1 < num_pages.saturating_sub(on_each_side + on_ends) {
            links.extend(numbers(number + 1..=number + on_each_side));
            links.push(PageLink::Ellipsis);
            links.extend(numbers(num_pages + 1 - on_ends.min(num_pages)..=num_pages));
        } else {
            links.extend(numbers(number + 1..=num_pages));
        }
        Ok(links)
    }
}

impl Serialize for Paginator {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Paginator", 5)?;
        st.serialize_field("count", &self.count)?;
        st.serialize_field("per_page", &self.per_page)?;
        st.serialize_field("orphans", &self.orphans)?;
        st.serialize_field("num_pages", &self.num_pages())?;
        st.serialize_field("page_range", &self.page_range().collect::<Vec<_>>())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::PageLink::{Ellipsis, Number as N};
    use super::*;

    #[test]
    fn num_pages_follows_django_with_orphans_and_empty_lists() {
        // Cases from Django's tests/pagination/tests.py (count, per_page, orphans, allow_empty).
        let cases = [
            ((10, 10, 0, true), 1),
            ((10, 4, 0, true), 3),
            ((10, 4, 1, true), 3),
            ((10, 4, 2, true), 2),
            ((10, 23, 0, true), 1),
            ((1, 4, 0, true), 1),
            ((1, 4, 1, true), 1),
            ((0, 4, 0, true), 1),
            ((0, 4, 0, false), 0),
            ((0, 4, 2, true), 1),
        ];
        for ((count, per_page, orphans, allow), pages) in cases {
            let p = Paginator::new(count, per_page)
                .orphans(orphans)
                .allow_empty_first_page(allow);
            assert_eq!(p.num_pages(), pages, "{count} {per_page} {orphans} {allow}");
        }
    }

    #[test]
    fn rows_cover_every_item_once_and_orphans_join_the_last_page() {
        let p = Paginator::new(10, 4).orphans(2);
        assert_eq!(p.rows(1), Ok(0..4));
        assert_eq!(p.rows(2), Ok(4..10));
        assert_eq!(p.rows(3), Err(InvalidPage::NoResults));
        assert_eq!(Paginator::new(0, 4).rows(1), Ok(0..0));
        assert_eq!(Paginator::new(5, 0).num_pages(), 5, "per_page 0 is 1");
    }

    #[test]
    fn bad_numbers_get_djangos_reasons() {
        let p = Paginator::new(10, 4);
        assert_eq!(p.parse_number(Some("0")), Err(InvalidPage::LessThanOne));
        assert_eq!(
            p.parse_number(Some("-99999999999999999999")),
            Err(InvalidPage::LessThanOne)
        );
        assert_eq!(
            p.parse_number(Some("99999999999999999999999")),
            Err(InvalidPage::NoResults)
        );
        assert_eq!(p.parse_number(Some("1.5")), Err(InvalidPage::NotAnInteger));
        assert_eq!(p.parse_number(Some("")), Err(InvalidPage::NotAnInteger));
        assert_eq!(p.parse_number(Some(" 2 ")), Ok(2));
        let empty = Paginator::new(0, 4).allow_empty_first_page(false);
        assert_eq!(empty.parse_number(None), Err(InvalidPage::NoResults));
        assert_eq!(
            empty.parse_number(Some("last")),
            Err(InvalidPage::LessThanOne)
        );
    }

    #[test]
    fn elided_range_matches_djangos_examples() {
        // Django's test_get_elided_page_range, 100 pages of 1.
        let p = Paginator::new(100, 1);
        assert_eq!(
            p.elided_page_range(1, 3, 2).unwrap(),
            [N(1), N(2), N(3), N(4), Ellipsis, N(99), N(100)]
        );
        assert_eq!(
            p.elided_page_range(6, 3, 2).unwrap(),
            [
                N(1),
                N(2),
                N(3),
                N(4),
                N(5),
                N(6),
                N(7),
                N(8),
                N(9),
                Ellipsis,
                N(99),
                N(100)
            ]
        );
        assert_eq!(
            p.elided_page_range(8, 3, 2).unwrap(),
            [
                N(1),
                N(2),
                Ellipsis,
                N(5),
                N(6),
                N(7),
                N(8),
                N(9),
                N(10),
                N(11),
                Ellipsis,
                N(99),
                N(100)
            ]
        );
        assert_eq!(
            p.elided_page_range(100, 3, 2).unwrap(),
            [N(1), N(2), Ellipsis, N(97), N(98), N(99), N(100)]
        );
        assert_eq!(
            p.elided_page_range(50, 1, 0).unwrap(),
            [Ellipsis, N(49), N(50), N(51), Ellipsis]
        );
        let few = Paginator::new(10, 1);
        assert_eq!(
            few.elided_page_range(5, 3, 2).unwrap().len(),
            10,
            "no ellipsis"
        );
        assert_eq!(p.elided_page_range(101, 3, 2), Err(InvalidPage::NoResults));
    }
}
