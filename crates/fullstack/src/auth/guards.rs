//! Guards for routes (`MethodRouter::guard`) and blueprints (`before_request`): Django's
//! `login_required`, `permission_required`, `staff_member_required` and `user_passes_test`.
//!
//! Each returns a hook taking the [`CurrentUser`], the request's URI and the [`Settings`]; an
//! anonymous visitor is sent (302) to `LOGIN_URL?next=<the page>`, a logged-in user who fails
//! the test gets a 403.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use micro::{IntoResponse, Response, State};

use super::CurrentUser;
use crate::Settings;

/// What a guard returns: `None` lets the request through.
pub type GuardFuture = Pin<Box<dyn Future<Output = Option<Response>> + Send>>;

/// A guard hook, for `.guard(..)` on a route or `before_request(..)` on a blueprint.
pub trait Guard:
    Fn(CurrentUser, micro::http::Uri, State<Settings>) -> GuardFuture + Clone + Send + Sync + 'static
{
}
impl<T> Guard for T where
    T: Fn(CurrentUser, micro::http::Uri, State<Settings>) -> GuardFuture
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// The redirect to the login page, `next` being the page asked for.
fn to_login(settings: &Settings, uri: &micro::http::Uri) -> Response {
    let next = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let encoded: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let sep = if settings.login_url.contains('?') {
        '&'
    } else {
        '?'
    };
    let location = format!("{}{sep}next={encoded}", settings.login_url);
    let mut res = micro::http::StatusCode::FOUND.into_response();
    if let Ok(value) = micro::http::HeaderValue::from_str(&location) {
        res.headers_mut()
            .insert(micro::http::header::LOCATION, value);
    }
    res
}

/// Lets logged-in users through; sends the others to the login page.
pub fn login_required() -> impl Guard {
    user_passes_test(|_| async { true })
}

/// Lets active staff through (Django's `staff_member_required`); anonymous visitors go to the
/// login page, other users get a 403.
pub fn staff_required() -> impl Guard {
    user_passes_test(|user: CurrentUser| async move { user.is_staff() })
}

/// Lets users with `perm` (`"polls.change_question"`) through; anonymous visitors go to the
/// login page, a logged-in user without it gets a 403 (Django's `raise_exception=True`,
/// rather than a loop back to the login page).
pub fn permission_required(perm: &str) -> impl Guard {
    let perm: Arc<str> = Arc::from(perm);
    user_passes_test(move |user: CurrentUser| {
        let perm = perm.clone();
        // A database failure refuses: a guard fails closed.
        async move { user.has_perm(&perm).await.unwrap_or(false) }
    })
}

/// Lets logged-in users for whom `test` is true through; anonymous visitors go to the login
/// page, the others get a 403.
pub fn user_passes_test<F, Fut>(test: F) -> impl Guard
where
    F: Fn(CurrentUser) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    move |user: CurrentUser, uri: micro::http::Uri, settings: State<Settings>| -> GuardFuture {
        let test = test.clone();
        Box::pin(async move {
            if !user.is_authenticated() {
                return Some(to_login(&settings, &uri));
            }
            if test(user).await {
                None
            } else {
                Some(micro::abort(403).into_response())
            }
        })
    }
}
