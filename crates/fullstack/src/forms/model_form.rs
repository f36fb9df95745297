//! Django's `ModelForm`: a form spec built from a model's metadata, with the fields chosen or
//! excluded. Types, required/optional, `max_length`, `choices`, defaults, labels and help texts
//! come from the model, so `choices` and `max_length` are enforced by the form on every backend
//! (SQLite included). [`model_form`] is the spec alone, without the database (no foreign
//! keys); [`ModelForm`] is the typed form of a model: foreign keys as selects of the related
//! rows, `unique` checked against the database, initial values from an instance, and `save`.

mod inline;
mod typed;
mod values;

pub use inline::{InlineChanges, InlineCounts, InlineFormSet};
pub(crate) use typed::Finder;
pub use typed::{ModelForm, ModelFormBuilder, Valid};

use crate::db::ColumnType;
use crate::model::{DefaultValue, FieldMeta, ModelMeta, TextKind};

use super::{Field, FieldKind, FormSpec, Widget};

/// Which of a model's fields a form has (Django's `Meta.fields` / `Meta.exclude`).
#[derive(Debug, Clone, Copy)]
pub enum ModelFields<'a> {
    /// Every editable field (Django's `"__all__"`).
    All,
    /// These fields, in this order.
    Only(&'a [&'a str]),
    /// Every editable field but these.
    Exclude(&'a [&'a str]),
}

/// The form of `meta`'s fields chosen by `fields`. An auto primary key, relations and column
/// types a form cannot edit (JSON, bytes) are left out, as Django leaves out non-editable
/// fields; a name that is not a field of the model is an error message naming it.
///
/// ```
/// use fullstack::Model;
/// use fullstack::forms::{FormData, ModelFields, model_form};
///
/// #[derive(Model)]
/// struct Question {
///     id: i64,
///     #[field(max_length = 200, verbose_name = "question text")]
///     question_text: String,
///     #[field(choices = [("d", "Draft"), ("p", "Published")], default = "d")]
///     status: String,
/// }
///
/// let spec = model_form(Question::META, ModelFields::All).unwrap();
/// let form = spec.bind(FormData::from_urlencoded(b"question_text=&status=x"));
/// assert_eq!(form.errors().field("question_text"), ["This field is required."]);
/// assert_eq!(
///     form.errors().field("status"),
///     ["Select a valid choice. x is not one of the available choices."]
/// );
/// ```
///
/// # Errors
/// A name in `Only` or `Exclude` that is not a field of the model.
pub fn model_form(
    meta: &ModelMeta,
    fields: ModelFields<'_>,
) -> Result<std::sync::Arc<FormSpec>, String> {
    let spec = chosen(meta, fields)?
        .into_iter()
        .filter_map(form_field)
        .fold(FormSpec::new(), FormSpec::field);
    Ok(std::sync::Arc::new(spec))
}

/// The fields of `meta` that `fields` names, in the form's order.
///
/// # Errors
/// A name that is not a field of the model.
pub(super) fn chosen<'m>(
    meta: &'m ModelMeta,
    fields: ModelFields<'_>,
) -> Result<Vec<&'m FieldMeta>, String> {
    let named = match fields {
        ModelFields::Only(names) | ModelFields::Exclude(names) => names,
        ModelFields::All => &[][..],
    };
    if let Some(unknown) = named.iter().find(|n| {
        !meta.fields.iter().any(|f| f.name == **n)
            && !meta.many_to_many.iter().any(|m| m.name == **n)
    }) {
        return Err(format!("{} has no field named {unknown:?}", meta.name));
    }
    Ok(match fields {
        ModelFields::All => meta.fields.iter().collect(),
        ModelFields::Only(names) => names
            .iter()
            .filter_map(|n| meta.fields.iter().find(|f| f.name == *n))
            .collect(),
        ModelFields::Exclude(names) => meta
            .fields
            .iter()
            .filter(|f| !names.contains(&f.name))
            .collect(),
    })
}

/// The form field of one model field, or `None` when a form does not edit it.
pub(super) fn form_field(meta: &FieldMeta) -> Option<Field> {
    if meta.auto || meta.relation.is_some() {
        return None;
    }
    let (kind, bounds) = match meta.ty {
        ColumnType::Bool => (FieldKind::Boolean, None),
        ColumnType::SmallInt => (
            FieldKind::Integer,
            Some((f64::from(i16::MIN), f64::from(i16::MAX))),
        ),
        ColumnType::Int => (
            FieldKind::Integer,
            Some((f64::from(i32::MIN), f64::from(i32::MAX))),
        ),
        ColumnType::BigInt => (FieldKind::Integer, None),
        ColumnType::Float | ColumnType::Real => (FieldKind::Float, None),
        ColumnType::VarChar | ColumnType::Text => (
            match meta.text {
                TextKind::Slug => FieldKind::Slug,
                TextKind::Email => FieldKind::Email,
                TextKind::Url => FieldKind::Url,
                _ => FieldKind::Text,
            },
            None,
        ),
        ColumnType::DateTime | ColumnType::NaiveDateTime => (FieldKind::DateTime, None),
        ColumnType::Date => (FieldKind::Date, None),
        ColumnType::Time => (FieldKind::Time, None),
        ColumnType::Decimal => (FieldKind::Decimal, None),
        ColumnType::Uuid => (FieldKind::Uuid, None),
        ColumnType::Json | ColumnType::Binary => return None,
    };
    let mut field = Field::new(meta.name, kind).label(capitalised(&meta.verbose_name()));
    if let Some((min, max)) = bounds {
        field = field.min_value(min).max_value(max);
    }
    if !meta.choices.is_empty() {
        field = field
            .kind(FieldKind::Choice)
            .choices(meta.choices.iter().copied());
    } else if meta.ty == ColumnType::Text {
        // Django's TextField is a textarea.
        field = field.widget(Widget::Textarea);
    }
    if let Some(n) = meta.max_length {
        field = field.max_length(n as usize);
    }
    if let Some(n) = meta.max_digits {
        field = field.max_digits(n);
    }
    if let Some(n) = meta.decimal_places {
        field = field.decimal_places(n);
    }
    if !meta.help_text.is_empty() {
        field = field.help_text(meta.help_text);
    }
    // A field the database can fill (NULL, a default) need not be filled in the form; but a
    // select of choices with a default offers no blank "---------" (Django's `include_blank`),
    // so it always sends one of them: required, the default chosen.
    let fillable = meta.null || (meta.default.is_some() && meta.choices.is_empty());
    field = field.required(!fillable && kind != FieldKind::Boolean);
    if let Some(initial) = meta.default.and_then(default_text) {
        field = field.initial(initial);
    }
    Some(field)
}

/// A default as the text an input shows; `now` and NULL show nothing.
fn default_text(default: DefaultValue) -> Option<String> {
    match default {
        DefaultValue::Bool(true) => Some("on".to_owned()),
        DefaultValue::Int(n) => Some(n.to_string()),
        DefaultValue::Float(n) => Some(n.to_string()),
        DefaultValue::Text(s) => Some(s.to_owned()),
        DefaultValue::Bool(false) | DefaultValue::Null | DefaultValue::Now => None,
    }
}

/// `question text` -> `Question text`, as Django's labels from verbose names.
pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Model;
    use crate::forms::FormData;

    #[derive(Model)]
    #[model(app = "forms_test")]
    struct Article {
        id: i64,
        #[field(max_length = 5, help_text = "Short.")]
        title: String,
        body: String,
        #[field(null)]
        rating: Option<i32>,
        #[field(default = 3)]
        stars: i16,
        published: bool,
        #[field(choices = [("d", "Draft"), ("p", "Published")], default = "d")]
        status: String,
    }

    #[test]
    fn fields_come_from_the_model() {
        let spec = model_form(Article::META, ModelFields::All).unwrap();
        let names: Vec<_> = spec.fields().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["title", "body", "rating", "stars", "published", "status"]
        );
        let title = spec.get("title").unwrap();
        assert_eq!(title.max_length, Some(5));
        assert_eq!(title.help_text.as_deref(), Some("Short."));
        assert_eq!(title.label_text(), "Title");
        assert_eq!(spec.get("body").unwrap().widget, Some(Widget::Textarea));
        assert!(!spec.get("rating").unwrap().required);
        assert_eq!(spec.get("stars").unwrap().initial.as_deref(), Some("3"));
        let status = spec.get("status").unwrap();
        assert_eq!(status.kind, FieldKind::Choice);
        // Choices with a default: no blank option (Django's include_blank), so required; a
        // default without choices may be left empty.
        assert!(status.required && !spec.get("stars").unwrap().required);
        let html = crate::forms::render::render_for_test(
            "{{ form }}",
            micro::context! { form => std::sync::Arc::new(spec).unbound() },
        );
        assert!(!html.contains("---------"), "{html}");
        assert!(
            html.contains("<option value=\"d\" selected>Draft</option>"),
            "{html}"
        );
    }

    #[test]
    fn max_length_choices_and_ranges_are_enforced() {
        let spec = model_form(Article::META, ModelFields::All).unwrap();
        let form = spec.bind(FormData::from_urlencoded(
            b"title=toolong&body=b&stars=40000&status=zz",
        ));
        assert_eq!(
            form.errors().field("title"),
            ["Ensure this value has at most 5 characters (it has 7)."]
        );
        assert_eq!(
            form.errors().field("stars"),
            ["Ensure this value is less than or equal to 32767."]
        );
        assert_eq!(
            form.errors().field("status"),
            ["Select a valid choice. zz is not one of the available choices."]
        );
        assert!(form.errors().field("rating").is_empty());
        let ok = spec.bind(FormData::from_urlencoded(b"title=hi&body=b&status=p"));
        assert!(ok.is_valid(), "{:?}", ok.errors());
    }

    #[test]
    fn fields_are_chosen_or_excluded_by_name() {
        let only = model_form(Article::META, ModelFields::Only(&["status", "title"])).unwrap();
        let names: Vec<_> = only.fields().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["status", "title"]);
        let but = model_form(Article::META, ModelFields::Exclude(&["body"])).unwrap();
        assert!(but.get("body").is_none() && but.get("title").is_some());
        assert_eq!(
            model_form(Article::META, ModelFields::Only(&["nope"])).unwrap_err(),
            "Article has no field named \"nope\""
        );
    }

    #[derive(Model)]
    #[model(app = "forms_test")]
    struct Link {
        id: i64,
        #[field(max_length = 50, slug)]
        slug: String,
        #[field(max_length = 254, email)]
        contact: String,
        #[field(max_length = 200, url)]
        target: String,
        #[field(max_length = 50, slug = false)]
        plain: String,
    }

    #[test]
    fn slug_email_and_url_fields_check_their_format_in_djangos_words() {
        let spec = std::sync::Arc::new(model_form(Link::META, ModelFields::All).unwrap());
        let bad = spec.bind(FormData::from_urlencoded(
            b"slug=not+a+slug&contact=nobody&target=javascript%3Aalert(1)&plain=any+text!",
        ));
        let errors = bad.errors();
        assert_eq!(
            errors.field("slug"),
            ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."]
        );
        assert_eq!(errors.field("contact"), ["Enter a valid email address."]);
        assert_eq!(errors.field("target"), ["Enter a valid URL."]);
        assert!(
            errors.field("plain").is_empty(),
            "slug = false is plain text"
        );
        let good = spec.bind(FormData::from_urlencoded(
            b"slug=a-slug_2&contact=ada%40example.com&target=https%3A%2F%2Fexample.com%2F&plain=x",
        ));
        assert!(good.is_valid(), "{:?}", good.errors());
        assert_eq!(
            Link::META.field("slug").unwrap().text,
            crate::TextKind::Slug
        );
    }
}
