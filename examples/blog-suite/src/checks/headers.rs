//! The security headers every HTML page sends.

use super::Ctx;
use crate::report::Report;

pub(crate) async fn run(ctx: &Ctx, r: &mut Report) {
    let mut b = ctx.browser();
    let post = ctx.fixture.published(ctx.now).first().map(|p| p.url());
    for path in std::iter::once("/".to_owned())
        .chain(post)
        .chain(["/accounts/login/".to_owned()])
    {
        let Ok(page) = b.get(&path).await else {
            r.security(format!("{path} answers"), false, "no answer");
            continue;
        };
        r.security(
            format!("{path} sends X-Content-Type-Options: nosniff"),
            page.header("x-content-type-options") == Some("nosniff"),
            format!("{:?}", page.header("x-content-type-options")),
        );
        let framed = page.header("x-frame-options").is_some()
            || page
                .header("content-security-policy")
                .is_some_and(|csp| csp.contains("frame-ancestors"));
        r.security(
            format!(
                "{path} may not be framed by another site (X-Frame-Options or frame-ancestors)"
            ),
            framed,
            "neither header",
        );
    }
}
