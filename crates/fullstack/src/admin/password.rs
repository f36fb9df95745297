//! The admin's own password change screens, `/admin/password_change/` and `.../done/`
//! (Django's `AdminSite.password_change`): the auth app's
//! [`change_password`](crate::auth::change_password) in the admin's templates, for staff only.

use micro::http::Uri;
use micro::{IntoResponse, Response, State, Templates, context};

use super::access::{Access, with_chrome};
use super::site::AdminSite;
use crate::auth::forms::PasswordChangeForm;
use crate::auth::{AuthConfig, CurrentUser, change_password};
use crate::forms::{BoundForm, FormResult};
use crate::{Database, Settings};

fn render(t: &Templates, site: &AdminSite, form: &BoundForm) -> Result<Response, micro::Error> {
    Ok(t.render(
        "admin/password_change_form.html",
        with_chrome(site, context! { form, title => "Password change" }),
    )?
    .into_response())
}

/// `GET`/`POST /admin/password_change/`.
#[allow(clippy::too_many_arguments)] // one extractor each
pub(crate) async fn password_change(
    t: Templates,
    State(site): State<AdminSite>,
    State(db): State<Database>,
    State(config): State<AuthConfig>,
    State(settings): State<Settings>,
    user: CurrentUser,
    uri: Uri,
    form: FormResult<PasswordChangeForm>,
) -> Result<Response, micro::Error> {
    let access = match Access::check(user, &uri).await {
        Ok(a) => a,
        Err(res) => return Ok(res),
    };
    let (typed, mut form) = match form {
        FormResult::Valid(typed, form) => (typed, form),
        FormResult::Unbound(form) | FormResult::Invalid(form) => {
            return render(&t, &site, &form);
        }
    };
    if !change_password(&db, &config, &settings, &access.user, &typed, &mut form).await? {
        return render(&t, &site, &form);
    }
    Ok(micro::redirect("/admin/password_change/done/").into_response())
}

/// `GET /admin/password_change/done/`.
pub(crate) async fn password_change_done(
    t: Templates,
    State(site): State<AdminSite>,
    user: CurrentUser,
    uri: Uri,
) -> Result<Response, micro::Error> {
    if let Err(res) = Access::check(user, &uri).await {
        return Ok(res);
    }
    Ok(t.render(
        "admin/password_change_done.html",
        with_chrome(&site, context! { title => "Password change successful" }),
    )?
    .into_response())
}
