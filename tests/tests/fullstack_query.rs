//! fullstack's querysets on every backend: lookups, ordering, slicing, aggregates, F-expression
//! updates, bulk operations, instances and `on_delete`, relations without N+1, raw SQL and
//! transactions. The models are `#[derive(Model)]`s, as users write them.

mod backends;

use backends::{Isolated, TestDb, on_every_backend};
use chrono::{DateTime, TimeZone, Utc};
use fullstack::query::prelude::*;
use fullstack::query::{Selected, raw, raw_rows};
use fullstack::{Backend, Database, Error, ForeignKey, Model, Value, capture_queries};

// ---- models ----------------------------------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "polls", ordering = ["-pub_date"])]
struct Question {
    id: i64,
    #[field(max_length = 200)]
    question_text: String,
    pub_date: DateTime<Utc>,
    votes: i32,
}

impl Question {
    /// Not `new`, which the derive writes (with every field).
    fn asked(text: &str, year: i32, votes: i32) -> Self {
        Question::new(
            text.to_owned(),
            Utc.with_ymd_and_hms(year, 3, 14, 15, 9, 26).unwrap(),
            votes,
        )
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "polls")]
struct Choice {
    id: i64,
    #[field(on_delete = cascade)]
    question: ForeignKey<Question>,
    votes: i32,
}

impl Choice {
    fn of(question: &Question, votes: i32) -> Self {
        assert_ne!(question.id, 0, "saved");
        Choice::new(ForeignKey::from(question), votes)
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "polls")]
struct Tag {
    id: i64,
    #[field(on_delete = set_null)]
    question: Option<ForeignKey<Question>>,
    #[field(max_length = 50)]
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "polls")]
struct Lock {
    id: i64,
    #[field(on_delete = protect)]
    question: ForeignKey<Question>,
    #[field(max_length = 50)]
    reason: String,
}

/// A vote for a choice: two foreign keys away from its question.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "polls")]
struct Vote {
    id: i64,
    #[field(on_delete = cascade)]
    choice: ForeignKey<Choice>,
}

fn models() -> ModelSet {
    ModelSet::new([
        Question::META,
        Choice::META,
        Tag::META,
        Lock::META,
        Vote::META,
    ])
}

// ---- fixtures --------------------------------------------------------------------------------

/// A database of its own for one test on one backend (the models' table names are static),
/// with the tables made.
struct Fixture {
    db: Database,
    isolated: Isolated,
}

impl Fixture {
    async fn new(t: &TestDb) -> Fixture {
        let isolated = Isolated::new(t, "q").await;
        create_tables(&isolated.db).await;
        Fixture {
            db: isolated.db.clone(),
            isolated,
        }
    }

    async fn done(self) {
        self.isolated.done().await;
    }
}

async fn create_tables(db: &Database) {
    let (id, dt) = match db.backend() {
        Backend::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT"),
        Backend::Postgres => ("BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ"),
        Backend::MySql => ("BIGINT AUTO_INCREMENT PRIMARY KEY", "DATETIME(6)"),
    };
    let statements = [
        format!(
            "CREATE TABLE polls_question (id {id}, question_text VARCHAR(200) NOT NULL, pub_date {dt} NOT NULL, votes INTEGER NOT NULL)"
        ),
        format!(
            "CREATE TABLE polls_choice (id {id}, question_id BIGINT NOT NULL REFERENCES polls_question (id), votes INTEGER NOT NULL)"
        ),
        format!(
            "CREATE TABLE polls_vote (id {id}, choice_id BIGINT NOT NULL REFERENCES polls_choice (id))"
        ),
        format!(
            "CREATE TABLE polls_tag (id {id}, question_id BIGINT NULL REFERENCES polls_question (id), name VARCHAR(50) NOT NULL)"
        ),
        format!(
            "CREATE TABLE polls_lock (id {id}, question_id BIGINT NOT NULL REFERENCES polls_question (id), reason VARCHAR(50) NOT NULL)"
        ),
    ];
    for s in statements {
        db.execute(&s, vec![]).await.unwrap();
    }
}

/// Three questions: 2023 with 1 vote, 2024 with 5, 2024 with 10.
async fn seed(db: &Database) -> Vec<Question> {
    let mut out = Vec::new();
    for (text, year, votes) in [
        ("What's new?", 2023, 1),
        ("Why 50% off_now?", 2024, 5),
        ("WHAT is up?", 2024, 10),
    ] {
        let mut q = Question::asked(text, year, votes);
        q.save(db).await.unwrap();
        out.push(q);
    }
    out
}

fn texts(qs: &[Question]) -> Vec<&str> {
    qs.iter().map(|q| q.question_text.as_str()).collect()
}

// ---- tests -----------------------------------------------------------------------------------

#[tokio::test]
async fn save_get_refresh_first_count_exists() {
    on_every_backend("qcrud", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        let mut q = Question::asked("What's up?", 2024, 0);
        assert_eq!(q.id, 0, "unsaved");
        q.save(db).await.unwrap();
        let id = q.id;
        assert_ne!(id, 0, "save sets the auto primary key");
        let mut second = Question::asked("Second", 2025, 0);
        second.save(db).await.unwrap();
        assert_eq!(second.id, id + 1, "{}", t.name);

        q.votes = 3;
        q.save(db).await.unwrap(); // an UPDATE this time
        assert_eq!(Question::objects().count(db).await.unwrap(), 2);
        let got = Question::objects()
            .filter(Question::ID.eq(id))
            .get(db)
            .await
            .unwrap();
        assert_eq!(got, q);

        db.execute("UPDATE polls_question SET votes = 42", vec![])
            .await
            .unwrap();
        q.refresh(db).await.unwrap();
        assert_eq!(q.votes, 42);

        let missing = Question::objects()
            .filter(Question::VOTES.eq(7))
            .get(db)
            .await;
        assert!(
            matches!(missing, Err(Error::DoesNotExist { model: "Question" })),
            "{missing:?}"
        );
        let many = Question::objects().get(db).await;
        assert!(
            matches!(
                many,
                Err(Error::MultipleObjectsReturned {
                    model: "Question",
                    count: 2
                })
            ),
            "{many:?}"
        );
        // Default ordering is -pub_date: the 2025 question comes first.
        let first = Question::objects().first(db).await.unwrap().unwrap();
        assert_eq!(first.question_text, "Second");
        assert!(
            Question::objects()
                .filter(Question::VOTES.eq(42))
                .exists(db)
                .await
                .unwrap()
        );
        assert!(
            !Question::objects()
                .filter(Question::VOTES.eq(7))
                .exists(db)
                .await
                .unwrap()
        );
        assert_eq!(
            Question::objects()
                .filter(Question::VOTES.eq(7))
                .first(db)
                .await
                .unwrap(),
            None
        );
        f.done().await;
    })
    .await;
}

#[tokio::test]
async fn typed_lookups_and_q_combinations() {
    on_every_backend("qlookups", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        seed(db).await;
        let find = |q: Q<Question>| {
            let qs = Question::objects()
                .filter(q)
                .order_by([Question::VOTES.asc()]);
            async move {
                texts(&qs.all(db).await.unwrap())
                    .into_iter()
                    .map(String::from)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            find(Question::VOTES.gt(4)).await,
            ["Why 50% off_now?", "WHAT is up?"]
        );
        assert_eq!(
            find(Question::VOTES.gte(5) & Question::VOTES.lt(10)).await,
            ["Why 50% off_now?"]
        );
        assert_eq!(
            find(Question::VOTES.lte(1) | Question::VOTES.eq(10)).await,
            ["What's new?", "WHAT is up?"]
        );
        assert_eq!(find(!Question::VOTES.ne(5)).await, ["Why 50% off_now?"]);
        assert_eq!(
            find(Question::VOTES.is_in([1, 10])).await,
            ["What's new?", "WHAT is up?"]
        );
        assert!(
            find(Question::VOTES.is_in(Vec::<i32>::new()))
                .await
                .is_empty()
        );
        assert_eq!(
            find(Question::VOTES.between(1, 5)).await,
            ["What's new?", "Why 50% off_now?"]
        );
        assert_eq!(
            find(Question::PUB_DATE.year().eq(2024)).await,
            ["Why 50% off_now?", "WHAT is up?"]
        );
        assert_eq!(
            find(Question::PUB_DATE.month().eq(3) & Question::PUB_DATE.day().eq(14))
                .await
                .len(),
            3
        );
        let excluded = Question::objects()
            .exclude(Question::PUB_DATE.year().eq(2024))
            .all(db)
            .await
            .unwrap();
        assert_eq!(texts(&excluded), ["What's new?"]);

        // Strings: case-sensitive and not, anchored, and user input with wildcards.
        assert_eq!(
            find(Question::QUESTION_TEXT.contains("hat")).await,
            ["What's new?"]
        );
        assert_eq!(
            find(Question::QUESTION_TEXT.icontains("hat")).await,
            ["What's new?", "WHAT is up?"]
        );
        assert_eq!(
            find(Question::QUESTION_TEXT.startswith("WH")).await,
            ["WHAT is up?"]
        );
        assert_eq!(
            find(Question::QUESTION_TEXT.istartswith("wh")).await.len(),
            3
        );
        assert_eq!(
            find(Question::QUESTION_TEXT.endswith("up?")).await,
            ["WHAT is up?"]
        );
        assert_eq!(
            find(Question::QUESTION_TEXT.iexact("what is UP?")).await,
            ["WHAT is up?"]
        );
        assert_eq!(
            find(Question::QUESTION_TEXT.contains("50%")).await,
            ["Why 50% off_now?"]
        );
        assert!(
            find(Question::QUESTION_TEXT.contains("%")).await.len() == 1,
            "% is literal"
        );
        assert!(
            find(Question::QUESTION_TEXT.contains("_")).await.len() == 1,
            "_ is literal"
        );
        assert!(
            find(Question::QUESTION_TEXT.icontains("5_%"))
                .await
                .is_empty()
        );
        assert!(
            find(Question::QUESTION_TEXT.contains("*")).await.is_empty(),
            "GLOB star is literal"
        );

        // Injection attempts are data.
        let evil = "x' OR '1'='1";
        assert!(find(Question::QUESTION_TEXT.eq(evil)).await.is_empty());
        assert!(
            find(Question::QUESTION_TEXT.contains("') OR 1=1 --"))
                .await
                .is_empty()
        );
        let mut q = Question::asked("Robert'); DROP TABLE polls_question; --", 2020, 0);
        q.save(db).await.unwrap();
        assert_eq!(Question::objects().count(db).await.unwrap(), 4);
        assert_eq!(
            find(Question::QUESTION_TEXT.eq(q.question_text.clone())).await,
            [q.question_text.clone()]
        );
        f.done().await;
    })
    .await;
}

#[tokio::test]
async fn ordering_slicing_and_distinct() {
    on_every_backend("qorder", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        seed(db).await;
        // Default ordering from ModelMeta::ordering (-pub_date), ties broken explicitly.
        let by_votes = Question::objects()
            .order_by([Question::PUB_DATE.desc(), Question::VOTES.asc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(
            texts(&by_votes),
            ["Why 50% off_now?", "WHAT is up?", "What's new?"]
        );
        let asc = Question::objects().order_by([Question::VOTES.asc()]);
        assert_eq!(
            texts(&asc.clone().limit(2).all(db).await.unwrap()),
            ["What's new?", "Why 50% off_now?"]
        );
        assert_eq!(
            texts(&asc.clone().offset(1).all(db).await.unwrap()),
            ["Why 50% off_now?", "WHAT is up?"]
        );
        assert_eq!(
            texts(&asc.clone().slice(1..2).all(db).await.unwrap()),
            ["Why 50% off_now?"]
        );
        assert_eq!(asc.clone().slice(1..3).count(db).await.unwrap(), 2);
        // get() on a slice keeps the slice's order.
        let second = asc.clone().slice(1..2).get(db).await.unwrap();
        assert_eq!(second.question_text, "Why 50% off_now?");
        assert!(matches!(
            asc.clone().slice(0..2).get(db).await,
            Err(Error::MultipleObjectsReturned { count: 2, .. })
        ));
        let years = Question::objects()
            .order_by([Question::PUB_DATE.year().asc()])
            .values([Question::PUB_DATE.year().into()])
            .all(db)
            .await
            .unwrap();
        let years: Vec<i32> = years.iter().map(|r| r.get(0).unwrap()).collect();
        assert_eq!(
            years,
            [2023, 2024],
            "values() without annotations is DISTINCT"
        );
        f.done().await;
    })
    .await;
}

#[tokio::test]
async fn f_expression_updates_and_bulk_delete() {
    on_every_backend("qupdate", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        seed(db).await;
        let changed = Question::objects()
            .filter(Question::PUB_DATE.year().eq(2024))
            .update(db, [Question::VOTES.set(Question::VOTES.f() * 2 + 1)])
            .await
            .unwrap();
        assert_eq!(changed, 2);
        let votes: Vec<i32> = Question::objects()
            .order_by([Question::VOTES.asc()])
            .all(db)
            .await
            .unwrap()
            .iter()
            .map(|q| q.votes)
            .collect();
        assert_eq!(votes, [1, 11, 21]);
        // Concurrent increments do not lose updates: each is done by the database.
        let all = Question::objects();
        let bump = || all.update(db, [Question::VOTES.set(Question::VOTES.f() + 1)]);
        let (a, b) = tokio::join!(bump(), bump());
        assert_eq!((a.unwrap(), b.unwrap()), (3, 3));
        let total = Question::objects()
            .aggregate(db, Question::VOTES.sum())
            .await
            .unwrap();
        assert_eq!(total, Some(1 + 11 + 21 + 6));
        // Plain value and several columns at once.
        Question::objects()
            .filter(Question::VOTES.lt(5))
            .update(
                db,
                [
                    Question::VOTES.set(0),
                    Question::QUESTION_TEXT.set("reset".to_string()),
                ],
            )
            .await
            .unwrap();
        assert!(
            Question::objects()
                .filter(Question::QUESTION_TEXT.eq("reset"))
                .exists(db)
                .await
                .unwrap()
        );
        // An update across a join and a sliced delete use a subquery (MySQL included).
        let mut q = Question::objects()
            .order_by([Question::VOTES.asc()])
            .first(db)
            .await
            .unwrap()
            .unwrap();
        Choice::of(&q, 1).save(db).await.unwrap();
        let n = Choice::objects()
            .filter(Choice::QUESTION.join(Question::QUESTION_TEXT).eq("reset"))
            .update(db, [Choice::VOTES.set(Choice::VOTES.f() + 10)])
            .await
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(q.choice_set().first(db).await.unwrap().unwrap().votes, 11);
        let deleted = Question::objects()
            .order_by([Question::VOTES.desc()])
            .limit(2)
            .delete_with(db, &models())
            .await
            .unwrap();
        assert_eq!(deleted, 2);
        q.refresh(db).await.unwrap();
        assert_eq!(Question::objects().count(db).await.unwrap(), 1);
        f.done().await;
    })
    .await;
}

#[tokio::test]
async fn aggregates_and_grouped_annotations() {
    on_every_backend("qaggs", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        let qs = seed(db).await;
        let all = Question::objects();
        let (n, sum, avg, min, max) = all
            .aggregate(
                db,
                (
                    count(),
                    Question::VOTES.sum(),
                    Question::VOTES.avg(),
                    Question::VOTES.min(),
                    Question::PUB_DATE.max(),
                ),
            )
            .await
            .unwrap();
        assert_eq!((n, sum, min), (3, Some(16), Some(1)));
        assert!((avg.unwrap() - 16.0 / 3.0).abs() < 1e-9);
        assert_eq!(max, Some(qs[2].pub_date));
        let none = Question::objects()
            .filter(Question::VOTES.gt(100))
            .aggregate(db, (Question::VOTES.sum(), Question::VOTES.max(), count()))
            .await
            .unwrap();
        assert_eq!(none, (None, None, 0));
        // Over a slice or DISTINCT, aggregates see only the queryset's rows.
        let top_two = Question::objects()
            .order_by([Question::VOTES.desc()])
            .limit(2)
            .aggregate(db, (Question::VOTES.sum(), count()))
            .await
            .unwrap();
        assert_eq!(top_two, (Some(15), 2));

        for (q, n) in qs.iter().zip([3, 0, 1]) {
            for v in 0..n {
                Choice::of(q, v).save(db).await.unwrap();
            }
        }
        // Across a join over a slice: the two best choices (votes 2 and 1, both of the first
        // question, which has 1 vote) count their question's votes once each.
        let their_questions = Choice::objects()
            .order_by([Choice::VOTES.desc()])
            .limit(2)
            .aggregate(db, Choice::QUESTION.join(Question::VOTES).sum())
            .await
            .unwrap();
        assert_eq!(their_questions, Some(2), "{}", t.name);
        let rows = Choice::objects()
            .order_by([Choice::QUESTION.asc()])
            .values([Choice::QUESTION.into()])
            .annotate(count())
            .annotate(Choice::VOTES.sum())
            .all(db)
            .await
            .unwrap();
        let got: Vec<(i64, i64, Option<i64>)> = rows
            .iter()
            .map(|r| (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                (qs[0].id, 3, Some(3)),
                (qs[2].id, 1, Some(0))
            ]
        );
        // The same as JSON objects, with Django's names, or your own.
        let json = Choice::objects()
            .order_by([Choice::QUESTION.asc()])
            .values([Choice::QUESTION.into()])
            .annotate(count())
            .annotate(Choice::VOTES.max())
            .json(db)
            .await
            .unwrap();
        assert_eq!(
            serde_json::Value::Object(json[0].clone()),
            serde_json::json!({"question": qs[0].id, "count": 3, "votes__max": 2})
        );
        let by_year = Question::objects()
            .order_by([Question::PUB_DATE.year().desc()])
            .values([Question::PUB_DATE.year().into()])
            .annotate(Selected::from(Question::VOTES.avg()).named("mean"))
            .json(db)
            .await
            .unwrap();
        assert_eq!(
            serde_json::Value::Array(by_year.into_iter().map(serde_json::Value::Object).collect()),
            serde_json::json!([{"pub_date__year": 2024, "mean": 7.5}, {"pub_date__year": 2023, "mean": 1.0}])
        );
        f.done().await;
    })
    .await;
}

#[tokio::test]
async fn bulk_create_chunks_and_get_or_create() {
    on_every_backend("qbulk", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        let few = (0..5)
            .map(|i| Question::asked(&format!("q{i}"), 2024, i))
            .collect();
        let (created, queries) = capture_queries(Question::objects().bulk_create(db, few)).await;
        let created = created.unwrap();
        assert_eq!(queries.len(), 1, "one multi-row INSERT: {queries:?}");
        let ids: Vec<i64> = created.iter().map(|q| q.id).collect();
        assert_eq!(ids, (ids[0]..ids[0] + 5).collect::<Vec<_>>());
        let fetched = Question::objects()
            .order_by([Question::ID.asc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(fetched, created);

        // More rows than one statement may bind: split under the backend's parameter limit.
        let per_statement = if t.db.backend() == Backend::Sqlite {
            32_766 / 3
        } else {
            65_535 / 3
        };
        let many: Vec<Question> = (0..per_statement + 10)
            .map(|i| Question::asked(&format!("m{i}"), 2020, 0))
            .collect();
        let (created, queries) = capture_queries(Question::objects().bulk_create(db, many)).await;
        let created = created.unwrap();
        assert_eq!(queries.len(), 2, "{}", t.name);
        let last = created.last().unwrap();
        let stored = Question::objects()
            .filter(Question::ID.eq(last.id))
            .get(db)
            .await
            .unwrap();
        assert_eq!(&stored, last);

        let lookup = Question::QUESTION_TEXT.eq("fresh");
        let (q, made) = Question::objects()
            .get_or_create(db, lookup.clone(), || Question::asked("fresh", 2026, 1))
            .await
            .unwrap();
        assert!(made && q.id != 0);
        let (again, made) = Question::objects()
            .get_or_create(db, lookup, || unreachable!("it exists"))
            .await
            .unwrap();
        assert!(!made);
        assert_eq!(again, q);
        f.done().await;
    })
    .await;
}

#[tokio::test]
async fn delete_honours_on_delete() {
    on_every_backend("qondelete", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        let qs = seed(db).await;
        for q in &qs {
            Choice::of(q, 1).save(db).await.unwrap();
            let mut choice = Choice::of(q, 2);
            choice.save(db).await.unwrap();
            // Votes are two cascades away from the question.
            let mut vote = Vote {
                id: 0,
                choice: choice.id.into(),
            };
            vote.save(db).await.unwrap();
            let mut tag = Tag {
                id: 0,
                question: Some(q.id.into()),
                name: "t".into(),
            };
            tag.save(db).await.unwrap();
        }
        let mut lock = Lock {
            id: 0,
            question: qs[2].id.into(),
            reason: "keep".into(),
        };
        lock.save(db).await.unwrap();

        // What the delete would do, read first and changing nothing (the admin shows it).
        let first = Question::objects().filter(Question::ID.eq(qs[0].id));
        let plan = first.deletion_plan_with(db, &models()).await.unwrap();
        let counts: Vec<(&str, usize)> = plan.counts().iter().map(|(m, n)| (m.name, *n)).collect();
        assert_eq!(
            counts,
            [("Question", 1), ("Choice", 2), ("Vote", 1)],
            "{}",
            t.name
        );
        assert_eq!(plan.set_null.len(), 1, "the tag's question");
        assert_eq!(
            Choice::objects().count(db).await.unwrap(),
            6,
            "nothing deleted"
        );
        let protected = Question::objects()
            .filter(Question::ID.eq(qs[2].id))
            .deletion_plan_with(db, &models())
            .await;
        assert!(
            matches!(
                protected,
                Err(Error::Protected {
                    referenced_by: "Lock",
                    ..
                })
            ),
            "{protected:?}"
        );

        // Cascade deletes the choices; SetNull keeps the tag, pointing nowhere.
        let deleted = qs[0].delete_with(db, &models()).await.unwrap();
        assert_eq!(deleted, 1);
        assert_eq!(Choice::objects().count(db).await.unwrap(), 4);
        assert_eq!(
            Vote::objects().count(db).await.unwrap(),
            2,
            "cascades recurse"
        );
        // Two hops: votes by their question's year.
        let to_question = || {
            Vote::CHOICE
                .rel::<Choice>()
                .then::<Question, _>(Choice::QUESTION)
        };
        let in_2024 = Vote::objects()
            .filter(to_question().col(Question::PUB_DATE).year().eq(2024))
            .order_by([to_question().col(Question::VOTES).desc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(in_2024.len(), 2);
        // Each vote with its question, two joins away, in one query.
        let (pairs, queries) =
            capture_queries(Vote::objects().select_related_via(to_question()).all(db)).await;
        let pairs = pairs.unwrap();
        assert_eq!(queries.len(), 1, "{queries:?}");
        let mut question_ids: Vec<i64> =
            pairs.iter().map(|(_, q)| q.as_ref().unwrap().id).collect();
        question_ids.sort_unstable();
        assert_eq!(question_ids, [qs[1].id, qs[2].id]);
        let top = Choice::objects()
            .filter(Choice::ID.eq(in_2024[0].choice.id()))
            .get(db)
            .await
            .unwrap();
        assert_eq!(top.question, qs[2].id.into());
        assert_eq!(
            Tag::objects()
                .filter(Tag::QUESTION.is_null())
                .count(db)
                .await
                .unwrap(),
            1
        );
        assert_eq!(Tag::objects().count(db).await.unwrap(), 3);

        // Protect refuses, and nothing is changed.
        let refused = qs[2].delete_with(db, &models()).await;
        assert!(
            matches!(
                refused,
                Err(Error::Protected {
                    model: "Question",
                    referenced_by: "Lock"
                })
            ),
            "{refused:?}"
        );
        assert_eq!(qs[2].choice_set().count(db).await.unwrap(), 2);
        assert_eq!(Vote::objects().count(db).await.unwrap(), 2);
        assert_eq!(
            Tag::objects()
                .filter(Tag::QUESTION.is_not_null())
                .count(db)
                .await
                .unwrap(),
            2
        );

        // A model left out of the set is not visited: the database's constraint refuses the
        // delete, and the cascade and SET NULL that ran before it are rolled back.
        let partial = ModelSet::new([Question::META, Choice::META, Tag::META, Vote::META]);
        let failed = qs[2].delete_with(db, &partial).await;
        assert!(matches!(failed, Err(Error::Database(_))), "{failed:?}");
        assert_eq!(qs[2].choice_set().count(db).await.unwrap(), 2);
        assert_eq!(Vote::objects().count(db).await.unwrap(), 2);
        assert_eq!(
            Tag::objects()
                .filter(Tag::QUESTION.eq(Some(ForeignKey::new(qs[2].id))))
                .count(db)
                .await
                .unwrap(),
            1
        );

        // Queryset delete applies the same rules to every row.
        lock.delete_with(db, &models()).await.unwrap();
        let n = Question::objects()
            .delete_with(db, &models())
            .await
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(Choice::objects().count(db).await.unwrap(), 0);
        assert_eq!(Vote::objects().count(db).await.unwrap(), 0);
        assert_eq!(
            Tag::objects()
                .filter(Tag::QUESTION.is_null())
                .count(db)
                .await
                .unwrap(),
            3
        );
        f.done().await;
    })
    .await;
}

#[tokio::test]
async fn relations_without_n_plus_one() {
    on_every_backend("qrelations", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        let qs = seed(db).await;
        for (q, n) in qs.iter().zip([2, 0, 3]) {
            for v in 0..n {
                Choice::of(q, v).save(db).await.unwrap();
            }
        }
        // A lookup across the foreign key.
        let in_2024 = Choice::objects()
            .filter(Choice::QUESTION.join(Question::PUB_DATE).year().eq(2024))
            .count(db)
            .await
            .unwrap();
        assert_eq!(in_2024, 3);
        let ordered = Choice::objects()
            .order_by([
                Choice::QUESTION.join(Question::VOTES).desc(),
                Choice::VOTES.asc(),
            ])
            .all(db)
            .await
            .unwrap();
        assert_eq!(ordered[0].question, qs[2].id.into());

        // The N+1 way, for comparison: one query per choice.
        let (_, naive) = capture_queries(async {
            for c in Choice::objects().all(db).await.unwrap() {
                Question::objects()
                    .filter(Question::ID.eq(c.question.id()))
                    .get(db)
                    .await
                    .unwrap();
            }
        })
        .await;
        assert_eq!(naive.len(), 1 + 5);

        // select_related: one query, both models from each row.
        let (pairs, queries) = capture_queries(
            Choice::objects()
                .order_by([Choice::ID.asc()])
                .select_related::<Question, _>(Choice::QUESTION)
                .all(db),
        )
        .await;
        let pairs = pairs.unwrap();
        assert_eq!(queries.len(), 1, "{queries:?}");
        assert_eq!(pairs.len(), 5);
        for (c, q) in &pairs {
            assert_eq!(q.as_ref().unwrap().id, c.question.id());
        }
        assert_eq!(pairs[0].1.as_ref().unwrap(), &qs[0]);

        // A nullable foreign key reads None for NULL.
        Tag {
            id: 0,
            question: None,
            name: "orphan".into(),
        }
        .save(db)
        .await
        .unwrap();
        Tag {
            id: 0,
            question: Some(qs[1].id.into()),
            name: "b".into(),
        }
        .save(db)
        .await
        .unwrap();
        let tags = Tag::objects()
            .select_related::<Question, _>(Tag::QUESTION)
            .all(db)
            .await
            .unwrap();
        let mut found: Vec<_> = tags
            .iter()
            .map(|(t, q)| (t.name.clone(), q.as_ref().map(|q| q.votes)))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [("b".to_string(), Some(5)), ("orphan".to_string(), None)]
        );

        // prefetch_one: the same pairs in two queries, each question read once.
        let (prefetched, queries) = capture_queries(
            Tag::objects()
                .order_by([Tag::NAME.asc()])
                .prefetch_one::<Question, _>(Tag::QUESTION)
                .all(db),
        )
        .await;
        assert_eq!(queries.len(), 2, "{queries:?}");
        let found: Vec<_> = prefetched
            .unwrap()
            .into_iter()
            .map(|(t, q)| (t.name, q.map(|q| q.votes)))
            .collect();
        assert_eq!(
            found,
            [("b".to_string(), Some(5)), ("orphan".to_string(), None)]
        );
        let (choices, queries) = capture_queries(
            Choice::objects()
                .order_by([Choice::ID.asc()])
                .prefetch_one::<Question, _>(Choice::QUESTION)
                .all(db),
        )
        .await;
        assert_eq!(queries.len(), 2);
        assert!(queries[1].contains("IN ("), "{}", queries[1]);
        let choices = choices.unwrap();
        assert!(
            choices
                .iter()
                .all(|(c, q)| q.as_ref().unwrap().id == c.question.id())
        );

        // exclude keeps rows where the condition is unknown: a NULL key, a missing related row.
        let kept = Tag::objects()
            .exclude(Tag::QUESTION.eq(Some(ForeignKey::new(qs[1].id))))
            .all(db)
            .await
            .unwrap();
        assert_eq!(
            kept.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["orphan"]
        );
        let kept = Tag::objects()
            .exclude(Tag::QUESTION.join(Question::VOTES).gt(1))
            .count(db)
            .await
            .unwrap();
        assert_eq!(kept, 1, "the orphan tag has no question and is kept");
        let kept = Tag::objects()
            .filter(!Tag::QUESTION.join(Question::VOTES).lt(1))
            .count(db)
            .await
            .unwrap();
        assert_eq!(kept, 2);

        // prefetch_related: two queries whatever the number of questions.
        let (with_choices, queries) = capture_queries(
            Question::objects()
                .order_by([Question::VOTES.asc()])
                .prefetch_related(Choice::QUESTION)
                .all(db),
        )
        .await;
        let with_choices = with_choices.unwrap();
        assert_eq!(queries.len(), 2, "{queries:?}");
        let counts: Vec<usize> = with_choices.iter().map(|(_, cs)| cs.len()).collect();
        assert_eq!(counts, [2, 0, 3]);
        let (filtered, queries) = capture_queries(
            Question::objects()
                .order_by([Question::VOTES.asc()])
                .prefetch_related_with(
                    Choice::QUESTION,
                    Choice::objects()
                        .filter(Choice::VOTES.gte(1))
                        .order_by([Choice::VOTES.desc()]),
                )
                .all(db),
        )
        .await;
        assert_eq!(queries.len(), 2);
        let votes: Vec<Vec<i32>> = filtered
            .unwrap()
            .iter()
            .map(|(_, cs)| cs.iter().map(|c| c.votes).collect())
            .collect();
        assert_eq!(votes, [vec![1], vec![], vec![2, 1]]);

        // Reverse lookups: questions by their choices (EXISTS, so no duplicates).
        let having_votes = Question::objects()
            .filter(Choice::QUESTION.any(Choice::VOTES.gte(1)))
            .order_by([Question::VOTES.asc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(having_votes, [qs[0].clone(), qs[2].clone()]);
        let without = Question::objects()
            .exclude(Choice::QUESTION.exists())
            .all(db)
            .await
            .unwrap();
        assert_eq!(without, [qs[1].clone()]);
        let changed = Question::objects()
            .filter(Choice::QUESTION.any(Choice::VOTES.eq(2)))
            .update(db, [Question::VOTES.set(Question::VOTES.f() + 100)])
            .await
            .unwrap();
        assert_eq!(changed, 1);
        let mut q2 = qs[2].clone();
        q2.refresh(db).await.unwrap();
        assert_eq!(q2.votes, 110);

        // The reverse accessor is a queryset like any other.
        assert_eq!(qs[2].choice_set().count(db).await.unwrap(), 3);
        assert_eq!(
            qs[2]
                .choice_set()
                .filter(Choice::VOTES.gt(0))
                .count(db)
                .await
                .unwrap(),
            2
        );
        assert!(!qs[1].choice_set().exists(db).await.unwrap());
        f.done().await;
    })
    .await;
}

#[tokio::test]
async fn raw_sql_binds_values() {
    on_every_backend("qraw", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        seed(db).await;
        let p = |n| {
            let mut s = String::new();
            db.backend().placeholder_into(&mut s, n);
            s
        };
        let sql = format!(
            "SELECT id, question_text, pub_date, votes FROM polls_question WHERE votes > {} ORDER BY votes",
            p(1)
        );
        let found: Vec<Question> = raw(db, &sql, vec![Value::Int(4)]).await.unwrap();
        assert_eq!(texts(&found), ["Why 50% off_now?", "WHAT is up?"]);
        let sql = format!("SELECT COUNT(*) FROM polls_question WHERE question_text = {}", p(1));
        let rows = raw_rows(db, &sql, vec!["' OR '1'='1".into()]).await.unwrap();
        assert_eq!(rows[0].get::<i64>(0).unwrap(), 0);
        f.done().await;
    })
    .await;
}

#[tokio::test]
async fn querysets_run_in_transactions() {
    on_every_backend("qtx", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        let mut tx = db.begin().await.unwrap();
        let mut q = Question::asked("in tx", 2024, 1);
        q.save(&mut tx).await.unwrap();
        Choice::of(&q, 0).save(&mut tx).await.unwrap();
        Question::objects()
            .update(&mut tx, [Question::VOTES.set(Question::VOTES.f() + 1)])
            .await
            .unwrap();
        assert_eq!(Question::objects().get(&mut tx).await.unwrap().votes, 2);
        assert_eq!(q.choice_set().count(&mut tx).await.unwrap(), 1);
        let pairs = Choice::objects()
            .select_related::<Question, _>(Choice::QUESTION)
            .all(&mut tx)
            .await
            .unwrap();
        assert_eq!(pairs.len(), 1);
        q.delete_with(&mut tx, &models()).await.unwrap();
        assert_eq!(Choice::objects().count(&mut tx).await.unwrap(), 0);
        tx.rollback().await.unwrap();
        assert_eq!(Question::objects().count(db).await.unwrap(), 0);

        let mut tx = db.begin().await.unwrap();
        let created = Question::objects()
            .bulk_create(
                &mut tx,
                vec![Question::asked("a", 2024, 0), Question::asked("b", 2024, 0)],
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(Question::objects().count(db).await.unwrap(), 2);
        assert!(created.iter().all(|q| q.id != 0));
        f.done().await;
    })
    .await;
}

#[tokio::test]
async fn bulk_update_writes_every_row_in_one_statement() {
    on_every_backend("qbulkupd", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        let mut qs = seed(db).await;
        qs[0].votes = 100;
        qs[0].question_text = "first, renamed".into();
        qs[2].votes = 300;
        // Listed twice: the last values win, as if each object were saved in turn.
        let mut again = qs[2].clone();
        again.votes = 301;
        qs.push(again);
        let fields = [Question::VOTES.into(), Question::QUESTION_TEXT.into()];
        let (updated, queries) =
            capture_queries(Question::objects().bulk_update(db, &qs, fields)).await;
        assert_eq!(queries.len(), 1, "{}: {queries:?}", t.name);
        assert!(queries[0].contains("CASE"), "{}", queries[0]);
        // Three distinct rows (MySQL counts only the rows whose values changed: 2).
        let updated = updated.unwrap();
        assert!(updated == 3 || (t.db.backend() == Backend::MySql && updated == 2));
        let stored = Question::objects()
            .order_by([Question::ID.asc()])
            .all(db)
            .await
            .unwrap();
        let votes: Vec<i32> = stored.iter().map(|q| q.votes).collect();
        assert_eq!(votes, [100, 5, 301], "{}", t.name);
        assert_eq!(stored[0].question_text, "first, renamed");
        assert_eq!(stored[1].question_text, "Why 50% off_now?");

        // The queryset's filters still apply: the 2024 questions only.
        let mut all = stored.clone();
        for q in &mut all {
            q.votes = -1;
        }
        Question::objects()
            .filter(Question::PUB_DATE.year().eq(2024))
            .bulk_update(db, &all, [Question::VOTES.into()])
            .await
            .unwrap();
        let votes: Vec<i32> = Question::objects()
            .order_by([Question::ID.asc()])
            .all(db)
            .await
            .unwrap()
            .iter()
            .map(|q| q.votes)
            .collect();
        assert_eq!(votes, [100, -1, -1], "{}", t.name);

        // NULLs are bound with their column's type (PostgreSQL checks the CASE's type).
        let mut tag = Tag {
            id: 0,
            question: Some(stored[0].id.into()),
            name: "t".into(),
        };
        tag.save(db).await.unwrap();
        tag.question = None;
        tag.name = "orphan".into();
        Tag::objects()
            .bulk_update(db, &[tag.clone()], [Tag::QUESTION.into(), Tag::NAME.into()])
            .await
            .unwrap();
        assert_eq!(Tag::objects().get(db).await.unwrap(), tag);

        // Past 500 rows: several statements, in one transaction.
        let many: Vec<Question> = (0..1_200)
            .map(|i| Question::asked(&format!("b{i}"), 2020, 0))
            .collect();
        let mut many = Question::objects().bulk_create(db, many).await.unwrap();
        for q in &mut many {
            q.votes = 7;
        }
        let (updated, queries) =
            capture_queries(Question::objects().bulk_update(db, &many, [Question::VOTES.into()]))
                .await;
        assert_eq!(updated.unwrap(), 1_200);
        assert_eq!(queries.len(), 3, "{}", t.name);
        let sevens = Question::objects()
            .filter(Question::VOTES.eq(7))
            .count(db)
            .await
            .unwrap();
        assert_eq!(sevens, 1_200);

        // Misuse is an error that says what to do, and nothing is written.
        let unsaved = [Question::asked("never saved", 2024, 1)];
        for (objects, fields, expect) in [
            (&stored[..], Vec::new(), "name the fields"),
            (&stored[..], vec![Question::ID.into()], "primary key"),
            (&unsaved[..], vec![Question::VOTES.into()], "saved first"),
        ] {
            let err = Question::objects()
                .bulk_update(db, objects, fields)
                .await
                .unwrap_err();
            assert!(matches!(err, Error::Usage(_)), "{err:?}");
            assert!(err.to_string().contains(expect), "{err}");
        }
        f.done().await;
    })
    .await;
}

#[tokio::test]
async fn a_held_connection_runs_querysets_transactions_and_savepoints() {
    on_every_backend("qconn", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        seed(db).await;
        let mut conn = db.acquire().await.unwrap();
        assert_eq!(conn.backend(), t.db.backend());
        assert_eq!(Question::objects().count(&mut conn).await.unwrap(), 3);
        let mut q = Question::objects()
            .filter(Question::VOTES.eq(5))
            .get(&mut conn)
            .await
            .unwrap();
        q.votes = 6;
        q.save(&mut conn).await.unwrap();

        // A transaction on the held connection; afterwards the connection serves again.
        let mut tx = conn.begin().await.unwrap();
        Question::objects()
            .update(&mut tx, [Question::VOTES.set(0)])
            .await
            .unwrap();
        {
            // Savepoints nest with names of their own: MySQL forgets an outer savepoint
            // when an inner one reuses its name.
            let mut outer = tx.savepoint().await.unwrap();
            Question::asked("in outer", 2024, 1)
                .save(outer.tx())
                .await
                .unwrap();
            let mut inner = outer.tx().savepoint().await.unwrap();
            Question::asked("in inner", 2024, 1)
                .save(inner.tx())
                .await
                .unwrap();
            inner.rollback().await.unwrap();
            outer.rollback().await.unwrap();
        }
        assert_eq!(Question::objects().count(&mut tx).await.unwrap(), 3);
        tx.rollback().await.unwrap();
        let votes = Question::objects()
            .aggregate(&mut conn, Question::VOTES.sum())
            .await
            .unwrap();
        assert_eq!(votes, Some(1 + 6 + 10), "{}", t.name);

        // Several statements on a held connection run in a transaction of their own: a
        // protected row stops the cascade and nothing is deleted.
        let first = Question::objects().first(&mut conn).await.unwrap().unwrap();
        Choice::of(&first, 0).save(&mut conn).await.unwrap();
        Lock {
            id: 0,
            question: first.id.into(),
            reason: "keep".into(),
        }
        .save(&mut conn)
        .await
        .unwrap();
        let err = first.delete_with(&mut conn, &models()).await.unwrap_err();
        assert!(matches!(err, Error::Protected { .. }), "{err:?}");
        assert_eq!(Choice::objects().count(&mut conn).await.unwrap(), 1);
        drop(conn);
        f.done().await;
    })
    .await;
}

/// Lookups named at run time (the admin's `search_fields`, `list_filter`, `o=`), across
/// foreign keys with `LEFT JOIN`s, on every backend.
#[tokio::test]
async fn lookups_by_name_across_foreign_keys() {
    use fullstack::query::FieldPath;
    on_every_backend("qbyname", |t| async move {
        let f = Fixture::new(&t).await;
        let db = &f.db;
        let qs = seed(db).await;
        let mut tagged = Tag {
            id: 0,
            question: Some(ForeignKey::from(&qs[1])),
            name: "sale".to_owned(),
        };
        tagged.save(db).await.unwrap();
        let mut loose = Tag {
            id: 0,
            question: None,
            name: "loose".to_owned(),
        };
        loose.save(db).await.unwrap();
        for q in &qs {
            Choice::of(q, q.votes).save(db).await.unwrap();
        }

        // Case-insensitive search across the foreign key; `%` and `_` are literal.
        let text = FieldPath::<Choice>::parse("question__question_text").unwrap();
        let found = Choice::objects()
            .filter(text.icontains("what"))
            .order_by([FieldPath::<Choice>::order("-question__votes").unwrap()])
            .all(db)
            .await
            .unwrap();
        let votes: Vec<i32> = found.iter().map(|c| c.votes).collect();
        assert_eq!(votes, [10, 1], "{}", t.name);
        let literal = Choice::objects()
            .filter(text.icontains("50% off_"))
            .count(db)
            .await
            .unwrap();
        assert_eq!(literal, 1, "{}", t.name);
        let wildcard = Choice::objects()
            .filter(text.icontains("%"))
            .count(db)
            .await
            .unwrap();
        assert_eq!(wildcard, 1, "`%` matched as a wildcard on {}", t.name);

        // A filter value from a query string, and the year of a moment across the key.
        let votes = FieldPath::<Choice>::parse("question__votes").unwrap();
        let five = votes.value_from_str("5").unwrap();
        assert_eq!(
            Choice::objects()
                .filter(votes.gte(five))
                .count(db)
                .await
                .unwrap(),
            2
        );
        assert!(votes.value_from_str("5; DROP TABLE polls_choice").is_err());
        let date = FieldPath::<Choice>::parse("question__pub_date").unwrap();
        let in_2024 = Choice::objects()
            .filter(date.year_eq(2024).unwrap() & date.month_eq(3).unwrap())
            .count(db)
            .await
            .unwrap();
        assert_eq!(in_2024, 2, "{}", t.name);

        // A null foreign key: its row stays in (LEFT JOIN) with null related fields.
        let question_text = FieldPath::<Tag>::parse("question__question_text").unwrap();
        let orphans = Tag::objects()
            .filter(question_text.is_null(true))
            .all(db)
            .await
            .unwrap();
        assert_eq!(orphans.len(), 1);
        assert_eq!(orphans[0].name, "loose");
        let by_key = FieldPath::<Tag>::parse("question").unwrap();
        let on_second = Tag::objects()
            .filter(by_key.eq(by_key.value_from_str(&qs[1].id.to_string()).unwrap()))
            .all(db)
            .await
            .unwrap();
        assert_eq!(on_second.len(), 1);
        f.done().await;
    })
    .await;
}
