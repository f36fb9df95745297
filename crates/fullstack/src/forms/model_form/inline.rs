//! Inline formsets (Django's `inlineformset_factory`): the rows of a child model `C` that
//! point at one parent `P` (a question's choices), edited together as a formset of `C`'s
//! model form. Each form of a saved row carries its key as a hidden input; on a POST the keys
//! must be this parent's rows, in order, or the formset says it was tampered with.

use std::collections::HashSet;
use std::marker::PhantomData;

use super::typed::{ModelForm, ModelFormBuilder};
use super::values::to_text;
use super::{ModelFields, Valid};
use crate::db::Value;
use crate::forms::messages::text_list;
use crate::forms::{BoundFormSet, FormData, FormOptions, FormSet, NON_FIELD_ERRORS};
use crate::model::Model;
use crate::query::{Executor, FieldPath, ModelExt};
use crate::{Database, Error};

/// Django's words beside a form that repeats another's unique values.
const DUPLICATE_VALUES: &str = "Please correct the duplicate values below.";

/// Django's words when the forms do not match the rows.
const STALE: &str = "The rows changed since the page was shown, or the form was tampered with. \
                     Reload the page and try again.";

/// The child rows of a parent, as a formset.
///
/// ```no_run
/// use fullstack::forms::{FormData, InlineFormSet, ModelFields};
/// use fullstack::{Database, ForeignKey, Model};
///
/// #[derive(Model, Debug)]
/// #[model(app = "polls")]
/// struct Question { id: i64, #[field(max_length = 200)] question_text: String }
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
/// # async fn demo(db: &Database, question: &Question, data: FormData) -> Result<(), fullstack::Error> {
/// let choices = InlineFormSet::<Question, Choice>::build(
///     db,
///     "question",
///     ModelFields::Only(&["choice_text", "votes"]),
///     |f| f.extra(3).can_delete(true),
/// )
/// .await?;
/// let page = choices.for_parent(db, question).await?; // {{ formset }} in a template
/// match choices.save(db, question, data).await? {
///     Ok(saved) => println!("{} choices", saved.len()),
///     Err(formset) => { let _ = formset; } // the page again, with its errors
/// }
/// # let _ = page; Ok(()) }
/// ```
pub struct InlineFormSet<P, C> {
    form: ModelForm<C>,
    formset: FormSet,
    fk: &'static str,
    _parent: PhantomData<fn() -> P>,
}

impl<P: Model, C: Model> InlineFormSet<P, C> {
    /// The formset of `C`'s `fields` for the rows whose foreign key `fk` points at a `P`,
    /// configured by `configure` (extra, min/max, can_delete, can_order, prefix). The prefix
    /// is `C`'s table name unless `configure` sets one.
    ///
    /// # Errors
    /// [`Error::Usage`] when `fk` is not a foreign key of `C` to `P`, or a name of `fields`
    /// is not a field; the driver's error (the options of the form's selects).
    pub async fn build(
        db: &Database,
        fk: &'static str,
        fields: ModelFields<'_>,
        configure: impl FnOnce(FormSet) -> FormSet,
    ) -> Result<Self, Error> {
        Self::build_from(db, fk, ModelForm::<C>::builder(fields), configure).await
    }

    /// [`build`](Self::build) with the forms made by `builder` (its `choices` and `lookup`s
    /// for the child's other foreign keys).
    ///
    /// # Errors
    /// As [`build`](Self::build).
    pub async fn build_from(
        db: &Database,
        fk: &'static str,
        builder: ModelFormBuilder<C>,
        configure: impl FnOnce(FormSet) -> FormSet,
    ) -> Result<Self, Error> {
        let points_at_parent = C::META
            .field(fk)
            .and_then(|f| f.relation)
            .is_some_and(|r| (r.to)().table == P::META.table);
        if !points_at_parent {
            return Err(Error::Usage(format!(
                "{}.{fk} is not a foreign key to {}",
                C::META.name,
                P::META.name
            )));
        }
        let form = builder.hidden_key().build(db).await?;
        let formset = configure(FormSet::new(form.spec().clone()).prefix(C::META.table));
        Ok(InlineFormSet {
            form,
            formset,
            fk,
            _parent: PhantomData,
        })
    }

    /// Two kept forms with the same values where the child model wants them unique (a
    /// `unique` field or unique-together index the forms edit): the database cannot tell, as
    /// neither row is saved yet. Django's message, and the forms that repeat an earlier one.
    fn duplicates(&self, pending: &[(usize, Valid<C>)]) -> Option<(String, Vec<usize>)> {
        let edited = |name: &str| {
            name == self.fk || self.form.spec().fields().iter().any(|f| f.name == name)
        };
        let checks = C::META
            .fields
            .iter()
            .filter(|f| f.unique && !f.primary_key)
            .map(|f| vec![f.name])
            .chain(
                C::META
                    .indexes
                    .iter()
                    .filter(|i| i.unique)
                    .map(|i| i.fields.to_vec()),
            )
            .filter(|names| names.iter().all(|n| edited(n)));
        for names in checks {
            let mut seen = HashSet::new();
            let mut repeated = Vec::new();
            for (i, valid) in pending {
                let values = valid.instance.values();
                // NULLs never collide; a missing field cannot happen (checked names).
                let key: Option<Vec<String>> = names
                    .iter()
                    .map(|n| C::META.field_index(n).and_then(|at| to_text(&values[at])))
                    .collect();
                if let Some(key) = key
                    && !seen.insert(key)
                {
                    repeated.push(*i);
                }
            }
            if !repeated.is_empty() {
                // The foreign key is the same in every form: name only what the user typed.
                let shown: Vec<&str> = names.iter().copied().filter(|n| *n != self.fk).collect();
                let shown = if shown.is_empty() {
                    names.clone()
                } else {
                    shown
                };
                let message = match shown.as_slice() {
                    [one] => format!("Please correct the duplicate data for {one}."),
                    many => format!(
                        "Please correct the duplicate data for {}, which must be unique.",
                        text_list(many)
                    ),
                };
                return Some((message, repeated));
            }
        }
        None
    }

    /// The children of `parent`, in key order (one query).
    async fn children(&self, db: &Database, parent: &P) -> Result<Vec<C>, Error> {
        let fk = FieldPath::<C>::parse(self.fk).map_err(|e| Error::Usage(e.to_string()))?;
        let pk =
            FieldPath::<C>::parse(C::META.pk().name).map_err(|e| Error::Usage(e.to_string()))?;
        C::objects()
            .filter(fk.eq(parent.pk()))
            .order_by([pk.asc()])
            .all(db)
            .await
    }

    /// The formset of a parent not saved yet: only the extra forms.
    pub fn unbound(&self) -> BoundFormSet {
        self.formset.unbound()
    }

    /// The formset of `parent`'s rows, each shown with its values, then the extra forms.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn for_parent(&self, db: &Database, parent: &P) -> Result<BoundFormSet, Error> {
        let children = self.children(db, parent).await?;
        let (formset, labels) = self.with_rows(db, &children).await?;
        let mut shown = formset.unbound();
        // What each key input's row is called, as a form for the row shows it.
        for (form, labels) in shown.forms_mut().iter_mut().zip(labels) {
            for (name, label) in labels {
                form.set_value_label(&name, label);
            }
        }
        Ok(shown)
    }

    /// The formset with `children` as its initial forms, each showing the row's values (what
    /// a POST is compared with to tell which rows changed), and for each the labels of the
    /// rows its key inputs name.
    async fn with_rows(
        &self,
        db: &Database,
        children: &[C],
    ) -> Result<(FormSet, Vec<Vec<(String, String)>>), Error> {
        let mut initial = Vec::with_capacity(children.len());
        let mut labels = Vec::with_capacity(children.len());
        for child in children {
            let shown = self.form.for_instance(db, child).await?;
            labels.push(shown.value_labels());
            let mut options = FormOptions::new();
            for field in self.form.spec().fields() {
                if let Some(value) = shown.value(&field.name) {
                    options = options.initial(&field.name, [value.to_owned()]);
                }
            }
            initial.push(options);
        }
        Ok((self.formset.clone().initial(initial), labels))
    }

    /// Binds `data` and, when it is valid, saves it: rows marked for deletion deleted, changed
    /// rows updated, filled extra forms inserted pointing at `parent`; the rows kept, in
    /// order, all in one transaction. Otherwise the formset again with its errors (nothing
    /// saved). [`submit`](Self::submit) then [`InlineChanges::save`].
    ///
    /// # Errors
    /// The driver's error (and nothing saved).
    pub async fn save(
        &self,
        db: &Database,
        parent: &P,
        data: FormData,
    ) -> Result<Result<Vec<C>, BoundFormSet>, Error> {
        let changes = match self.submit(db, Some(parent), data).await? {
            Ok(changes) => changes,
            Err(bound) => return Ok(Err(bound)),
        };
        // All or nothing: a failure halfway (a unique row saved meanwhile) keeps no half.
        let mut tx = db.begin().await?;
        let saved = changes.save(&mut tx, parent).await?;
        tx.commit().await?;
        Ok(Ok(saved))
    }

    /// Binds and checks `data` for `parent`'s rows (`None`: a parent not saved yet, which has
    /// none), saving nothing: the changes to save once the parent is saved too (the admin
    /// saves a question and its choices in one transaction), or the formset with its errors.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn submit(
        &self,
        db: &Database,
        parent: Option<&P>,
        data: FormData,
    ) -> Result<Result<InlineChanges<C>, BoundFormSet>, Error> {
        let children = match parent {
            Some(parent) => self.children(db, parent).await?,
            None => Vec::new(),
        };
        // A parent not saved yet has no key: a zero stands in (no row points at it, so the
        // unique checks find nothing) until `InlineChanges::save` sets the real one.
        let parent_pk = match parent {
            Some(parent) => parent.pk(),
            None => super::values::zero(C::META.field(self.fk).expect("checked by build").ty),
        };
        let mut bound = self.with_rows(db, &children).await?.0.bind(data);
        if !bound.is_valid() {
            return Ok(Err(bound));
        }
        let initial = bound.initial_form_count();
        let pk_name = C::META.pk().name;
        // The saved rows' forms must name this parent's rows, in the order they were shown.
        let expected: Vec<Option<String>> = children
            .iter()
            .map(|c| super::values::to_text(&c.pk()))
            .collect();
        let matches = initial == children.len()
            && bound.forms()[..initial.min(bound.forms().len())]
                .iter()
                .zip(&expected)
                .all(|(f, key)| f.value(pk_name) == key.as_deref());
        if !matches {
            bound.add_non_form_error(STALE);
            return Ok(Err(bound));
        }
        // Decide first, while the forms still hold their cleaned data.
        let plan: Vec<(usize, bool, bool)> = bound
            .forms()
            .iter()
            .enumerate()
            .map(|(i, f)| (i, bound.is_deleted(f), f.has_changed()))
            .collect();
        let mut pending: Vec<(usize, Valid<C>)> = Vec::new();
        let mut deleted: Vec<Value> = Vec::new();
        let mut refused = false;
        let mut counts = InlineCounts::default();
        for (i, is_deleted, changed) in plan {
            let existing = children.get(i).filter(|_| i < initial);
            if is_deleted {
                if let Some(child) = existing {
                    deleted.push(child.pk());
                }
                continue;
            }
            match (existing, changed) {
                (None, false) => continue, // a blank extra form
                (None, true) => counts.added += 1,
                (Some(_), true) => counts.changed += 1,
                (Some(_), false) => {}
            }
            let form = &mut bound.forms_mut()[i];
            match self
                .form
                .instance_for(db, form, existing, Some((self.fk, parent_pk.clone())))
                .await?
            {
                Some(valid) => pending.push((i, valid)),
                None => refused = true,
            }
        }
        if refused {
            return Ok(Err(bound));
        }
        if let Some((message, forms)) = self.duplicates(&pending) {
            for i in forms {
                bound.forms_mut()[i].add_error(NON_FIELD_ERRORS, DUPLICATE_VALUES);
            }
            bound.add_non_form_error(message);
            return Ok(Err(bound));
        }
        counts.deleted = deleted.len();
        Ok(Ok(InlineChanges {
            formset: bound,
            fk: self.fk,
            counts,
            deleted,
            pending: pending.into_iter().map(|(_, valid)| valid).collect(),
        }))
    }
}

/// How many rows a valid inline formset adds, changes and deletes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InlineCounts {
    /// Filled extra forms: new rows.
    pub added: usize,
    /// Shown rows whose values changed.
    pub changed: usize,
    /// Shown rows marked for deletion.
    pub deleted: usize,
}

/// What a valid inline formset changes, not saved yet: from [`InlineFormSet::submit`].
pub struct InlineChanges<C> {
    /// The formset as sent, to show again when another form of the page is invalid.
    pub(crate) formset: BoundFormSet,
    fk: &'static str,
    counts: InlineCounts,
    deleted: Vec<Value>,
    pending: Vec<Valid<C>>,
}

impl<C> std::fmt::Debug for InlineChanges<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineChanges")
            .field("deleted", &self.deleted.len())
            .field("saved", &self.pending.len())
            .finish()
    }
}

impl<C: Model> InlineChanges<C> {
    /// Whether the formset changes nothing: no row to delete, none to save (every form of a
    /// shown row is saved again, changed or not).
    pub fn is_empty(&self) -> bool {
        self.deleted.is_empty() && self.pending.is_empty()
    }

    /// How many rows are added, changed and deleted.
    pub fn counts(&self) -> InlineCounts {
        self.counts
    }

    /// Deletes the rows marked for deletion, then saves the others pointing at `parent` (now
    /// saved), on `ex`: give it a transaction to keep all or nothing. The rows kept, in order.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn save<P: Model, E: Executor>(self, mut ex: E, parent: &P) -> Result<Vec<C>, Error> {
        let pk_name = C::META.pk().name;
        if !self.deleted.is_empty() {
            let pk = FieldPath::<C>::parse(pk_name).map_err(|e| Error::Usage(e.to_string()))?;
            C::objects()
                .filter(pk.is_in(self.deleted))
                .delete(&mut ex)
                .await?;
        }
        let fk_at = C::META.field_index(self.fk);
        let mut saved = Vec::with_capacity(self.pending.len());
        for mut valid in self.pending {
            if let Some(at) = fk_at {
                let mut values = valid.instance.values();
                if values[at] != parent.pk() {
                    values[at] = parent.pk();
                    valid.instance = C::from_values(values)?;
                }
            }
            saved.push(valid.save(&mut ex).await?);
        }
        Ok(saved)
    }
}
