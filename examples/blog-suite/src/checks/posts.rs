//! Writing, editing and deleting posts through the forms: the form's fields, a valid post,
//! each invalid value (shown again in Django's words, nothing lost), a taken slug, the author
//! only (403 for another user, GET and POST alike), unknown ids, and CSRF.

use serde_json::Value;

use super::{Ctx, seen, submit};
use crate::client::Browser;
use crate::html;
use crate::report::Report;

/// The post the suite writes.
const NEW: &[(&str, &str)] = &[
    ("title", "Written by the suite <i>today</i>"),
    ("slug", "written-by-the-suite"),
    ("body", "Paragraph one.\n\nParagraph two."),
    ("published", "2022-08-09T10:11"),
];
const NEW_URL: &str = "/posts/2022/08/09/written-by-the-suite/";

/// The API's post with this slug, if published.
async fn api_post(b: &mut Browser, slug: &str) -> Option<Value> {
    for page in 1.. {
        let res = b.get(&format!("/api/posts?page={page}")).await.ok()?;
        if res.status != 200 {
            return None;
        }
        let body: Value = serde_json::from_str(&res.text).ok()?;
        let found = body["results"]
            .as_array()?
            .iter()
            .find(|p| p["slug"] == slug)
            .cloned();
        if found.is_some() {
            return found;
        }
    }
    None
}

pub(crate) async fn run(ctx: &Ctx, r: &mut Report) {
    let [first, second, ..] = ctx.fixture.users.as_slice() else {
        return;
    };
    let mut alice = ctx.logged_in(r, &first.username).await;
    let mut bob = ctx.logged_in(r, &second.username).await;

    // The form.
    let Ok(form) = alice.get("/posts/new/").await else {
        r.check("GET /posts/new/ answers", false, "no answer");
        return;
    };
    let options = html::options(&form.text, "tags");
    let mut names: Vec<String> = options.iter().map(|(_, n)| n.clone()).collect();
    names.sort();
    let mut want: Vec<String> = ctx.fixture.tags.iter().map(|t| t.name.clone()).collect();
    want.sort();
    r.check(
        "the new post form offers every tag as an option",
        form.status == 200 && names == want,
        format!("{} {options:?}", form.status),
    );
    r.check(
        "the new post form's date is a datetime-local input",
        form.text.contains("type=\"datetime-local\""),
        "no datetime-local input",
    );
    let tag_id = |slug: &str| {
        let name = ctx
            .fixture
            .tags
            .iter()
            .find(|t| t.slug == slug)
            .map(|t| t.name.clone());
        options
            .iter()
            .find(|(_, n)| Some(n) == name.as_ref())
            .map(|(v, _)| v.clone())
    };
    let rust = tag_id("rust").unwrap_or_default();

    // Invalid values, one at a time, each shown again with the rest kept.
    let taken = ctx
        .fixture
        .published(ctx.now)
        .first()
        .map(|p| p.slug.clone())
        .unwrap_or_default();
    for (field, value, message) in [
        ("title", "", "This field is required."),
        (
            "slug",
            "not a slug!",
            "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
        ),
        (
            "slug",
            taken.as_str(),
            "Post with this Slug already exists.",
        ),
        ("published", "soon", "Enter a valid date/time."),
    ] {
        let mut fields: Vec<(&str, &str)> = NEW
            .iter()
            .map(|(k, v)| if *k == field { (*k, value) } else { (*k, *v) })
            .collect();
        fields.push(("tags", &rust));
        match submit(&mut alice, "/posts/new/", &fields).await {
            Ok(page) => {
                let text = html::unescape(&page.text);
                r.check(
                    format!("{field}={value:?} is refused with {message:?}"),
                    page.status == 200 && text.contains(message),
                    seen(&page),
                );
                let kept = if field == "title" {
                    html::field_value(&page.text, "body").as_deref() == Some(NEW[2].1)
                } else {
                    html::input_value(&page.text, "title").as_deref() == Some(NEW[0].1)
                };
                r.check(
                    format!("{field}={value:?}: the other values are kept"),
                    kept,
                    "a value was lost",
                );
            }
            Err(e) => r.check(format!("{field}={value:?} is refused"), false, e),
        }
    }
    let long = "t".repeat(201);
    let mut fields: Vec<(&str, &str)> = NEW
        .iter()
        .map(|(k, v)| {
            if *k == "title" {
                (*k, long.as_str())
            } else {
                (*k, *v)
            }
        })
        .collect();
    fields.push(("tags", &rust));
    if let Ok(page) = submit(&mut alice, "/posts/new/", &fields).await {
        r.check(
            "a title of 201 characters is refused",
            page.status == 200
                && page
                    .text
                    .contains("Ensure this value has at most 200 characters (it has 201)."),
            seen(&page),
        );
    }
    match alice.post("/posts/new/", NEW).await {
        Ok(page) => r.security(
            "a new post without a CSRF token is a 403",
            page.status == 403,
            seen(&page),
        ),
        Err(e) => r.security("a new post without a CSRF token is a 403", false, e),
    }

    // A valid post.
    let mut fields = NEW.to_vec();
    fields.push(("tags", &rust));
    match submit(&mut alice, "/posts/new/", &fields).await {
        Ok(page) => r.check(
            "a valid new post redirects to its URL",
            page.redirects_to(NEW_URL),
            seen(&page),
        ),
        Err(e) => r.check("a valid new post redirects to its URL", false, e),
    }
    if let Ok(page) = alice.get(NEW_URL).await {
        r.check(
            "the new post has its title, author and tag",
            html::texts(&page.text, "post-title") == [NEW[0].1]
                && html::texts(&page.text, "post-author") == [first.username.clone()]
                && page.text.contains("href=\"/tags/rust/\""),
            seen(&page),
        );
        r.security(
            "the new post's title is escaped",
            !page.text.contains("<i>today</i>"),
            "raw <i>",
        );
    }
    let Some(new) = api_post(&mut alice, "written-by-the-suite").await else {
        r.check("the API lists the new post", false, "not found");
        return;
    };
    let id = new["id"].as_i64().unwrap_or(0);
    r.check(
        "the API lists the new post, by its author",
        new["author"] == first.username.as_str(),
        new.to_string(),
    );
    let edit = format!("/posts/edit/{id}/");
    let delete = format!("/posts/delete/{id}/");
    match alice.get(NEW_URL).await {
        Ok(page) => r.check(
            "its author sees links to edit and delete it",
            page.text.contains(&format!("href=\"{edit}\""))
                && page.text.contains(&format!("href=\"{delete}\"")),
            "no edit or delete link",
        ),
        Err(e) => r.check("its author sees links to edit and delete it", false, e),
    }

    // Another user: no links, and 403 whatever they send.
    if let Ok(page) = bob.get(NEW_URL).await {
        r.security(
            "another user sees no edit link",
            !page.text.contains(&format!("href=\"{edit}\"")),
            "an edit link",
        );
    }
    for path in [&edit, &delete] {
        match bob.get(path).await {
            Ok(page) => r.security(
                format!("GET {path} by another user is a 403"),
                page.status == 403,
                seen(&page),
            ),
            Err(e) => r.security(format!("GET {path} by another user is a 403"), false, e),
        }
    }
    let bob_token = super::token(&mut bob, "/posts/new/")
        .await
        .unwrap_or_default();
    let mut forged = vec![("csrfmiddlewaretoken", bob_token.as_str())];
    forged.extend_from_slice(&[
        ("title", "Hijacked"),
        ("slug", "hijacked"),
        ("body", "x"),
        ("published", "2022-08-09T10:11"),
    ]);
    for path in [&edit, &delete] {
        match bob.post(path, &forged).await {
            Ok(page) => r.security(
                format!("POST {path} by another user is a 403"),
                page.status == 403,
                seen(&page),
            ),
            Err(e) => r.security(format!("POST {path} by another user is a 403"), false, e),
        }
    }
    let still = api_post(&mut alice, "written-by-the-suite").await;
    r.security(
        "and the post is unchanged",
        still.as_ref().is_some_and(|p| p["title"] == NEW[0].1),
        format!("{still:?}"),
    );
    for path in [
        "/posts/edit/999999/",
        "/posts/edit/abc/",
        "/posts/delete/999999/",
    ] {
        match alice.get(path).await {
            Ok(page) => r.check(
                format!("GET {path} is a 404"),
                page.status == 404,
                seen(&page),
            ),
            Err(e) => r.check(format!("GET {path} is a 404"), false, e),
        }
    }

    // Editing: the form shows the post; a new date and title move it.
    match alice.get(&edit).await {
        Ok(page) => r.check(
            "the edit form shows the post's values",
            page.status == 200
                && html::input_value(&page.text, "title").as_deref() == Some(NEW[0].1)
                && html::input_value(&page.text, "slug").as_deref() == Some(NEW[1].1)
                && html::input_value(&page.text, "published")
                    .is_some_and(|v| v.starts_with("2022-08-09T10:11"))
                && html::field_value(&page.text, "body").as_deref() == Some(NEW[2].1),
            seen(&page),
        ),
        Err(e) => r.check("the edit form shows the post's values", false, e),
    }
    let moved = "/posts/2022/08/10/written-by-the-suite/";
    let changes = [
        ("title", "Edited by the suite"),
        ("slug", "written-by-the-suite"),
        ("body", "Changed."),
        ("published", "2022-08-10T08:00"),
    ];
    match submit(&mut alice, &edit, &changes).await {
        Ok(page) => r.check(
            "an edit redirects to the post's new URL",
            page.redirects_to(moved),
            seen(&page),
        ),
        Err(e) => r.check("an edit redirects to the post's new URL", false, e),
    }
    let mut anonymous = ctx.browser();
    for (path, status) in [(moved, 200), (NEW_URL, 404)] {
        match anonymous.get(path).await {
            Ok(page) => r.check(
                format!("after the edit, {path} is a {status}"),
                page.status.as_u16() == status,
                seen(&page),
            ),
            Err(e) => r.check(format!("after the edit, {path} is a {status}"), false, e),
        }
    }
    let edited = api_post(&mut anonymous, "written-by-the-suite").await;
    r.check(
        "the edit kept no tag (none was sent)",
        edited.as_ref().is_some_and(|p| {
            p["title"] == "Edited by the suite" && p["tags"] == serde_json::json!([])
        }),
        format!("{edited:?}"),
    );

    // Deleting: a confirmation page, the token, then the post is gone.
    match alice.get(&delete).await {
        Ok(page) => r.check(
            "the delete page asks to confirm, in a form with a token",
            page.status == 200 && html::csrf_token(&page.text).is_some(),
            seen(&page),
        ),
        Err(e) => r.check("the delete page asks to confirm", false, e),
    }
    match alice.post(&delete, &[]).await {
        Ok(page) => r.security(
            "a delete without a CSRF token is a 403",
            page.status == 403,
            seen(&page),
        ),
        Err(e) => r.security("a delete without a CSRF token is a 403", false, e),
    }
    match submit(&mut alice, &delete, &[]).await {
        Ok(page) => r.check(
            "a confirmed delete goes to /",
            page.redirects_to("/"),
            seen(&page),
        ),
        Err(e) => r.check("a confirmed delete goes to /", false, e),
    }
    for path in [moved.to_owned(), format!("/api/posts/{id}"), edit.clone()] {
        match alice.get(&path).await {
            Ok(page) => r.check(
                format!("after the delete, {path} is a 404"),
                page.status == 404,
                seen(&page),
            ),
            Err(e) => r.check(format!("after the delete, {path} is a 404"), false, e),
        }
    }
}
