//! The admin's pages at Django's URLs. Every view starts with `Access::check`: only active
//! staff users get in (others are sent to the login page), and each model page checks the
//! model's permission on the server, whatever the page showed.

use std::collections::BTreeMap;

use micro::http::Uri;
use micro::http::{HeaderMap, HeaderValue, StatusCode, header};
use micro::routing::{get, post};
use micro::{IntoResponse, Path, Response, State, Templates, context};
use serde::Serialize;

use super::access::{Access, forbidden, with_chrome};
use super::changelist::{ChangeList, ChangeListError, Params, capfirst};
use super::site::{AdminSite, Registered, url_name};
use super::templates::{self, TemplateNames};
use super::{change, delete, history};
use crate::auth::forms::AuthenticationForm;
use crate::auth::{CurrentUser, LoginAttempt, LoginOutcome, LoginRules, logout, safe_next};
use crate::forms::{BoundForm, Form, FormData};
use crate::sessions::Session;
use crate::{Database, Settings};

const CSS: &str = include_str!("static/base.css");

pub(super) fn register(app: &mut micro::App, site: &AdminSite, _settings: &Settings) {
    let names = templates::install(app, site);
    app.state(names);
    // Named as Django's URL names, so `url_for('admin:index')` works in templates.
    app.route("/admin/", get(index).name("admin:index"));
    app.route(
        "/admin/login/",
        get(login_page).post(login_submit).name("admin:login"),
    );
    app.route("/admin/logout/", post(logout_submit).name("admin:logout"));
    app.route(
        "/admin/password_change/",
        get(super::password::password_change)
            .post(super::password::password_change)
            .name("admin:password_change"),
    );
    app.route(
        "/admin/password_change/done/",
        get(super::password::password_change_done).name("admin:password_change_done"),
    );
    app.route(
        "/admin/static/admin/base.css",
        get(stylesheet).name("admin:stylesheet"),
    );
    app.route(
        "/admin/static/admin/autocomplete.js",
        get(super::autocomplete::script).name("admin:autocomplete_script"),
    );
    app.route(
        super::autocomplete::URL,
        get(super::autocomplete::autocomplete).name("admin:autocomplete"),
    );
    app.route("/admin/<app_label>/", get(app_index).name("admin:app_list"));
    app.route(
        "/admin/<app_label>/<model>/",
        get(change_list)
            .post(delete::changelist_action)
            .name("admin:changelist"),
    );
    app.route(
        "/admin/<app_label>/<model>/add/",
        get(change::add_view)
            .post(change::add_view)
            .name("admin:add"),
    );
    app.route(
        "/admin/<app_label>/<model>/<pk>/change/",
        get(change::change_view)
            .post(change::change_view)
            .name("admin:change"),
    );
    app.route(
        "/admin/<app_label>/<model>/<pk>/delete/",
        get(delete::delete_view)
            .post(delete::delete_view)
            .name("admin:delete"),
    );
    app.route(
        "/admin/<app_label>/<model>/<pk>/history/",
        get(history::history_view).name("admin:history"),
    );
}

#[derive(Serialize)]
struct AppView {
    label: String,
    name: String,
    url: String,
    models: Vec<ModelView>,
}

#[derive(Serialize)]
struct ModelView {
    name: String,
    object_name: String,
    url: String,
}

/// The apps and models `access` may see, grouped by app in label order.
fn visible_apps(site: &AdminSite, access: &Access, only: Option<&str>) -> Vec<AppView> {
    let mut apps: BTreeMap<&str, Vec<ModelView>> = BTreeMap::new();
    for model in &site.models {
        let meta = model.meta();
        if only.is_some_and(|a| a != meta.app) || !access.can_see_anything_of(model.as_ref()) {
            continue;
        }
        apps.entry(meta.app).or_default().push(ModelView {
            name: capfirst(&meta.verbose_name_plural()),
            object_name: url_name(meta),
            url: format!("/admin/{}/{}/", meta.app, url_name(meta)),
        });
    }
    apps.into_iter()
        .map(|(label, models)| AppView {
            label: label.to_owned(),
            name: capfirst(&label.replace('_', " ")),
            url: format!("/admin/{label}/"),
            models,
        })
        .collect()
}

async fn index(
    t: Templates,
    State(site): State<AdminSite>,
    user: CurrentUser,
    uri: Uri,
) -> Result<Response, micro::Error> {
    let access = match Access::check(user, &uri).await {
        Ok(a) => a,
        Err(res) => return Ok(res),
    };
    let apps = visible_apps(&site, &access, None);
    let page = t.render(
        "admin/index.html",
        with_chrome(&site, context! { apps, title => "Site administration" }),
    )?;
    Ok(page.into_response())
}

async fn app_index(
    t: Templates,
    State(site): State<AdminSite>,
    user: CurrentUser,
    uri: Uri,
    Path(app_label): Path<String>,
) -> Result<Response, micro::Error> {
    let access = match Access::check(user, &uri).await {
        Ok(a) => a,
        Err(res) => return Ok(res),
    };
    let apps = visible_apps(&site, &access, Some(&app_label));
    if apps.is_empty() {
        // An app with no models registered and one with none the user may see look alike.
        return Err(micro::Error::not_found());
    }
    let title = format!("{} administration", apps[0].name);
    let page = t.render(
        "admin/index.html",
        with_chrome(&site, context! { apps, title }),
    )?;
    Ok(page.into_response())
}

async fn change_list(
    t: Templates,
    State(site): State<AdminSite>,
    State(db): State<Database>,
    State(names): State<TemplateNames>,
    user: CurrentUser,
    uri: Uri,
    Path((app_label, model)): Path<(String, String)>,
) -> Result<Response, micro::Error> {
    let access = match Access::check(user, &uri).await {
        Ok(a) => a,
        Err(res) => return Ok(res),
    };
    let Some(registered) = site.find(&app_label, &model) else {
        return Err(micro::Error::not_found());
    };
    if !access.can_view(registered.as_ref()) {
        return Ok(forbidden());
    }
    let params = Params::parse(uri.query().unwrap_or(""));
    let cl = match registered.change_list(&site, &db, &params).await {
        Ok(cl) => cl,
        Err(ChangeListError::NoSuchPage) => {
            return Err(micro::Error::new(
                StatusCode::NOT_FOUND,
                "That page number is not a page of this list.",
            ));
        }
        Err(ChangeListError::Db(e)) => return Err(e.http_error()),
    };
    render_change_list(&t, &site, &names, &access, registered.as_ref(), cl)
}

/// The change list page of `registered` for `access`'s user.
pub(crate) fn render_change_list(
    t: &Templates,
    site: &AdminSite,
    names: &TemplateNames,
    access: &Access,
    registered: &dyn Registered,
    cl: ChangeList,
) -> Result<Response, micro::Error> {
    let meta = registered.meta();
    let verbose_name = meta.verbose_name().into_owned();
    let can_change = access.has(registered, "change");
    let title = format!(
        "Select {verbose_name} to {}",
        if can_change { "change" } else { "view" }
    );
    let can_delete = access.has(registered, "delete");
    let actions: Vec<_> = registered
        .actions()
        .into_iter()
        .filter(|a| access.has(registered, a.permission))
        .collect();
    let page = t.render(
        names.get(meta, "change_list.html"),
        with_chrome(
            site,
            context! {
                cl,
                title,
                app_label => meta.app,
                app_name => capfirst(&meta.app.replace('_', " ")),
                model_name => url_name(meta),
                verbose_name,
                verbose_name_plural => meta.verbose_name_plural().into_owned(),
                username => access.user.username(),
                can_delete,
                can_change,
                actions,
                has_actions => can_delete || !actions.is_empty(),
                can_add => access.has(registered, "add"),
                action_checkbox_name => delete::SELECTED,
            },
        ),
    )?;
    Ok(page.into_response())
}

/// Django's message for a login that is not a staff account's, whatever was wrong.
const NOT_STAFF: &str = "Please enter the correct username and password for a staff account. \
     Note that both fields may be case-sensitive.";

fn next_of(query: Option<&str>) -> String {
    Params::parse(query.unwrap_or(""))
        .get("next")
        .unwrap_or("")
        .to_owned()
}

fn render_login(
    t: &Templates,
    site: &AdminSite,
    form: &BoundForm,
    next: &str,
) -> Result<Response, micro::Error> {
    Ok(t.render(
        "admin/login.html",
        with_chrome(site, context! { form, next, title => "Log in" }),
    )?
    .into_response())
}

/// Where a staff user goes after logging in: `next` when it is on this site, else the index.
fn after_login(next: &str, headers: &HeaderMap) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    micro::redirect(safe_next(next, host).unwrap_or("/admin/").to_owned()).into_response()
}

async fn login_page(
    t: Templates,
    State(site): State<AdminSite>,
    user: CurrentUser,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, micro::Error> {
    let next = next_of(uri.query());
    if user.is_staff() {
        return Ok(after_login(&next, &headers));
    }
    render_login(&t, &site, &AuthenticationForm::unbound(), &next)
}

/// The admin's login: the auth app's login flow (throttling, a new session key, the CSRF
/// secret rotated) that lets in only active staff users.
async fn login_submit(
    t: Templates,
    State(site): State<AdminSite>,
    attempt: LoginAttempt,
    headers: HeaderMap,
    data: FormData,
) -> Result<Response, micro::Error> {
    let next = data.get("next").unwrap_or_default().to_owned();
    match attempt
        .submit(data, &LoginRules::staff_only(NOT_STAFF))
        .await?
    {
        LoginOutcome::LoggedIn(_) => Ok(after_login(&next, &headers)),
        LoginOutcome::Refused(form) => render_login(&t, &site, &form, &next),
        LoginOutcome::Throttled { form, retry_after } => {
            let mut res = render_login(&t, &site, &form, &next)?;
            *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            Ok(res)
        }
    }
}

async fn logout_submit(session: Session) -> Response {
    logout(&session);
    micro::redirect("/admin/login/").into_response()
}

async fn stylesheet() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

/// A file embedded in the binary, cached by browsers for an hour.
pub(super) fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}
