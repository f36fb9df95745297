//! Adding a comment through the post page's form: valid, invalid (shown again, nothing lost),
//! without a CSRF token, with markup, and on a post that is not published.

use super::{Ctx, seen, submit};
use crate::html;
use crate::report::Report;

pub(crate) async fn run(ctx: &Ctx, r: &mut Report) {
    let published = ctx.fixture.published(ctx.now);
    let Some(post) = published.last() else {
        return;
    };
    let url = post.url();
    let mut b = ctx.browser();
    let count = |page: &str| html::texts(page, "comment-name").len();
    let before = match b.get(&url).await {
        Ok(page) => count(&page.text),
        Err(_) => 0,
    };

    match submit(
        &mut b,
        &url,
        &[("name", "Eve <i>"), ("body", "First <b>comment</b> here.")],
    )
    .await
    {
        Ok(page) => {
            r.check(
                "a valid comment redirects to its post",
                page.redirects_to(&url),
                seen(&page),
            );
            if let Ok(page) = b.get(&url).await {
                let names = html::texts(&page.text, "comment-name");
                r.check(
                    "the new comment shows last on its post",
                    names.last().map(String::as_str) == Some("Eve <i>")
                        && names.len() == before + 1,
                    format!("{names:?}"),
                );
                r.security(
                    "a new comment's markup is escaped",
                    !page.text.contains("Eve <i>") && !page.text.contains("<b>comment</b>"),
                    "raw markup in the page",
                );
            }
        }
        Err(e) => r.check("a valid comment redirects to its post", false, e),
    }

    match submit(&mut b, &url, &[("name", ""), ("body", "Kept text")]).await {
        Ok(page) => {
            r.check(
                "a comment without a name is shown again with Django's message",
                page.status == 200 && page.text.contains("This field is required."),
                seen(&page),
            );
            r.check(
                "and what was typed is kept",
                html::field_value(&page.text, "body").as_deref() == Some("Kept text"),
                format!("{:?}", html::field_value(&page.text, "body")),
            );
        }
        Err(e) => r.check("a comment without a name is shown again", false, e),
    }
    let long = "n".repeat(81);
    match submit(&mut b, &url, &[("name", &long), ("body", "x")]).await {
        Ok(page) => r.check(
            "a name of 81 characters is refused, with the limit and the length",
            page.status == 200
                && page
                    .text
                    .contains("Ensure this value has at most 80 characters (it has 81)."),
            seen(&page),
        ),
        Err(e) => r.check("a name of 81 characters is refused", false, e),
    }

    match b
        .post(&url, &[("name", "Mallory"), ("body", "no token")])
        .await
    {
        Ok(page) => {
            r.security(
                "a comment without a CSRF token is a 403",
                page.status == 403,
                seen(&page),
            );
            if let Ok(after) = b.get(&url).await {
                r.security(
                    "and is not added",
                    !html::texts(&after.text, "comment-name").contains(&"Mallory".to_owned()),
                    "Mallory's comment is there",
                );
            }
        }
        Err(e) => r.security("a comment without a CSRF token is a 403", false, e),
    }
    let token = super::token(&mut b, &url).await.unwrap_or_default();
    match b
        .post(
            &url,
            &[
                (
                    "csrfmiddlewaretoken",
                    "forged-token-value-forged-token-value-1234",
                ),
                ("name", "M"),
                ("body", "x"),
            ],
        )
        .await
    {
        Ok(page) => r.security(
            "a comment with a forged CSRF token is a 403",
            page.status == 403,
            seen(&page),
        ),
        Err(e) => r.security("a comment with a forged CSRF token is a 403", false, e),
    }

    for future in ctx.fixture.future(ctx.now) {
        match b
            .post(
                &future.url(),
                &[
                    ("csrfmiddlewaretoken", &token),
                    ("name", "Early"),
                    ("body", "x"),
                ],
            )
            .await
        {
            Ok(page) => r.check(
                "a comment on a post not published yet is a 404",
                page.status == 404,
                seen(&page),
            ),
            Err(e) => r.check("a comment on a post not published yet is a 404", false, e),
        }
    }
}
