//! Splitting a list into pages, Django's `django.core.paginator`: a [`Paginator`] counts the
//! items and says which belong to a page, a [`Page`] holds them with what a template needs to
//! link to the others. Over a queryset it runs two queries, a `COUNT(*)` and the page's
//! `LIMIT/OFFSET`; over a `Vec` none. A page number that names no page is an [`InvalidPage`],
//! which a handler's `?` turns into a 404 with Django's message. Guide:
//! `docs/fullstack/pagination.md`.
//!
//! ```no_run
//! use fullstack::pagination::{Page, PageNumber, paginate};
//! use fullstack::query::prelude::*;
//! use fullstack::{Database, Model};
//! use micro::{State, Templates, context};
//!
//! #[derive(Model, serde::Serialize)]
//! #[model(app = "blog")]
//! struct Post {
//!     id: i64,
//!     #[field(max_length = 200)]
//!     title: String,
//! }
//!
//! // GET /posts/?page=2
//! async fn posts(
//!     State(db): State<Database>,
//!     page: PageNumber,
//!     t: Templates,
//! ) -> Result<micro::Html<String>, micro::Error> {
//!     let page: Page<Post> = paginate(&Post::objects(), &db, 25, &page).await?;
//!     Ok(t.render("posts.html", context! { page })?)
//! }
//! ```

mod invalid;
mod number;
mod page;
mod paginator;
mod source;

pub use invalid::InvalidPage;
pub use number::PageNumber;
pub use page::Page;
pub use paginator::{ELLIPSIS, PageLink, Paginator};
pub use source::{PageError, paginate, paginate_vec};
