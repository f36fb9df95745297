//! The `auth` blueprint: logging in and out, the logged-in user loaded for every page, and the
//! `LoggedIn` extractor that is this app's `login_required`.
//!
//! The session is micro's signed cookie; it holds the username and nothing else.

// measure: passwords
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
// end measure: passwords
use micro::routing::get;
use micro::{
    Blueprint, Either, Error, Form, FromRequest, G, Html, IntoResponse, Query, Redirect, Request,
    Response, Session, State, Templates, context,
};
// measure: security
use percent_encoding::percent_decode_str;
// end measure: security
use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::forms::{Errors, LoginForm};

/// Where the session keeps who is logged in.
const USERNAME: &str = "username";

/// Django's words for a wrong username or password (which one is not said).
const WRONG_CREDENTIALS: &str =
    "Please enter a correct username and password. Note that both fields may be case-sensitive.";

/// The logged-in user, in `g` (as `g.user` for templates) for every request.
#[derive(Clone, Debug, Serialize)]
pub struct User {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub username: String,
}

/// `/accounts/login/` and `/accounts/logout/`, and the hook that loads the user.
pub(crate) fn blueprint() -> Blueprint {
    let mut bp = Blueprint::new("auth", "/accounts");
    bp.route("/login/", get(login_form).post(login).name("login"));
    bp.post("/logout/", logout);
    bp.before_app_request(load_logged_in_user);
    bp
}

/// Flask's `load_logged_in_user`: a session naming a user who is gone is nobody.
async fn load_logged_in_user(session: Session, db: State<Db>, g: G) -> Result<(), Error> {
    if let Some(username) = session.get::<String>(USERNAME)
        && let Some(row) = db.user(&username).await?
    {
        let user = User {
            id: row.id,
            username: row.username,
        };
        g.insert(user.clone());
        g.insert_named("user", user);
    }
    Ok(())
}

// measure: passwords
/// Hashes `password` for storing: Argon2id with a random salt, as a PHC string.
///
/// # Errors
/// When the system has no randomness to give.
pub fn hash_password(password: &str) -> Result<String, Error> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| Error::internal(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `password` is the one `hash` was made from. A malformed hash matches nothing.
fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A hash to check against when the username is unknown, so that a wrong username takes as
/// long as a wrong password and does not tell which names exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("no such user").unwrap_or_default());
// end measure: passwords

// measure: security
/// Whether `next` is a path of this site, safe to redirect to: it starts with one `/` (not
/// `//host` or `/\host`, which browsers read as another host) and is visible ASCII (no tab or
/// newline that browsers drop), as sent and once percent-decoded.
pub fn is_safe_next(next: &str) -> bool {
    let decoded = percent_decode_str(next).decode_utf8_lossy();
    [next, &decoded].iter().all(|path| {
        path.starts_with('/')
            && !path.starts_with("//")
            && !path.contains('\\')
            && path.bytes().all(|b| b.is_ascii_graphic())
    })
}
// end measure: security

#[derive(Deserialize)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

async fn login_form(t: Templates, Query(q): Query<NextQuery>) -> Result<Html<String>, Error> {
    let form = LoginForm {
        next: q.next,
        ..LoginForm::default()
    };
    t.render("login.html", context! { form, errors => Errors::new() })
}

async fn login(
    t: Templates,
    db: State<Db>,
    session: Session,
    Query(q): Query<NextQuery>,
    mut req: Request,
    Form(mut form): Form<LoginForm>,
) -> Result<Either<Html<String>, Redirect>, Error> {
    if form.next.is_empty() {
        form.next = q.next;
    }
    let mut errors = form.errors();
    if errors.is_empty() {
        // Argon2 is slow on purpose (tens of milliseconds of CPU); a blog can take that inline.
        let row = db.user(form.username.trim()).await?;
        // measure: passwords
        let hash = row
            .as_ref()
            .map_or(DUMMY_HASH.as_str(), |r| r.password.as_str());
        let right = verify_password(&form.password, hash);
        // end measure: passwords
        if let Some(row) = row.filter(|_| right) {
            // measure: security
            // A new session and a new CSRF secret: nothing from before the login survives.
            session.clear();
            micro::rotate_token(&mut req);
            // end measure: security
            session.insert(USERNAME, &row.username)?;
            let mut next = form.next;
            if next.is_empty() {
                next = "/".to_owned();
            }
            // measure: security
            if !is_safe_next(&next) {
                next = "/".to_owned();
            }
            // end measure: security
            return Ok(Either::Right(Redirect::see_other(next)));
        }
        errors.insert("__all__", WRONG_CREDENTIALS.to_owned());
    }
    Ok(Either::Left(
        t.render("login.html", context! { form, errors })?,
    ))
}

async fn logout(session: Session, req: Request) -> Result<Redirect, Error> {
    session.clear();
    Ok(Redirect::see_other(req.url_for("blog.index", ())?))
}

/// The logged-in user, for handlers that need one: Flask's `login_required`. Nobody logged in
/// is sent to the login page with the way back in `next`, before the body is read.
pub struct LoggedIn(pub User);

impl FromRequest for LoggedIn {
    type Rejection = Response;

    async fn from_request(req: &mut Request) -> Result<Self, Response> {
        if let Some(user) = req.g().get::<User>() {
            return Ok(LoggedIn(user));
        }
        let here = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let login = req.url_for("auth.login", [("next", here)])?;
        Err(micro::redirect(login).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        for good in ["/", "/posts/new/", "/tags/rust/?page=2"] {
            assert!(is_safe_next(good), "{good}");
        }
        for evil in [
            "",
            "//evil.com",
            "https://evil.com",
            "/\\evil.com",
            "javascript:alert(1)",
            "%2F%2Fevil.com",
            "/%2F/evil.com",
            "/%5Cevil.com",
            "/\t/evil.com",
            "http://localhost@evil.com/",
        ] {
            assert!(!is_safe_next(evil), "{evil}");
        }
    }

    #[test]
    fn passwords_are_hashed_and_checked() {
        let hash = hash_password("secret").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("secret", &hash));
        assert!(!verify_password("Secret", &hash));
        assert!(!verify_password("secret", "not a hash"));
    }
}
