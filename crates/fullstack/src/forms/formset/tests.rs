//! The formset rules, each against the data a browser (or a tamperer) sends.

use std::sync::Arc;

use crate::forms::{Field, FormData, FormOptions, FormSet, FormSpec};

fn books() -> FormSet {
    FormSet::new(Arc::new(
        FormSpec::new()
            .field(Field::text("title").max_length(20))
            .field(Field::integer("pages").required(false)),
    ))
}

fn data(body: &str) -> FormData {
    FormData::from_urlencoded(body.as_bytes())
}

fn titles(bound: &crate::forms::BoundFormSet) -> Vec<String> {
    bound
        .cleaned_data()
        .iter()
        .map(|c| c.text("title").unwrap_or_default().to_owned())
        .collect()
}

const TAMPERED: &str = "ManagementForm data is missing or has been tampered with. Missing \
                        fields: form-TOTAL_FORMS, form-INITIAL_FORMS. You may need to file a bug \
                        report if the issue persists.";

#[test]
fn unbound_counts_initial_extra_min_and_max_as_django() {
    assert_eq!(books().unbound().total_form_count(), 1);
    assert_eq!(books().extra(3).unbound().total_form_count(), 3);
    assert_eq!(books().extra(1).min_num(2).unbound().total_form_count(), 3);
    assert_eq!(books().extra(5).max_num(2).unbound().total_form_count(), 2);
    let initial = (0..3).map(|i| FormOptions::new().initial("title", [format!("T{i}")]));
    let with_initial = books().extra(2).max_num(2).initial(initial).unbound();
    assert_eq!(with_initial.total_form_count(), 3);
    assert_eq!(with_initial.initial_form_count(), 3);
    assert_eq!(with_initial.forms()[1].value("title"), Some("T1"));
    assert_eq!(with_initial.forms()[1].prefix(), Some("form-1"));
}

#[test]
fn each_form_reads_its_prefixed_keys_and_blank_extras_are_skipped() {
    let bound = books().extra(3).bind(data(
        "form-TOTAL_FORMS=3&form-INITIAL_FORMS=0&form-0-title=Dune&form-1-title=&form-2-title=Emma",
    ));
    assert!(bound.is_valid(), "{:?}", bound.errors());
    assert_eq!(titles(&bound), ["Dune", "Emma"]);
    assert_eq!(bound.total_error_count(), 0);
}

#[test]
fn errors_are_per_form_and_counted() {
    let bound = books().bind(data(
        "form-TOTAL_FORMS=2&form-INITIAL_FORMS=0&form-0-title=Dune&form-0-pages=x&form-1-pages=3",
    ));
    assert!(!bound.is_valid());
    let errors = bound.errors();
    assert_eq!(errors[0].field("pages"), ["Enter a whole number."]);
    assert_eq!(errors[1].field("title"), ["This field is required."]);
    assert_eq!(bound.total_error_count(), 2);
    assert!(bound.non_form_errors().is_empty());
}

#[test]
fn initial_forms_are_not_empty_permitted() {
    let bound = books()
        .initial([FormOptions::new().initial("title", ["Dune"])])
        .bind(data(
            "form-TOTAL_FORMS=1&form-INITIAL_FORMS=1&form-0-title=",
        ));
    assert_eq!(
        bound.errors()[0].field("title"),
        ["This field is required."]
    );
}

#[test]
fn missing_or_tampered_management_data_is_a_non_form_error() {
    for body in [
        "",
        "form-TOTAL_FORMS=abc&form-INITIAL_FORMS=abc",
        "form-TOTAL_FORMS=-1&form-INITIAL_FORMS=-1",
    ] {
        let bound = books().bind(data(body));
        assert!(!bound.is_valid(), "{body}");
        assert_eq!(bound.non_form_errors(), [TAMPERED], "{body}");
        assert_eq!(bound.total_form_count(), 0);
    }
    let one = books().bind(data("form-TOTAL_FORMS=1&form-INITIAL_FORMS=x"));
    assert!(one.non_form_errors()[0].contains("Missing fields: form-INITIAL_FORMS."));
}

#[test]
fn total_forms_past_absolute_max_are_not_built_and_are_an_error() {
    let bound = books().bind(data("form-TOTAL_FORMS=1000000000&form-INITIAL_FORMS=0"));
    assert_eq!(bound.total_form_count(), 2000);
    assert_eq!(
        bound.non_form_errors(),
        ["Please submit at most 1000 forms."]
    );
    let small = books()
        .max_num(1)
        .absolute_max(3)
        .bind(data("form-TOTAL_FORMS=4&form-INITIAL_FORMS=0"));
    assert_eq!(small.total_form_count(), 3);
    assert_eq!(small.non_form_errors(), ["Please submit at most 1 form."]);
}

#[test]
fn validate_max_and_validate_min_count_as_django() {
    let three =
        "form-TOTAL_FORMS=3&form-INITIAL_FORMS=0&form-0-title=a&form-1-title=b&form-2-title=c";
    let bound = books().max_num(2).validate_max(true).bind(data(three));
    assert_eq!(bound.non_form_errors(), ["Please submit at most 2 forms."]);
    assert!(books().max_num(2).bind(data(three)).is_valid());

    let one_filled = "form-TOTAL_FORMS=3&form-INITIAL_FORMS=0&form-0-title=a";
    let bound = books().min_num(2).validate_min(true).bind(data(one_filled));
    assert!(!bound.is_valid());
    // Forms below min_num are not empty-permitted: the second must be filled.
    assert_eq!(
        bound.errors()[1].field("title"),
        ["This field is required."]
    );
    assert_eq!(bound.non_form_errors(), ["Please submit at least 2 forms."]);
    let bound = books().min_num(1).validate_min(true).bind(data(one_filled));
    assert!(bound.is_valid());
}

#[test]
fn deleted_forms_are_skipped_in_cleaned_data_validation_and_count() {
    let set = books().can_delete(true).min_num(1).validate_min(true);
    let bound = set.clone().initial([FormOptions::new(), FormOptions::new()]).bind(data(
        "form-TOTAL_FORMS=2&form-INITIAL_FORMS=2&form-0-title=Keep&form-1-title=&form-1-DELETE=on",
    ));
    assert!(
        bound.is_valid(),
        "{:?} {:?}",
        bound.errors(),
        bound.non_form_errors()
    );
    assert_eq!(titles(&bound), ["Keep"]);
    assert_eq!(bound.deleted_forms().len(), 1);

    let all_deleted = set.initial([FormOptions::new()]).bind(data(
        "form-TOTAL_FORMS=1&form-INITIAL_FORMS=1&form-0-title=Gone&form-0-DELETE=on",
    ));
    assert_eq!(
        all_deleted.non_form_errors(),
        ["Please submit at least 1 form."]
    );
}

#[test]
fn can_delete_extra_false_leaves_the_checkbox_off_extra_forms() {
    let set = books()
        .can_delete(true)
        .can_delete_extra(false)
        .initial([FormOptions::new()]);
    let shown = set.unbound();
    assert!(shown.forms()[0].spec().get("DELETE").is_some());
    assert!(shown.forms()[1].spec().get("DELETE").is_none());
    assert!(books().spec().get("DELETE").is_none());
}

#[test]
fn ordered_forms_sort_by_order_with_blanks_last() {
    let bound = books().can_order(true).extra(4).bind(data(
        "form-TOTAL_FORMS=4&form-INITIAL_FORMS=0&form-0-title=c&form-0-ORDER=3\
         &form-1-title=none&form-2-title=a&form-2-ORDER=1&form-3-title=",
    ));
    assert!(bound.is_valid(), "{:?}", bound.errors());
    let order: Vec<_> = bound
        .ordered_forms()
        .iter()
        .map(|f| f.value("title").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(order, ["a", "c", "none"]);
    assert!(
        books()
            .bind(data("form-TOTAL_FORMS=0&form-INITIAL_FORMS=0"))
            .ordered_forms()
            .is_empty()
    );
}

#[test]
fn initial_forms_get_their_order_as_initial() {
    let shown = books()
        .can_order(true)
        .initial([FormOptions::new(), FormOptions::new()])
        .unbound();
    assert_eq!(shown.forms()[1].value("ORDER"), Some("2"));
    assert_eq!(shown.forms()[2].value("ORDER"), None);
}

#[test]
fn the_clean_hook_adds_non_form_errors_when_the_forms_are_valid() {
    let set = books().extra(2).clean(|forms, errors| {
        let mut seen = std::collections::BTreeSet::new();
        for form in forms {
            if !seen.insert(form.text("title").unwrap_or_default().to_owned()) {
                errors.push("Books in a set must have distinct titles.".to_owned());
                return;
            }
        }
    });
    let twice = "form-TOTAL_FORMS=2&form-INITIAL_FORMS=0&form-0-title=A&form-1-title=A";
    assert_eq!(
        set.bind(data(twice)).non_form_errors(),
        ["Books in a set must have distinct titles."]
    );
    let distinct = "form-TOTAL_FORMS=2&form-INITIAL_FORMS=0&form-0-title=A&form-1-title=B";
    assert!(set.bind(data(distinct)).is_valid());
    let invalid =
        "form-TOTAL_FORMS=2&form-INITIAL_FORMS=0&form-0-title=A&form-1-title=A&form-1-pages=x";
    assert!(set.bind(data(invalid)).non_form_errors().is_empty());
}

fn html(bound: &crate::forms::BoundFormSet, source: &str) -> String {
    crate::forms::render::render_for_test(
        source,
        micro::minijinja::context! { formset => micro::minijinja::Value::from_object(bound.template_object()) },
    )
}

#[test]
fn the_formset_prints_its_management_form_then_each_form() {
    let shown = books().extra(2).unbound();
    let page = html(&shown, "{{ formset }}");
    for input in [
        r#"<input type="hidden" name="form-TOTAL_FORMS" value="2" id="id_form-TOTAL_FORMS">"#,
        r#"<input type="hidden" name="form-INITIAL_FORMS" value="0" id="id_form-INITIAL_FORMS">"#,
        r#"<input type="hidden" name="form-MIN_NUM_FORMS" value="0" id="id_form-MIN_NUM_FORMS">"#,
        r#"<input type="hidden" name="form-MAX_NUM_FORMS" value="1000" id="id_form-MAX_NUM_FORMS">"#,
        r#"name="form-0-title""#,
        r#"<label for="id_form-1-title">"#,
    ] {
        assert!(page.contains(input), "{input} not in {page}");
    }
    // A blank extra form must be sendable: no `required` on its inputs.
    assert!(!page.contains(" required"), "{page}");
    assert!(!page.contains("errorlist"), "{page}");
}

#[test]
fn loops_non_form_errors_and_empty_form_are_there_for_templates() {
    let bound = books().bind(data("form-TOTAL_FORMS=abc"));
    let page = html(
        &bound,
        "{{ formset.non_form_errors }}|{{ formset.management_form }}|{{ formset.empty_form }}",
    );
    assert!(
        page.contains(r#"<ul class="errorlist nonform"><li>ManagementForm data is missing"#),
        "{page}"
    );
    assert!(page.contains(r#"name="form-__prefix__-title""#), "{page}");
    assert!(
        page.contains(r#"value="0" id="id_form-TOTAL_FORMS""#),
        "{page}"
    );

    let sent = books().extra(2).bind(data(
        "form-TOTAL_FORMS=2&form-INITIAL_FORMS=0&form-0-title=Dune&form-1-pages=3",
    ));
    let listed = html(
        &sent,
        "{% for form in formset %}[{{ form.title.value or '' }}:{{ form.title.errors|length }}]{% endfor %}",
    );
    assert_eq!(listed, "[Dune:0][:1]");
    let whole = html(&sent, "{{ formset }}");
    assert!(
        whole.contains(r#"name="form-0-title" value="Dune""#),
        "{whole}"
    );
    assert!(whole.contains("This field is required."), "{whole}");
}
