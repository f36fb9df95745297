//! Each kind's cleaning, and Django's messages word for word.

use std::sync::Arc;

use crate::forms::{Field, FieldKind, FormData, FormSpec, FormValue, Widget};

/// The cleaned value or the error of `field` bound to `body`.
fn one(field: Field, body: &str) -> Result<FormValue, String> {
    let name = field.name.clone();
    let mut form =
        Arc::new(FormSpec::new().field(field)).bind(FormData::from_urlencoded(body.as_bytes()));
    match form.errors().field(&name) {
        [] => Ok(form.take_cleaned().take(&name)),
        [first, ..] => Err(first.clone()),
    }
}

fn err(field: Field, body: &str) -> String {
    one(field, body).expect_err("expected an error")
}

#[test]
fn required_and_optional() {
    assert_eq!(err(Field::text("t"), ""), "This field is required.");
    assert_eq!(err(Field::text("t"), "t=+++"), "This field is required.");
    assert!(matches!(
        one(Field::text("t").required(false), "t="),
        Ok(FormValue::Empty)
    ));
}

#[test]
fn text_lengths_strip_and_null_characters() {
    let title = || Field::text("t").max_length(200);
    let long = format!("t={}", "é".repeat(201));
    assert_eq!(
        err(title(), &long),
        "Ensure this value has at most 200 characters (it has 201)."
    );
    assert_eq!(
        err(Field::text("t").min_length(3), "t=ab"),
        "Ensure this value has at least 3 characters (it has 2)."
    );
    assert!(matches!(one(title(), "t=++hi++"), Ok(FormValue::Text(s)) if s == "hi"));
    assert!(matches!(one(title().strip(false), "t=+hi+"), Ok(FormValue::Text(s)) if s == " hi "));
    assert_eq!(err(title(), "t=a%00b"), "Null characters are not allowed.");
    assert_eq!(err(title(), "t=%FF"), "Enter text that is valid UTF-8.");
}

#[test]
fn numbers() {
    let int = || Field::integer("n").min_value(0.0).max_value(10.0);
    assert!(matches!(one(int(), "n=+7+"), Ok(FormValue::Integer(7))));
    assert_eq!(err(int(), "n=seven"), "Enter a whole number.");
    assert_eq!(err(int(), "n=1.5"), "Enter a whole number.");
    assert_eq!(
        err(int(), "n=11"),
        "Ensure this value is less than or equal to 10."
    );
    assert_eq!(
        err(int(), "n=-1"),
        "Ensure this value is greater than or equal to 0."
    );
    assert_eq!(
        err(Field::integer("n"), "n=99999999999999999999"),
        "Ensure this value is less than or equal to 9223372036854775807."
    );
    assert_eq!(
        err(
            Field::integer("n"),
            "n=999999999999999999999999999999999999999999"
        ),
        "Enter a whole number."
    );
    let float = || Field::new("f", FieldKind::Float).max_value(1.5);
    assert!(matches!(one(float(), "f=1.25"), Ok(FormValue::Float(n)) if n == 1.25));
    assert_eq!(err(float(), "f=inf"), "Enter a number.");
    assert_eq!(err(float(), "f=NaN"), "Enter a number.");
    assert_eq!(
        err(float(), "f=2"),
        "Ensure this value is less than or equal to 1.5."
    );
}

#[test]
fn decimals_as_django_counts_digits() {
    let price = || {
        Field::new("p", FieldKind::Decimal)
            .max_digits(5)
            .decimal_places(2)
    };
    assert!(
        matches!(one(price(), "p=123.45"), Ok(FormValue::Decimal(d)) if d.to_string() == "123.45")
    );
    assert_eq!(
        err(price(), "p=1234.5"),
        "Ensure that there are no more than 3 digits before the decimal point."
    );
    assert_eq!(
        err(price(), "p=1.234"),
        "Ensure that there are no more than 2 decimal places."
    );
    assert_eq!(
        err(price(), "p=123456"),
        "Ensure that there are no more than 5 digits in total."
    );
    assert_eq!(
        err(Field::new("p", FieldKind::Decimal).max_digits(1), "p=12"),
        "Ensure that there are no more than 1 digit in total."
    );
    assert_eq!(err(price(), "p=abc"), "Enter a number.");
}

#[test]
fn booleans() {
    let b = || Field::new("b", FieldKind::Boolean).required(false);
    assert!(matches!(one(b(), "b=on"), Ok(FormValue::Bool(true))));
    assert!(matches!(one(b(), ""), Ok(FormValue::Bool(false))));
    assert!(matches!(one(b(), "b=false"), Ok(FormValue::Bool(false))));
    assert_eq!(err(b().required(true), ""), "This field is required.");
}

#[test]
fn email_url_slug() {
    let email = || Field::new("e", FieldKind::Email);
    assert!(one(email(), "e=ada%40example.com").is_ok());
    assert_eq!(err(email(), "e=ada"), "Enter a valid email address.");
    assert_eq!(err(email(), "e=ada%40"), "Enter a valid email address.");
    let url = || Field::new("u", FieldKind::Url);
    assert!(
        matches!(one(url(), "u=example.com%2Fa"), Ok(FormValue::Text(s)) if s == "https://example.com/a")
    );
    assert!(one(url(), "u=http%3A%2F%2Fexample.com").is_ok());
    assert_eq!(err(url(), "u=javascript%3Aalert(1)"), "Enter a valid URL.");
    assert_eq!(err(url(), "u=http%3A%2F%2F"), "Enter a valid URL.");
    assert_eq!(err(url(), "u=not+a+url"), "Enter a valid URL.");
    let slug = || Field::new("s", FieldKind::Slug);
    assert!(one(slug(), "s=my-post_2").is_ok());
    assert_eq!(
        err(slug(), "s=my+post"),
        "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."
    );
}

#[test]
fn dates_times_and_uuids() {
    assert!(matches!(
        one(Field::new("d", FieldKind::Date), "d=2026-12-02"),
        Ok(FormValue::Date(_))
    ));
    assert_eq!(
        err(Field::new("d", FieldKind::Date), "d=2026-02-30"),
        "Enter a valid date."
    );
    let dt = || Field::new("d", FieldKind::DateTime);
    assert!(matches!(
        one(dt(), "d=2026-12-02T10%3A30"),
        Ok(FormValue::DateTime(_))
    ));
    assert!(matches!(
        one(dt(), "d=2026-12-02+10%3A30%3A15"),
        Ok(FormValue::DateTime(_))
    ));
    assert!(matches!(
        one(dt(), "d=2026-12-02"),
        Ok(FormValue::DateTime(_))
    ));
    assert_eq!(err(dt(), "d=tomorrow"), "Enter a valid date/time.");
    assert!(matches!(
        one(Field::new("t", FieldKind::Time), "t=23%3A59"),
        Ok(FormValue::Time(_))
    ));
    assert_eq!(
        err(Field::new("t", FieldKind::Time), "t=25%3A00"),
        "Enter a valid time."
    );
    let u = || Field::new("u", FieldKind::Uuid);
    assert!(one(u(), "u=67e55044-10b1-426f-9247-bb680e5fe0c8").is_ok());
    assert_eq!(err(u(), "u=67e55044"), "Enter a valid UUID.");
}

#[test]
fn choices() {
    let color = || Field::choice("c", [("r", "Red"), ("g", "Green")]);
    assert!(matches!(one(color(), "c=g"), Ok(FormValue::Text(s)) if s == "g"));
    assert_eq!(
        err(color(), "c=x"),
        "Select a valid choice. x is not one of the available choices."
    );
    let many = || Field::new("m", FieldKind::MultipleChoice).choices([("a", "A"), ("b", "B")]);
    assert!(matches!(one(many(), "m=a&m=b"), Ok(FormValue::List(l)) if l == ["a", "b"]));
    assert_eq!(err(many(), ""), "This field is required.");
    assert_eq!(
        err(many(), "m=a&m=zz"),
        "Select a valid choice. zz is not one of the available choices."
    );
}

#[test]
fn files_sent_urlencoded_are_an_error() {
    let file = || Field::new("f", FieldKind::File);
    assert_eq!(err(file(), ""), "This field is required.");
    assert_eq!(
        err(file(), "f=photo.png"),
        "No file was submitted. Check the encoding type on the form."
    );
    assert!(matches!(
        one(file().required(false), ""),
        Ok(FormValue::Empty)
    ));
}

#[test]
fn repeated_keys_take_the_last_and_extra_fields_are_ignored() {
    assert!(matches!(one(Field::text("t"), "t=a&t=b&other=x"), Ok(FormValue::Text(s)) if s == "b"));
}

#[test]
fn messages_are_replaceable_per_field() {
    let field = Field::text("name")
        .max_length(3)
        .message("required", "Tell us your name.")
        .message("max_length", "At most {limit_value}, not {show_value}.");
    assert_eq!(err(field.clone(), ""), "Tell us your name.");
    assert_eq!(err(field, "name=abcd"), "At most 3, not 4.");
    let age = Field::integer("age").message("invalid", "A number, please.");
    assert_eq!(err(age, "age=x"), "A number, please.");
}

#[test]
fn whole_form_validators_run_when_fields_are_valid() {
    let spec = Arc::new(
        FormSpec::new()
            .field(Field::text("password"))
            .field(Field::text("again").widget(Widget::PasswordInput))
            .validator(|data, errors| {
                if data.text("password") != data.text("again") {
                    errors.add_non_field("The two passwords differ.");
                }
            }),
    );
    let form = spec.bind(FormData::from_urlencoded(b"password=a&again=b"));
    assert_eq!(form.errors().non_field(), ["The two passwords differ."]);
    assert!(!form.is_valid());
    let form = spec.bind(FormData::from_urlencoded(b"password=a"));
    assert!(form.errors().non_field().is_empty());
    assert_eq!(form.errors().field("again"), ["This field is required."]);
    assert!(
        spec.bind(FormData::from_urlencoded(b"password=a&again=a"))
            .is_valid()
    );
    assert!(!spec.unbound().is_valid());
}
