//! The add and change forms: the model's [`ModelForm`](crate::forms::ModelForm) (foreign keys
//! as selects, `unique` checked) and its [inlines](super::Inline), errors shown at the fields,
//! Django's three buttons ("Save", "Save and add another", "Save and continue editing"), a
//! message after each save, which writes the row, its inlines and a history entry in one
//! transaction. Adding needs the add permission; seeing a row needs view or change, and saving
//! it the change permission, checked again on the POST.

use micro::http::{Method, Uri};
use micro::{IntoResponse, Path, Response, State, Templates, context};

use super::access::{Access, forbidden, with_chrome};
use super::changelist::capfirst;
use super::site::{AdminSite, Page, Registered, Saved, url_name};
use crate::Database;
use crate::auth::CurrentUser;
use crate::db::Value;
use crate::forms::FormData;
use crate::messages::Messages;

/// Which page: a new row, or the row with this key.
enum Target {
    Add,
    Change(Value),
}

#[allow(clippy::too_many_arguments)] // one value each
fn render(
    t: &Templates,
    site: &AdminSite,
    access: &Access,
    model: &dyn Registered,
    page: &Page,
    target: &Target,
    label: Option<String>,
) -> Result<Response, micro::Error> {
    let meta = model.meta();
    let verbose_name = meta.verbose_name().into_owned();
    let can_save = match target {
        Target::Add => access.has(model, "add"),
        Target::Change(_) => access.has(model, "change"),
    };
    let title = match target {
        Target::Add => format!("Add {verbose_name}"),
        Target::Change(_) if can_save => format!("Change {verbose_name}"),
        Target::Change(_) => format!("View {verbose_name}"),
    };
    let page = t.render(
        "admin/change_form.html",
        with_chrome(
            site,
            context! {
                title,
                form => &page.form,
                readonly => &page.readonly,
                fieldsets => &page.fieldsets,
                inlines => &page.inlines,
                label,
                adding => matches!(target, Target::Add),
                can_save,
                can_add => access.has(model, "add"),
                autocomplete => !model.completed_fields().is_empty(),
                can_delete => matches!(target, Target::Change(_)) && access.has(model, "delete"),
                app_label => meta.app,
                model_name => url_name(meta),
                verbose_name,
                verbose_name_plural => capfirst(&meta.verbose_name_plural()),
            },
        ),
    )?;
    Ok(page.into_response())
}

fn model_url(model: &dyn Registered) -> String {
    format!("/admin/{}/{}/", model.meta().app, url_name(model.meta()))
}

#[allow(clippy::too_many_arguments)] // the request's parts
async fn page(
    t: Templates,
    site: AdminSite,
    db: Database,
    user: CurrentUser,
    uri: Uri,
    messages: Option<Messages>,
    (app_label, model, pk): (String, String, Option<String>),
    is_post: bool,
    data: Option<FormData>,
) -> Result<Response, micro::Error> {
    let access = match Access::check(user, &uri).await {
        Ok(a) => a,
        Err(res) => return Ok(res),
    };
    let Some(model) = site.find(&app_label, &model) else {
        return Err(micro::Error::not_found());
    };
    let model = model.as_ref();
    let target = match &pk {
        None => Target::Add,
        Some(raw) => match model.parse_pks(&[raw.as_str()]) {
            Some(mut pks) => Target::Change(pks.remove(0)),
            None => return Err(micro::Error::not_found()),
        },
    };
    let (may_see, may_save) = match target {
        Target::Add => (access.has(model, "add"), access.has(model, "add")),
        Target::Change(_) => (access.can_view(model), access.has(model, "change")),
    };
    if !may_see {
        return Ok(forbidden());
    }
    let pk_value = match &target {
        Target::Add => None,
        Target::Change(pk) => Some(pk.clone()),
    };
    let label = match &pk_value {
        None => None,
        Some(pk) => model
            .labels(&db, std::slice::from_ref(pk))
            .await
            .map_err(|e| e.http_error())?
            .pop()
            .map(|(_, label)| label),
    };
    // A GET shows the form; only a POST (with its body) saves.
    let Some(data) = data.filter(|_| is_post) else {
        let Some(page) = model
            .form(&site, &db, pk_value, &|meta| access.inline_perms(meta))
            .await
            .map_err(|e| e.http_error())?
        else {
            return Err(micro::Error::not_found());
        };
        return render(&t, &site, &access, model, &page, &target, label);
    };
    if !may_save {
        return Ok(forbidden());
    }
    let next = if data.contains("_addanother") {
        Next::AddAnother
    } else if data.contains("_continue") {
        Next::Continue
    } else {
        Next::List
    };
    let user_id = access.user.user().map_or(0, |u| u.id);
    let saved = model
        .save_form(&site, &db, pk_value, data, user_id, &|meta| {
            access.inline_perms(meta)
        })
        .await
        .map_err(|e| e.http_error())?;
    let (pk, label) = match saved {
        Saved::NotFound => return Err(micro::Error::not_found()),
        Saved::Forbidden => return Ok(forbidden()),
        Saved::Invalid(page) => return render(&t, &site, &access, model, &page, &target, label),
        Saved::Done { pk, label } => (pk, label),
    };
    let done = match target {
        Target::Add => "added",
        Target::Change(_) => "changed",
    };
    let meta = model.meta();
    let key = super::cells::cell(meta.pk(), &pk);
    if let Some(m) = &messages {
        let rest = match next {
            Next::AddAnother => format!(" You may add another {} below.", meta.verbose_name()),
            Next::Continue => " You may edit it again below.".to_owned(),
            Next::List => String::new(),
        };
        m.success(format!(
            "The {} “{label}” was {done} successfully.{rest}",
            meta.verbose_name()
        ));
    }
    let to = match next {
        Next::AddAnother => format!("{}add/", model_url(model)),
        Next::Continue => format!("{}{key}/change/", model_url(model)),
        Next::List => model_url(model),
    };
    Ok(micro::redirect(to).into_response())
}

/// Where a save goes: Django's `_addanother`, `_continue`, or the list.
enum Next {
    AddAnother,
    Continue,
    List,
}

/// `GET`/`POST /admin/<app>/<model>/add/`.
#[allow(clippy::too_many_arguments)] // one extractor each
pub(crate) async fn add_view(
    t: Templates,
    State(site): State<AdminSite>,
    State(db): State<Database>,
    user: CurrentUser,
    uri: Uri,
    messages: Option<Messages>,
    method: Method,
    Path((app_label, model)): Path<(String, String)>,
    data: Option<FormData>,
) -> Result<Response, micro::Error> {
    page(
        t,
        site,
        db,
        user,
        uri,
        messages,
        (app_label, model, None),
        method == Method::POST,
        data,
    )
    .await
}

/// `GET`/`POST /admin/<app>/<model>/<pk>/change/`.
#[allow(clippy::too_many_arguments)] // one extractor each
pub(crate) async fn change_view(
    t: Templates,
    State(site): State<AdminSite>,
    State(db): State<Database>,
    user: CurrentUser,
    uri: Uri,
    messages: Option<Messages>,
    method: Method,
    Path((app_label, model, pk)): Path<(String, String, String)>,
    data: Option<FormData>,
) -> Result<Response, micro::Error> {
    page(
        t,
        site,
        db,
        user,
        uri,
        messages,
        (app_label, model, Some(pk)),
        method == Method::POST,
        data,
    )
    .await
}
