//! Inline formsets (Django's `inlineformset_factory`): the rows of a child model `C` that
//! point at one parent `P` (a question's choices), edited together as a formset of `C`'s
//! model form. Each form of a saved row carries its key as a hidden input; on a POST the keys
//! must be this parent's rows, in order, or the formset says it was tampered with.

use std::marker::PhantomData;

use super::typed::ModelForm;
use super::{ModelFields, Valid};
use crate::db::Value;
use crate::forms::{BoundFormSet, FormData, FormOptions, FormSet};
use crate::model::Model;
use crate::query::{FieldPath, ModelExt};
use crate::{Database, Error};

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
        let form = ModelForm::<C>::builder(fields)
            .hidden_key()
            .build(db)
            .await?;
        let formset = configure(FormSet::new(form.spec().clone()).prefix(C::META.table));
        Ok(InlineFormSet {
            form,
            formset,
            fk,
            _parent: PhantomData,
        })
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

    /// The formset of `parent`'s rows, each shown with its values, then the extra forms.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn for_parent(&self, db: &Database, parent: &P) -> Result<BoundFormSet, Error> {
        let children = self.children(db, parent).await?;
        let mut initial = Vec::with_capacity(children.len());
        for child in &children {
            let shown = self.form.for_instance(db, child).await?;
            let mut options = FormOptions::new();
            for field in self.form.spec().fields() {
                if let Some(value) = shown.value(&field.name) {
                    options = options.initial(&field.name, [value.to_owned()]);
                }
            }
            initial.push(options);
        }
        Ok(self.formset.clone().initial(initial).unbound())
    }

    /// Binds `data` and, when it is valid, saves it: changed rows updated, rows marked for
    /// deletion deleted, filled extra forms inserted pointing at `parent`; the rows kept, in
    /// order. Otherwise the formset again with its errors (nothing saved).
    ///
    /// # Errors
    /// The driver's error.
    pub async fn save(
        &self,
        db: &Database,
        parent: &P,
        data: FormData,
    ) -> Result<Result<Vec<C>, BoundFormSet>, Error> {
        let children = self.children(db, parent).await?;
        let mut bound = self.formset.bind(data);
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
        let mut pending: Vec<(Option<usize>, Valid<C>)> = Vec::new();
        let mut deleted: Vec<Value> = Vec::new();
        let mut refused = false;
        for (i, is_deleted, changed) in plan {
            let existing = children.get(i).filter(|_| i < initial);
            if is_deleted {
                if let Some(child) = existing {
                    deleted.push(child.pk());
                }
                continue;
            }
            if existing.is_none() && !changed {
                continue; // a blank extra form
            }
            let form = &mut bound.forms_mut()[i];
            match self
                .form
                .instance_for(db, form, existing, self.fk, parent.pk())
                .await?
            {
                Some(valid) => pending.push((existing.map(|_| i), valid)),
                None => refused = true,
            }
        }
        if refused {
            return Ok(Err(bound));
        }
        let mut saved = Vec::with_capacity(pending.len());
        for (_, valid) in pending {
            saved.push(valid.save(db).await?);
        }
        if !deleted.is_empty() {
            let pk = FieldPath::<C>::parse(pk_name).map_err(|e| Error::Usage(e.to_string()))?;
            C::objects().filter(pk.is_in(deleted)).delete(db).await?;
        }
        Ok(Ok(saved))
    }
}
