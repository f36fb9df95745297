//! The views at Django's URLs: `/accounts/login/`, `/accounts/logout/` (POST only, as Django 5),
//! `/accounts/password_change/` and `/accounts/password_change/done/` (the password reset
//! views are in `reset.rs`). Their templates are
//! embedded under Django's names (`registration/login.html`, ...); a project's template of the
//! same name (in its templates folder, or added with `App::add_template` in `Project::web`)
//! wins. Invalid input shows the page again (200) with the errors and the values typed.

use micro::http::{HeaderMap, HeaderValue, StatusCode, header};
use micro::routing::{get, post};
use micro::{IntoResponse, Response, State, Templates, context};
use serde::Deserialize;

use super::forms::{AuthenticationForm, PasswordChangeForm};
use super::{
    AuthConfig, CurrentUser, LoginAttempt, LoginOutcome, LoginRules, change_password, guards,
    logout, safe_next,
};
use crate::forms::{BoundForm, Form, FormData, FormResult};
use crate::sessions::Session;
use crate::{Database, Settings};

const TEMPLATES: &[(&str, &str)] = &[
    (
        "registration/login.html",
        include_str!("templates/registration/login.html"),
    ),
    (
        "registration/logged_out.html",
        include_str!("templates/registration/logged_out.html"),
    ),
    (
        "registration/password_change_form.html",
        include_str!("templates/registration/password_change_form.html"),
    ),
    (
        "registration/password_change_done.html",
        include_str!("templates/registration/password_change_done.html"),
    ),
];

pub(super) fn register(app: &mut micro::App, _settings: &Settings) {
    for (name, source) in TEMPLATES.iter().chain(super::reset::TEMPLATES) {
        // A template the project's folder already has is the project's: keep it.
        if app.templates_mut().get_template(name).is_err() {
            app.add_template(*name, *source)
                .expect("the auth app's templates parse");
        }
    }
    app.route("/accounts/login/", get(login_page).post(login_submit));
    app.route("/accounts/logout/", post(logout_submit));
    super::reset::register(app);
    app.route(
        "/accounts/password_change/",
        get(password_change_submit)
            .post(password_change_submit)
            .guard(guards::login_required()),
    );
    app.route(
        "/accounts/password_change/done/",
        get(|t: Templates| async move { t.render("registration/password_change_done.html", ()) })
            .guard(guards::login_required()),
    );
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NextQuery {
    next: String,
}

fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok())
}

fn render_login(t: &Templates, form: &BoundForm, next: &str) -> Result<Response, micro::Error> {
    Ok(t.render(
        "registration/login.html",
        context! { form, next, action => "/accounts/login/" },
    )?
    .into_response())
}

async fn login_page(
    t: Templates,
    micro::Query(q): micro::Query<NextQuery>,
) -> Result<Response, micro::Error> {
    render_login(&t, &AuthenticationForm::unbound(), &q.next)
}

async fn login_submit(
    t: Templates,
    attempt: LoginAttempt,
    headers: HeaderMap,
    data: FormData,
) -> Result<Response, micro::Error> {
    // `next` travels beside the form, as in Django's template, not as one of its fields.
    let next = data.get("next").unwrap_or_default().to_owned();
    let default = attempt.settings().login_redirect_url.clone();
    match attempt.submit(data, &LoginRules::default()).await? {
        LoginOutcome::LoggedIn(_) => {
            let to = safe_next(&next, host(&headers)).map_or(default, str::to_owned);
            Ok(micro::redirect(to).into_response())
        }
        LoginOutcome::Refused(form) => render_login(&t, &form, &next),
        LoginOutcome::Throttled { form, retry_after } => {
            let mut res = render_login(&t, &form, &next)?;
            *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            Ok(res)
        }
    }
}

async fn logout_submit(
    t: Templates,
    State(settings): State<Settings>,
    session: Session,
    headers: HeaderMap,
    body: micro::Bytes,
) -> Result<Response, micro::Error> {
    logout(&session);
    // The body is optional (a bare logout button posts none): read `next` if it is there.
    let next = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if let Some(next) = safe_next(&next, host(&headers)) {
        return Ok(micro::redirect(next).into_response());
    }
    if let Some(to) = &settings.logout_redirect_url {
        return Ok(micro::redirect(to.clone()).into_response());
    }
    Ok(t.render(
        "registration/logged_out.html",
        context! { login_url => settings.login_url.clone() },
    )?
    .into_response())
}

fn render_password_change(t: &Templates, form: &BoundForm) -> Result<Response, micro::Error> {
    Ok(
        t.render("registration/password_change_form.html", context! { form })?
            .into_response(),
    )
}

async fn password_change_submit(
    t: Templates,
    State(db): State<Database>,
    State(config): State<AuthConfig>,
    State(settings): State<Settings>,
    current: CurrentUser,
    form: FormResult<PasswordChangeForm>,
) -> Result<Response, micro::Error> {
    if current.user().is_none() {
        return Err(micro::abort(403));
    }
    let (typed, mut form) = match form {
        FormResult::Valid(typed, form) => (typed, form),
        FormResult::Unbound(form) | FormResult::Invalid(form) => {
            return render_password_change(&t, &form);
        }
    };
    if !change_password(&db, &config, &settings, &current, &typed, &mut form).await? {
        return render_password_change(&t, &form);
    }
    Ok(micro::redirect("/accounts/password_change/done/").into_response())
}
