//! The micro framework in one small app: pages rendered from templates with inheritance, a
//! greeting that escapes its input, a date archive with typed rule variables, a JSON echo, a
//! login kept in the session with flash messages (the `auth` blueprint), a custom 404 page, a
//! hook, and `url_for` wherever a link is made.
//!
//! Run it with `cargo run -p hello-micro` (it listens on `HOST`:`PORT`, default 127.0.0.1:5000),
//! from any directory: `micro::app!` roots the app at this crate's folder, so `templates/` and
//! `static/` beside `Cargo.toml` are found. A copy of the binary deployed elsewhere is given its
//! folder with `MICRO_ROOT_PATH`.

mod auth;

use micro::http::HeaderValue;
use micro::{App, Config, ConfigError, Error, G, Html, Json, Templates, context};
use serde::{Deserialize, Serialize};

/// The configuration from `micro.toml` / `MICRO_*` variables, with this example's default:
/// debug mode (with a temporary secret key) when no `SECRET_KEY` is set, so `cargo run` works on
/// a fresh machine.
pub fn config() -> Result<Config, ConfigError> {
    let mut config = Config::load()?;
    if config.secret_key.is_none() && !config.debug {
        eprintln!(
            "hello-micro: no SECRET_KEY set, running in debug mode (set MICRO_SECRET_KEY in production)"
        );
        config.debug = true;
    }
    Ok(config)
}

/// Builds the app, rooted at this crate's folder; `main` serves it and the tests call it in
/// memory.
///
/// # Errors
/// When the configuration is refused (no secret key outside debug mode).
pub fn app(config: Config) -> Result<App, ConfigError> {
    let mut app = micro::app!(config)?;
    app.get("/", index);
    app.get("/hello/<name>", hello);
    app.get(
        "/posts/<int(min=1):year>/<int(min=1, max=12):month>/<int(min=1, max=31):day>/",
        archive,
    );
    // Forms post with the token of their page (`{{ csrf_input() }}`); the JSON API is exempt,
    // as an API authenticated by a bearer token would be (the cross-origin check still runs).
    app.csrf_protect();
    app.route("/api/echo", micro::routing::post(echo).csrf_exempt());
    app.register_blueprint(auth::blueprint());

    // A hook: time every request and say so in a header.
    app.before_request(|g: G| async move {
        g.insert(Started(std::time::Instant::now()));
    });
    app.after_request(|_req, res| {
        res.headers_mut()
            .insert("x-powered-by", HeaderValue::from_static("micro"));
    });

    // Error handlers take no extractors; they render from the app's templates through the
    // request's template context, which the 404 page needs for `request.path`.
    app.error_handler(404, |_err, req| not_found_page(req));
    Ok(app)
}

#[derive(Clone, Copy)]
struct Started(std::time::Instant);

fn not_found_page(req: &micro::Request) -> Result<Html<String>, Error> {
    Templates::for_request(req)?.render("404.html", ())
}

async fn index(t: Templates) -> Result<Html<String>, Error> {
    t.render("index.html", ())
}

async fn hello(
    micro::Path(name): micro::Path<String>,
    t: Templates,
    g: G,
) -> Result<Html<String>, Error> {
    let micros = g.get::<Started>().map(|s| s.0.elapsed().as_micros());
    tracing::debug!("rendering hello after {micros:?} µs");
    t.render("hello.html", context! { name })
}

/// The rule's converters already checked the ranges; a date that does not exist is a 404.
async fn archive(
    micro::Path((year, month, day)): micro::Path<(u16, u8, u8)>,
    t: Templates,
) -> Result<Html<String>, Error> {
    let days_in_month = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day > days_in_month {
        return Err(micro::abort(404));
    }
    t.render(
        "archive.html",
        context! { date => format!("{year}-{month:02}-{day:02}") },
    )
}

/// What `POST /api/echo` accepts.
#[derive(Debug, Deserialize, Serialize)]
pub struct Message {
    /// Any text.
    pub text: String,
    /// How many times to repeat it, 1 to 10.
    #[serde(default = "one")]
    pub times: u8,
}

fn one() -> u8 {
    1
}

async fn echo(Json(msg): Json<Message>) -> Result<Json<serde_json::Value>, Error> {
    if !(1..=10).contains(&msg.times) {
        return Err(
            Error::unprocessable("`times` must be between 1 and 10.").with_details(
                serde_json::json!([{"field": "times", "message": "must be between 1 and 10"}]),
            ),
        );
    }
    Ok(Json(serde_json::json!({
        "echo": msg.text.repeat(msg.times as usize),
        "length": msg.text.chars().count() * msg.times as usize,
    })))
}
