//! Cutting a page out of the items: a `Vec` in memory, or a queryset with one `COUNT(*)` and
//! one `SELECT ... LIMIT/OFFSET` (never the whole table).

use super::{InvalidPage, Page, Paginator};
use crate::query::{Executor, QuerySet};
use crate::{Error, Model};

impl Paginator {
    /// A paginator over the rows of `queryset`: runs its `COUNT(*)` (one query).
    ///
    /// # Errors
    /// The driver's error.
    pub async fn for_queryset<M: Model, E: Executor>(
        queryset: &QuerySet<M>,
        ex: E,
        per_page: u64,
    ) -> Result<Self, Error> {
        Ok(Paginator::new(queryset.count(ex).await?, per_page))
    }

    /// Page `number` of `items` (whose length must be this paginator's count).
    ///
    /// # Errors
    /// [`InvalidPage`] when `number` names no page.
    pub fn page_of_vec<T>(&self, mut items: Vec<T>, number: u64) -> Result<Page<T>, InvalidPage> {
        let rows = self.rows(number)?;
        let len = items.len() as u64;
        items.truncate(usize::try_from(rows.end.min(len)).unwrap_or(usize::MAX));
        items.drain(..usize::try_from(rows.start.min(len)).unwrap_or(usize::MAX));
        Ok(Page::new(items, number, *self))
    }

    /// Page `number` of `queryset`'s rows, read with one query (none for an empty page). The
    /// page is taken inside the queryset's own slice, if it has one, and a queryset without
    /// an order is ordered by primary key, so that pages neither repeat nor skip rows.
    ///
    /// # Errors
    /// [`PageError::Invalid`] when `number` names no page (a 404), or the driver's error.
    pub async fn page_of_queryset<M: Model, E: Executor>(
        &self,
        queryset: &QuerySet<M>,
        ex: E,
        number: u64,
    ) -> Result<Page<M>, PageError> {
        let rows = self.rows(number)?;
        let items = if rows.is_empty() {
            Vec::new()
        } else {
            queryset
                .clone()
                .ordered_by_pk_if_unordered()
                .within_slice(rows)
                .all(ex)
                .await?
        };
        Ok(Page::new(items, number, *self))
    }
}

/// Why a page of a queryset could not be read: the number names no page, or the database
/// failed. Converts into a `micro::Error` with `?` (a 404, or what [`Error::http_error`]
/// says).
#[derive(Debug)]
pub enum PageError {
    /// The page number names no page.
    Invalid(InvalidPage),
    /// The database's error.
    Database(Error),
}

impl From<InvalidPage> for PageError {
    fn from(e: InvalidPage) -> Self {
        PageError::Invalid(e)
    }
}

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        PageError::Database(e)
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::Invalid(e) => e.fmt(f),
            PageError::Database(e) => e.fmt(f),
        }
    }
}

impl PageError {
    /// The HTTP error: 404 for a page that is not there, else [`Error::http_error`].
    pub fn http_error(&self) -> micro::Error {
        match self {
            PageError::Invalid(e) => e.http_error(),
            PageError::Database(e) => e.http_error(),
        }
    }
}

impl From<PageError> for micro::Error {
    fn from(e: PageError) -> Self {
        e.http_error()
    }
}

/// Page `param` (a request's `?page=`: none is 1, `last` the last) of `queryset`'s rows, `per_page`
/// to a page: one `COUNT(*)` and one page query. A handler's `?` makes a page that is not
/// there a 404 with Django's message.
///
/// ```no_run
/// # use fullstack::pagination::{Page, PageNumber, paginate};
/// # use fullstack::query::prelude::*;
/// # use fullstack::{Database, Model};
/// # async fn demo<Question: Model>(db: &Database, page: PageNumber) -> Result<(), micro::Error> {
/// let page: Page<Question> = paginate(&Question::objects(), db, 25, &page).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`PageError::Invalid`] when `param` names no page, or the driver's error.
pub async fn paginate<M: Model, E: Executor>(
    queryset: &QuerySet<M>,
    mut ex: E,
    per_page: u64,
    param: &super::PageNumber,
) -> Result<Page<M>, PageError> {
    let paginator = Paginator::for_queryset(queryset, &mut ex, per_page).await?;
    let number = paginator.parse_number(param.as_deref())?;
    paginator.page_of_queryset(queryset, &mut ex, number).await
}

/// Page `param` of `items`, `per_page` to a page (the `Vec` twin of [`paginate`]).
///
/// ```
/// use fullstack::pagination::{PageNumber, paginate_vec};
/// let page = paginate_vec((1..=25).collect::<Vec<u32>>(), 10, &PageNumber::from("last")).unwrap();
/// assert_eq!(page.object_list, [21, 22, 23, 24, 25]);
/// let missing = paginate_vec(vec![1, 2], 10, &PageNumber::from("2")).unwrap_err();
/// assert_eq!(missing.to_string(), "That page contains no results");
/// ```
///
/// # Errors
/// [`InvalidPage`] when `param` names no page.
pub fn paginate_vec<T>(
    items: Vec<T>,
    per_page: u64,
    param: &super::PageNumber,
) -> Result<Page<T>, InvalidPage> {
    let paginator = Paginator::new(items.len() as u64, per_page);
    let number = paginator.parse_number(param.as_deref())?;
    paginator.page_of_vec(items, number)
}
