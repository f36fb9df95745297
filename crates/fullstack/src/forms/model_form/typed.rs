//! `ModelForm<M>`: the form of model `M`, built once from its metadata and the database (the
//! rows each foreign key may point at), then bound per request. Valid data becomes an
//! instance of `M` (Django's `save(commit=False)`), checked against the database for `unique`
//! fields and unique-together indexes, ready to adjust and save.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use super::values::{to_text, to_value, zero};
use super::{ModelFields, capitalised, chosen, form_field};
use crate::db::{ColumnType, Value};
use crate::forms::{
    BoundForm, Field, FieldKind, FormData, FormSpec, FormValue, NON_FIELD_ERRORS, Widget,
};
use crate::model::{FieldMeta, ManyToManyMeta, Model, ModelMeta};
use crate::query::{
    Executor, FieldPath, ModelExt, Q, QuerySet, linked_keys, primary_keys, set_linked_keys,
};
use crate::{Database, Error};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// Loads the `(value, label)` options of a foreign key's select.
type Loader = Box<dyn for<'a> FnOnce(&'a Database) -> BoxFuture<'a, OptionsResult> + Send>;
type OptionsResult = Result<Vec<(String, String)>, Error>;

/// Finds the row a [key input](Widget::KeyInput) names: how it is called, or `None` when no
/// row the field may point at has that key. One query.
pub(crate) type Finder = Arc<
    dyn for<'a> Fn(&'a Database, Value) -> BoxFuture<'a, Result<Option<String>, Error>>
        + Send
        + Sync,
>;

/// More attributes of an input, `(name, value)`.
type Attrs = Vec<(String, String)>;

/// A foreign key shown as a key input and checked by one query at submit (Django's
/// `raw_id_fields`), rather than a select of every row.
#[derive(Clone)]
struct Lookup {
    name: &'static str,
    /// The foreign key column's type, which the submitted text must parse as.
    ty: ColumnType,
    find: Finder,
}

/// Django's `ModelChoiceField` message for an id that is not one of the options.
const INVALID_CHOICE: &str =
    "Select a valid choice. That choice is not one of the available choices.";
/// Django's `ModelChoiceField.empty_label`.
const EMPTY_LABEL: &str = "---------";

/// The form of model `M`.
///
/// ```
/// use fullstack::forms::{FormData, ModelFields, ModelForm};
/// use fullstack::query::prelude::*;
/// use fullstack::{Database, ForeignKey, Model};
///
/// #[derive(Model, Debug)]
/// #[model(app = "polls")]
/// struct Question {
///     id: i64,
///     #[field(max_length = 200, unique)]
///     question_text: String,
/// }
///
/// #[derive(Model, Debug)]
/// #[model(app = "polls")]
/// struct Choice {
///     id: i64,
///     #[field(on_delete = cascade)]
///     question: ForeignKey<Question>,
///     #[field(max_length = 200)]
///     choice_text: String,
///     #[field(default = 0)]
///     votes: i32,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), fullstack::Error> {
/// # let db = Database::connect("sqlite::memory:").await?;
/// # db.execute("CREATE TABLE polls_question (id INTEGER PRIMARY KEY AUTOINCREMENT, question_text VARCHAR(200) NOT NULL UNIQUE)", vec![]).await?;
/// # db.execute("CREATE TABLE polls_choice (id INTEGER PRIMARY KEY AUTOINCREMENT, question_id BIGINT NOT NULL, choice_text VARCHAR(200) NOT NULL, votes INTEGER NOT NULL)", vec![]).await?;
/// let mut q = Question { id: 0, question_text: "What's new?".into() };
/// q.save(&db).await?;
///
/// // The select offers the questions; only the text is asked of a choice here.
/// let form = ModelForm::<Choice>::builder(ModelFields::Only(&["question", "choice_text"]))
///     .build(&db)
///     .await?;
/// let body = format!("question={}&choice_text=Not+much", q.id);
/// let mut valid = form.submit(&db, FormData::from_urlencoded(body.as_bytes()), None).await?.unwrap();
/// valid.instance.votes = 1; // adjusted before saving (Django's commit=False)
/// let choice = valid.save(&db).await?;
/// assert_ne!(choice.id, 0);
///
/// // A forged id, and a duplicate of a unique field, are errors beside their fields.
/// let forged = form.submit(&db, FormData::from_urlencoded(b"question=999&choice_text=x"), None).await?;
/// assert_eq!(
///     forged.unwrap_err().errors().field("question"),
///     ["Select a valid choice. That choice is not one of the available choices."]
/// );
/// let questions = ModelForm::<Question>::builder(ModelFields::All).build(&db).await?;
/// let twice = questions.submit(&db, FormData::from_urlencoded(b"question_text=What%27s+new%3F"), None).await?;
/// assert_eq!(
///     twice.unwrap_err().errors().field("question_text"),
///     ["Question with this Question text already exists."]
/// );
/// # Ok(()) }
/// ```
pub struct ModelForm<M> {
    spec: Arc<FormSpec>,
    /// The model fields the form edits, in its order.
    edited: Vec<&'static FieldMeta>,
    /// The many-to-many relations it edits (multiple selects, after the fields).
    links: Vec<&'static ManyToManyMeta>,
    /// The foreign keys shown as key inputs.
    lookups: Vec<Lookup>,
    _model: PhantomData<fn() -> M>,
}

/// A valid submission of a [`ModelForm`]: the instance it makes, not saved yet (change what the
/// form does not ask for), and the many-to-many links to set once it is saved.
pub struct Valid<M> {
    /// The instance: the edited row's values (or a new row's defaults) with the form's.
    pub instance: M,
    links: Vec<(&'static ManyToManyMeta, Vec<Value>)>,
    /// The bound form it came from, to show the page again when another form on it is
    /// invalid (the admin's inlines); none for a formset's form, which the formset keeps.
    pub(crate) form: Option<BoundForm>,
}

impl<M: std::fmt::Debug> std::fmt::Debug for Valid<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Valid")
            .field("instance", &self.instance)
            .finish_non_exhaustive()
    }
}

impl<M: Model> Valid<M> {
    /// Saves the instance (an insert for a new row, else an update), then sets its
    /// many-to-many links to the ones chosen (Django's `save()` and `save_m2m()`), in one
    /// transaction when there are links (in `ex` itself when it is a transaction).
    ///
    /// # Errors
    /// The driver's error; a row saved meanwhile with the same unique values is an
    /// [`Error::is_unique_violation`] (a 409 in a web app).
    pub async fn save<E: Executor>(self, mut ex: E) -> Result<M, Error> {
        let Valid {
            mut instance,
            links,
            ..
        } = self;
        if !links.is_empty()
            && let Some(mut tx) = ex.atomic().await?
        {
            save_with_links(&mut &mut tx, &mut instance, links).await?;
            tx.commit().await?;
        } else {
            save_with_links(&mut ex, &mut instance, links).await?;
        }
        Ok(instance)
    }
}

async fn save_with_links<M: Model, E: Executor>(
    ex: &mut E,
    instance: &mut M,
    links: Vec<(&'static ManyToManyMeta, Vec<Value>)>,
) -> Result<(), Error> {
    instance.save(&mut *ex).await?;
    for (relation, keys) in links {
        set_linked_keys(&mut *ex, relation, instance.pk(), keys).await?;
    }
    Ok(())
}

impl<M> Clone for ModelForm<M> {
    fn clone(&self) -> Self {
        ModelForm {
            spec: self.spec.clone(),
            edited: self.edited.clone(),
            links: self.links.clone(),
            lookups: self.lookups.clone(),
            _model: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for ModelForm<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelForm")
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

/// How a [`ModelForm`] is made: which fields, and the rows each foreign key may point at.
pub struct ModelFormBuilder<M> {
    /// Whether the form carries the row's key as a hidden input (a form of an inline formset).
    hidden_key: bool,
    edited: Result<Vec<&'static FieldMeta>, String>,
    links: Vec<&'static ManyToManyMeta>,
    loaders: Vec<(&'static str, Loader)>,
    /// The foreign keys shown as key inputs: how each finds its row, and its input's extra
    /// attributes.
    lookups: Vec<(&'static str, Finder, Attrs)>,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> ModelForm<M> {
    /// The form of the fields `fields` names; see [`ModelFormBuilder`].
    pub fn builder(fields: ModelFields<'_>) -> ModelFormBuilder<M> {
        let links = M::META
            .many_to_many
            .iter()
            .filter(|m| match fields {
                ModelFields::All => true,
                ModelFields::Only(names) => names.contains(&m.name),
                ModelFields::Exclude(names) => !names.contains(&m.name),
            })
            .collect();
        ModelFormBuilder {
            hidden_key: false,
            edited: chosen(M::META, fields),
            links,
            loaders: Vec::new(),
            lookups: Vec::new(),
            _model: PhantomData,
        }
    }

    /// The form's fields, for the runtime API (rendering, formsets).
    pub fn spec(&self) -> &Arc<FormSpec> {
        &self.spec
    }

    /// The empty form of a new row (defaults shown).
    pub fn unbound(&self) -> BoundForm {
        self.spec.unbound()
    }

    /// The form of an existing row, showing its values and its many-to-many links (one query
    /// per relation): Django's `instance=`.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn for_instance(&self, db: &Database, instance: &M) -> Result<BoundForm, Error> {
        let mut form = self.spec.unbound();
        let values = instance.values();
        for field in &self.edited {
            if let Some(i) = M::META.field_index(field.name) {
                form.set_initial(field.name, to_text(&values[i]));
            }
        }
        let pk = M::META.pk().name;
        if self.spec.get(pk).is_some() {
            form.set_initial(pk, to_text(&instance.pk()));
        }
        for relation in &self.links {
            let keys = linked_keys(db, relation, instance.pk()).await?;
            form.set_initial(relation.name, keys.iter().filter_map(to_text));
        }
        for lookup in &self.lookups {
            let Some(at) = M::META.field_index(lookup.name) else {
                continue;
            };
            if !values[at].is_null()
                && let Some(label) = (lookup.find)(db, values[at].clone()).await?
            {
                form.set_value_label(lookup.name, label);
            }
        }
        Ok(form)
    }

    /// Binds `data`: the bound form, its field errors in place.
    pub fn bind(&self, data: FormData) -> BoundForm {
        self.spec.bind(data)
    }

    /// Binds and checks `data` (each field, then `unique` fields and unique-together indexes
    /// against the database, the row being edited left out, even when another field is
    /// invalid) and gives the instance it makes:
    /// `instance`'s values (or the defaults, for a new row) with the form's fields replaced.
    /// Nothing is saved: adjust [`Valid::instance`] and call [`Valid::save`] (Django's
    /// `save(commit=False)` then `save()` and `save_m2m()`), or see [`save`](Self::save).
    /// Invalid data gives the bound form with its errors.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn submit(
        &self,
        db: &Database,
        data: FormData,
        instance: Option<&M>,
    ) -> Result<Result<Valid<M>, BoundForm>, Error> {
        let mut form = self.bind(data);
        self.check_lookups(db, &mut form).await?;
        let links = self.chosen_links(&form);
        // The unique checks run even when another field is invalid, as Django's do, so that
        // every error shows at once; a check on a field with errors of its own is skipped.
        let values = self.values(&mut form, instance)?;
        self.check_unique(db, &mut form, &values, instance, None)
            .await?;
        if !form.is_valid() {
            return Ok(Err(form));
        }
        Ok(Ok(Valid {
            instance: M::from_values(values)?,
            links,
            form: Some(form),
        }))
    }

    /// The instance a valid bound `form` makes from `base` (or a new row's defaults), with
    /// the foreign key `fk` set to `parent` when given, checked for unique fields (errors go on
    /// the form). `None` when the checks failed. For formsets, which keep their forms.
    pub(crate) async fn instance_for(
        &self,
        db: &Database,
        form: &mut BoundForm,
        base: Option<&M>,
        parent: Option<(&'static str, Value)>,
    ) -> Result<Option<Valid<M>>, Error> {
        self.check_lookups(db, form).await?;
        let links = self.chosen_links(form);
        let mut values = self.values(form, base)?;
        let fk = parent.as_ref().map(|(fk, _)| *fk);
        if let Some((fk, parent)) = parent
            && let Some(i) = M::META.field_index(fk)
        {
            values[i] = parent;
        }
        self.check_unique(db, form, &values, base, fk).await?;
        if !form.errors().is_empty() {
            return Ok(None);
        }
        Ok(Some(Valid {
            instance: M::from_values(values)?,
            links,
            form: None,
        }))
    }

    /// Checks that each key input names a row it may point at (one query each), showing that
    /// row's label beside it; Django's `ModelChoiceField` message otherwise.
    async fn check_lookups(&self, db: &Database, form: &mut BoundForm) -> Result<(), Error> {
        for lookup in &self.lookups {
            if !form.errors().field(lookup.name).is_empty() {
                continue;
            }
            let Some(text) = form.cleaned_data().text(lookup.name) else {
                continue;
            };
            let found = match Value::from_text(lookup.ty, text) {
                Some(key) => (lookup.find)(db, key).await?,
                None => None,
            };
            match found {
                Some(label) => form.set_value_label(lookup.name, label),
                None => form.add_error(lookup.name, INVALID_CHOICE),
            }
        }
        Ok(())
    }

    /// The keys each many-to-many select holds (the form checked they were offered).
    fn chosen_links(&self, form: &BoundForm) -> Vec<(&'static ManyToManyMeta, Vec<Value>)> {
        self.links
            .iter()
            .map(|relation| {
                let ty = (relation.to)().pk().ty;
                let keys = match form.cleaned_data().get(relation.name) {
                    Some(FormValue::List(items)) => items
                        .iter()
                        .filter_map(|k| Value::from_text(ty, k))
                        .collect(),
                    _ => Vec::new(),
                };
                (*relation, keys)
            })
            .collect()
    }

    /// [`submit`](Self::submit), then saves the instance (an insert for a new row, an update
    /// of `instance` otherwise).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn save(
        &self,
        db: &Database,
        data: FormData,
        instance: Option<&M>,
    ) -> Result<Result<M, BoundForm>, Error> {
        match self.submit(db, data, instance).await? {
            Ok(valid) => Ok(Ok(valid.save(db).await?)),
            Err(form) => Ok(Err(form)),
        }
    }

    /// The column values of the instance the valid `form` makes.
    fn values(&self, form: &mut BoundForm, instance: Option<&M>) -> Result<Vec<Value>, Error> {
        let mut values: Vec<Value> = match instance {
            Some(obj) => obj.values(),
            None => M::META
                .fields
                .iter()
                .map(|f| {
                    if f.auto {
                        Value::Null(f.ty)
                    } else {
                        super::values::empty(f)
                    }
                })
                .collect(),
        };
        let mut cleaned = form.take_cleaned();
        for field in &self.edited {
            let Some(i) = M::META.field_index(field.name) else {
                continue;
            };
            let value = to_value(field, cleaned.take(field.name)).unwrap_or_else(|| zero(field.ty));
            values[i] = value;
        }
        Ok(values)
    }

    /// Adds Django's "… with this … already exists." errors for `unique` fields and
    /// unique-together indexes whose fields the form edits.
    async fn check_unique(
        &self,
        db: &Database,
        form: &mut BoundForm,
        values: &[Value],
        instance: Option<&M>,
        also_set: Option<&str>,
    ) -> Result<(), Error> {
        // A field the form does not show but its caller sets (an inline formset's foreign key)
        // counts for unique-together.
        let edits =
            |name: &str| self.edited.iter().any(|f| f.name == name) || also_set == Some(name);
        let mut checks: Vec<Vec<&'static str>> = self
            .edited
            .iter()
            .filter(|f| f.unique && !f.primary_key)
            .map(|f| vec![f.name])
            .collect();
        checks.extend(
            M::META
                .indexes
                .iter()
                .filter(|i| i.unique && i.fields.iter().all(|f| edits(f)))
                .map(|i| i.fields.to_vec()),
        );
        let pk = FieldPath::<M>::parse(M::META.pk().name).expect("the primary key is a field");
        for names in checks {
            if names.iter().any(|n| !form.errors().field(n).is_empty()) {
                continue;
            }
            let mut q: Q<M> = Q::all();
            let mut any_null = false;
            for name in &names {
                let path = FieldPath::<M>::parse(name).expect("a field of the model");
                let value = &values[M::META.field_index(name).expect("a field")];
                // NULLs are never equal: they do not collide (Django skips them too).
                any_null |= value.is_null();
                q = q & path.eq(value.clone());
            }
            if any_null {
                continue;
            }
            let mut qs: QuerySet<M> = M::objects().filter(q);
            if let Some(obj) = instance {
                qs = qs.exclude(pk.eq(obj.pk()));
            }
            if qs.exists(db).await? {
                let labels: Vec<String> = names
                    .iter()
                    .map(|n| {
                        let f = M::META.field(n).expect("a field");
                        capitalised(&f.verbose_name())
                    })
                    .collect();
                let message = format!(
                    "{} with this {} already exists.",
                    capitalised(&M::META.verbose_name()),
                    labels.join(" and ")
                );
                let at = if names.len() == 1 {
                    names[0]
                } else {
                    NON_FIELD_ERRORS
                };
                form.add_error(at, message);
            }
        }
        Ok(())
    }
}

impl<M: Model> ModelFormBuilder<M> {
    /// Whether the form edits the field or many-to-many relation `name`.
    pub(crate) fn edits(&self, name: &str) -> bool {
        self.edited
            .as_ref()
            .is_ok_and(|fields| fields.iter().any(|f| f.name == name))
            || self.links.iter().any(|m| m.name == name)
    }

    /// Carries the row's key as a hidden input, as the forms of a model formset do.
    pub(crate) fn hidden_key(mut self) -> Self {
        self.hidden_key = true;
        self
    }

    /// The rows of `queryset` as the options of the foreign key or many-to-many relation
    /// `field` (Django's `queryset=`): a narrowed select, each option labelled by `label`.
    #[must_use]
    pub fn choices<R: Model>(
        mut self,
        field: &'static str,
        queryset: QuerySet<R>,
        label: impl Fn(&R) -> String + Send + Sync + 'static,
    ) -> Self {
        let loader: Loader = Box::new(move |db: &Database| {
            Box::pin(async move {
                let rows = queryset.all(db).await?;
                Ok(rows
                    .iter()
                    .map(|r| (to_text(&r.pk()).unwrap_or_default(), label(r)))
                    .collect())
            }) as BoxFuture<'_, OptionsResult>
        });
        self.loaders.push((field, loader));
        self
    }

    /// Shows the foreign key `field` as a text input for the related row's key, that row's
    /// label beside it, and checks a submitted key with one query for a row of `queryset`
    /// (Django's `raw_id_fields`), instead of reading every row into a select: the way for a
    /// foreign key to a big table.
    ///
    /// ```
    /// use fullstack::forms::{FormData, ModelFields, ModelForm};
    /// use fullstack::query::prelude::*;
    /// use fullstack::{Database, ForeignKey, Model};
    ///
    /// #[derive(Model, Debug)]
    /// #[model(app = "shop")]
    /// struct Customer {
    ///     id: i64,
    ///     #[field(max_length = 100)]
    ///     name: String,
    ///     active: bool,
    /// }
    ///
    /// #[derive(Model, Debug)]
    /// #[model(app = "shop")]
    /// struct Order {
    ///     id: i64,
    ///     #[field(on_delete = cascade)]
    ///     customer: ForeignKey<Customer>,
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), fullstack::Error> {
    /// # let db = Database::connect("sqlite::memory:").await?;
    /// # db.execute("CREATE TABLE shop_customer (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(100) NOT NULL, active BOOLEAN NOT NULL)", vec![]).await?;
    /// # db.execute("CREATE TABLE shop_order (id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id BIGINT NOT NULL)", vec![]).await?;
    /// let mut ada = Customer { id: 0, name: "Ada".into(), active: true };
    /// ada.save(&db).await?;
    /// let mut gone = Customer { id: 0, name: "Gone".into(), active: false };
    /// gone.save(&db).await?;
    ///
    /// let form = ModelForm::<Order>::builder(ModelFields::All)
    ///     .lookup("customer", Customer::objects().filter(Customer::ACTIVE.eq(true)), |c| c.name.clone())
    ///     .build(&db)
    ///     .await?;
    /// let sent = |id: i64| FormData::from_urlencoded(format!("customer={id}").as_bytes());
    /// let order = form.save(&db, sent(ada.id), None).await?.unwrap();
    /// assert_eq!(order.customer.id(), ada.id);
    ///
    /// // A row outside the queryset, or no row at all, is refused as a forged select would be.
    /// for id in [gone.id, 999] {
    ///     let refused = form.save(&db, sent(id), None).await?.unwrap_err();
    ///     assert_eq!(
    ///         refused.errors().field("customer"),
    ///         ["Select a valid choice. That choice is not one of the available choices."]
    ///     );
    /// }
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn lookup<R: Model>(
        self,
        field: &'static str,
        queryset: QuerySet<R>,
        label: impl Fn(&R) -> String + Send + Sync + 'static,
    ) -> Self {
        let label = Arc::new(label);
        let find: Finder = Arc::new(move |db: &Database, key: Value| {
            let (queryset, label) = (queryset.clone(), label.clone());
            Box::pin(async move {
                let pk = FieldPath::<R>::parse(R::META.pk().name)
                    .map_err(|e| Error::Usage(e.to_string()))?;
                let row = queryset.filter(pk.eq(key)).first(db).await?;
                Ok(row.map(|r| label(&r)))
            })
        });
        self.lookup_with(field, find, Vec::new())
    }

    /// [`lookup`](Self::lookup) with a finder of its own and more attributes on the input
    /// (the admin's, which finds the row through the related model's admin and points the
    /// input at its autocomplete endpoint).
    pub(crate) fn lookup_with(
        mut self,
        field: &'static str,
        find: Finder,
        attrs: Vec<(String, String)>,
    ) -> Self {
        self.lookups.push((field, find, attrs));
        self
    }

    /// These `(value, label)` pairs as the options of the relation `field`, read already
    /// (the admin labels another model's rows with that model's admin).
    pub(crate) fn options(mut self, field: &'static str, options: Vec<(String, String)>) -> Self {
        let loader: Loader = Box::new(move |_: &Database| {
            Box::pin(async move { Ok(options) }) as BoxFuture<'_, OptionsResult>
        });
        self.loaders.push((field, loader));
        self
    }

    /// The form, with the options of each foreign key and many-to-many relation read from
    /// `db` (one query each): those given with
    /// [`choices`](Self::choices), else every row of the related model, labelled as Django's
    /// default `__str__` ("Question object (3)").
    ///
    /// # Errors
    /// [`Error::Usage`] for a name that is not a field of the model or a `choices` on a field
    /// that is not a foreign key; the driver's error.
    pub async fn build(self, db: &Database) -> Result<ModelForm<M>, Error> {
        let edited = self.edited.map_err(Error::Usage)?;
        let mut loaders = self.loaders;
        if let Some((name, _)) = loaders.iter().find(|(n, _)| {
            !edited.iter().any(|f| f.name == *n && f.relation.is_some())
                && !self.links.iter().any(|m| m.name == *n)
        }) {
            return Err(Error::Usage(format!(
                "{}.{name} is not a foreign key of the form",
                M::META.name
            )));
        }
        let mut lookups = self.lookups;
        if let Some((name, ..)) = lookups.iter().find(|(n, ..)| {
            !edited.iter().any(|f| f.name == *n && f.relation.is_some())
                || loaders.iter().any(|(l, _)| l == n)
        }) {
            return Err(Error::Usage(format!(
                "{}.{name} is not a foreign key of the form, or is given choices too",
                M::META.name
            )));
        }
        let mut spec = FormSpec::new();
        let mut kept = Vec::new();
        let mut looked_up = Vec::new();
        for field in edited {
            let lookup = lookups.iter().position(|(n, ..)| *n == field.name);
            let built = match (field.relation, lookup) {
                (Some(_), Some(at)) => {
                    let (name, find, attrs) = lookups.remove(at);
                    looked_up.push(Lookup {
                        name,
                        ty: field.ty,
                        find,
                    });
                    Some(key_field(field, attrs))
                }
                (Some(relation), None) => {
                    let narrowed = loaders.iter().position(|(n, _)| *n == field.name);
                    let options = match narrowed {
                        Some(at) => (loaders.remove(at).1)(db).await?,
                        None => every_row((relation.to)(), db).await?,
                    };
                    Some(foreign_key_field(field, options))
                }
                (None, _) => form_field(field),
            };
            if let Some(f) = built {
                spec = spec.field(f);
                kept.push(field);
            }
        }
        for relation in &self.links {
            let narrowed = loaders.iter().position(|(n, _)| *n == relation.name);
            let options = match narrowed {
                Some(at) => (loaders.remove(at).1)(db).await?,
                None => every_row((relation.to)(), db).await?,
            };
            let label = capitalised(&relation.name.replace('_', " "));
            // Django's ModelMultipleChoiceField words a forged key with the default message
            // ("Select a valid choice. 7 is not one of the available choices.").
            spec = spec.field(
                Field::new(relation.name, FieldKind::MultipleChoice)
                    .choices(options)
                    .label(label)
                    .required(false),
            );
        }
        if self.hidden_key {
            spec = spec.field(Field::hidden(M::META.pk().name).required(false));
        }
        Ok(ModelForm {
            spec: Arc::new(spec),
            edited: kept,
            links: self.links,
            lookups: looked_up,
            _model: PhantomData,
        })
    }
}

/// Every row of `meta` as an option, labelled as Django's default `__str__`
/// ("Question object (3)").
async fn every_row(meta: &'static ModelMeta, db: &Database) -> OptionsResult {
    Ok(primary_keys(db, meta)
        .await?
        .iter()
        .filter_map(to_text)
        .map(|pk| {
            let label = format!("{} object ({pk})", capitalised(&meta.verbose_name()));
            (pk, label)
        })
        .collect())
}

/// A foreign key's select: the empty choice first, then the options.
fn foreign_key_field(field: &FieldMeta, options: Vec<(String, String)>) -> Field {
    let choices = std::iter::once((String::new(), EMPTY_LABEL.to_owned())).chain(options);
    Field::choice(field.name, choices)
        .label(capitalised(&field.verbose_name()))
        .required(!field.null)
        .message("invalid_choice", INVALID_CHOICE)
}

/// A foreign key's key input (see [`ModelFormBuilder::lookup`]).
fn key_field(field: &FieldMeta, attrs: Vec<(String, String)>) -> Field {
    attrs.into_iter().fold(
        Field::text(field.name)
            .widget(Widget::KeyInput)
            .label(capitalised(&field.verbose_name()))
            .required(!field.null),
        |f, (name, value)| f.attr(name, value),
    )
}
