//! Every form that posts carries a CSRF token: on the pages anybody sees (the comment form,
//! the login form) and on those a logged-in user sees (the logout button, the new post form).

use super::Ctx;
use crate::client::Browser;
use crate::report::Report;

pub(crate) async fn run(ctx: &Ctx, r: &mut Report) {
    let mut anybody = ctx.browser();
    let post = ctx.fixture.published(ctx.now).first().map(|p| p.url());
    for path in post.into_iter().chain(["/accounts/login/".to_owned()]) {
        forms_carry_tokens(&mut anybody, &path, r).await;
    }
    let Some(user) = ctx.fixture.users.first() else {
        return;
    };
    let mut user = ctx.logged_in(r, &user.username).await;
    for path in ["/", "/posts/new/"] {
        forms_carry_tokens(&mut user, path, r).await;
    }
}

/// Records, for the page at `path`, that it has a form that posts and that each carries a
/// token.
async fn forms_carry_tokens(b: &mut Browser, path: &str, r: &mut Report) {
    let name = format!("every form that posts on {path} carries a CSRF token");
    let page = match b.get(path).await {
        Ok(page) => page,
        Err(e) => return r.security(name, false, e),
    };
    let forms = crate::html::post_forms(&page.text);
    let missing: Vec<_> = forms
        .iter()
        .filter(|(_, has_token)| !has_token)
        .map(|(action, _)| format!("{action:?}"))
        .collect();
    r.security(
        name,
        page.status == 200 && !forms.is_empty() && missing.is_empty(),
        if forms.is_empty() {
            format!("{} with no form that posts", page.status)
        } else {
            format!(
                "{} forms without one, action: {}",
                missing.len(),
                missing.join(", ")
            )
        },
    );
}
