//! The micro core in one small app: an HTML page, a greeting that escapes its input, a date
//! archive with typed rule variables, a JSON echo, a custom 404 page, a hook, and `url_for`
//! everywhere a link is made.
//!
//! Run it with `cargo run -p hello-micro` (it listens on `HOST`:`PORT`, default 127.0.0.1:5000).

use micro::http::HeaderValue;
use micro::{App, Error, G, Html, Json, Path, Request, escape};
use serde::{Deserialize, Serialize};

/// Builds the app; `main` serves it and the tests call it in memory.
pub fn app() -> App {
    let mut app = App::new();
    app.get("/", index);
    app.get("/hello/<name>", hello);
    app.get(
        "/posts/<int(min=1):year>/<int(min=1, max=12):month>/<int(min=1, max=31):day>/",
        archive,
    );
    app.post("/api/echo", echo);

    // A hook: time every request and say so in a header.
    app.before_request(|g: G| async move {
        g.insert(Started(std::time::Instant::now()));
    });
    app.after_request(|_req, res| {
        res.headers_mut()
            .insert("x-powered-by", HeaderValue::from_static("micro"));
    });

    app.error_handler(404, |_err, req| {
        Html(page(
            "Not found",
            &format!(
                "<p>Nothing lives at <code>{}</code>. Try the <a href=\"{}\">home page</a>.</p>",
                escape(req.path()),
                req.url_for("index", ()).unwrap_or_else(|_| "/".into())
            ),
        ))
    });
    app
}

#[derive(Clone, Copy)]
struct Started(std::time::Instant);

async fn index(req: Request) -> Result<Html<String>, Error> {
    let hello = req.url_for("hello", [("name", "World")])?;
    let archive = req.url_for("archive", [("year", 2024), ("month", 2), ("day", 29)])?;
    Ok(Html(page(
        "hello-micro",
        &format!(
            "<ul><li><a href=\"{hello}\">a greeting</a></li>\
             <li><a href=\"{archive}\">the posts of a day</a></li>\
             <li><code>POST {echo}</code> echoes JSON</li></ul>",
            echo = req.url_for("echo", ())?,
        ),
    )))
}

async fn hello(Path(name): Path<String>, g: G) -> Html<String> {
    let took = g
        .get::<Started>()
        .map(|s| s.0.elapsed().as_micros())
        .unwrap_or(0);
    Html(page(
        "Hello",
        &format!("<p>Hello, {}!</p><!-- {took} µs -->", escape(&name)),
    ))
}

/// The rule's converters already checked the ranges; a date that does not exist is a 404.
async fn archive(Path((year, month, day)): Path<(u16, u8, u8)>) -> Result<Html<String>, Error> {
    let days_in_month = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day > days_in_month {
        return Err(micro::abort(404));
    }
    Ok(Html(page(
        "Archive",
        &format!("<p>Posts of {year}-{month:02}-{day:02}: none yet.</p>"),
    )))
}

/// What `POST /api/echo` accepts and returns.
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

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>{}</title></head><body><h1>{}</h1>{body}</body></html>",
        escape(title),
        escape(title)
    )
}
