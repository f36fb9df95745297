//! The admin site: the registered models, each behind a type-erased handle so one set of
//! views serves every model (Django's `AdminSite.register`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::ModelAdmin;
use super::actions::ActionChoice;
use super::changelist::{self, ChangeList, ChangeListError, Params};
use super::editable::EditableSaved;
use super::history;
use super::inlines::{ErasedInline, InlinePerms, PermsOf};
use super::models::{ADDITION, CHANGE};
use crate::db::Value;
use crate::forms::messages::text_list;
use crate::forms::{
    BoundForm, BoundFormSet, Finder, FormData, ModelFields, ModelForm, ModelFormBuilder,
};
use crate::model::{Model, ModelMeta};
use crate::query::{DeletionPlan, FieldPath, ModelExt, QuerySet};
use crate::{Database, Error, Transaction};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A select's options: `(value, label)`.
type Options = Vec<(String, String)>;

/// A registered model, its type erased.
pub(crate) trait Registered: Send + Sync {
    fn meta(&self) -> &'static ModelMeta;
    fn change_list<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        params: &'a Params,
    ) -> BoxFuture<'a, Result<ChangeList, ChangeListError>>;
    /// The primary keys `raw` names, or `None` when one is not a key of this model.
    fn parse_pks(&self, raw: &[&str]) -> Option<Vec<Value>>;
    /// What deleting these rows would remove (their own rows first: those that exist).
    fn deletion_plan<'a>(
        &'a self,
        db: &'a Database,
        pks: Vec<Value>,
    ) -> BoxFuture<'a, Result<DeletionPlan, Error>>;
    /// The add form (`pk` none) or the change form of the row `pk`, with its inlines; `None`
    /// when the row does not exist.
    /// `perms`: what the user may do with each inline's model (an inline it may not view is
    /// left out).
    fn form<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        pk: Option<Value>,
        perms: PermsOf<'a>,
    ) -> BoxFuture<'a, Result<Option<Page>, Error>>;
    /// Saves the submitted form and its inlines, with the history entry, in one transaction:
    /// a new row (`pk` none) or the row `pk`, by user `user_id`.
    /// An inline the user may not view is not bound (its part of the POST is ignored); one
    /// whose rows the POST adds, changes or deletes beyond `perms` makes the whole save
    /// [`Saved::Forbidden`].
    fn save_form<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        pk: Option<Value>,
        data: FormData,
        user_id: i64,
        perms: PermsOf<'a>,
    ) -> BoxFuture<'a, Result<Saved, Error>>;
    /// How the pages call the rows `pks` (the ones that exist: Django's `__str__`), in the
    /// order given; one query when the admin has a [`label`](ModelAdmin::label), none otherwise.
    fn labels<'a>(
        &'a self,
        db: &'a Database,
        pks: &'a [Value],
    ) -> BoxFuture<'a, Result<Vec<(Value, String)>, Error>>;
    /// The rows as a select's options, `(key, label)` in the model's order, labelled by the
    /// admin's [`label`](ModelAdmin::label) or Django's default; `None` when there are more
    /// than `limit`. One query.
    fn options<'a>(
        &'a self,
        db: &'a Database,
        limit: Option<usize>,
    ) -> BoxFuture<'a, Result<Option<Options>, Error>>;
    /// Saves a POST of the change list's editable columns (`list_editable`).
    fn save_editable<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        params: &'a Params,
        data: FormData,
        user_id: i64,
    ) -> BoxFuture<'a, Result<EditableSaved, ChangeListError>>;
    /// The foreign keys it edits through a search (`autocomplete_fields`): its own model's,
    /// and those of its inlines' models, as (the model, the field).
    fn completed_fields(&self) -> Vec<(&'static ModelMeta, &'static str)>;
    /// Whether it has `search_fields`, which a completed foreign key's target needs.
    fn searchable(&self) -> bool;
    /// The page `page` (from 1) of its rows matching `term`, for a completed foreign key.
    fn autocomplete<'a>(
        &'a self,
        db: &'a Database,
        term: &'a str,
        page: u64,
    ) -> BoxFuture<'a, Result<super::autocomplete::Results, Error>>;
    /// How the pages call the row `pk`, or `None` when there is none: one query.
    fn find_label<'a>(
        &'a self,
        db: &'a Database,
        pk: Value,
    ) -> BoxFuture<'a, Result<Option<String>, Error>>;
    /// The project's actions of this model (not `delete_selected`).
    fn actions(&self) -> Vec<ActionChoice>;
    /// Runs the action `name` on the rows `pks`: its message, or `None` when there is no such
    /// action.
    fn run_action<'a>(
        &'a self,
        db: &'a Database,
        name: &'a str,
        pks: Vec<Value>,
    ) -> BoxFuture<'a, Option<Result<String, Error>>>;
    /// Deletes these rows (and what the cascade reaches) in `tx`; how many of this model's
    /// went.
    fn delete<'a>(
        &'a self,
        tx: &'a mut Transaction<'static>,
        pks: Vec<Value>,
    ) -> BoxFuture<'a, Result<u64, Error>>;
}

impl<M: Model> Registered for ModelAdmin<M> {
    fn meta(&self) -> &'static ModelMeta {
        M::META
    }

    fn change_list<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        params: &'a Params,
    ) -> BoxFuture<'a, Result<ChangeList, ChangeListError>> {
        Box::pin(changelist::change_list(self, site, db, params))
    }

    fn parse_pks(&self, raw: &[&str]) -> Option<Vec<Value>> {
        let pk = FieldPath::<M>::parse(M::META.pk().name).ok()?;
        raw.iter().map(|r| pk.value_from_str(r).ok()).collect()
    }

    fn deletion_plan<'a>(
        &'a self,
        db: &'a Database,
        pks: Vec<Value>,
    ) -> BoxFuture<'a, Result<DeletionPlan, Error>> {
        Box::pin(async move { by_pks::<M>(pks)?.deletion_plan(db).await })
    }

    fn delete<'a>(
        &'a self,
        tx: &'a mut Transaction<'static>,
        pks: Vec<Value>,
    ) -> BoxFuture<'a, Result<u64, Error>> {
        Box::pin(async move { by_pks::<M>(pks)?.delete(tx).await })
    }

    fn labels<'a>(
        &'a self,
        db: &'a Database,
        pks: &'a [Value],
    ) -> BoxFuture<'a, Result<Vec<(Value, String)>, Error>> {
        Box::pin(async move {
            let Some(label) = &self.label else {
                return Ok(pks
                    .iter()
                    .map(|pk| (pk.clone(), default_label(M::META, pk)))
                    .collect());
            };
            let rows = by_pks::<M>(pks.to_vec())?.all(db).await?;
            Ok(pks
                .iter()
                .filter_map(|pk| {
                    let row = rows.iter().find(|r| &r.pk() == pk)?;
                    Some((pk.clone(), label(row)))
                })
                .collect())
        })
    }

    fn options<'a>(
        &'a self,
        db: &'a Database,
        limit: Option<usize>,
    ) -> BoxFuture<'a, Result<Option<Options>, Error>> {
        Box::pin(async move {
            let mut qs = M::objects();
            if let Some(limit) = limit {
                qs = qs.limit(limit as u64 + 1);
            }
            let rows = qs.all(db).await?;
            if limit.is_some_and(|limit| rows.len() > limit) {
                return Ok(None);
            }
            Ok(Some(
                rows.iter()
                    .map(|r| (super::cells::cell(M::META.pk(), &r.pk()), self.label_of(r)))
                    .collect(),
            ))
        })
    }

    fn save_editable<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        params: &'a Params,
        data: FormData,
        user_id: i64,
    ) -> BoxFuture<'a, Result<EditableSaved, ChangeListError>> {
        Box::pin(self.save_editable(site, db, params, data, user_id))
    }

    fn completed_fields(&self) -> Vec<(&'static ModelMeta, &'static str)> {
        let own = self.autocomplete_fields.iter().map(|f| (M::META, *f));
        let inlines = self
            .inlines
            .iter()
            .flat_map(|i| i.autocomplete_fields().iter().map(|f| (i.child(), *f)));
        own.chain(inlines).collect()
    }

    fn searchable(&self) -> bool {
        !self.search_fields.is_empty()
    }

    fn autocomplete<'a>(
        &'a self,
        db: &'a Database,
        term: &'a str,
        page: u64,
    ) -> BoxFuture<'a, Result<super::autocomplete::Results, Error>> {
        Box::pin(self.autocomplete_page(db, term, page))
    }

    fn find_label<'a>(
        &'a self,
        db: &'a Database,
        pk: Value,
    ) -> BoxFuture<'a, Result<Option<String>, Error>> {
        Box::pin(ModelAdmin::find_label(self, db, pk))
    }

    fn actions(&self) -> Vec<ActionChoice> {
        self.actions
            .iter()
            .map(|a| ActionChoice {
                name: a.name,
                description: a.description.clone(),
                permission: a.permission,
            })
            .collect()
    }

    fn run_action<'a>(
        &'a self,
        db: &'a Database,
        name: &'a str,
        pks: Vec<Value>,
    ) -> BoxFuture<'a, Option<Result<String, Error>>> {
        Box::pin(async move {
            let action = self.actions.iter().find(|a| a.name == name)?;
            Some(action.run(db, pks).await)
        })
    }

    fn form<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        pk: Option<Value>,
        perms: PermsOf<'a>,
    ) -> BoxFuture<'a, Result<Option<Page>, Error>> {
        Box::pin(async move {
            let form = self.model_form(site, db).await?;
            let row = match pk {
                None => None,
                Some(pk) => match by_pks::<M>(vec![pk])?.first(db).await? {
                    Some(row) => Some(row),
                    None => return Ok(None),
                },
            };
            let shown = match &row {
                None => form.unbound(),
                Some(row) => form.for_instance(db, row).await?,
            };
            let mut inlines = Vec::with_capacity(self.inlines.len());
            for inline in &self.inlines {
                let allowed = perms(inline.child());
                if !allowed.shown() {
                    continue;
                }
                let formset = inline.shown(site, db, row.as_ref(), allowed).await?;
                inlines.push(InlineShown::new(inline.as_ref(), formset, allowed));
            }
            Ok(Some(Page {
                form: shown,
                readonly: self.readonly(row.as_ref()),
                fieldsets: self.fieldsets_shown(row.as_ref()),
                inlines,
            }))
        })
    }

    fn save_form<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        pk: Option<Value>,
        mut data: FormData,
        user_id: i64,
        perms: PermsOf<'a>,
    ) -> BoxFuture<'a, Result<Saved, Error>> {
        Box::pin(async move {
            let form = self.model_form(site, db).await?;
            let existing = match pk {
                None => None,
                Some(pk) => match by_pks::<M>(vec![pk])?.first(db).await? {
                    Some(row) => Some(row),
                    None => return Ok(Saved::NotFound),
                },
            };
            // Each inline binds its own part of the POST (an inline the user may not see is
            // not bound: its part is dropped); the row's form binds the rest.
            let parts: Vec<FormData> = self
                .inlines
                .iter()
                .map(|inline| data.take_with_prefix(inline.prefix()))
                .collect();
            let main = form.submit(db, data, existing.as_ref()).await?;
            let mut inlines = Vec::with_capacity(parts.len());
            let mut all_valid = true;
            for (inline, part) in self.inlines.iter().zip(parts) {
                let allowed = perms(inline.child());
                if !allowed.shown() {
                    continue;
                }
                let Some(result) = inline
                    .submit(site, db, existing.as_ref(), part, allowed)
                    .await?
                else {
                    return Ok(Saved::Forbidden);
                };
                all_valid &= result.is_ok();
                inlines.push((inline, result, allowed));
            }
            let mut main = match main {
                Ok(main) if all_valid => main,
                main => {
                    // The page again, nothing lost: the row's form (with its errors, or as
                    // sent) and each inline (with its errors, or as sent).
                    let form = match main {
                        Err(bound) => bound,
                        Ok(mut valid) => valid.form.take().unwrap_or_else(|| form.unbound()),
                    };
                    let inlines = inlines
                        .into_iter()
                        .map(|(inline, result, allowed)| {
                            let formset = match result {
                                Ok(pending) => pending.into_formset(),
                                Err(formset) => formset,
                            };
                            InlineShown::new(inline.as_ref(), formset, allowed)
                        })
                        .collect();
                    return Ok(Saved::Invalid(Page {
                        form,
                        readonly: self.readonly(existing.as_ref()),
                        fieldsets: self.fieldsets_shown(existing.as_ref()),
                        inlines,
                    }));
                }
            };
            let pending: Vec<_> = inlines
                .into_iter()
                .filter_map(|(_, result, _)| result.ok())
                .collect();
            let changed: Vec<String> = match &existing {
                None => Vec::new(),
                Some(before) => super::editable::changed_labels(&form, before, &main.instance),
            };
            // The row, its inlines and the history entry: all or nothing.
            let mut tx = db.begin().await?;
            main.form = None;
            let saved = main.save(&mut tx).await?;
            let mut done = Vec::new();
            for inline in pending {
                done.extend(inline.save(&mut tx, &saved).await?);
            }
            let mut message = match (&existing, changed.is_empty()) {
                (None, _) => "Added.".to_owned(),
                (Some(_), true) if !done.is_empty() => String::new(),
                (Some(_), true) => "No fields changed.".to_owned(),
                (Some(_), false) => format!("Changed {}.", text_list(&changed)),
            };
            for line in done {
                if !message.is_empty() {
                    message.push(' ');
                }
                message.push_str(&line);
            }
            let flag = if existing.is_none() { ADDITION } else { CHANGE };
            let label = self.label_of(&saved);
            let done = [(saved.pk(), label.clone())];
            history::record(&mut tx, user_id, self, &done, flag, &message).await?;
            tx.commit().await?;
            Ok(Saved::Done {
                pk: saved.pk(),
                label,
            })
        })
    }
}

/// `builder` with each relation of `M` that its form edits and whose model the admin
/// registers shown as that admin shows its rows: a search (a key input that
/// `/admin/autocomplete/` completes) when `autocomplete` names it, else a select of the rows,
/// each labelled by that admin. The add and change form and the inlines' forms are made so.
pub(crate) async fn relations_as_admin_shows<M: Model>(
    site: &AdminSite,
    db: &Database,
    mut builder: ModelFormBuilder<M>,
    autocomplete: &[&'static str],
) -> Result<ModelFormBuilder<M>, Error> {
    let relations = M::META
        .fields
        .iter()
        .filter_map(|f| Some((f.name, (f.relation?.to)())))
        .chain(M::META.many_to_many.iter().map(|m| (m.name, (m.to)())));
    for (name, to) in relations {
        let Some(admin) = site.registered(to).filter(|_| builder.edits(name)) else {
            continue;
        };
        if autocomplete.contains(&name) {
            let admin = admin.clone();
            let find: Finder = Arc::new(move |db: &Database, key: Value| {
                let admin = admin.clone();
                Box::pin(async move { admin.find_label(db, key).await })
            });
            let attrs = super::autocomplete::input_attrs(M::META, name);
            builder = builder.lookup_with(name, find, attrs);
        } else if let Some(options) = admin.options(db, None).await? {
            builder = builder.options(name, options);
        }
    }
    Ok(builder)
}

/// The add or change page's forms: the row's, its read-only fields, then each inline's
/// formset.
pub(crate) struct Page {
    pub(crate) form: BoundForm,
    pub(crate) readonly: Vec<ReadonlyField>,
    /// Empty without `fieldsets`: the form prints as a whole.
    pub(crate) fieldsets: Vec<FieldsetShown>,
    pub(crate) inlines: Vec<InlineShown>,
}

/// A group of the form's fields, as the page shows it (`fieldsets`): each entry a field of
/// the form by name, or a read-only field's text.
#[derive(serde::Serialize)]
pub(crate) struct FieldsetShown {
    pub(crate) title: Option<String>,
    pub(crate) fields: Vec<FieldsetEntry>,
}

#[derive(serde::Serialize)]
pub(crate) struct FieldsetEntry {
    pub(crate) name: &'static str,
    /// Set for a read-only field: its label and value.
    pub(crate) readonly: Option<ReadonlyField>,
}

/// A field shown, not edited (`readonly_fields`).
#[derive(serde::Serialize)]
pub(crate) struct ReadonlyField {
    pub(crate) label: String,
    pub(crate) value: String,
}

/// An inline on the page: its heading and formset.
#[derive(serde::Serialize)]
pub(crate) struct InlineShown {
    pub(crate) title: String,
    pub(crate) tabular: bool,
    pub(crate) formset: BoundFormSet,
}

impl InlineShown {
    /// `formset` under `inline`'s heading, as a user with `perms` may use it: the rows there
    /// already are read-only without the change permission (Django shows them so); the server
    /// refuses a POST that changes them whatever the page showed.
    fn new<P>(inline: &dyn ErasedInline<P>, mut formset: BoundFormSet, perms: InlinePerms) -> Self {
        if !perms.change {
            let existing = formset.initial_form_count();
            for form in formset.forms_mut().iter_mut().take(existing) {
                form.set_read_only();
            }
        }
        InlineShown {
            title: inline.title(),
            tabular: inline.tabular(),
            formset,
        }
    }
}

/// What saving an admin form came to.
pub(crate) enum Saved {
    /// The row to change is gone.
    NotFound,
    /// The POST adds, changes or deletes an inline's rows beyond the user's permissions on
    /// that inline's model: nothing saved, a 403.
    Forbidden,
    /// The page again, with its errors.
    Invalid(Page),
    /// Saved, with its history entry: the row's key and how the pages call it.
    Done { pk: Value, label: String },
}

impl<M: Model> ModelAdmin<M> {
    /// The model's form with this admin's fields, its foreign keys' options read now.
    /// The `readonly_fields` are left out: shown as text, and a POST cannot change them. A
    /// relation to a registered model offers its rows by that model's admin
    /// [`label`](ModelAdmin::label).
    async fn model_form(&self, site: &AdminSite, db: &Database) -> Result<ModelForm<M>, Error> {
        let readonly = &self.readonly_fields;
        let (names, only): (Vec<&str>, bool) = match &self.form_fields {
            None => (readonly.clone(), false),
            Some((names, true)) => (
                names
                    .iter()
                    .copied()
                    .filter(|n| !readonly.contains(n))
                    .collect(),
                true,
            ),
            Some((names, false)) => (names.iter().chain(readonly).copied().collect(), false),
        };
        let fields = match (only, names.is_empty()) {
            (false, true) => ModelFields::All,
            (false, false) => ModelFields::Exclude(&names),
            (true, _) => ModelFields::Only(&names),
        };
        let builder = ModelForm::<M>::builder(fields);
        relations_as_admin_shows(site, db, builder, &self.autocomplete_fields)
            .await?
            .build(db)
            .await
    }

    /// How the pages call `row`.
    pub(crate) fn label_of(&self, row: &M) -> String {
        match &self.label {
            Some(label) => label(row),
            None => default_label(M::META, &row.pk()),
        }
    }

    /// The `fieldsets` as the page shows them, read-only fields with `row`'s values.
    fn fieldsets_shown(&self, row: Option<&M>) -> Vec<FieldsetShown> {
        let readonly = self.readonly(row);
        self.fieldsets
            .iter()
            .map(|(title, names)| FieldsetShown {
                title: title.clone(),
                fields: names
                    .iter()
                    .map(|name| FieldsetEntry {
                        name,
                        readonly: self
                            .readonly_fields
                            .iter()
                            .position(|r| r == name)
                            .and_then(|at| readonly.get(at))
                            .map(|f| ReadonlyField {
                                label: f.label.clone(),
                                value: f.value.clone(),
                            }),
                    })
                    .collect(),
            })
            .collect()
    }

    /// The `readonly_fields` of `row` (a new row's: `-`), as the page shows them.
    fn readonly(&self, row: Option<&M>) -> Vec<ReadonlyField> {
        let values = row.map(Model::values);
        self.readonly_fields
            .iter()
            .filter_map(|name| {
                let at = M::META.field_index(name)?;
                let field = &M::META.fields[at];
                Some(ReadonlyField {
                    label: super::changelist::capfirst(&field.verbose_name()),
                    value: values.as_ref().map_or_else(
                        || super::cells::EMPTY.to_owned(),
                        |v| super::cells::cell(field, &v[at]),
                    ),
                })
            })
            .collect()
    }
}

/// The rows of `M` with these primary keys.
fn by_pks<M: Model>(pks: Vec<Value>) -> Result<QuerySet<M>, Error> {
    let pk = FieldPath::<M>::parse(M::META.pk().name).map_err(|e| Error::Usage(e.to_string()))?;
    Ok(M::objects().filter(pk.is_in(pks)))
}

/// The models an admin shows, and its titles. Give it to [`admin::app`](super::app).
///
/// ```
/// use fullstack::Model;
/// use fullstack::admin::{AdminSite, ModelAdmin};
///
/// #[derive(Model)]
/// #[model(app = "polls")]
/// struct Question {
///     id: i64,
///     #[field(max_length = 200)]
///     question_text: String,
/// }
///
/// let site = AdminSite::new()
///     .site_header("Polls administration")
///     .register(ModelAdmin::<Question>::new().search_fields(["question_text"]));
/// assert_eq!(site.model_names(), [("polls", "question".to_owned())]);
/// ```
#[derive(Clone)]
pub struct AdminSite {
    pub(crate) models: Vec<Arc<dyn Registered>>,
    pub(crate) site_header: String,
    pub(crate) site_title: String,
}

impl Default for AdminSite {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for AdminSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminSite")
            .field("models", &self.model_names())
            .finish_non_exhaustive()
    }
}

impl AdminSite {
    /// An admin with no models, titled as Django's.
    pub fn new() -> Self {
        AdminSite {
            models: Vec::new(),
            site_header: "Administration".to_owned(),
            site_title: "Site admin".to_owned(),
        }
    }

    /// The heading of every admin page (Django's `site_header`).
    #[must_use]
    pub fn site_header(mut self, header: impl Into<String>) -> Self {
        self.site_header = header.into();
        self
    }

    /// The end of every admin page's `<title>` (Django's `site_title`).
    #[must_use]
    pub fn site_title(mut self, title: impl Into<String>) -> Self {
        self.site_title = title.into();
        self
    }

    /// Shows model `M` with these options.
    ///
    /// # Panics
    /// When `M` is registered already (Django's `AlreadyRegistered`).
    #[must_use]
    pub fn register<M: Model>(mut self, admin: ModelAdmin<M>) -> Self {
        assert!(
            !self.models.iter().any(|m| m.meta().table == M::META.table),
            "admin: {} is registered twice",
            M::META.name
        );
        self.models.push(Arc::new(admin));
        self
    }

    /// The registered models, as (app label, model name in URLs).
    pub fn model_names(&self) -> Vec<(&'static str, String)> {
        self.models
            .iter()
            .map(|m| (m.meta().app, url_name(m.meta())))
            .collect()
    }

    /// The registered model that the foreign key `field` of the model `app.model` points at,
    /// when the admin completes that field (`autocomplete_fields`, the model's own admin's or
    /// an inline's of it).
    pub(crate) fn completed_by(
        &self,
        app: &str,
        model: &str,
        field: &str,
    ) -> Option<&Arc<dyn Registered>> {
        let (source, _) = self
            .models
            .iter()
            .flat_map(|m| m.completed_fields())
            .find(|(meta, f)| meta.app == app && url_name(meta) == model && *f == field)?;
        self.registered((source.field(field)?.relation?.to)())
    }

    /// Stops the program at start-up, naming the option, when a completed foreign key points
    /// at a model that is not registered or has no `search_fields` (Django's admin.E039 and
    /// admin.E040).
    pub(crate) fn check(&self) {
        for model in &self.models {
            for (source, field) in model.completed_fields() {
                let name = source.name;
                let target = self
                    .completed_by(source.app, &url_name(source), field)
                    .unwrap_or_else(|| {
                        panic!(
                            "admin: {name}'s autocomplete_fields names {field:?}, whose model is \
                         not registered in the admin"
                        )
                    });
                assert!(
                    target.searchable(),
                    "admin: {name}'s autocomplete_fields names {field:?}, but {}'s admin has no \
                     search_fields to search it by",
                    target.meta().name
                );
            }
        }
    }

    pub(crate) fn find(&self, app: &str, model: &str) -> Option<&Arc<dyn Registered>> {
        self.models
            .iter()
            .find(|m| m.meta().app == app && url_name(m.meta()) == model)
    }

    /// The registered model of `meta` (its table), if the admin shows it.
    pub(crate) fn registered(&self, meta: &ModelMeta) -> Option<&Arc<dyn Registered>> {
        self.models.iter().find(|m| m.meta().table == meta.table)
    }
}

/// The model's name in URLs and permission codenames: `Question` is `question` (Django's
/// `model_name`).
pub(crate) fn url_name(meta: &ModelMeta) -> String {
    meta.name.to_lowercase()
}

/// A row as the pages name it without a [`label`](ModelAdmin::label): Django's default
/// `__str__`, "Question object (3)".
pub(crate) fn default_label(meta: &ModelMeta, pk: &Value) -> String {
    format!(
        "{} object ({})",
        super::changelist::capfirst(&meta.verbose_name()),
        super::cells::cell(meta.pk(), pk)
    )
}
