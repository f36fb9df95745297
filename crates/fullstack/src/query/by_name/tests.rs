use chrono::NaiveDate;

use super::*;
use crate::Backend;
use crate::model::ForeignKey;
use crate::query::QuerySet;
use crate::query::prelude::*;

#[derive(crate::Model)]
#[model(app = "by_name")]
struct Author {
    id: i64,
    #[field(max_length = 50)]
    name: String,
}

#[derive(crate::Model)]
#[model(app = "by_name")]
struct Book {
    id: i64,
    #[field(on_delete = cascade)]
    author: ForeignKey<Author>,
    #[field(max_length = 100)]
    title: String,
    published: NaiveDate,
    in_print: bool,
}

#[derive(crate::Model)]
#[model(app = "by_name")]
struct Review {
    id: i64,
    #[field(on_delete = cascade)]
    book: ForeignKey<Book>,
    stars: i32,
}

fn sql<M: Model>(qs: QuerySet<M>) -> (String, Vec<Value>) {
    qs.to_sql(Backend::Sqlite)
}

#[test]
fn a_field_of_the_model_itself_needs_no_join() {
    let title = FieldPath::<Book>::parse("title").unwrap();
    assert_eq!((title.depth(), title.field().name), (0, "title"));
    assert_eq!(title.model().name, "Book");
    let (text, values) = sql(Book::objects().filter(title.eq(Value::Text("Dune".into()))));
    assert!(!text.contains("JOIN"), "{text}");
    assert_eq!(values, [Value::Text("Dune".into())]);
}

#[test]
fn paths_cross_foreign_keys_with_left_joins() {
    let name = FieldPath::<Review>::parse("book__author__name").unwrap();
    assert_eq!((name.depth(), name.model().name), (2, "Author"));
    let (text, values) = sql(Review::objects().filter(name.icontains("le_guin%")));
    assert_eq!(text.matches("LEFT JOIN").count(), 2, "{text}");
    // The wildcard characters of the search text are literal, not patterns.
    assert!(
        values
            .iter()
            .any(|v| matches!(v, Value::Text(t) if t.contains("!_") && t.contains("!%"))),
        "{values:?}"
    );
}

#[test]
fn a_foreign_key_named_last_is_its_column() {
    let author = FieldPath::<Book>::parse("author").unwrap();
    assert_eq!(author.field().column, "author_id");
    let (text, _) = sql(Book::objects().filter(author.eq(Value::BigInt(3))));
    assert!(text.contains("author_id"), "{text}");
}

#[test]
fn unknown_names_are_errors_that_name_them() {
    let err = FieldPath::<Book>::parse("author__nope").unwrap_err();
    assert_eq!(err.to_string(), "Author has no field named \"nope\"");
    let err = FieldPath::<Book>::parse("title__author").unwrap_err();
    assert!(
        err.to_string().contains("Book.title is not a relation"),
        "{err}"
    );
    assert!(FieldPath::<Book>::parse("").is_err());
    assert!(FieldPath::<Book>::parse("author__").is_err());
    // Text meant for SQL is just an unknown name.
    assert!(FieldPath::<Book>::parse("title; DROP TABLE book").is_err());
    assert!(FieldPath::<Book>::order("-\"title\"").is_err());
}

#[test]
fn order_strings_as_django_writes_them() {
    let (text, _) = sql(Book::objects().order_by([
        FieldPath::<Book>::order("-published").unwrap(),
        FieldPath::<Book>::order("author__name").unwrap(),
    ]));
    let order = &text[text.find("ORDER BY").unwrap()..];
    assert!(order.contains("DESC"), "{order}");
    assert!(text.contains("LEFT JOIN"), "{text}");
}

#[test]
fn values_from_query_strings_fit_the_field_or_are_refused() {
    let path = |n: &str| FieldPath::<Book>::parse(n).unwrap();
    assert_eq!(path("in_print").value_from_str("1"), Ok(Value::Bool(true)));
    assert_eq!(
        path("in_print").value_from_str("False"),
        Ok(Value::Bool(false))
    );
    assert!(path("in_print").value_from_str("maybe").is_err());
    assert_eq!(path("id").value_from_str(" 42 "), Ok(Value::BigInt(42)));
    assert!(path("id").value_from_str("4 OR 1=1").is_err());
    assert!(path("author").value_from_str("x").is_err());
    assert_eq!(
        path("published").value_from_str("2021-09-01"),
        Ok(Value::Date(NaiveDate::from_ymd_opt(2021, 9, 1).unwrap()))
    );
    assert!(path("published").value_from_str("2021-02-30").is_err());
    let err = path("published").value_from_str("soon").unwrap_err();
    assert_eq!(err.to_string(), "\"soon\" is not a value of Book.published");
}

#[test]
fn date_parts_only_on_dates() {
    let published = FieldPath::<Book>::parse("published").unwrap();
    let q = published.year_eq(2021).unwrap() & published.month_eq(9).unwrap();
    let (text, values) = sql(Book::objects().filter(q));
    assert!(text.contains("strftime"), "{text}");
    assert!(values.contains(&Value::Int(2021)) && values.contains(&Value::Int(9)));
    assert!(
        FieldPath::<Book>::parse("title")
            .unwrap()
            .day_eq(1)
            .is_err()
    );
}

#[test]
fn null_checks_and_sets() {
    let author = FieldPath::<Book>::parse("author__name").unwrap();
    let (text, _) = sql(Book::objects().filter(author.is_null(true)));
    assert!(text.contains("IS NULL"), "{text}");
    let id = FieldPath::<Book>::parse("id").unwrap();
    let (text, values) =
        sql(Book::objects().filter(id.is_in(vec![Value::BigInt(1), Value::BigInt(2)])));
    assert!(text.contains(" IN "), "{text}");
    assert_eq!(values.len(), 2);
}
