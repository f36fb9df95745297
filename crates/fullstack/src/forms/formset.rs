//! Formsets, as Django's `formset_factory`: several forms of one spec on a page, each under its
//! own prefix (`form-0-title`), with a management form that says how many were sent, extra
//! blank forms that may stay blank, deleting and ordering, and checks of the count.

mod management;

use std::sync::Arc;

use super::render::formset::FormSetObject;
use super::{
    BoundForm, CleanedData, Field, FieldKind, Form, FormData, FormOptions, FormSpec, FormValue,
};
use management::Counts;

/// The name of the checkbox that marks a form for deletion.
pub const DELETION_FIELD_NAME: &str = "DELETE";
/// The name of the number field that orders the forms.
pub const ORDERING_FIELD_NAME: &str = "ORDER";

/// A whole-formset check (Django's `BaseFormSet.clean`): it reads the cleaned values of the
/// forms kept and adds non-form errors.
type FormSetCheck = dyn Fn(&[&CleanedData], &mut Vec<String>) + Send + Sync;

/// A formset: built over one [`FormSpec`], with Django's options, then bound to the submitted
/// data (or shown unbound) as a [`BoundFormSet`].
///
/// ```
/// use std::sync::Arc;
/// use fullstack::forms::{Field, FormData, FormSet, FormSpec};
///
/// let spec = Arc::new(FormSpec::new().field(Field::text("title")));
/// let formset = FormSet::new(spec).extra(2);
/// let data = FormData::from_urlencoded(
///     b"form-TOTAL_FORMS=2&form-INITIAL_FORMS=0&form-0-title=Dune&form-1-title=",
/// );
/// let bound = formset.bind(data);
/// assert!(bound.is_valid());
/// let titles: Vec<_> = bound.cleaned_data().iter().map(|c| c.text("title")).collect();
/// assert_eq!(titles, [Some("Dune")]);
/// ```
#[derive(Clone)]
pub struct FormSet {
    spec: Arc<FormSpec>,
    prefix: String,
    extra: usize,
    min_num: usize,
    max_num: usize,
    absolute_max: Option<usize>,
    validate_min: bool,
    validate_max: bool,
    can_delete: bool,
    can_delete_extra: bool,
    can_order: bool,
    initial: Vec<FormOptions>,
    checks: Vec<Arc<FormSetCheck>>,
}

impl std::fmt::Debug for FormSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormSet")
            .field("prefix", &self.prefix)
            .field("extra", &self.extra)
            .field("min_num", &self.min_num)
            .field("max_num", &self.max_num)
            .field("absolute_max", &self.max_forms_built())
            .field("can_delete", &self.can_delete)
            .field("can_order", &self.can_order)
            .finish_non_exhaustive()
    }
}

impl FormSet {
    /// A formset of `spec` with Django's defaults: prefix `form`, one extra form, `max_num`
    /// 1000, `absolute_max` `max_num + 1000`, no deleting or ordering.
    pub fn new(spec: Arc<FormSpec>) -> FormSet {
        FormSet {
            spec,
            prefix: "form".to_owned(),
            extra: 1,
            min_num: 0,
            max_num: 1000,
            absolute_max: None,
            validate_min: false,
            validate_max: false,
            can_delete: false,
            can_delete_extra: true,
            can_order: false,
            initial: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// A formset of the typed form `F` (see [`BoundFormSet::into_typed`]).
    pub fn of<F: Form>() -> FormSet {
        FormSet::new(F::spec())
    }

    /// Sets the prefix of every input name (`<prefix>-0-title`, `<prefix>-TOTAL_FORMS`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> FormSet {
        self.prefix = prefix.into();
        self
    }

    /// Sets how many blank forms are shown after the initial ones.
    pub fn extra(mut self, extra: usize) -> FormSet {
        self.extra = extra;
        self
    }

    /// Sets how many forms are shown at least (and, with `validate_min`, must be filled).
    pub fn min_num(mut self, min_num: usize) -> FormSet {
        self.min_num = min_num;
        self
    }

    /// Sets how many forms are shown at most (and, with `validate_max`, may be sent).
    pub fn max_num(mut self, max_num: usize) -> FormSet {
        self.max_num = max_num;
        self
    }

    /// Sets how many forms are built at most whatever the data says (`max_num + 1000`): a
    /// bound on the work a request can ask for.
    pub fn absolute_max(mut self, absolute_max: usize) -> FormSet {
        self.absolute_max = Some(absolute_max);
        self
    }

    /// Sets whether fewer than `min_num` filled forms is an error.
    pub fn validate_min(mut self, validate: bool) -> FormSet {
        self.validate_min = validate;
        self
    }

    /// Sets whether more than `max_num` forms is an error.
    pub fn validate_max(mut self, validate: bool) -> FormSet {
        self.validate_max = validate;
        self
    }

    /// Sets whether each form has a `DELETE` checkbox; deleted forms are left out of the
    /// cleaned data, the checks and the count.
    pub fn can_delete(mut self, can_delete: bool) -> FormSet {
        self.can_delete = can_delete;
        self
    }

    /// Sets whether the extra forms have the `DELETE` checkbox too (`true`).
    pub fn can_delete_extra(mut self, can_delete_extra: bool) -> FormSet {
        self.can_delete_extra = can_delete_extra;
        self
    }

    /// Sets whether each form has an `ORDER` number field (see
    /// [`BoundFormSet::ordered_forms`]).
    pub fn can_order(mut self, can_order: bool) -> FormSet {
        self.can_order = can_order;
        self
    }

    /// Sets the initial values of the first forms, one [`FormOptions`] each (its `initial`
    /// is used; the formset sets the prefix and the rest): their number is `INITIAL_FORMS`.
    /// An inline formset gives the saved objects' values so.
    pub fn initial(mut self, initial: impl IntoIterator<Item = FormOptions>) -> FormSet {
        self.initial = initial.into_iter().collect();
        self
    }

    /// Adds a whole-formset check, run when every kept form is valid and the count is right;
    /// the messages it adds are non-form errors.
    pub fn clean(
        mut self,
        check: impl Fn(&[&CleanedData], &mut Vec<String>) + Send + Sync + 'static,
    ) -> FormSet {
        self.checks.push(Arc::new(check));
        self
    }

    /// The spec of each form, before `DELETE` and `ORDER` are added.
    pub fn spec(&self) -> &Arc<FormSpec> {
        &self.spec
    }

    /// The most forms built from data: the one set, or `max_num + 1000` as in Django.
    pub fn max_forms_built(&self) -> usize {
        self.absolute_max
            .unwrap_or_else(|| self.max_num.saturating_add(1000))
    }

    /// The formset not bound to data: the initial forms, then the extra ones, between
    /// `min_num` and `max_num` as Django counts them.
    pub fn unbound(&self) -> BoundFormSet {
        let initial = self.initial.len();
        let mut total = initial.max(self.min_num) + self.extra;
        if initial > self.max_num {
            total = initial;
        } else if total > self.max_num {
            total = self.max_num;
        }
        let specs = self.specs();
        let forms = (0..total)
            .map(|i| {
                specs
                    .for_index(i, initial)
                    .unbound_with(&self.form_options(i, initial))
            })
            .collect();
        BoundFormSet {
            formset: Arc::new(self.clone()),
            bound: false,
            initial_count: initial,
            forms,
            non_form_errors: Vec::new(),
        }
    }

    /// Binds the formset to `data`: reads the management form, builds and cleans each form
    /// sent (at most `absolute_max`), then checks the count and runs the whole-formset checks.
    pub fn bind(&self, mut data: FormData) -> BoundFormSet {
        let (total, initial, mut non_form_errors) = match management::read(&data, &self.prefix) {
            Counts::Valid { total, initial } => (total, initial, Vec::new()),
            Counts::Tampered { names } => (
                0,
                0,
                vec![format!(
                    "ManagementForm data is missing or has been tampered with. Missing fields: \
                     {}. You may need to file a bug report if the issue persists.",
                    names.join(", ")
                )],
            ),
        };
        let built = total.min(self.max_forms_built());
        let specs = self.specs();
        let forms: Vec<BoundForm> = (0..built)
            .map(|i| {
                let mut options = self.form_options(i, initial);
                // Each form's keys are taken out here, so that binding does not walk the
                // whole data once per form; the form keeps its prefix for its HTML.
                let prefix = options.prefix.take();
                let own = data.take_prefixed(prefix.as_deref().unwrap_or_default());
                let mut form = specs.for_index(i, initial).bind_with(own, &options);
                form.set_prefix(prefix);
                form
            })
            .collect();
        let mut bound = BoundFormSet {
            formset: Arc::new(self.clone()),
            bound: true,
            initial_count: initial,
            forms,
            non_form_errors: Vec::new(),
        };
        if non_form_errors.is_empty() {
            non_form_errors = bound.check_count(total);
        }
        if non_form_errors.is_empty() && bound.kept().all(BoundForm::is_valid) {
            let cleaned: Vec<&CleanedData> =
                bound.kept_filled().map(|f| f.cleaned_data()).collect();
            for check in &self.checks {
                check(&cleaned, &mut non_form_errors);
            }
        }
        bound.non_form_errors = non_form_errors;
        bound
    }

    /// The options of the form at `index`: its prefix, its initial values, whether it may stay
    /// blank (an extra form past `min_num`), and no `required` attribute (a blank extra form
    /// must be sendable).
    fn form_options(&self, index: usize, initial_count: usize) -> FormOptions {
        let mut options = self
            .initial
            .get(index)
            .cloned()
            .unwrap_or_default()
            .prefix(format!("{}-{index}", self.prefix))
            .empty_permitted(index >= initial_count && index >= self.min_num)
            .use_required_attribute(false);
        if self.can_order && index < initial_count {
            options = options.initial(ORDERING_FIELD_NAME, [(index + 1).to_string()]);
        }
        options
    }

    /// The blank form a page copies to add one more (Django's `empty_form`): prefixed
    /// `<prefix>-__prefix__` for a script to replace with the next index.
    pub fn empty_form(&self) -> BoundForm {
        let options = FormOptions::new()
            .prefix(format!("{}-__prefix__", self.prefix))
            .empty_permitted(true)
            .use_required_attribute(false);
        self.specs().extra.unbound_with(&options)
    }

    fn specs(&self) -> Specs {
        let delete = || {
            Field::new(DELETION_FIELD_NAME, FieldKind::Boolean)
                .label("Delete")
                .required(false)
        };
        let order = || {
            Field::integer(ORDERING_FIELD_NAME)
                .label("Order")
                .required(false)
        };
        let extra_fields = |with_delete: bool| {
            let mut fields = Vec::new();
            if self.can_order {
                fields.push(order());
            }
            if with_delete {
                fields.push(delete());
            }
            fields
        };
        let plain = !self.can_order && !self.can_delete;
        let initial = if plain {
            self.spec.clone()
        } else {
            Arc::new(self.spec.with_fields(extra_fields(self.can_delete)))
        };
        let extra = if self.can_delete_extra || !self.can_delete {
            initial.clone()
        } else {
            Arc::new(self.spec.with_fields(extra_fields(false)))
        };
        Specs { initial, extra }
    }
}

/// The spec of the initial forms and of the extra ones (which may lack `DELETE`).
struct Specs {
    initial: Arc<FormSpec>,
    extra: Arc<FormSpec>,
}

impl Specs {
    fn for_index(&self, index: usize, initial_count: usize) -> &Arc<FormSpec> {
        if index < initial_count {
            &self.initial
        } else {
            &self.extra
        }
    }
}

/// A formset bound to data, or shown unbound: its forms, its non-form errors, and (when valid)
/// the cleaned values of the forms kept. Put it in a template context as it is and print it
/// with `{{ formset }}`; see the guide.
#[derive(Debug)]
pub struct BoundFormSet {
    /// Shared, so that a bound formset stays small to move around (a `Result`'s error).
    formset: Arc<FormSet>,
    bound: bool,
    initial_count: usize,
    forms: Vec<BoundForm>,
    non_form_errors: Vec<String>,
}

impl BoundFormSet {
    /// Whether it was bound to data.
    pub fn is_bound(&self) -> bool {
        self.bound
    }

    /// Whether it is bound, every form not deleted is valid, and there is no non-form error.
    pub fn is_valid(&self) -> bool {
        self.bound && self.non_form_errors.is_empty() && self.kept().all(BoundForm::is_valid)
    }

    /// The forms, in order (deleted ones included, as Django's `forms`).
    pub fn forms(&self) -> &[BoundForm] {
        &self.forms
    }

    /// The forms, to add errors to (a check that needs the database, such as a model
    /// formset's unique fields).
    pub fn forms_mut(&mut self) -> &mut [BoundForm] {
        &mut self.forms
    }

    /// The errors of the formset as a whole: the management form's, the count's and those
    /// of the whole-formset checks.
    pub fn non_form_errors(&self) -> &[String] {
        &self.non_form_errors
    }

    /// Adds a non-form error, as a view does when saving fails.
    pub fn add_non_form_error(&mut self, message: impl Into<String>) {
        self.non_form_errors.push(message.into());
    }

    /// The errors of each form not deleted, in order (Django's `errors`).
    pub fn errors(&self) -> Vec<&super::FormErrors> {
        self.kept().map(BoundForm::errors).collect()
    }

    /// How many errors there are: the non-form ones and every form's (Django's
    /// `total_error_count`).
    pub fn total_error_count(&self) -> usize {
        let in_forms: usize = self
            .kept()
            .map(|f| {
                f.errors().non_field().len()
                    + f.errors().fields().map(|(_, m)| m.len()).sum::<usize>()
            })
            .sum();
        self.non_form_errors.len() + in_forms
    }

    /// The cleaned values of the forms kept: not deleted, and not an extra form left blank.
    pub fn cleaned_data(&self) -> Vec<&CleanedData> {
        self.kept_filled().map(BoundForm::cleaned_data).collect()
    }

    /// The typed values of the forms kept, in order, when the formset is valid and each
    /// form's `clean` hooks pass; else the formset (with the hooks' errors) to show again.
    ///
    /// # Errors
    /// The bound formset, when it is not valid or a form's hook added an error.
    pub fn into_typed<F: Form>(mut self) -> Result<Vec<F>, BoundFormSet> {
        if !self.is_valid() {
            return Err(self);
        }
        let keep: Vec<usize> = self
            .forms
            .iter()
            .enumerate()
            .filter(|(i, f)| !self.is_deleted(f) && (*i < self.initial_count || f.has_changed()))
            .map(|(i, _)| i)
            .collect();
        let mut values = Vec::with_capacity(keep.len());
        let mut failed = false;
        for i in keep {
            let form = &mut self.forms[i];
            match F::from_form(form) {
                Some(value) if form.is_valid() => values.push(value),
                _ => failed = true,
            }
        }
        if failed { Err(self) } else { Ok(values) }
    }

    /// The forms marked for deletion (Django's `deleted_forms`).
    pub fn deleted_forms(&self) -> Vec<&BoundForm> {
        self.forms.iter().filter(|f| self.is_deleted(f)).collect()
    }

    /// The forms kept, by their `ORDER` (forms without one last, then in page order), as
    /// Django's `ordered_forms`; empty unless the formset can order.
    pub fn ordered_forms(&self) -> Vec<&BoundForm> {
        if !self.formset.can_order {
            return Vec::new();
        }
        let mut ordered: Vec<(usize, Option<i64>, &BoundForm)> = self
            .kept_filled()
            .enumerate()
            .map(|(i, f)| {
                let order = match f.cleaned_data().get(ORDERING_FIELD_NAME) {
                    Some(FormValue::Integer(n)) => Some(*n),
                    _ => None,
                };
                (i, order, f)
            })
            .collect();
        ordered.sort_by_key(|(i, order, _)| (order.is_none(), *order, *i));
        ordered.into_iter().map(|(_, _, f)| f).collect()
    }

    /// How many forms were initial ones (`INITIAL_FORMS`).
    pub fn initial_form_count(&self) -> usize {
        self.initial_count
    }

    /// How many forms there are (`TOTAL_FORMS`).
    pub fn total_form_count(&self) -> usize {
        self.forms.len()
    }

    /// The formset it was built from.
    pub fn formset(&self) -> &FormSet {
        &self.formset
    }

    /// The prefix of its input names.
    pub fn prefix(&self) -> &str {
        &self.formset.prefix
    }

    /// The management form: the hidden counts the page sends back.
    pub fn management_form(&self) -> BoundForm {
        let set = &self.formset;
        let options = FormOptions::new()
            .prefix(set.prefix.clone())
            .initial(management::TOTAL_FORMS, [self.forms.len().to_string()])
            .initial(management::INITIAL_FORMS, [self.initial_count.to_string()])
            .initial(management::MIN_NUM_FORMS, [set.min_num.to_string()])
            .initial(management::MAX_NUM_FORMS, [set.max_num.to_string()]);
        management::SPEC.unbound_with(&options)
    }

    /// Whether `form` is marked for deletion (its `DELETE` box ticked, when the formset can
    /// delete).
    pub fn is_deleted(&self, form: &BoundForm) -> bool {
        self.formset.can_delete
            && matches!(
                form.cleaned_data().get(DELETION_FIELD_NAME),
                Some(FormValue::Bool(true))
            )
    }

    /// The forms not deleted.
    fn kept(&self) -> impl Iterator<Item = &BoundForm> {
        self.forms.iter().filter(|f| !self.is_deleted(f))
    }

    /// The forms not deleted, less the extra ones left blank.
    fn kept_filled(&self) -> impl Iterator<Item = &BoundForm> {
        self.forms
            .iter()
            .enumerate()
            .filter(|(i, f)| !self.is_deleted(f) && (*i < self.initial_count || f.has_changed()))
            .map(|(_, f)| f)
    }

    /// Django's count checks, after the forms are cleaned: too many (with `validate_max`, or
    /// whenever `TOTAL_FORMS` is past `absolute_max`), too few filled (with `validate_min`).
    fn check_count(&self, sent_total: usize) -> Vec<String> {
        let set = &self.formset;
        let deleted = self.deleted_forms().len();
        let blank_extra = self
            .forms
            .iter()
            .enumerate()
            .filter(|(i, f)| *i >= self.initial_count && !f.has_changed())
            .count();
        let plural = |n: usize| if n == 1 { "form" } else { "forms" };
        let count = self.forms.len() - deleted;
        if (set.validate_max && count > set.max_num) || sent_total > set.max_forms_built() {
            return vec![format!(
                "Please submit at most {} {}.",
                set.max_num,
                plural(set.max_num)
            )];
        }
        if set.validate_min && count.saturating_sub(blank_extra) < set.min_num {
            return vec![format!(
                "Please submit at least {} {}.",
                set.min_num,
                plural(set.min_num)
            )];
        }
        Vec::new()
    }
}

/// A formset goes into a template context as it is (`context! { formset }`): it serialises as
/// the template object that prints it.
impl serde::Serialize for BoundFormSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        micro::minijinja::Value::from_object(self.template_object()).serialize(serializer)
    }
}

impl BoundFormSet {
    /// What prints it in a template.
    pub(crate) fn template_object(&self) -> FormSetObject {
        FormSetObject {
            management: self.management_form().shown,
            forms: self.forms.iter().map(|f| f.shown.clone()).collect(),
            empty: self.formset.empty_form().shown,
            non_form_errors: self.non_form_errors.clone(),
            prefix: self.formset.prefix.clone(),
            initial_count: self.initial_count,
        }
    }
}

#[cfg(test)]
mod tests;
