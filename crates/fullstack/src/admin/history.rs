//! The admin's record of changes: [`LogEntry`] rows written for each add, change and delete
//! made through the admin, and the history page of one object that reads them.

use chrono::Utc;
use micro::http::Uri;
use micro::{IntoResponse, Path, Response, State, Templates, context};
use serde::Serialize;

use super::access::{Access, forbidden, with_chrome};
use super::models::LogEntry;
use super::site::{AdminSite, Registered, default_label, url_name};
use crate::auth::CurrentUser;
use crate::db::Value;
use crate::query::{Executor, FieldPath, ModelExt};
use crate::{Database, Error, ForeignKey};

/// Records `action` by user `user_id` on the `rows` (key, label) of `model`, one entry each,
/// in one statement.
pub(crate) async fn record<E: Executor>(
    ex: E,
    user_id: i64,
    model: &dyn Registered,
    rows: &[(Value, String)],
    action: i16,
    message: &str,
) -> Result<(), Error> {
    let meta = model.meta();
    let now = Utc::now();
    let entries = rows
        .iter()
        .map(|(pk, label)| LogEntry {
            id: 0,
            action_time: now,
            user: ForeignKey::new(user_id),
            app_label: meta.app.to_owned(),
            model: url_name(meta),
            object_id: super::cells::cell(meta.pk(), pk),
            object_repr: label.clone(),
            action_flag: action,
            change_message: message.to_owned(),
        })
        .collect();
    LogEntry::objects().bulk_create(ex, entries).await?;
    Ok(())
}

#[derive(Serialize)]
struct EntryView {
    action_time: String,
    username: String,
    action: String,
}

/// `GET /admin/<app>/<model>/<pk>/history/`: the object's entries, oldest first, with who
/// made them (joined, one query). Needs the view or change permission; the history of a
/// deleted object stays readable, as in Django.
#[allow(clippy::too_many_arguments)] // one extractor each
pub(crate) async fn history_view(
    t: Templates,
    State(site): State<AdminSite>,
    State(db): State<Database>,
    user: CurrentUser,
    uri: Uri,
    Path((app_label, model, pk)): Path<(String, String, String)>,
) -> Result<Response, micro::Error> {
    let access = match Access::check(user, &uri).await {
        Ok(a) => a,
        Err(res) => return Ok(res),
    };
    let Some(model) = site.find(&app_label, &model) else {
        return Err(micro::Error::not_found());
    };
    if !access.can_view(model.as_ref()) {
        return Ok(forbidden());
    }
    let Some(pks) = model.parse_pks(&[pk.as_str()]) else {
        return Err(micro::Error::not_found());
    };
    let meta = model.meta();
    let object_id = super::cells::cell(meta.pk(), &pks[0]);
    let username = FieldPath::<LogEntry>::parse("user__username").expect("LogEntry has a user");
    let entries = LogEntry::objects()
        .filter(
            LogEntry::APP_LABEL.eq(meta.app)
                & LogEntry::MODEL.eq(url_name(meta))
                & LogEntry::OBJECT_ID.eq(object_id),
        )
        .order_by([LogEntry::ACTION_TIME.asc(), LogEntry::ID.asc()])
        .all_with(&db, &[username])
        .await
        .map_err(|e| e.http_error())?;
    let title = format!(
        "Change history: {}",
        entries.last().map_or_else(
            || default_label(model.meta(), &pks[0]),
            |(e, _)| e.object_repr.clone()
        )
    );
    let entries: Vec<EntryView> = entries
        .into_iter()
        .map(|(entry, joined)| EntryView {
            action_time: entry
                .action_time
                .format("%Y-%m-%d %H:%M:%S UTC")
                .to_string(),
            username: match joined.first() {
                Some(Value::Text(name)) => name.clone(),
                _ => String::new(),
            },
            action: if entry.change_message.is_empty() {
                entry.action_name().to_owned()
            } else {
                entry.change_message
            },
        })
        .collect();
    let page = t.render(
        "admin/object_history.html",
        with_chrome(
            &site,
            context! {
                title,
                entries,
                app_label => meta.app,
                model_name => url_name(meta),
                verbose_name_plural => meta.verbose_name_plural().into_owned(),
            },
        ),
    )?;
    Ok(page.into_response())
}
