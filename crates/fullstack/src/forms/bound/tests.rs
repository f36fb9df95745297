//! Binding with options: prefixes, initial values, `has_changed`, `empty_permitted` and the
//! `required` attribute, in the data read and in the HTML printed.

use std::sync::Arc;

use micro::minijinja::{Value, context};

use crate::forms::render::objects::FormObject;
use crate::forms::render::render_for_test;
use crate::forms::{Field, FormData, FormOptions, FormSpec};

fn spec() -> Arc<FormSpec> {
    Arc::new(
        FormSpec::new()
            .field(Field::text("title").max_length(20).help_text("Short."))
            .field(Field::integer("votes").required(false))
            .field(Field::new("done", crate::forms::FieldKind::Boolean).required(false)),
    )
}

fn html(form: &crate::forms::BoundForm) -> String {
    render_for_test(
        "{{ form.as_div() }}",
        context! { form => Value::from_object(FormObject(form.shown.clone())) },
    )
}

#[test]
fn a_prefixed_form_reads_its_own_keys_and_keeps_bare_names() {
    let data = FormData::from_urlencoded(b"title=Wrong&b-title=Right&b-votes=x");
    let form = spec().bind_with(data, &FormOptions::new().prefix("b"));
    assert_eq!(form.prefix(), Some("b"));
    assert_eq!(form.value("title"), Some("Right"));
    assert_eq!(form.errors().field("votes"), ["Enter a whole number."]);
    assert!(form.errors().field("b-votes").is_empty());
}

#[test]
fn a_prefixed_form_prints_prefixed_names_ids_labels_and_aria() {
    let data = FormData::from_urlencoded(b"b-title=&b-votes=3");
    let form = spec().bind_with(data, &FormOptions::new().prefix("b"));
    let page = html(&form);
    assert!(page.contains(r#"name="b-title""#), "{page}");
    assert!(page.contains(r#"id="id_b-title""#), "{page}");
    assert!(page.contains(r#"<label for="id_b-title">"#), "{page}");
    assert!(page.contains(r#"id="id_b-title_helptext""#), "{page}");
    assert!(
        page.contains(r#"aria-describedby="id_b-title_helptext id_b-title_error""#),
        "{page}"
    );
    assert!(page.contains(r#"id="id_b-title_error""#), "{page}");
    assert!(page.contains(r#"name="b-votes" value="3""#), "{page}");
    assert!(!page.contains(r#"name="title""#), "{page}");
}

#[test]
fn initial_of_the_options_is_shown_over_the_fields_own() {
    let spec = Arc::new(FormSpec::new().field(Field::text("title").initial("own")));
    assert_eq!(spec.unbound().value("title"), Some("own"));
    let form = spec.unbound_with(&FormOptions::new().initial("title", ["given"]));
    assert_eq!(form.value("title"), Some("given"));
    assert!(!form.has_changed());
    assert!(html(&form).contains(r#"value="given""#));
}

#[test]
fn has_changed_compares_the_sent_values_to_the_initial_ones() {
    let options = FormOptions::new()
        .initial("title", ["Dune"])
        .initial("done", ["true"]);
    let same = spec().bind_with(FormData::from_urlencoded(b"title=+Dune+&done=on"), &options);
    assert!(!same.has_changed());
    let unchecked = spec().bind_with(FormData::from_urlencoded(b"title=Dune"), &options);
    assert!(unchecked.has_changed());
    let retitled = spec().bind_with(FormData::from_urlencoded(b"title=Emma&done=on"), &options);
    assert!(retitled.has_changed());
    let blank = spec().bind(FormData::from_urlencoded(b"title=&votes="));
    assert!(!blank.has_changed());
}

#[test]
fn an_unchanged_empty_permitted_form_is_valid_without_errors() {
    let options = FormOptions::new().empty_permitted(true);
    let blank = spec().bind_with(FormData::new(), &options);
    assert!(blank.is_valid());
    assert!(blank.errors().is_empty());
    assert!(blank.cleaned_data().get("title").is_none());

    let started = spec().bind_with(FormData::from_urlencoded(b"votes=2"), &options);
    assert!(!started.is_valid());
    assert_eq!(started.errors().field("title"), ["This field is required."]);

    let required = spec().bind(FormData::new());
    assert_eq!(
        required.errors().field("title"),
        ["This field is required."]
    );
}

#[test]
fn use_required_attribute_false_drops_required_from_the_inputs() {
    let shown = html(&spec().unbound());
    assert!(shown.contains(" required"), "{shown}");
    let form = spec().unbound_with(&FormOptions::new().use_required_attribute(false));
    let page = html(&form);
    assert!(!page.contains(" required"), "{page}");
}

#[test]
fn extra_attributes_are_printed_escaped_after_the_fields_own_which_they_cannot_replace() {
    let spec = Arc::new(
        FormSpec::new().field(
            Field::text("title")
                .attr("class", "wide \"quoted\"")
                .attr("data-url", "/x?a=1&b=<2>")
                .attr("name", "forged")
                .attr("id", "forged"),
        ),
    );
    let page = html(&spec.unbound());
    assert!(
        page.contains(r#"class="wide &quot;quoted&quot;" data-url="&#x2f;x?a=1&amp;b=&lt;2&gt;""#),
        "{page}"
    );
    assert!(
        page.contains(r#"name="title""#) && !page.contains("forged"),
        "{page}"
    );
}

#[test]
fn a_key_input_shows_the_label_of_the_row_it_names() {
    let spec = Arc::new(
        FormSpec::new().field(Field::text("author").widget(crate::forms::Widget::KeyInput)),
    );
    let mut form = spec.bind(FormData::from_urlencoded(b"author=7"));
    assert!(!html(&form).contains("key-label"));
    form.set_value_label("author", "<b>Ada</b>".to_owned());
    let page = html(&form);
    assert!(
        page.contains(r#"name="author" value="7""#)
            && page.contains(
                r#"<strong class="key-label" data-for="author">&lt;b&gt;Ada&lt;&#x2f;b&gt;</strong>"#
            ),
        "{page}"
    );
}
