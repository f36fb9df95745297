//! The auth views' forms, as Django's `django.contrib.auth.forms`: their fields and labels are
//! declared here with `#[derive(Form)]`; the checks that need the database or the user (a
//! password's hash, the validators) run in the views, which add their errors to the bound form
//! with [`check_new_passwords`] and friends so the page shows them beside their fields.

use super::{PasswordValidators, User, UserAttributes};
use crate::forms::{BoundForm, Form, NON_FIELD_ERRORS};

/// Django's message for wrong credentials: it does not say which part was wrong.
pub const INVALID_LOGIN: &str =
    "Please enter a correct username and password. Note that both fields may be case-sensitive.";
/// Django's message for a user whose account is inactive.
pub const INACTIVE: &str = "This account is inactive.";
/// Django's message for a wrong old password.
pub const PASSWORD_INCORRECT: &str =
    "Your old password was entered incorrectly. Please enter it again.";
/// Django's message for two new passwords that differ.
pub const PASSWORD_MISMATCH: &str = "The two password fields didn\u{2019}t match.";

/// The login form (Django's `AuthenticationForm`). The password is not stripped, and it is
/// never shown again.
#[derive(Form, Debug)]
pub struct AuthenticationForm {
    /// The username, as typed.
    #[form(max_length = 150)]
    pub username: String,
    /// The password, as typed.
    #[form(widget = "password", strip = false)]
    pub password: String,
}

/// The password change form (Django's `PasswordChangeForm`): the old password, then the new
/// one twice.
#[derive(Form, Debug)]
pub struct PasswordChangeForm {
    /// Checked against the user's hash by the view.
    #[form(label = "Old password", widget = "password", strip = false)]
    pub old_password: String,
    /// The new password.
    #[form(label = "New password", widget = "password", strip = false)]
    pub new_password1: String,
    /// The new password again.
    #[form(
        label = "New password confirmation",
        widget = "password",
        strip = false
    )]
    pub new_password2: String,
}

/// The form that sets a password without asking for the old one (Django's `SetPasswordForm`),
/// at the end of a password reset.
#[derive(Form, Debug)]
pub struct SetPasswordForm {
    /// The new password.
    #[form(label = "New password", widget = "password", strip = false)]
    pub new_password1: String,
    /// The new password again.
    #[form(
        label = "New password confirmation",
        widget = "password",
        strip = false
    )]
    pub new_password2: String,
}

/// The form that asks for an email address to send a reset link to (Django's
/// `PasswordResetForm`).
#[derive(Form, Debug)]
pub struct PasswordResetForm {
    /// Where the link goes, if a user has this address.
    #[form(kind = "email", max_length = 254)]
    pub email: String,
}

/// Adds Django's non-field error for wrong credentials to a login form.
pub fn invalid_login(form: &mut BoundForm) {
    form.add_error(NON_FIELD_ERRORS, INVALID_LOGIN);
}

/// Adds to `form`'s `new_password2` what is wrong with the pair of new passwords: Django's
/// mismatch message, or the validators' messages for `user`. Returns whether it added any.
pub fn check_new_passwords(
    form: &mut BoundForm,
    validators: &PasswordValidators,
    user: &User,
    new_password1: &str,
    new_password2: &str,
) -> bool {
    if new_password1 != new_password2 {
        form.add_error("new_password2", PASSWORD_MISMATCH);
        return true;
    }
    let problems = validators.validate(new_password2, &UserAttributes::of(user));
    let found = !problems.is_empty();
    for problem in problems {
        form.add_error("new_password2", problem);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::FormData;

    fn user() -> User {
        User::new(String::from("!"), "alice".to_owned())
    }

    #[test]
    fn the_login_form_requires_both_fields_and_keeps_the_password_unstripped() {
        let form = AuthenticationForm::bind(FormData::from_urlencoded(b"username=")).unwrap_err();
        assert_eq!(form.errors().field("username"), ["This field is required."]);
        assert_eq!(form.errors().field("password"), ["This field is required."]);
        let (value, _) =
            AuthenticationForm::bind(FormData::from_urlencoded(b"username=+al+&password=+pw+"))
                .unwrap();
        assert_eq!(value.username, "al");
        assert_eq!(value.password, " pw ");
    }

    #[test]
    fn new_passwords_that_differ_or_fail_a_validator_are_errors_of_the_second_field() {
        let data = || FormData::from_urlencoded(b"new_password1=a&new_password2=b");
        let (_, mut form) = SetPasswordForm::bind(data()).unwrap();
        let validators = PasswordValidators::default();
        assert!(check_new_passwords(
            &mut form,
            &validators,
            &user(),
            "a",
            "b"
        ));
        assert_eq!(form.errors().field("new_password2"), [PASSWORD_MISMATCH]);

        let (_, mut form) = SetPasswordForm::bind(data()).unwrap();
        assert!(check_new_passwords(
            &mut form,
            &validators,
            &user(),
            "12345678",
            "12345678"
        ));
        let errors = form.errors().field("new_password2");
        assert!(
            errors
                .iter()
                .any(|e| e == "This password is entirely numeric."),
            "{errors:?}"
        );

        let (_, mut form) = SetPasswordForm::bind(data()).unwrap();
        assert!(!check_new_passwords(
            &mut form,
            &validators,
            &user(),
            "a new long secret",
            "a new long secret"
        ));
        assert!(form.is_valid());
    }
}
