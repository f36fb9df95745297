//! Deleting, as Django's admin does it: a confirmation page that lists what the cascade will
//! take with it (or refuses, naming what protects the rows), then the delete on a POST that
//! says `post=yes`. One object (`<pk>/delete/`) or the change list's selection (the
//! `delete_selected` action) go through the same page. The delete permission is checked on
//! every request, the confirmation's POST included, and for every model of the admin that the
//! cascade reaches (Django's `perms_needed`): a user who may delete questions but not choices
//! does not delete a question's choices through it.

use micro::http::{StatusCode, Uri};
use micro::{IntoResponse, Path, Response, State, Templates, context};
use serde::Serialize;

use super::access::{Access, forbidden, with_chrome};
use super::changelist::capfirst;
use super::history;
use super::models::DELETION;
use super::site::{AdminSite, Registered, url_name};
use crate::auth::CurrentUser;
use crate::db::Value;
use crate::forms::FormData;
use crate::messages::Messages;
use crate::query::DeletionPlan;
use crate::{Database, Error};

/// The field of the change list's checkboxes (Django's `ACTION_CHECKBOX_NAME`).
pub(crate) const SELECTED: &str = "_selected_action";
/// The one action every model has.
pub(crate) const DELETE_SELECTED: &str = "delete_selected";

#[derive(Serialize)]
struct SummaryLine {
    name: String,
    count: usize,
}

/// The confirmation page's context for deleting `pks` (those that exist).
#[derive(Serialize)]
struct Confirmation {
    objects: Vec<String>,
    summary: Vec<SummaryLine>,
    /// Set when a `protect`/`restrict` reference refuses the delete.
    protected: Option<String>,
    /// The models of the admin the cascade reaches whose rows the user may not delete (their
    /// verbose names): the delete is refused while there is one.
    perms_needed: Vec<String>,
    selected: Vec<String>,
    action: Option<&'static str>,
}

async fn confirmation(
    site: &AdminSite,
    access: &Access,
    model: &dyn Registered,
    db: &Database,
    pks: Vec<Value>,
) -> Result<Confirmation, Error> {
    let selected: Vec<String> = pks
        .iter()
        .map(|pk| super::cells::cell(model.meta().pk(), pk))
        .collect();
    match model.deletion_plan(db, pks).await {
        Ok(plan) => Ok(Confirmation {
            objects: own_rows(model, db, &plan).await?,
            summary: summary(&plan),
            protected: None,
            perms_needed: perms_needed(site, access, &plan),
            selected,
            action: None,
        }),
        Err(Error::Protected { referenced_by, .. }) => Ok(Confirmation {
            objects: Vec::new(),
            summary: Vec::new(),
            protected: Some(referenced_by.to_owned()),
            perms_needed: Vec::new(),
            selected,
            action: None,
        }),
        Err(e) => Err(e),
    }
}

/// How the pages call the model's own rows the plan deletes.
async fn own_rows(
    model: &dyn Registered,
    db: &Database,
    plan: &DeletionPlan,
) -> Result<Vec<String>, Error> {
    let Some((_, pks)) = plan.deletes.first() else {
        return Ok(Vec::new());
    };
    Ok(model
        .labels(db, pks)
        .await?
        .into_iter()
        .map(|(_, label)| label)
        .collect())
}

/// The models registered with the admin whose rows the plan deletes and the user may not
/// delete. Models the admin does not show (a join table, a model left unregistered) need no
/// permission, as in Django: nobody could be given it in the admin.
fn perms_needed(site: &AdminSite, access: &Access, plan: &DeletionPlan) -> Vec<String> {
    plan.counts()
        .into_iter()
        .filter_map(|(meta, _)| site.registered(meta))
        .filter(|registered| !access.has(registered.as_ref(), "delete"))
        .map(|registered| registered.meta().verbose_name().into_owned())
        .collect()
}

fn summary(plan: &DeletionPlan) -> Vec<SummaryLine> {
    plan.counts()
        .into_iter()
        .map(|(meta, count)| SummaryLine {
            name: capfirst(&if count == 1 {
                meta.verbose_name()
            } else {
                meta.verbose_name_plural()
            }),
            count,
        })
        .collect()
}

fn render(
    t: &Templates,
    site: &AdminSite,
    model: &dyn Registered,
    confirmation: Confirmation,
) -> Result<Response, micro::Error> {
    let meta = model.meta();
    let page = t.render(
        "admin/delete_confirmation.html",
        with_chrome(
            site,
            context! {
                title => if confirmation.refused() { "Cannot delete" } else { "Are you sure?" },
                c => confirmation,
                app_label => meta.app,
                model_name => url_name(meta),
                verbose_name => meta.verbose_name().into_owned(),
                verbose_name_plural => meta.verbose_name_plural().into_owned(),
            },
        ),
    )?;
    Ok(page.into_response())
}

fn changelist_url(model: &dyn Registered) -> String {
    format!("/admin/{}/{}/", model.meta().app, url_name(model.meta()))
}

impl Confirmation {
    /// Whether the delete may not go ahead: rows protect these, or the cascade reaches rows
    /// the user may not delete.
    fn refused(&self) -> bool {
        self.protected.is_some() || !self.perms_needed.is_empty()
    }
}

/// The model, the user's id and what the user may do, when the user may delete the model's
/// rows; otherwise the response that refuses.
async fn deleter<'s>(
    site: &'s AdminSite,
    user: CurrentUser,
    uri: &Uri,
    app_label: &str,
    model: &str,
) -> Result<(&'s dyn Registered, i64, Access), Response> {
    let access = Access::check(user, uri).await?;
    let model = site
        .find(app_label, model)
        .ok_or_else(|| micro::Error::not_found().into_response())?;
    if !access.has(model.as_ref(), "delete") {
        return Err(forbidden());
    }
    // Staff, so logged in.
    let user_id = access.user.user().map_or(0, |u| u.id);
    Ok((model.as_ref(), user_id, access))
}

/// Deletes the rows of `pks` that still exist, and records a deletion for each (Django logs
/// them before deleting; here the rows that were there are the ones logged).
async fn delete_and_record(
    model: &dyn Registered,
    db: &Database,
    user_id: i64,
    pks: Vec<Value>,
) -> Result<u64, micro::Error> {
    let plan = model
        .deletion_plan(db, pks)
        .await
        .map_err(|e| e.http_error())?;
    let found: Vec<Value> = plan
        .deletes
        .first()
        .map(|(_, p)| p.clone())
        .unwrap_or_default();
    // The rows and their history entries: all or nothing.
    let written = async {
        let labels = model.labels(db, &found).await?;
        let mut tx = db.begin().await?;
        let deleted = model.delete(&mut tx, found.clone()).await?;
        history::record(&mut tx, user_id, model, &labels, DELETION, "").await?;
        tx.commit().await?;
        Ok::<_, Error>(deleted)
    };
    written.await.map_err(|e| e.http_error())
}

/// `GET`/`POST /admin/<app>/<model>/<pk>/delete/`.
#[allow(clippy::too_many_arguments)] // one extractor each
pub(crate) async fn delete_view(
    t: Templates,
    State(site): State<AdminSite>,
    State(db): State<Database>,
    user: CurrentUser,
    uri: Uri,
    messages: Option<Messages>,
    method: micro::http::Method,
    Path((app_label, model, pk)): Path<(String, String, String)>,
    data: Option<FormData>,
) -> Result<Response, micro::Error> {
    let (model, user_id, access) = match deleter(&site, user, &uri, &app_label, &model).await {
        Ok(found) => found,
        Err(res) => return Ok(res),
    };
    let Some(pks) = model.parse_pks(&[pk.as_str()]) else {
        return Err(micro::Error::not_found());
    };
    let confirmation = confirmation(&site, &access, model, &db, pks.clone())
        .await
        .map_err(|e| e.http_error())?;
    if confirmation.protected.is_none() && confirmation.objects.is_empty() {
        return Err(micro::Error::not_found());
    }
    let confirmed = method == micro::http::Method::POST
        && data.as_ref().and_then(|d| d.get("post")) == Some("yes");
    if confirmed && !confirmation.perms_needed.is_empty() {
        return Ok(forbidden());
    }
    if !confirmed || confirmation.refused() {
        return render(&t, &site, model, confirmation);
    }
    let label = confirmation.objects[0].clone();
    delete_and_record(model, &db, user_id, pks).await?;
    if let Some(messages) = messages {
        messages.success(format!(
            "The {} “{label}” was deleted successfully.",
            model.meta().verbose_name()
        ));
    }
    Ok(micro::redirect(changelist_url(model)).into_response())
}

/// Django's message for an action posted without a selection.
const NOTHING_SELECTED: &str =
    "Items must be selected in order to perform actions on them. No items have been changed.";

fn not_keys() -> micro::Error {
    micro::Error::new(
        StatusCode::BAD_REQUEST,
        "The selection names rows that are not rows of this model.",
    )
}

/// The model of a project action the user may run: a 404 for an unknown model, a 400 for an
/// unknown action, a 403 without the action's permission.
async fn project_action<'s>(
    site: &'s AdminSite,
    user: CurrentUser,
    uri: &Uri,
    app_label: &str,
    model: &str,
    action: &str,
) -> Result<&'s dyn Registered, Response> {
    let access = Access::check(user, uri).await?;
    let model = site
        .find(app_label, model)
        .ok_or_else(|| micro::Error::not_found().into_response())?;
    let Some(choice) = model.actions().into_iter().find(|a| a.name == action) else {
        return Err(
            micro::Error::bad_request(format!("There is no action named {action:?}."))
                .into_response(),
        );
    };
    if !access.has(model.as_ref(), choice.permission) {
        return Err(forbidden());
    }
    Ok(model.as_ref())
}

/// `POST /admin/<app>/<model>/`: the editable columns' save (`_save`, see `editable.rs`), or an
/// action on the selected rows: `delete_selected` (through
/// its confirmation page) or one of the project's. An unknown name is a 400, a selection that
/// is not made of keys is a 400, an action the user may not run is a 403, and an empty
/// selection goes back to the list with Django's message.
#[allow(clippy::too_many_arguments)] // one extractor each
pub(crate) async fn changelist_action(
    t: Templates,
    State(site): State<AdminSite>,
    State(db): State<Database>,
    State(names): State<super::templates::TemplateNames>,
    user: CurrentUser,
    uri: Uri,
    messages: Option<Messages>,
    Path((app_label, model)): Path<(String, String)>,
    data: FormData,
) -> Result<Response, micro::Error> {
    if data.contains("_save") {
        let at = (app_label.as_str(), model.as_str());
        return super::editable::post(
            &t,
            &site,
            &names,
            &db,
            user,
            &uri,
            messages.as_ref(),
            at,
            data,
        )
        .await;
    }
    let back = uri
        .path_and_query()
        .map_or("/admin/", |p| p.as_str())
        .to_owned();
    let say = |text: &str| {
        if let Some(m) = &messages {
            m.warning(text.to_owned());
        }
    };
    let action = data.get("action").unwrap_or("");
    if action.is_empty() {
        say("No action selected.");
        return Ok(micro::redirect(back).into_response());
    }
    if action != DELETE_SELECTED {
        let action = action.to_owned();
        let found = project_action(&site, user, &uri, &app_label, &model, &action).await;
        let (model, raw) = match found {
            Ok(model) => (model, data.get_all(SELECTED).collect::<Vec<_>>()),
            Err(res) => return Ok(res),
        };
        if raw.is_empty() {
            say(NOTHING_SELECTED);
            return Ok(micro::redirect(back).into_response());
        }
        let pks = model.parse_pks(&raw).ok_or_else(not_keys)?;
        let message = model
            .run_action(&db, &action, pks)
            .await
            .expect("found above")
            .map_err(|e| e.http_error())?;
        if let Some(m) = &messages {
            m.success(message);
        }
        return Ok(micro::redirect(back).into_response());
    }
    let (model, user_id, access) = match deleter(&site, user, &uri, &app_label, &model).await {
        Ok(found) => found,
        Err(res) => return Ok(res),
    };
    let raw: Vec<&str> = data.get_all(SELECTED).collect();
    if raw.is_empty() {
        say(NOTHING_SELECTED);
        return Ok(micro::redirect(back).into_response());
    }
    let pks = model.parse_pks(&raw).ok_or_else(not_keys)?;
    let mut confirmation = confirmation(&site, &access, model, &db, pks.clone())
        .await
        .map_err(|e| e.http_error())?;
    confirmation.action = Some(DELETE_SELECTED);
    let confirmed = data.get("post") == Some("yes");
    if confirmed && !confirmation.perms_needed.is_empty() {
        return Ok(forbidden());
    }
    if !confirmed || confirmation.refused() {
        return render(&t, &site, model, confirmation);
    }
    let deleted = delete_and_record(model, &db, user_id, pks).await?;
    if let Some(m) = &messages {
        let meta = model.meta();
        let name = if deleted == 1 {
            meta.verbose_name()
        } else {
            meta.verbose_name_plural()
        };
        m.success(format!("Successfully deleted {deleted} {name}."));
    }
    Ok(micro::redirect(changelist_url(model)).into_response())
}
