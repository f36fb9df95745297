//! The behaviour suite of the two blogs (`examples/blog-micro`, `examples/blog-fullstack`):
//! one program that takes a base URL and checks what `SPEC.md` says, over a real socket, as a
//! browser would (cookies, CSRF tokens read from the forms, redirects checked, not followed).
//! Both blogs' tests run it against a freshly seeded database, and `blog-suite BASE_URL` runs
//! it against any running blog.
//!
//! The read-only checks run first (pages, feeds, the API, headers), then the ones that change
//! data (comments, logging in, writing, editing and deleting posts), so a run needs a database
//! seeded with `fixture.json` and is not repeatable on the same one.

mod checks;
mod client;
mod fixture;
pub mod html;
mod report;

pub use client::{Browser, Cookie, Page};
pub use fixture::Fixture;
pub use report::{Check, Report};

/// The fixture the blog must be seeded with (`fixture.json`).
pub fn fixture() -> &'static str {
    fixture::JSON
}

/// Runs every check against the blog at `base` (`http://127.0.0.1:8000`).
pub async fn run(base: &str) -> Report {
    let ctx = checks::Ctx::new(base);
    let mut report = Report::default();
    checks::pages::run(&ctx, &mut report).await;
    checks::feeds::run(&ctx, &mut report).await;
    checks::api::run(&ctx, &mut report).await;
    checks::headers::run(&ctx, &mut report).await;
    checks::hosts::run(&ctx, &mut report).await;
    checks::tokens::run(&ctx, &mut report).await;
    checks::comments::run(&ctx, &mut report).await;
    checks::accounts::run(&ctx, &mut report).await;
    checks::posts::run(&ctx, &mut report).await;
    report
}
