//! `blog-suite BASE_URL`: checks the blog running there (seeded with `fixture.json`, and not
//! checked before: the run changes its data), prints every check, exits 1 when one failed.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let Some(base) = std::env::args().nth(1) else {
        eprintln!(
            "usage: blog-suite BASE_URL (a blog seeded with examples/blog-suite/fixture.json)"
        );
        return ExitCode::from(2);
    };
    let report = blog_suite::run(&base).await;
    print!("{}", report.summary());
    if report.failures().is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
