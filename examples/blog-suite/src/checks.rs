//! The checks, by part of the spec. Each records what it finds in the [`Report`] and goes on:
//! one run lists every difference from the spec, not the first.

pub(crate) mod accounts;
pub(crate) mod api;
pub(crate) mod comments;
pub(crate) mod feeds;
pub(crate) mod headers;
pub(crate) mod hosts;
pub(crate) mod pages;
pub(crate) mod posts;
pub(crate) mod tokens;

use chrono::{DateTime, Utc};

use crate::client::{Browser, Page};
use crate::fixture::Fixture;
use crate::report::Report;

/// What every check knows: where the blog is, what it was seeded with, and the time the run
/// started (what is published).
pub(crate) struct Ctx {
    pub(crate) base: String,
    pub(crate) fixture: Fixture,
    pub(crate) now: DateTime<Utc>,
}

impl Ctx {
    pub(crate) fn new(base: &str) -> Ctx {
        Ctx {
            base: base.trim_end_matches('/').to_owned(),
            fixture: Fixture::load(),
            now: Utc::now(),
        }
    }

    pub(crate) fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// A browser logged in as `username` (the check is recorded).
    pub(crate) async fn logged_in(&self, r: &mut Report, username: &str) -> Browser {
        let mut b = self.browser();
        let password = self.fixture.password(username).to_owned();
        let ok = match log_in(&mut b, username, &password, "/").await {
            Ok(page) => page.redirects_to("/"),
            Err(_) => false,
        };
        r.check(
            format!("{username} logs in"),
            ok,
            "no redirect to / after the login form",
        );
        b
    }
}

/// `GET path`, recording a check that it answered `status`; the page when it did.
pub(crate) async fn expect(
    r: &mut Report,
    b: &mut Browser,
    path: &str,
    status: u16,
) -> Option<Page> {
    match b.get(path).await {
        Ok(page) => {
            let ok = page.status.as_u16() == status;
            r.check(
                format!("GET {path} is a {status}"),
                ok,
                format!("it was a {}", page.status),
            );
            ok.then_some(page)
        }
        Err(e) => {
            r.check(format!("GET {path} is a {status}"), false, e);
            None
        }
    }
}

/// The CSRF token of the form at `path`, as a browser gets it.
pub(crate) async fn token(b: &mut Browser, path: &str) -> Result<String, String> {
    let page = b.get(path).await?;
    crate::html::csrf_token(&page.text).ok_or_else(|| {
        format!(
            "GET {path} ({}) has no csrfmiddlewaretoken input",
            page.status
        )
    })
}

/// Posts `fields` to `path` as a browser submits the form there: with the form's token, or
/// without one when the form has none (a blog that forgot its tokens is then refused by its
/// own CSRF check, or, with no check at all, measured on what it does next).
pub(crate) async fn submit(
    b: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
) -> Result<Page, String> {
    let page = b.get(path).await?;
    let token = crate::html::csrf_token(&page.text);
    let mut all = Vec::with_capacity(fields.len() + 1);
    if let Some(token) = &token {
        all.push(("csrfmiddlewaretoken", token.as_str()));
    }
    all.extend_from_slice(fields);
    b.post(path, &all).await
}

/// Logs in through the login form.
pub(crate) async fn log_in(
    b: &mut Browser,
    username: &str,
    password: &str,
    next: &str,
) -> Result<Page, String> {
    submit(
        b,
        "/accounts/login/",
        &[
            ("username", username),
            ("password", password),
            ("next", next),
        ],
    )
    .await
}

/// What a failed expectation saw: the status and the start of the body.
pub(crate) fn seen(page: &Page) -> String {
    let text: String = page.text.chars().take(300).collect();
    format!(
        "{} (Location: {:?}) {text}",
        page.status,
        page.header("location")
    )
}

/// The titles of a list page's posts.
pub(crate) fn titles(page: &Page) -> Vec<String> {
    crate::html::post_links(&page.text)
        .into_iter()
        .map(|(_, t)| t)
        .collect()
}
