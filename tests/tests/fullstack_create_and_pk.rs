//! `create()` on a queryset and on a reverse accessor (Django's `Question.objects.create(..)`
//! and `question.choice_set.create(..)`, the accessor pointing the new row at its owner), and
//! the primary-key handle `Model::PK` (Django's `pk` lookup), on every backend.

mod backends;

use backends::{TestDb, on_every_backend};
use fullstack::migrations::{NonInteractive, ProjectState, diff};
use fullstack::query::prelude::*;
use fullstack::{Error, ForeignKey, ManyToMany, Model, ModelMeta, OneToOne};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mkc", table = "mkc_question")]
struct Question {
    id: i64,
    #[field(max_length = 200)]
    text: String,
    tags: ManyToMany<Tag>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mkc", table = "mkc_choice")]
struct Choice {
    id: i64,
    #[field(on_delete = cascade)]
    question: ForeignKey<Question>,
    #[field(max_length = 200)]
    text: String,
}

/// A nullable key, and a related name.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mkc", table = "mkc_comment")]
struct Comment {
    id: i64,
    #[field(on_delete = set_null, related_name = "comments")]
    about: Option<ForeignKey<Question>>,
    body: String,
}

/// A one-to-one key: its accessor is `question.summary()`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mkc", table = "mkc_summary")]
struct Summary {
    id: i64,
    #[field(on_delete = cascade)]
    question: OneToOne<Question>,
    body: String,
}

/// A primary key that is not `id`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mkc", table = "mkc_tag")]
struct Tag {
    #[field(primary_key, max_length = 20)]
    slug: String,
}

const MODELS: [&ModelMeta; 5] = [
    Question::META,
    Choice::META,
    Comment::META,
    Summary::META,
    Tag::META,
];

async fn create_tables(t: &TestDb) {
    let b = t.db.backend();
    for table in [
        "mkc_summary",
        "mkc_comment",
        "mkc_choice",
        "mkc_question_tags",
        "mkc_question",
        "mkc_tag",
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

fn question(text: &str) -> Question {
    Question {
        id: 0,
        text: text.into(),
        tags: ManyToMany::new(),
    }
}

#[track_caller]
fn assert_usage<T: std::fmt::Debug>(result: Result<T, Error>, part: &str) {
    match result {
        Err(Error::Usage(why)) => assert!(why.contains(part), "{why}"),
        other => panic!("expected a usage error about {part:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn create_and_pk_on_every_backend() {
    on_every_backend("create_pk", |t| async move {
        create_tables(&t).await;
        let db = &t.db;

        // Question.objects.create(...): inserted, with its key.
        let q = Question::objects()
            .create(db, question("What's new?"))
            .await
            .unwrap();
        assert!(q.id > 0, "{}", t.name);
        let other = Question::objects()
            .filter(Question::TEXT.eq("ignored"))
            .create(db, question("Other?"))
            .await
            .unwrap();
        assert_eq!(
            Question::objects().count(db).await.unwrap(),
            2,
            "a filter does not stop create: {}",
            t.name
        );

        // question.choice_set.create(...): the new choice points at the question, whatever
        // the struct said, through a filtered accessor too.
        let c = q
            .choice_set()
            .create(
                db,
                Choice {
                    id: 0,
                    question: ForeignKey::new(0),
                    text: "Not much".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!((c.question.id(), c.id > 0), (q.id, true), "{}", t.name);
        let c2 = q
            .choice_set()
            .filter(Choice::TEXT.startswith("The"))
            .create(
                db,
                Choice {
                    id: 0,
                    question: ForeignKey::from(&other),
                    text: "The sky".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(c2.question.id(), q.id, "{}", t.name);
        let stored = Choice::objects()
            .filter(Choice::QUESTION.eq(q.id))
            .order_by([Choice::ID.asc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(stored, [c.clone(), c2.clone()], "{}", t.name);

        // A nullable key, a related name, a one-to-one accessor.
        let comment = q
            .comments()
            .create(
                db,
                Comment {
                    id: 0,
                    about: None,
                    body: "Hm.".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(comment.about, Some(ForeignKey::from(&q)), "{}", t.name);
        let summary = q
            .summary()
            .create(
                db,
                Summary {
                    id: 0,
                    question: OneToOne::new(0),
                    body: "Little".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(q.summary().get(db).await.unwrap(), summary, "{}", t.name);

        // An unsaved owner cannot be pointed at: nothing is written.
        assert_usage(
            question("Unsaved?")
                .choice_set()
                .create(
                    db,
                    Choice {
                        id: 0,
                        question: ForeignKey::new(0),
                        text: "x".into(),
                    },
                )
                .await,
            "save the Question first",
        );
        // `related` (no generated accessor) checks the key, as it cannot set it.
        assert_usage(
            q.related(Choice::QUESTION)
                .create(
                    db,
                    Choice {
                        id: 0,
                        question: ForeignKey::from(&other),
                        text: "x".into(),
                    },
                )
                .await,
            "Choice.question must point at the Question",
        );
        let c3 = q
            .related(Choice::QUESTION)
            .create(
                db,
                Choice {
                    id: 0,
                    question: ForeignKey::from(&q),
                    text: "Via related".into(),
                },
            )
            .await
            .unwrap();
        // A many-to-many queryset would have to link too: refused.
        assert_usage(
            Question::TAGS
                .of(&q)
                .create(
                    db,
                    Tag {
                        slug: "rust".into(),
                    },
                )
                .await,
            "Question::TAGS.add",
        );
        assert_eq!(Choice::objects().count(db).await.unwrap(), 3, "{}", t.name);
        assert_eq!(Tag::objects().count(db).await.unwrap(), 0, "{}", t.name);

        // pk: the primary key by Django's name, wherever a field goes.
        assert_eq!(
            Question::objects()
                .filter(Question::PK.eq(q.id))
                .get(db)
                .await
                .unwrap(),
            q,
            "{}",
            t.name
        );
        let newest_first = Question::objects()
            .order_by([Question::PK.desc()])
            .all(db)
            .await
            .unwrap();
        assert_eq!(newest_first, [other.clone(), q.clone()], "{}", t.name);
        let others = Question::objects()
            .exclude(Question::PK.is_in([q.id]))
            .all(db)
            .await
            .unwrap();
        assert_eq!(
            others.iter().map(|o| o.id).collect::<Vec<_>>(),
            [other.id],
            "{}",
            t.name
        );
        let of_q = Choice::objects()
            .filter(Choice::QUESTION.join(Question::PK).eq(q.id))
            .count(db)
            .await
            .unwrap();
        assert_eq!(of_q, 3, "{}", t.name);
        assert_eq!(c3.question.id(), q.id);
        let rust = Tag::objects()
            .create(
                db,
                Tag {
                    slug: "rust".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            Tag::objects()
                .filter(Tag::PK.eq("rust".to_owned()))
                .get(db)
                .await
                .unwrap(),
            rust,
            "{}",
            t.name
        );
        // A duplicate key is the database's error, and nothing changes.
        assert!(
            Tag::objects()
                .create(
                    db,
                    Tag {
                        slug: "rust".into()
                    }
                )
                .await
                .is_err(),
            "{}",
            t.name
        );
        assert_eq!(Tag::objects().count(db).await.unwrap(), 1, "{}", t.name);
    })
    .await;
}
