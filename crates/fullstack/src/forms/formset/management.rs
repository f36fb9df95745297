//! The management form of a formset: four hidden counts that say how many forms were sent,
//! read and checked like any form so that missing or tampered counts are errors, not panics.

use std::sync::{Arc, LazyLock};

use crate::forms::{Field, FormData, FormOptions, FormSpec, FormValue};

pub(crate) const TOTAL_FORMS: &str = "TOTAL_FORMS";
pub(crate) const INITIAL_FORMS: &str = "INITIAL_FORMS";
pub(crate) const MIN_NUM_FORMS: &str = "MIN_NUM_FORMS";
pub(crate) const MAX_NUM_FORMS: &str = "MAX_NUM_FORMS";

/// Django's `ManagementForm`; the counts may not be negative here (Django builds no form for a
/// negative count without saying so; a count a browser never sends is tampering).
pub(crate) static SPEC: LazyLock<Arc<FormSpec>> = LazyLock::new(|| {
    let count = |name: &str| Field::integer(name).widget(crate::forms::Widget::HiddenInput);
    Arc::new(
        FormSpec::new()
            .field(count(TOTAL_FORMS).min_value(0.0))
            .field(count(INITIAL_FORMS).min_value(0.0))
            .field(count(MIN_NUM_FORMS).required(false))
            .field(count(MAX_NUM_FORMS).required(false)),
    )
});

/// The counts a bound formset read, or the names of the inputs that were missing or wrong.
pub(crate) enum Counts {
    Valid { total: usize, initial: usize },
    Tampered { names: Vec<String> },
}

/// Reads the management form under `prefix` from `data` (leaving the forms' keys there).
pub(crate) fn read(data: &FormData, prefix: &str) -> Counts {
    let mut counts = FormData::new();
    for field in SPEC.fields() {
        let key = format!("{prefix}-{}", field.name);
        for value in data.get_all(&key) {
            counts.insert(key.clone(), value);
        }
    }
    let form = SPEC.bind_with(counts, &FormOptions::new().prefix(prefix));
    if !form.is_valid() {
        let names = SPEC
            .fields()
            .iter()
            .filter(|f| !form.errors().field(&f.name).is_empty())
            .map(|f| format!("{prefix}-{}", f.name))
            .collect();
        return Counts::Tampered { names };
    }
    let count = |name| match form.cleaned_data().get(name) {
        Some(FormValue::Integer(n)) => usize::try_from(*n).unwrap_or(usize::MAX),
        _ => 0,
    };
    Counts::Valid {
        total: count(TOTAL_FORMS),
        initial: count(INITIAL_FORMS),
    }
}
