//! Password reset by email at Django's URLs: `/accounts/password_reset/` asks for an address
//! and always goes on to `.../done/` (no telling which addresses have accounts), the email
//! carries `/accounts/reset/<uidb64>/<token>/`, which moves the token into the session and
//! redirects to `/accounts/reset/<uidb64>/set-password/` (so the token does not leak in a
//! `Referer`, as Django 5), where a [`SetPasswordForm`] sets the password; then
//! `/accounts/reset/done/`. A bad or used link shows a page saying so (200).

use micro::http::{HeaderMap, header};
use micro::routing::get;
use micro::{IntoResponse, Path, Response, State, Templates, context};

use super::forms::{self, PasswordResetForm, SetPasswordForm};
use super::hashers::is_usable;
use super::tokens::{PasswordResetTokenGenerator, uid_from_base64, uid_to_base64};
use super::{AuthConfig, User, set_password};
use crate::forms::{BoundForm, FormResult};
use crate::mail::{EmailMessage, Mailer};
use crate::query::prelude::*;
use crate::sessions::Session;
use crate::{Database, Settings};

/// The session key holding the token between the link and the form.
const TOKEN_SESSION_KEY: &str = "_password_reset_token";
/// What the link's token becomes once it is in the session.
const SET_PASSWORD: &str = "set-password";

pub(super) const TEMPLATES: &[(&str, &str)] = &[
    (
        "registration/password_reset_form.html",
        include_str!("templates/registration/password_reset_form.html"),
    ),
    (
        "registration/password_reset_done.html",
        include_str!("templates/registration/password_reset_done.html"),
    ),
    (
        "registration/password_reset_subject.txt",
        include_str!("templates/registration/password_reset_subject.txt"),
    ),
    (
        "registration/password_reset_email.txt",
        include_str!("templates/registration/password_reset_email.txt"),
    ),
    (
        "registration/password_reset_confirm.html",
        include_str!("templates/registration/password_reset_confirm.html"),
    ),
    (
        "registration/password_reset_complete.html",
        include_str!("templates/registration/password_reset_complete.html"),
    ),
];

pub(super) fn register(app: &mut micro::App) {
    app.route(
        "/accounts/password_reset/",
        get(reset_request).post(reset_request),
    );
    app.route(
        "/accounts/password_reset/done/",
        get(|t: Templates| async move { t.render("registration/password_reset_done.html", ()) }),
    );
    app.route(
        "/accounts/reset/<uidb64>/<token>/",
        get(reset_confirm).post(reset_confirm),
    );
    app.route(
        "/accounts/reset/done/",
        get(
            |t: Templates, State(settings): State<Settings>| async move {
                t.render(
                    "registration/password_reset_complete.html",
                    context! { login_url => settings.login_url.clone() },
                )
            },
        ),
    );
}

async fn reset_request(
    t: Templates,
    State(db): State<Database>,
    State(settings): State<Settings>,
    State(mailer): State<Mailer>,
    headers: HeaderMap,
    form: FormResult<PasswordResetForm>,
) -> Result<Response, micro::Error> {
    let asked = match form {
        FormResult::Valid(asked, _) => asked,
        FormResult::Unbound(form) | FormResult::Invalid(form) => {
            return Ok(t
                .render("registration/password_reset_form.html", context! { form })?
                .into_response());
        }
    };
    let users = User::objects()
        // Django's `email__iexact`: people do not remember how they capitalised their address.
        .filter(User::EMAIL.iexact(&asked.email))
        .filter(User::IS_ACTIVE.eq(true))
        .all(&db)
        .await
        .map_err(|e| e.http_error())?;
    let generator = PasswordResetTokenGenerator::from_settings(&settings);
    let domain = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let protocol = if settings.secure_ssl_redirect {
        "https"
    } else {
        "http"
    };
    // Django sends only to users who could log in with a password.
    for user in users.iter().filter(|u| is_usable(&u.password)) {
        let ctx = context! {
            domain => domain.clone(),
            protocol,
            uid => uid_to_base64(user.id),
            token => generator.make_token(user),
            username => user.username.clone(),
        };
        let subject = t
            .render_string("registration/password_reset_subject.txt", ctx.clone())?
            // A header is one line, as Django's view makes it.
            .lines()
            .collect::<String>();
        let body = t.render_string("registration/password_reset_email.txt", ctx)?;
        let message = EmailMessage::new(subject, body, [user.email.clone()]);
        if let Err(err) = mailer.send(&message).await {
            // The page must not differ for addresses with accounts: log it, answer the same.
            tracing::error!(error = %err, "password reset email not sent");
        }
    }
    Ok(micro::redirect("/accounts/password_reset/done/").into_response())
}

fn invalid_link(t: &Templates) -> Result<Response, micro::Error> {
    Ok(t.render(
        "registration/password_reset_confirm.html",
        context! { validlink => false },
    )?
    .into_response())
}

fn render_set_password(t: &Templates, form: &BoundForm) -> Result<Response, micro::Error> {
    Ok(t.render(
        "registration/password_reset_confirm.html",
        context! { validlink => true, form },
    )?
    .into_response())
}

#[allow(clippy::too_many_arguments)] // one extractor each
async fn reset_confirm(
    t: Templates,
    State(db): State<Database>,
    State(config): State<AuthConfig>,
    State(settings): State<Settings>,
    session: Session,
    Path((uidb64, token)): Path<(String, String)>,
    form: FormResult<SetPasswordForm>,
) -> Result<Response, micro::Error> {
    let Some(id) = uid_from_base64(&uidb64) else {
        return invalid_link(&t);
    };
    let user = User::objects()
        .filter(User::PK.eq(id))
        .first(&db)
        .await
        .map_err(|e| e.http_error())?;
    let Some(mut user) = user else {
        return invalid_link(&t);
    };
    let generator = PasswordResetTokenGenerator::from_settings(&settings);
    if token != SET_PASSWORD {
        if !generator.check_token(&user, &token) {
            return invalid_link(&t);
        }
        session.insert(TOKEN_SESSION_KEY, token)?;
        return Ok(
            micro::redirect(format!("/accounts/reset/{uidb64}/{SET_PASSWORD}/")).into_response(),
        );
    }
    let in_session = session.get::<String>(TOKEN_SESSION_KEY).unwrap_or_default();
    if !generator.check_token(&user, &in_session) {
        return invalid_link(&t);
    }
    let (typed, mut form) = match form {
        FormResult::Valid(typed, form) => (typed, form),
        FormResult::Unbound(form) | FormResult::Invalid(form) => {
            return render_set_password(&t, &form);
        }
    };
    if forms::check_new_passwords(
        &mut form,
        &config.validators,
        &user,
        &typed.new_password1,
        &typed.new_password2,
    ) {
        return render_set_password(&t, &form);
    }
    set_password(&db, &config, &mut user, &typed.new_password1)
        .await
        .map_err(|e| e.http_error())?;
    session.remove::<String>(TOKEN_SESSION_KEY);
    Ok(micro::redirect("/accounts/reset/done/").into_response())
}
