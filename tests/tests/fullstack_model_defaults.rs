//! `Model::new(..)`, which `#[derive(Model)]` writes: the fields without a default are its
//! arguments, the others start with their declared `default` (the same one migrations give the
//! column), `None`, or 0 for the unsaved auto key. On every backend, a row inserted with only
//! the required columns and one saved from `new` read back the same.

mod backends;

use backends::{TestDb, on_every_backend};
use chrono::{DateTime, NaiveDate, Utc};
use fullstack::migrations::{NonInteractive, ProjectState, diff};
use fullstack::query::prelude::*;
use fullstack::{Decimal, ForeignKey, ManyToMany, Model, ModelMeta};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mmd", table = "mmd_question")]
struct Question {
    id: i64,
    #[field(max_length = 200)]
    question_text: String,
    #[field(default = now)]
    pub_date: DateTime<Utc>,
    #[field(default = now)]
    day: NaiveDate,
    #[field(default = "anonymous", max_length = 50)]
    author: String,
    #[field(default = 0)]
    votes: i32,
    #[field(default = 1)]
    weight: f64,
    #[field(default = true)]
    open: bool,
    #[field(max_digits = 6, decimal_places = 2, default = "0.50")]
    price: Decimal,
    #[field(default = 7)]
    rank: Option<i64>,
    closes_on: Option<NaiveDate>,
    tags: ManyToMany<Tag>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mmd", table = "mmd_choice")]
struct Choice {
    id: i64,
    #[field(on_delete = cascade)]
    question: ForeignKey<Question>,
    #[field(max_length = 200)]
    choice_text: String,
    #[field(default = 0)]
    votes: i32,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mmd", table = "mmd_tag")]
struct Tag {
    #[field(primary_key, max_length = 20)]
    slug: String,
}

/// Every field has a default: `new()` takes nothing.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mmd", table = "mmd_counter")]
struct Counter {
    id: i64,
    #[field(default = 0)]
    count: i64,
}

const MODELS: [&ModelMeta; 4] = [Question::META, Choice::META, Tag::META, Counter::META];

#[test]
fn new_asks_for_the_fields_without_a_default_and_fills_the_rest() {
    let before = Utc::now();
    let q = Question::new("What's up?");
    assert_eq!(q.id, 0, "unsaved");
    assert_eq!(q.question_text, "What's up?");
    assert!(q.pub_date >= before && q.pub_date <= Utc::now(), "now");
    assert_eq!(q.day, Utc::now().date_naive());
    assert_eq!(q.author, "anonymous");
    assert_eq!(q.votes, 0);
    assert!((q.weight - 1.0).abs() < f64::EPSILON);
    assert!(q.open);
    assert_eq!(q.price.to_string(), "0.50", "every digit of the default");
    assert_eq!(q.rank, Some(7));
    assert_eq!(q.closes_on, None);

    let c = Choice::new(ForeignKey::new(3), "Not much");
    assert_eq!(
        (c.id, c.question.id(), c.choice_text.as_str(), c.votes),
        (0, 3, "Not much", 0)
    );
    assert_eq!(Counter::new(), Counter { id: 0, count: 0 });
    assert_eq!(
        Tag::new("rust").slug,
        "rust",
        "a key that is not auto is asked for"
    );

    // Struct update syntax changes what the defaults said.
    let c = Choice {
        votes: 5,
        ..Choice::new(&Question { id: 9, ..q.clone() }, "Yes")
    };
    assert_eq!((c.question.id(), c.votes), (9, 5));
}

async fn create_tables(t: &TestDb) {
    let b = t.db.backend();
    for table in [
        "mmd_choice",
        "mmd_question_tags",
        "mmd_question",
        "mmd_tag",
        "mmd_counter",
    ] {
        let sql = format!("DROP TABLE IF EXISTS {}", b.quote(table));
        t.db.execute(&sql, vec![]).await.unwrap();
    }
    let mut state = ProjectState::default();
    let to = ProjectState::from_models(&MODELS);
    for op in diff(&state.clone(), &to, &mut NonInteractive).unwrap() {
        for sql in op.forward_sql(b, &state).unwrap() {
            t.db.execute(&sql, vec![]).await.unwrap();
        }
        op.apply_state(&mut state).unwrap();
    }
}

#[tokio::test]
async fn new_gives_what_the_column_defaults_give_on_every_backend() {
    on_every_backend("model_defaults", |t| async move {
        create_tables(&t).await;
        let db = &t.db;
        let q = Question::objects()
            .create(db, Question::new("From Rust?"))
            .await
            .unwrap();
        assert!(q.id > 0, "{}", t.name);

        // The database fills in the defaults of a row that names only the required column.
        let b = db.backend();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ('From SQL?')",
            b.quote("mmd_question"),
            b.quote("question_text")
        );
        db.execute(&sql, vec![]).await.unwrap();
        let from_sql = Question::objects()
            .filter(Question::QUESTION_TEXT.eq("From SQL?"))
            .get(db)
            .await
            .unwrap();
        let from_rust = Question::objects()
            .filter(Question::ID.eq(q.id))
            .get(db)
            .await
            .unwrap();
        let same = |q: &Question| {
            (
                q.author.clone(),
                q.votes,
                q.weight,
                q.open,
                q.price.to_string(),
                q.rank,
                q.closes_on,
            )
        };
        assert_eq!(same(&from_rust), same(&from_sql), "{}", t.name);
        assert!(
            (from_rust.pub_date - from_sql.pub_date).num_minutes().abs() < 5,
            "both now: {}",
            t.name
        );

        let c = q
            .choice_set()
            .create(db, Choice::new(0, "Yes"))
            .await
            .unwrap();
        assert_eq!((c.question.id(), c.votes), (q.id, 0), "{}", t.name);
    })
    .await;
}

/// Names for people: given, or Django's defaults.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    app = "mmd",
    table = "mmd_poll_question",
    verbose_name = "poll",
    verbose_name_plural = "polls"
)]
struct PollQuestion {
    id: i64,
    #[field(verbose_name = "date published", help_text = "When the poll opens.", default = now)]
    pub_date: DateTime<Utc>,
    #[field(on_delete = cascade, verbose_name = "asked in")]
    parent: Option<ForeignKey<Question>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mmd", table = "mmd_http_log_entry", verbose_name = "log line")]
struct HTTPLogEntry {
    id: i64,
    status_code: i32,
}

#[test]
fn verbose_names_are_given_or_djangos_defaults() {
    assert_eq!(PollQuestion::META.verbose_name(), "poll");
    assert_eq!(PollQuestion::META.verbose_name_plural(), "polls");
    let f = PollQuestion::META.field("pub_date").unwrap();
    assert_eq!(
        (f.verbose_name(), f.help_text),
        ("date published".into(), "When the poll opens.")
    );
    assert_eq!(
        PollQuestion::META.field("parent").unwrap().verbose_name(),
        "asked in"
    );

    // The model's name split at its capitals, + "s"; a field's name with spaces.
    assert_eq!(Question::META.verbose_name(), "question");
    assert_eq!(Question::META.verbose_name_plural(), "questions");
    assert_eq!(
        HTTPLogEntry::META.verbose_name_plural(),
        "log lines",
        "the plural follows a given name"
    );
    let status = HTTPLogEntry::META.field("status_code").unwrap();
    assert_eq!(
        (status.verbose_name(), status.help_text),
        ("status code".into(), "")
    );
    assert_eq!(
        Question::META
            .field("question_text")
            .unwrap()
            .verbose_name(),
        "question text"
    );
}
