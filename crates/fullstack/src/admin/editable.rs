//! `list_editable`: columns of the change list edited in place, the page's rows one formset
//! (Django's `list_editable`, prefix `form`). A save checks every row first, then writes the
//! changed ones and their history entries in one transaction; a row whose form is invalid
//! brings the list back with the errors beside the cells, nothing saved.

use super::ModelAdmin;
use super::changelist::{self, ChangeList, ChangeListError, Params};
use super::history;
use super::models::CHANGE;
use super::site::AdminSite;
use crate::Database;
use crate::Error;
use crate::forms::messages::text_list;
use crate::forms::{FormData, FormOptions, FormSet, ModelFields, ModelForm};
use crate::model::Model;
use crate::query::{FieldPath, ModelExt};

/// The formset's prefix, Django's.
pub(crate) const PREFIX: &str = "form";

/// What posting the editable list came to.
pub(crate) enum EditableSaved {
    /// This many rows changed (and were saved).
    Saved(usize),
    /// The list again, the errors in it.
    Invalid(Box<ChangeList>),
    /// The rows sent are not the page's rows (deleted meanwhile, or forged): nothing saved.
    Stale,
}

impl<M: Model> ModelAdmin<M> {
    /// The model form of the editable columns, with the row's key hidden.
    async fn editable_form(&self, db: &Database) -> Result<ModelForm<M>, Error> {
        ModelForm::<M>::builder(ModelFields::Only(&self.list_editable))
            .hidden_key()
            .build(db)
            .await
    }

    /// The formset over `rows`, each form showing its row's values.
    async fn editable_formset(
        &self,
        form: &ModelForm<M>,
        db: &Database,
        rows: &[&M],
    ) -> Result<FormSet, Error> {
        let mut initial = Vec::with_capacity(rows.len());
        for row in rows {
            let shown = form.for_instance(db, row).await?;
            let mut options = FormOptions::new();
            for field in form.spec().fields() {
                if let Some(value) = shown.value(&field.name) {
                    options = options.initial(&field.name, [value.to_owned()]);
                }
            }
            initial.push(options);
        }
        Ok(FormSet::new(form.spec().clone())
            .prefix(PREFIX)
            .extra(0)
            .initial(initial))
    }

    /// The unbound formset of the page's rows, for the change list; `None` without
    /// `list_editable`.
    pub(crate) async fn editable_shown(
        &self,
        db: &Database,
        rows: &[&M],
    ) -> Result<Option<crate::forms::BoundFormSet>, Error> {
        if self.list_editable.is_empty() {
            return Ok(None);
        }
        let form = self.editable_form(db).await?;
        Ok(Some(
            self.editable_formset(&form, db, rows).await?.unbound(),
        ))
    }

    /// Saves a POST of the editable list shown with `params` by user `user_id`.
    pub(crate) async fn save_editable(
        &self,
        site: &AdminSite,
        db: &Database,
        params: &Params,
        data: FormData,
        user_id: i64,
    ) -> Result<EditableSaved, ChangeListError> {
        let pk_name = M::META.pk().name;
        let total = data
            .get(&format!("{PREFIX}-TOTAL_FORMS"))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0)
            .min(self.list_max_show_all.max(self.list_per_page) as usize);
        let pk = FieldPath::<M>::parse(pk_name).map_err(|e| Error::Usage(e.to_string()))?;
        let mut keys = Vec::with_capacity(total);
        for i in 0..total {
            let raw = data.get(&format!("{PREFIX}-{i}-{pk_name}")).unwrap_or("");
            match pk.value_from_str(raw) {
                Ok(key) => keys.push(key),
                Err(_) => return Ok(EditableSaved::Stale),
            }
        }
        let found = M::objects().filter(pk.is_in(keys.clone())).all(db).await?;
        let rows: Vec<M> = keys
            .iter()
            .filter_map(|k| found.iter().position(|r| &r.pk() == k))
            .map(|at| clone_row(&found[at]))
            .collect::<Result<_, _>>()?;
        if rows.len() != keys.len() {
            return Ok(EditableSaved::Stale);
        }
        let form = self.editable_form(db).await?;
        let refs: Vec<&M> = rows.iter().collect();
        let mut bound = self.editable_formset(&form, db, &refs).await?.bind(data);
        let mut valid = bound.is_valid() && bound.forms().len() == rows.len();
        let mut changes = Vec::new();
        if valid {
            for (i, row) in rows.iter().enumerate() {
                if !bound.forms()[i].has_changed() {
                    continue;
                }
                let slot = &mut bound.forms_mut()[i];
                match form.instance_for(db, slot, Some(row), None).await? {
                    Some(done) => changes.push((row, done)),
                    None => valid = false,
                }
            }
        }
        if !valid {
            let mut cl = changelist::change_list(self, site, db, params).await?;
            let same_rows =
                cl.rows.len() == rows.len()
                    && cl.rows.iter().zip(&rows).all(|(shown, row)| {
                        shown.pk == super::cells::cell(M::META.pk(), &row.pk())
                    });
            if !same_rows {
                return Ok(EditableSaved::Stale);
            }
            cl.editable = Some(bound);
            return Ok(EditableSaved::Invalid(Box::new(cl)));
        }
        let count = changes.len();
        let mut tx = db.begin().await?;
        for (before, mut done) in changes {
            done.form = None;
            let changed = changed_labels(&form, before, &done.instance);
            let saved = done.save(&mut tx).await?;
            let entry = [(saved.pk(), self.label_of(&saved))];
            let message = format!("Changed {}.", text_list(&changed));
            history::record(&mut tx, user_id, self, &entry, CHANGE, &message).await?;
        }
        tx.commit().await?;
        Ok(EditableSaved::Saved(count))
    }
}

/// The labels of the form's fields whose values differ between the two rows, as the history
/// names them ("Changed question text and status.").
pub(crate) fn changed_labels<M: Model>(form: &ModelForm<M>, before: &M, after: &M) -> Vec<String> {
    let (before, after) = (before.values(), after.values());
    form.spec()
        .fields()
        .iter()
        .filter_map(|f| {
            let i = M::META.field_index(&f.name)?;
            (before[i] != after[i]).then(|| f.label_text().to_lowercase())
        })
        .collect()
}

/// A copy of `row` (models need not be `Clone`): rebuilt from its values.
fn clone_row<M: Model>(row: &M) -> Result<M, Error> {
    M::from_values(row.values())
}

/// `POST /admin/<app>/<model>/` with `_save`: the editable list's save, for users with the
/// change permission (a 403 otherwise, whatever the page showed).
#[allow(clippy::too_many_arguments)] // the request's parts
pub(crate) async fn post(
    t: &micro::Templates,
    site: &AdminSite,
    names: &super::templates::TemplateNames,
    db: &Database,
    user: crate::auth::CurrentUser,
    uri: &micro::http::Uri,
    messages: Option<&crate::messages::Messages>,
    (app_label, model): (&str, &str),
    data: FormData,
) -> Result<micro::Response, micro::Error> {
    use micro::IntoResponse;
    let access = match super::access::Access::check(user, uri).await {
        Ok(a) => a,
        Err(res) => return Ok(res),
    };
    let Some(model) = site.find(app_label, model) else {
        return Err(micro::Error::not_found());
    };
    if !access.has(model.as_ref(), "change") {
        return Ok(super::access::forbidden());
    }
    let back = uri
        .path_and_query()
        .map_or("/admin/", |p| p.as_str())
        .to_owned();
    let params = Params::parse(uri.query().unwrap_or(""));
    let user_id = access.user.user().map_or(0, |u| u.id);
    let meta = model.meta();
    match model.save_editable(site, db, &params, data, user_id).await {
        Ok(EditableSaved::Saved(n)) => {
            if let Some(m) = messages {
                // Django's words: "1 question was changed successfully."
                let (name, verb) = if n == 1 {
                    (meta.verbose_name(), "was")
                } else {
                    (meta.verbose_name_plural(), "were")
                };
                m.success(format!("{n} {name} {verb} changed successfully."));
            }
            Ok(micro::redirect(back).into_response())
        }
        Ok(EditableSaved::Invalid(cl)) => {
            super::views::render_change_list(t, site, names, &access, model.as_ref(), *cl)
        }
        Ok(EditableSaved::Stale) => {
            if let Some(m) = messages {
                m.warning(
                    "The rows changed since the page was shown; nothing was saved. Please check \
                     them and try again."
                        .to_owned(),
                );
            }
            Ok(micro::redirect(back).into_response())
        }
        Err(ChangeListError::NoSuchPage) => Err(micro::Error::not_found()),
        Err(ChangeListError::Db(e)) => Err(e.http_error()),
    }
}
