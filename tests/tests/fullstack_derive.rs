//! `#[derive(Model)]`: the metadata, the typed columns, `values`/`from_row`/`pk`/`set_pk`, and a
//! round trip through every backend.

mod backends;

use backends::{TestDb, on_every_backend};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use fullstack::model::{DefaultValue, FieldMeta, OnDelete, RelationKind};
use fullstack::{Backend, Column, ColumnType, ForeignKey, ManyToMany, Model, OneToOne, Value};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(
    app = "polls",
    table = "fullstack_derive_question",
    ordering = ["-pub_date", "id"],
    index = ["pub_date", "status"]
)]
struct Question {
    id: i64,
    #[field(max_length = 200, unique)]
    question_text: String,
    #[field(index, default = now)]
    pub_date: DateTime<Utc>,
    #[field(max_length = 1, default = "d", choices = [("d", "Draft"), ("p", "Published")])]
    status: String,
    #[field(default = 0)]
    views: i32,
    #[field(default = 1)]
    score: f64,
    #[field(default = true)]
    open: bool,
    closes_on: Option<NaiveDate>,
    #[field(column = "notes_text")]
    notes: Option<String>,
    tags: ManyToMany<Tag>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "polls", unique = ["question", "choice_text"])]
struct Choice {
    id: i64,
    #[field(on_delete = cascade, related_name = "choices")]
    question: ForeignKey<Question>,
    /// Not indexed: foreign keys are, unless they say otherwise.
    #[field(on_delete = set_null, index = false)]
    previous: Option<ForeignKey<Self>>,
    #[field(max_length = 200)]
    choice_text: String,
    #[field(default = -1)]
    votes: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "polls", table = "poll_tags")]
struct Tag {
    #[field(primary_key)]
    slug: String,
    label: String,
    r#type: Option<String>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "polls")]
struct QuestionStats {
    #[field(primary_key, auto)]
    pk: i32,
    #[field(on_delete = protect)]
    question: OneToOne<Question>,
    id: String,
}

/// A `FieldMeta` literal for comparisons (FieldMeta has no `PartialEq`: it holds `fn`s).
fn describe(f: &FieldMeta) -> String {
    let relation = f.relation.map(|r| {
        (
            r.kind,
            (r.to)().name,
            r.on_delete,
            r.related_name.map(str::to_owned),
        )
    });
    format!(
        "{} {} {:?} null={} pk={} auto={} unique={} index={} max={:?} default={:?} choices={:?} rel={:?}",
        f.name,
        f.column,
        f.ty,
        f.null,
        f.primary_key,
        f.auto,
        f.unique,
        f.index,
        f.max_length,
        f.default,
        f.choices,
        relation
    )
}

#[test]
fn question_meta_is_exactly_as_declared() {
    let meta = Question::META;
    assert_eq!(meta.app, "polls");
    assert_eq!(meta.name, "Question");
    assert_eq!(meta.table, "fullstack_derive_question");
    assert_eq!(meta.label(), "polls.Question");
    assert_eq!(meta.ordering, &["-pub_date", "id"]);
    assert!(
        std::ptr::eq(meta, Question::META),
        "one static, one address"
    );
    let fields: Vec<String> = meta.fields.iter().map(describe).collect();
    assert_eq!(
        fields,
        [
            "id id BigInt null=false pk=true auto=true unique=false index=false max=None default=None choices=[] rel=None",
            "question_text question_text VarChar null=false pk=false auto=false unique=true index=false max=Some(200) default=None choices=[] rel=None",
            "pub_date pub_date DateTime null=false pk=false auto=false unique=false index=true max=None default=Some(Now) choices=[] rel=None",
            "status status VarChar null=false pk=false auto=false unique=false index=false max=Some(1) default=Some(Text(\"d\")) choices=[(\"d\", \"Draft\"), (\"p\", \"Published\")] rel=None",
            "views views Int null=false pk=false auto=false unique=false index=false max=None default=Some(Int(0)) choices=[] rel=None",
            "score score Float null=false pk=false auto=false unique=false index=false max=None default=Some(Float(1.0)) choices=[] rel=None",
            "open open Bool null=false pk=false auto=false unique=false index=false max=None default=Some(Bool(true)) choices=[] rel=None",
            "closes_on closes_on Date null=true pk=false auto=false unique=false index=false max=None default=None choices=[] rel=None",
            "notes notes_text Text null=true pk=false auto=false unique=false index=false max=None default=None choices=[] rel=None",
        ]
    );
    assert_eq!(meta.pk().name, "id");
    assert_eq!(meta.field_index("pub_date"), Some(2));
    assert_eq!(
        meta.field("score").unwrap().default,
        Some(DefaultValue::Float(1.0))
    );

    assert_eq!(meta.indexes.len(), 1);
    assert_eq!(
        meta.indexes[0].name,
        "fullstack_derive_question_pub_date_status_idx"
    );
    assert_eq!(meta.indexes[0].fields, &["pub_date", "status"]);
    assert!(!meta.indexes[0].unique);

    assert_eq!(meta.many_to_many.len(), 1);
    let tags = &meta.many_to_many[0];
    assert_eq!(tags.name, "tags");
    assert_eq!((tags.to)().name, "Tag");
    assert_eq!(tags.table, "fullstack_derive_question_tags");
    assert_eq!(
        (tags.from_column, tags.to_column),
        ("question_id", "tag_id")
    );
    assert_eq!(Question::TAGS.name(), "tags");
    assert!(tags.through.is_none());
}

#[test]
fn choice_meta_has_its_relations() {
    let meta = Choice::META;
    assert_eq!(meta.table, "polls_choice");
    assert!(meta.ordering.is_empty());
    let fields: Vec<String> = meta.fields.iter().map(describe).collect();
    assert_eq!(
        fields,
        [
            "id id BigInt null=false pk=true auto=true unique=false index=false max=None default=None choices=[] rel=None",
            "question question_id BigInt null=false pk=false auto=false unique=false index=true max=None default=None choices=[] rel=Some((ForeignKey, \"Question\", Cascade, Some(\"choices\")))",
            "previous previous_id BigInt null=true pk=false auto=false unique=false index=false max=None default=None choices=[] rel=Some((ForeignKey, \"Choice\", SetNull, None))",
            "choice_text choice_text VarChar null=false pk=false auto=false unique=false index=false max=Some(200) default=None choices=[] rel=None",
            "votes votes BigInt null=false pk=false auto=false unique=false index=false max=None default=Some(Int(-1)) choices=[] rel=None",
        ]
    );
    assert_eq!(
        meta.indexes[0].name,
        "polls_choice_question_choice_text_uniq"
    );
    assert!(meta.indexes[0].unique);
    assert!(meta.many_to_many.is_empty());
}

#[test]
fn explicit_primary_keys_and_one_to_one() {
    let tag = Tag::META;
    assert_eq!(tag.table, "poll_tags");
    assert_eq!(tag.pk().name, "slug");
    assert!(!tag.pk().auto);
    assert_eq!(tag.pk().ty, ColumnType::Text);

    let stats = QuestionStats::META;
    assert_eq!(stats.table, "polls_question_stats");
    let pk = stats.pk();
    assert_eq!((pk.name, pk.ty, pk.auto), ("pk", ColumnType::Int, true));
    let q = stats.field("question").unwrap();
    assert!(q.unique, "a one-to-one is unique");
    let rel = q.relation.unwrap();
    assert_eq!(rel.kind, RelationKind::OneToOne);
    assert_eq!(rel.on_delete, OnDelete::Protect);
    assert!(
        !stats.field("id").unwrap().primary_key,
        "`id` is a plain field here"
    );

    let mut s = QuestionStats {
        pk: 0,
        question: OneToOne::new(3),
        id: "x".into(),
    };
    assert_eq!(s.pk(), Value::Null(ColumnType::Int));
    s.set_pk(9);
    assert_eq!(s.pk, 9);
    assert_eq!(s.pk(), Value::Int(9));

    let ty: Column<Tag, Option<String>> = Tag::TYPE;
    assert_eq!(
        (ty.name, ty.column),
        ("type", "type"),
        "raw identifiers lose their `r#`"
    );

    let mut t = Tag {
        slug: "rust".into(),
        label: "Rust".into(),
        r#type: None,
    };
    t.set_pk(5);
    assert_eq!(t.slug, "rust", "set_pk leaves a non-auto key alone");
    assert_eq!(t.pk(), Value::Text("rust".into()));
}

#[test]
fn columns_are_typed_handles() {
    let c: Column<Question, DateTime<Utc>> = Question::PUB_DATE;
    assert_eq!((c.name, c.column), ("pub_date", "pub_date"));
    let c: Column<Question, i64> = Question::ID;
    assert_eq!(c.name, "id");
    let c: Column<Question, Option<String>> = Question::NOTES;
    assert_eq!((c.name, c.column), ("notes", "notes_text"));
    let c: Column<Choice, ForeignKey<Question>> = Choice::QUESTION;
    assert_eq!((c.name, c.column), ("question", "question_id"));
    let c: Column<Choice, Option<ForeignKey<Choice>>> = Choice::PREVIOUS;
    assert_eq!(c.column, "previous_id");
    let c: Column<QuestionStats, OneToOne<Question>> = QuestionStats::QUESTION;
    assert_eq!(c.column, "question_id");
}

#[test]
fn foreign_keys_give_their_targets_reverse_accessors() {
    // `related_name = "choices"` names the accessor; the self-referential `previous` has the
    // default name, `choice_set`. Each is a trait named after the model and field.
    let mut q = question();
    q.id = 7;
    let (sql, values) = ChoiceByQuestion::choices(&q).to_sql(Backend::Postgres);
    assert!(
        sql.starts_with(r#"SELECT "polls_choice"."id""#) && sql.contains(r#""question_id" = $1"#),
        "{sql}"
    );
    assert_eq!(values, [Value::BigInt(7)]);

    let choice = Choice {
        id: 3,
        question: ForeignKey::new(7),
        previous: None,
        choice_text: "Yes".into(),
        votes: 0,
    };
    let (sql, values) = choice.choice_set().to_sql(Backend::Sqlite);
    assert!(sql.contains(r#""previous_id" = ?"#), "{sql}");
    assert_eq!(values, [Value::BigInt(3)]);

    // A one-to-one key: the model's own name, a queryset of at most one row.
    let (sql, values) = q.question_stats().to_sql(Backend::Sqlite);
    assert!(
        sql.contains(r#"FROM "polls_question_stats""#) && sql.contains(r#""question_id" = ?"#),
        "{sql}"
    );
    assert_eq!(values, [Value::BigInt(7)]);
}

fn moment() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 15).unwrap()
}

fn question() -> Question {
    Question {
        id: 0,
        question_text: "What's new?".into(),
        pub_date: moment(),
        status: "p".into(),
        views: 3,
        score: 2.5,
        open: true,
        closes_on: NaiveDate::from_ymd_opt(2026, 12, 31),
        notes: None,
        tags: ManyToMany::new(),
    }
}

#[test]
fn values_pk_and_set_pk() {
    let mut q = question();
    assert_eq!(q.pk(), Value::Null(ColumnType::BigInt), "unsaved");
    assert_eq!(
        q.values(),
        vec![
            Value::Null(ColumnType::BigInt),
            Value::Text("What's new?".into()),
            Value::DateTime(moment()),
            Value::Text("p".into()),
            Value::Int(3),
            Value::Float(2.5),
            Value::Bool(true),
            Value::Date(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
            Value::Null(ColumnType::Text),
        ]
    );
    q.set_pk(42);
    assert_eq!(q.id, 42);
    assert_eq!(q.pk(), Value::BigInt(42));
    assert_eq!(q.values()[0], Value::BigInt(42));

    let c = Choice {
        id: 7,
        question: ForeignKey::from(&q),
        previous: None,
        choice_text: "Not much".into(),
        votes: 0,
    };
    assert_eq!(c.question.id(), 42);
    assert_eq!(
        c.values(),
        vec![
            Value::BigInt(7),
            Value::BigInt(42),
            Value::Null(ColumnType::BigInt),
            Value::Text("Not much".into()),
            Value::BigInt(0),
        ]
    );
}

/// The hand-written DDL of the two tables.
fn create_tables(t: &TestDb, questions: &str, choices: &str) -> [String; 2] {
    let (id, dt, boolean) = match t.db.backend() {
        Backend::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "BOOLEAN"),
        Backend::Postgres => ("BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ", "BOOLEAN"),
        Backend::MySql => (
            "BIGINT AUTO_INCREMENT PRIMARY KEY",
            "DATETIME(6)",
            "BOOLEAN",
        ),
    };
    let q = |s: &str| t.db.backend().quote(s);
    [
        format!(
            "CREATE TABLE {} ({} {id}, {} VARCHAR(200) NOT NULL, {} {dt} NOT NULL, {} VARCHAR(1) NOT NULL, {} INTEGER NOT NULL, {} DOUBLE PRECISION NOT NULL, {} {boolean} NOT NULL, {} DATE, {} TEXT)",
            q(questions),
            q("id"),
            q("question_text"),
            q("pub_date"),
            q("status"),
            q("views"),
            q("score"),
            q("open"),
            q("closes_on"),
            q("notes_text"),
        ),
        format!(
            "CREATE TABLE {} ({} {id}, {} BIGINT NOT NULL, {} BIGINT, {} VARCHAR(200) NOT NULL, {} BIGINT NOT NULL)",
            q(choices),
            q("id"),
            q("question_id"),
            q("previous_id"),
            q("choice_text"),
            q("votes"),
        ),
    ]
}

/// `INSERT` of every column that has a value (an unsaved auto key is left to the database).
fn insert_sql<M: Model>(t: &TestDb, table: &str, m: &M) -> (String, Vec<Value>) {
    let backend = t.db.backend();
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for (field, value) in M::META.fields.iter().zip(m.values()) {
        if field.auto && value.is_null() {
            continue;
        }
        columns.push(backend.quote(field.column));
        values.push(value);
    }
    let placeholders: Vec<String> = (1..=values.len())
        .map(|i| {
            let mut p = String::new();
            backend.placeholder_into(&mut p, i);
            p
        })
        .collect();
    (
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            backend.quote(table),
            columns.join(", "),
            placeholders.join(", ")
        ),
        values,
    )
}

/// `SELECT` of the model's columns in `META` order.
fn select_sql<M: Model>(t: &TestDb, table: &str, extra: &str) -> String {
    let backend = t.db.backend();
    let columns: Vec<String> = M::META
        .fields
        .iter()
        .map(|f| format!("{}.{}", backend.quote(table), backend.quote(f.column)))
        .collect();
    format!(
        "SELECT {} FROM {}{extra}",
        columns.join(", "),
        backend.quote(table)
    )
}

#[tokio::test]
async fn models_round_trip_on_every_backend() {
    on_every_backend("derive_round_trip", |t| async move {
        // The questions' table is the model's own, so `ForeignKey::get` finds it; the choices'
        // is unique to the run.
        let questions = Question::META.table.to_owned();
        let choices = t.table("choice");
        let drop = format!("DROP TABLE IF EXISTS {}", t.db.backend().quote(&questions));
        t.db.execute(&drop, vec![]).await.unwrap();
        for ddl in create_tables(&t, &questions, &choices) {
            t.db.execute(&ddl, vec![]).await.unwrap();
        }

        // A key assigned by the database and given back with set_pk, then an explicit key.
        let mut second = question();
        second.question_text = "Second?".into();
        second.notes = Some("with a note".into());
        second.closes_on = None;
        second.open = false;
        let (sql, values) = insert_sql(&t, &questions, &second);
        t.db.execute(&sql, values).await.unwrap();
        let max = format!("SELECT MAX(id) FROM {}", t.db.backend().quote(&questions));
        let row = t.db.fetch_optional(&max, vec![]).await.unwrap().unwrap();
        second.set_pk(row.get::<i64>(0).unwrap());
        assert!(second.id > 0, "{}: {}", t.name, second.id);

        let mut first = question();
        first.id = 1000;
        let (sql, values) = insert_sql(&t, &questions, &first);
        t.db.execute(&sql, values).await.unwrap();

        let rows =
            t.db.fetch_all(
                &select_sql::<Question>(&t, &questions, " ORDER BY id"),
                vec![],
            )
            .await
            .unwrap();
        let read: Vec<Question> = rows
            .iter()
            .map(|r| Question::from_row(r, 0).unwrap())
            .collect();
        assert_eq!(read, vec![second.clone(), first.clone()], "{}", t.name);

        let choice = Choice {
            id: 0,
            question: ForeignKey::from(&second),
            previous: None,
            choice_text: "Yes".into(),
            votes: 4,
        };
        let (sql, values) = insert_sql(&t, &choices, &choice);
        t.db.execute(&sql, values).await.unwrap();
        let mut later = choice.clone();
        later.id = 100;
        later.choice_text = "No".into();
        later.previous = Some(ForeignKey::new(100));
        let (sql, values) = insert_sql(&t, &choices, &later);
        t.db.execute(&sql, values).await.unwrap();

        // A join: the choice's columns, then its question's, read at an offset.
        let backend = t.db.backend();
        let q = |s: &str| backend.quote(s);
        let mut sql = select_sql::<Choice>(&t, &choices, "");
        let question_columns: Vec<String> = Question::META
            .fields
            .iter()
            .map(|f| format!("{}.{}", q(&questions), q(f.column)))
            .collect();
        sql = sql.replacen(
            " FROM ",
            &format!(", {} FROM ", question_columns.join(", ")),
            1,
        );
        sql.push_str(&format!(
            " JOIN {} ON {}.{} = {}.{} WHERE {}.{} = 100",
            q(&questions),
            q(&questions),
            q("id"),
            q(&choices),
            q("question_id"),
            q(&choices),
            q("id"),
        ));
        let row = t.db.fetch_optional(&sql, vec![]).await.unwrap().unwrap();
        let read_choice = Choice::from_row(&row, 0).unwrap();
        assert_eq!(read_choice, later, "{}", t.name);
        let read_question = Question::from_row(&row, Choice::META.fields.len()).unwrap();
        assert_eq!(read_question, second, "{}", t.name);

        // The foreign key loads its target.
        assert_eq!(read_choice.question.get(&t.db).await.unwrap(), second);
        let missing: ForeignKey<Question> = ForeignKey::new(999_999);
        let err = missing.get(&t.db).await.unwrap_err();
        assert!(
            matches!(err, fullstack::Error::DoesNotExist { model: "Question" }),
            "{err}"
        );
        t.db.execute(&drop, vec![]).await.unwrap();
    })
    .await;
}

/// No `app`: the package's name, as Django's app label.
#[derive(Model)]
struct HTTPLogEntry {
    id: i64,
}

#[test]
fn app_and_table_default_to_the_package_and_snake_case() {
    assert_eq!(HTTPLogEntry::META.app, "behaviour_tests");
    assert_eq!(HTTPLogEntry::META.table, "behaviour_tests_http_log_entry");
    assert_eq!(HTTPLogEntry::META.name, "HTTPLogEntry");
    let _ = HTTPLogEntry { id: 1 }.id;
}
