//! A login through a form, as one call: bind the [`AuthenticationForm`], check the throttle,
//! authenticate, refuse users the caller does not allow, log in (new session key, CSRF secret
//! rotated). The auth app's login view and the admin's are both this, with different pages
//! and different rules for who may log in.

use std::net::IpAddr;

use micro::{CsrfToken, FromRequest};

use super::forms::{self, AuthenticationForm, INACTIVE};
use super::{AuthConfig, Credentials, Throttle, User, authenticate, login};
use crate::forms::{BoundForm, Form, FormData, NON_FIELD_ERRORS};
use crate::sessions::Session;
use crate::{Database, Settings};

/// What a login attempt came to.
#[derive(Debug)]
pub enum LoginOutcome {
    /// The user is logged in on the request's session.
    LoggedIn(Box<User>),
    /// The form again, with its errors: invalid input, wrong credentials, or a user that may
    /// not log in here (show it again, status 200).
    Refused(BoundForm),
    /// Too many failures for this username or address: the form with the error, to send with
    /// status 429 and `Retry-After: retry_after`.
    Throttled {
        /// The form with the error.
        form: BoundForm,
        /// Seconds until the next attempt is counted.
        retry_after: u64,
    },
}

/// Who may log in through a form, and what a refusal says.
#[derive(Debug, Clone)]
pub struct LoginRules {
    invalid_login: String,
    staff_only: bool,
}

impl Default for LoginRules {
    /// Any active user; Django's message for wrong credentials.
    fn default() -> Self {
        LoginRules {
            invalid_login: forms::INVALID_LOGIN.to_owned(),
            staff_only: false,
        }
    }
}

impl LoginRules {
    /// Active staff users only; `message` answers wrong credentials and non-staff users
    /// alike (Django's admin login), so the page does not tell which it was.
    pub fn staff_only(message: impl Into<String>) -> Self {
        LoginRules {
            invalid_login: message.into(),
            staff_only: true,
        }
    }
}

/// What a login needs from the request, taken as an extractor:
/// `async fn submit(attempt: LoginAttempt, data: FormData)`.
pub struct LoginAttempt {
    db: Database,
    config: AuthConfig,
    settings: Settings,
    throttle: Throttle,
    session: Session,
    csrf: Option<CsrfToken>,
    client: Option<IpAddr>,
}

impl FromRequest for LoginAttempt {
    type Rejection = micro::Error;

    async fn from_request(req: &mut micro::Request) -> Result<Self, micro::Error> {
        fn state<T: Clone + Send + Sync + 'static>(
            req: &micro::Request,
        ) -> Result<T, micro::Error> {
            req.state::<T>().cloned().ok_or_else(|| {
                micro::Error::internal(format!(
                    "LoginAttempt needs {} in the app state: add the auth app",
                    std::any::type_name::<T>()
                ))
            })
        }
        Ok(LoginAttempt {
            db: state(req)?,
            config: state(req)?,
            settings: state(req)?,
            throttle: state(req)?,
            session: Session::from_request(req).await?,
            csrf: Option::<CsrfToken>::from_request(req).await.unwrap_or(None),
            client: req.client_addr().map(|a| a.ip()),
        })
    }
}

impl LoginAttempt {
    /// The settings of the request's app (for `LOGIN_REDIRECT_URL` and such).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Logs in with the submitted `data` if the credentials are right, the user is active
    /// and `rules` let them in. A user the rules refuse is not counted as a failure for the
    /// throttle, since the password was right.
    ///
    /// # Errors
    /// When the database or the session fails.
    pub async fn submit(
        self,
        data: FormData,
        rules: &LoginRules,
    ) -> Result<LoginOutcome, micro::Error> {
        let (typed, mut form) = match AuthenticationForm::bind(data) {
            Ok(valid) => valid,
            Err(form) => return Ok(LoginOutcome::Refused(form)),
        };
        let throttle = &self.throttle;
        let checked = throttle
            .check(&self.db, &typed.username, self.client)
            .await
            .map_err(|e| e.http_error())?;
        if let Err(throttled) = checked {
            form.add_error(
                NON_FIELD_ERRORS,
                format!(
                    "Too many failed login attempts. Try again in {} seconds.",
                    throttled.retry_after
                ),
            );
            return Ok(LoginOutcome::Throttled {
                form,
                retry_after: throttled.retry_after,
            });
        }
        let credentials = Credentials::new(typed.username.clone(), typed.password);
        let found = authenticate(&self.db, &self.config, &credentials)
            .await
            .map_err(|e| e.http_error())?;
        let Some((mut user, backend)) = found else {
            throttle
                .record_failure(&self.db, &typed.username, self.client)
                .await
                .map_err(|e| e.http_error())?;
            form.add_error(NON_FIELD_ERRORS, rules.invalid_login.clone());
            return Ok(LoginOutcome::Refused(form));
        };
        // Django's `confirm_login_allowed`: a backend that lets inactive users through still
        // does not log them in.
        if !user.is_active {
            form.add_error(NON_FIELD_ERRORS, INACTIVE);
            return Ok(LoginOutcome::Refused(form));
        }
        if rules.staff_only && !user.is_staff {
            form.add_error(NON_FIELD_ERRORS, rules.invalid_login.clone());
            return Ok(LoginOutcome::Refused(form));
        }
        throttle
            .reset(&self.db, &typed.username)
            .await
            .map_err(|e| e.http_error())?;
        let secret = self
            .settings
            .web
            .secret_key
            .as_ref()
            .map(|k| k.expose().to_owned())
            .unwrap_or_default();
        login(&self.db, &self.session, &mut user, &backend, &secret).await?;
        if let Some(csrf) = self.csrf {
            // Django rotates the CSRF secret at login, so a token read before is no use after.
            csrf.rotate();
        }
        Ok(LoginOutcome::LoggedIn(Box::new(user)))
    }
}
