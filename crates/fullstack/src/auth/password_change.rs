//! Changing one's own password (Django's `PasswordChangeView` without its page): what the auth
//! app's `/accounts/password_change/` and the admin's `/admin/password_change/` both do, each
//! with its own template.

use super::forms::{self, PasswordChangeForm};
use super::{AuthConfig, CurrentUser, User, set_password, update_session_auth_hash};
use crate::forms::BoundForm;
use crate::query::prelude::*;
use crate::{Database, Settings};

/// Checks the old password and the new ones of a valid [`PasswordChangeForm`] (errors go on
/// `form`, with Django's words) and, when they pass, sets the new password and keeps this
/// session logged in (the user's other sessions end). `Ok(true)` when the password changed;
/// `Ok(false)` when `form` has errors to show; a 403 for an anonymous request.
///
/// # Errors
/// A 403 when nobody is logged in; the database's error.
pub async fn change_password(
    db: &Database,
    config: &AuthConfig,
    settings: &Settings,
    current: &CurrentUser,
    typed: &PasswordChangeForm,
    form: &mut BoundForm,
) -> Result<bool, micro::Error> {
    let (Some(user), Some(session)) = (current.user(), current.session()) else {
        return Err(micro::abort(403));
    };
    // The row itself: the request's user may be the session's copy, which has no hash.
    let mut user = User::objects()
        .filter(User::ID.eq(user.id))
        .get(db)
        .await
        .map_err(|e| e.http_error())?;
    if !config
        .hashers
        .verify_async(&typed.old_password, &user.password)
        .await
        .ok
    {
        form.add_error("old_password", forms::PASSWORD_INCORRECT);
    }
    forms::check_new_passwords(
        form,
        &config.validators,
        &user,
        &typed.new_password1,
        &typed.new_password2,
    );
    if !form.is_valid() {
        return Ok(false);
    }
    set_password(db, config, &mut user, &typed.new_password1)
        .await
        .map_err(|e| e.http_error())?;
    let secret = settings
        .web
        .secret_key
        .as_ref()
        .map(|k| k.expose().to_owned())
        .unwrap_or_default();
    update_session_auth_hash(session, &user, &secret)?;
    Ok(true)
}
