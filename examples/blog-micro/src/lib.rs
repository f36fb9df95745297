//! A blog on micro, written the way a Flask developer writes one: an app factory ([`app`]),
//! blueprints, Jinja templates, hand-written SQL through sqlx (SQLite or PostgreSQL), a signed
//! cookie session for the login, CSRF tokens in every form, and edit pages in place of an admin.
//! It meets `examples/blog-suite/SPEC.md`, as the Django-style `blog-fullstack` does.
//!
//! | blueprint (module) | what |
//! |---|---|
//! | `blog` | the front page, date archives, post pages and comments, tag pages |
//! | `auth` | `/accounts/login/`, `/accounts/logout/`, the logged-in user |
//! | `editor` | `/posts/new/`, `/posts/edit/ID/`, `/posts/delete/ID/` |
// measure: tags-admin
//! | `tags_admin` | `/manage/tags/`, `/manage/tags/new/`, `/manage/tags/edit/ID/`, `/manage/tags/delete/ID/` |
// end measure: tags-admin
//! | `feeds` | `/feeds/rss/`, `/feeds/atom/`, `/sitemap.xml` |
//! | `api` | `/api/posts`, `/api/posts/ID` |
//!
//! The other modules: [`db`] (every SQL statement), [`forms`] (validation), [`pagination`],
//! [`seed`](mod@seed) (the fixture loader).

mod api;
pub mod auth;
mod blog;
pub mod db;
mod editor;
mod feeds;
pub mod forms;
pub mod pagination;
pub mod seed;
// measure: tags-admin
mod tags_admin;
// end measure: tags-admin

// measure: security
use micro::http::HeaderValue;
// end measure: security
use micro::{App, Config, ConfigError, Converter, Error, IntoResponse, Json, Request, Templates};

pub use db::Db;
pub use seed::seed;

/// The database when `DATABASE_URL` is not set: a file in the working directory, created if
/// missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://blog-micro.db?mode=rwc";

/// `DATABASE_URL`, or [`DEFAULT_DATABASE_URL`].
pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

// measure: security
/// The hosts answered when `TRUSTED_HOSTS` names none.
const LOCAL_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];
// end measure: security

/// The configuration from `micro.toml` and the `MICRO_*` variables. Without a `SECRET_KEY`
/// (`MICRO_SECRET_KEY`) it is debug mode, whose random key lasts as long as the process: fine
/// on a laptop, and no fixed development key to leak into production.
///
/// # Errors
/// When a setting is malformed.
pub fn config() -> Result<Config, ConfigError> {
    let mut config = Config::load()?;
    if config.secret_key.is_none() && !config.debug {
        eprintln!("blog-micro: no SECRET_KEY set, running in debug mode (set MICRO_SECRET_KEY)");
        config.debug = true;
    }
    Ok(config)
}

/// Django's `<slug:...>` path converter: ASCII letters, digits, `-` and `_`. Anything else in
/// a slug's place is a 404 before a handler (or the database) sees it.
struct Slug;

impl Converter for Slug {
    fn accepts(&self, value: &str) -> bool {
        forms::is_slug(value)
    }
}

/// Builds the app on `db`, rooted at this crate's folder (for `templates/`); `main` serves it and
/// the tests drive it.
///
/// # Errors
/// When the configuration is refused (no secret key outside debug mode).
pub fn app(config: Config, db: Db) -> Result<App, ConfigError> {
    let mut app = micro::app!(config)?;
    app.state(db);
    app.converter("slug", Slug);
    // measure: security
    // The feeds' links are built from the Host header: answer only the hosts listed
    // (`TRUSTED_HOSTS`), and the local machine's names when none are.
    if app.config().trusted_hosts.is_empty() {
        app.trusted_hosts(LOCAL_HOSTS);
    }
    // Every POST carries the token of the page its form came from (`{{ csrf_input() }}`).
    app.csrf_protect();
    // end measure: security
    app.register_blueprint(auth::blueprint());
    app.register_blueprint(blog::blueprint());
    app.register_blueprint(editor::blueprint());
    // measure: tags-admin
    app.register_blueprint(tags_admin::blueprint());
    // end measure: tags-admin
    app.register_blueprint(feeds::blueprint());
    app.register_blueprint(api::blueprint());
    app.command("seed", "Load a fixture JSON file: seed FILE", seed::command);

    // measure: security
    // Security code added by hand: Flask sends none of these headers, so a Flask app adds
    // them in an after_request hook (Django's middleware sends the first three by default).
    app.after_request(|_req, res| {
        let headers = res.headers_mut();
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "same-origin"),
            // Behind the escaping, a second line: no inline script, nothing from another
            // origin, no framing, forms posting here only.
            (
                "content-security-policy",
                "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        ] {
            headers.insert(name, HeaderValue::from_static(value));
        }
    });
    // end measure: security

    app.error_handler(403, error_page);
    app.error_handler(404, error_page);
    Ok(app)
}

/// The page of a 403 or 404 in the site's layout; JSON under `/api/`.
fn error_page(err: &Error, req: &Request) -> Result<micro::Response, Error> {
    if req.path().starts_with("/api/") {
        let body = serde_json::json!({ "error": err.message() });
        return Ok((err.status(), Json(body)).into_response());
    }
    let status = err.status();
    let page = Templates::for_request(req)?.render(
        "error.html",
        micro::context! {
            status => status.as_u16(),
            reason => status.canonical_reason(),
            message => err.message(),
        },
    )?;
    Ok((status, page).into_response())
}
