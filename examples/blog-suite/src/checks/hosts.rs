//! A request naming a host the blog does not answer to is refused (400): otherwise the host
//! an attacker chose ends up in the absolute URLs the blog writes (the feeds' links).

use super::Ctx;
use crate::report::Report;

/// Hosts that are not the blog's: another name, and one that smuggles it after an `@`.
const FORGED: &[&str] = &["evil.example", "127.0.0.1@evil.example"];

pub(crate) async fn run(ctx: &Ctx, r: &mut Report) {
    let mut b = ctx.browser();
    for path in ["/", "/feeds/rss/"] {
        for host in FORGED {
            let name = format!("GET {path} with Host: {host} is a 400");
            match b.get_with_host(path, host).await {
                Ok(page) => {
                    let leaked = page.text.contains("evil.example");
                    r.security(
                        name,
                        page.status == 400,
                        format!(
                            "{}{}",
                            page.status,
                            if leaked { ", the host in the page" } else { "" }
                        ),
                    );
                }
                Err(e) => r.security(name, false, e),
            }
        }
    }
}
