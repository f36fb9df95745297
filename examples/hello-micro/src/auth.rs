//! The `auth` blueprint: a login form that keeps the user in the session and says so with
//! flash messages.

use micro::{Blueprint, Error, Form, Html, Redirect, Request, Session, Templates, context};
use serde::Deserialize;

/// The password every demo user has. A real app checks a password hash.
const DEMO_PASSWORD: &str = "micro";

/// `/auth/login` (GET shows the form, POST checks it) and `/auth/logout`.
pub(crate) fn blueprint() -> Blueprint {
    let mut bp = Blueprint::new("auth", "/auth");
    bp.route(
        "/login",
        micro::routing::get(login_form).post(login).name("login"),
    );
    bp.post("/logout", logout);
    bp
}

async fn login_form(t: Templates) -> Result<Html<String>, Error> {
    t.render("auth/login.html", context! { username => "" })
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

async fn login(
    Form(form): Form<Credentials>,
    session: Session,
    req: Request,
) -> Result<Redirect, Error> {
    let username = form.username.trim();
    if username.is_empty() || form.password != DEMO_PASSWORD {
        session.flash_with("error", "Wrong name or password.");
        return Ok(Redirect::see_other(req.url_for(".login", ())?));
    }
    session.insert("user", username)?;
    session.flash_with("success", format!("Welcome, {username}!"));
    Ok(Redirect::see_other(req.url_for("index", ())?))
}

async fn logout(session: Session, req: Request) -> Result<Redirect, Error> {
    session.clear();
    session.flash_with("info", "You are logged out.");
    Ok(Redirect::see_other(req.url_for("index", ())?))
}
