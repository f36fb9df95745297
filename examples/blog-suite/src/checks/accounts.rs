//! Logging in and out: wrong credentials, the CSRF token, the session cookie, `next` (kept on
//! this site), who the pages say is logged in, and pages that need a login.

use super::{Ctx, log_in, seen};
use crate::html;
use crate::report::Report;

/// `next` values that must not lead away from the site.
const EVIL_NEXT: &[&str] = &[
    "//evil.com",
    "https://evil.com",
    "/\\evil.com",
    "javascript:alert(1)",
    "%2F%2Fevil.com",
    "/%2F/evil.com",
    "http://localhost@evil.com/",
];

pub(crate) async fn run(ctx: &Ctx, r: &mut Report) {
    let Some(user) = ctx.fixture.users.first() else {
        return;
    };
    let mut b = ctx.browser();

    match log_in(&mut b, &user.username, "not the password", "/").await {
        Ok(page) => {
            r.check(
                "wrong credentials show the form again with Django's message",
                page.status == 200
                    && html::unescape(&page.text).contains(
                        "Please enter a correct username and password. Note that both fields may be case-sensitive.",
                    ),
                seen(&page),
            );
            r.check(
                "and keep the username",
                html::input_value(&page.text, "username").as_deref()
                    == Some(user.username.as_str()),
                format!("{:?}", html::input_value(&page.text, "username")),
            );
        }
        Err(e) => r.check("wrong credentials show the form again", false, e),
    }
    match b
        .post(
            "/accounts/login/",
            &[("username", &user.username), ("password", &user.password)],
        )
        .await
    {
        Ok(page) => r.security(
            "a login without a CSRF token is a 403",
            page.status == 403,
            seen(&page),
        ),
        Err(e) => r.security("a login without a CSRF token is a 403", false, e),
    }

    let before = b.cookies().clone();
    match log_in(&mut b, &user.username, &user.password, "/posts/new/").await {
        Ok(page) => r.check(
            "a login goes to a `next` on this site",
            page.redirects_to("/posts/new/"),
            seen(&page),
        ),
        Err(e) => r.check("a login goes to a `next` on this site", false, e),
    }
    let changed = b
        .cookies()
        .iter()
        .filter(|(name, c)| c.http_only && before.get(*name).is_none_or(|old| old.value != c.value))
        .count();
    r.security(
        "the session cookie is HttpOnly and its value changes at login",
        changed > 0,
        format!("cookies before {before:?}, after {:?}", b.cookies()),
    );
    match b.get("/").await {
        Ok(page) => r.check(
            "the pages say who is logged in",
            page.text
                .contains(&format!("<span class=\"user\">{}</span>", user.username)),
            "no <span class=\"user\">",
        ),
        Err(e) => r.check("the pages say who is logged in", false, e),
    }

    for evil in EVIL_NEXT {
        let mut other = ctx.browser();
        match log_in(&mut other, &user.username, &user.password, evil).await {
            Ok(page) => r.security(
                format!("next={evil} after a login goes to / instead"),
                page.redirects_to("/"),
                seen(&page),
            ),
            Err(e) => r.security(
                format!("next={evil} after a login goes to / instead"),
                false,
                e,
            ),
        }
    }

    let token = super::token(&mut b, "/").await.unwrap_or_default();
    match b
        .post("/accounts/logout/", &[("csrfmiddlewaretoken", &token)])
        .await
    {
        Ok(page) => r.check("logging out goes to /", page.redirects_to("/"), seen(&page)),
        Err(e) => r.check("logging out goes to /", false, e),
    }
    match b.get("/posts/new/").await {
        Ok(page) => r.check(
            "after logging out, a page that needs a login sends to the login form",
            page.redirects_to("/accounts/login/"),
            seen(&page),
        ),
        Err(e) => r.check("after logging out, the login is needed again", false, e),
    }

    // Nobody logged in: the pages that need a login send there, with the way back.
    let mut anonymous = ctx.browser();
    let id = first_post_id(&mut anonymous).await;
    let mut paths = vec!["/posts/new/".to_owned()];
    if let Some(id) = id {
        paths.push(format!("/posts/edit/{id}/"));
        paths.push(format!("/posts/delete/{id}/"));
    }
    for path in paths {
        match anonymous.get(&path).await {
            Ok(page) => r.security(
                format!("{path} needs a login: to /accounts/login/?next={path}"),
                page.status == 302
                    && page.location_path().as_deref() == Some("/accounts/login/")
                    && page.location_param("next").as_deref() == Some(path.as_str()),
                seen(&page),
            ),
            Err(e) => r.security(format!("{path} needs a login"), false, e),
        }
    }
}

/// The id of the newest post, read from the API.
pub(crate) async fn first_post_id(b: &mut crate::client::Browser) -> Option<i64> {
    let page = b.get("/api/posts").await.ok()?;
    let body: serde_json::Value = serde_json::from_str(&page.text).ok()?;
    body["results"][0]["id"].as_i64()
}
