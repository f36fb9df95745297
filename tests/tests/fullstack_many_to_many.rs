//! The many-to-many API on every backend: `add`/`remove`/`clear`/`set`, `of`/`owners_of`,
//! `any`/`any_owner`, `prefetch_many`, a relation of a model to itself, and deletes of rows that
//! have links. The tables come from the migrations' own DDL (`ProjectState::from_models`), so
//! the join table is the real one: unique together, foreign keys `ON DELETE CASCADE`.

mod backends;

use backends::{TestDb, on_every_backend};
use fullstack::migrations::{NonInteractive, ProjectState, diff};
use fullstack::query::prelude::*;
use fullstack::{Database, Error, ManyToMany, Model, ModelMeta, capture_queries};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "m2m", table = "m2m_question", ordering = ["id"])]
struct Question {
    id: i64,
    #[field(max_length = 100)]
    text: String,
    tags: ManyToMany<Tag>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "m2m", table = "m2m_tag", ordering = ["name"])]
struct Tag {
    id: i64,
    #[field(max_length = 50)]
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "m2m", table = "m2m_person", ordering = ["id"])]
struct Person {
    id: i64,
    #[field(max_length = 50)]
    name: String,
    friends: ManyToMany<Self>,
}

/// Drops the models' tables, join tables first (they point at the others). The model tables
/// have fixed names, so a run on a shared server starts and ends with this.
async fn drop_tables(db: &Database, models: &[&'static ModelMeta]) {
    let joins = models
        .iter()
        .flat_map(|m| m.many_to_many.iter().map(|r| r.table));
    let tables: Vec<&str> = joins.chain(models.iter().map(|m| m.table)).collect();
    for table in tables {
        let sql = format!("DROP TABLE IF EXISTS {}", db.backend().quote(table));
        db.execute(&sql, Vec::new()).await.unwrap();
    }
}

/// Creates the models' tables (and join tables) with the migrations' DDL, dropping what a
/// previous run on the same server left.
async fn create_tables(db: &Database, models: &[&'static ModelMeta]) {
    let backend = db.backend();
    drop_tables(db, models).await;
    let mut state = ProjectState::default();
    let to = ProjectState::from_models(models);
    for op in diff(&state.clone(), &to, &mut NonInteractive) {
        for sql in op.forward_sql(backend, &state).unwrap() {
            db.execute(&sql, Vec::new()).await.unwrap();
        }
        op.apply_state(&mut state).unwrap();
    }
}

async fn count_rows(db: &Database, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {}", db.backend().quote(table));
    let rows = db.fetch_all(&sql, Vec::new()).await.unwrap();
    rows[0].get(0).unwrap()
}

fn names(tags: &[Tag]) -> Vec<&str> {
    tags.iter().map(|t| t.name.as_str()).collect()
}

fn texts(questions: &[Question]) -> Vec<&str> {
    questions.iter().map(|q| q.text.as_str()).collect()
}

async fn tag(db: &Database, name: &str) -> Tag {
    let mut t = Tag {
        id: 0,
        name: name.to_owned(),
    };
    t.save(db).await.unwrap();
    t
}

async fn question(db: &Database, text: &str) -> Question {
    let mut q = Question {
        id: 0,
        text: text.to_owned(),
        tags: ManyToMany::new(),
    };
    q.save(db).await.unwrap();
    q
}

#[test]
fn the_derive_names_the_join_columns_and_makes_a_handle() {
    let tags = &Question::META.many_to_many[0];
    assert_eq!(tags.table, "m2m_question_tags");
    assert_eq!(
        (tags.from_column, tags.to_column),
        ("question_id", "tag_id")
    );
    let friends = &Person::META.many_to_many[0];
    assert_eq!(
        (friends.from_column, friends.to_column),
        ("from_person_id", "to_person_id")
    );
    assert_eq!(Question::TAGS.name(), "tags");
    assert!(std::ptr::eq(Person::FRIENDS.meta(), friends));
    // Migrations use the same columns.
    let state = ProjectState::from_models(&[Person::META]);
    let join = state.model("m2m.Person_friends").unwrap();
    assert_eq!(join.field("from_person").unwrap().column, "from_person_id");
    assert_eq!(join.field("to_person").unwrap().column, "to_person_id");
}

#[tokio::test]
async fn many_to_many_on_every_backend() {
    on_every_backend("m2m_api", |t: TestDb| async move {
        let db = &t.db;
        create_tables(db, &[Question::META, Tag::META]).await;
        let (rust, web, sql) = (
            tag(db, "rust").await,
            tag(db, "web").await,
            tag(db, "sql").await,
        );
        let q1 = question(db, "q1").await;
        let q2 = question(db, "q2").await;
        let q3 = question(db, "q3").await;
        const TAGS: fullstack::ManyToManyField<Question, Tag> = Question::TAGS;

        // add: one INSERT; adding again (or twice in one call) neither duplicates nor fails.
        let (added, queries) = capture_queries(TAGS.add(db, &q1, [&rust, &web])).await;
        added.unwrap();
        assert_eq!(queries.len(), 1, "{queries:?}");
        TAGS.add(db, &q1, [&rust, &sql, &sql]).await.unwrap();
        TAGS.add(db, &q1, Vec::<&Tag>::new()).await.unwrap();
        assert_eq!(count_rows(db, "m2m_question_tags").await, 3, "{}", t.name);
        TAGS.add(db, &q2, [&rust]).await.unwrap();

        // of / owners_of: lazy querysets that compose.
        assert_eq!(
            names(&TAGS.of(&q1).all(db).await.unwrap()),
            ["rust", "sql", "web"]
        );
        assert_eq!(TAGS.of(&q1).count(db).await.unwrap(), 3);
        let not_web = TAGS
            .of(&q1)
            .filter(Tag::NAME.ne("web"))
            .order_by([Tag::NAME.desc()]);
        assert_eq!(names(&not_web.all(db).await.unwrap()), ["sql", "rust"]);
        assert!(TAGS.of(&q3).all(db).await.unwrap().is_empty());
        assert_eq!(
            texts(&TAGS.owners_of(&rust).all(db).await.unwrap()),
            ["q1", "q2"]
        );
        assert_eq!(TAGS.owners_of(&web).count(db).await.unwrap(), 1);
        // The reverse accessor the derive gives `Tag` (Django's `tag.question_set`).
        assert_eq!(
            texts(&rust.question_set().all(db).await.unwrap()),
            ["q1", "q2"]
        );

        // any / any_owner: each row once, however many targets match.
        let both = Question::objects()
            .filter(TAGS.any(Tag::NAME.is_in(["rust", "web"])))
            .all(db)
            .await
            .unwrap();
        assert_eq!(texts(&both), ["q1", "q2"]);
        let web_only = Question::objects().filter(TAGS.any(Tag::NAME.eq("web")));
        assert_eq!(web_only.count(db).await.unwrap(), 1);
        let untagged = Question::objects().filter(!TAGS.any(Q::all()));
        assert_eq!(texts(&untagged.all(db).await.unwrap()), ["q3"]);
        let of_q2 = Tag::objects()
            .filter(TAGS.any_owner(Question::TEXT.eq("q2")))
            .all(db)
            .await
            .unwrap();
        assert_eq!(names(&of_q2), ["rust"]);

        // prefetch_many: the owners, then all their targets, in two statements.
        let (rows, queries) =
            capture_queries(Question::objects().prefetch_many(TAGS).all(db)).await;
        let rows = rows.unwrap();
        assert_eq!(queries.len(), 2, "{queries:?}");
        let got: Vec<(&str, Vec<&str>)> = rows
            .iter()
            .map(|(q, tags)| (q.text.as_str(), names(tags)))
            .collect();
        assert_eq!(
            got,
            [
                ("q1", vec!["rust", "sql", "web"]),
                ("q2", vec!["rust"]),
                ("q3", vec![]),
            ]
        );

        // remove / clear / set.
        assert_eq!(TAGS.remove(db, &q1, [&web]).await.unwrap(), 1);
        assert_eq!(TAGS.remove(db, &q1, [&web]).await.unwrap(), 0);
        assert_eq!(names(&TAGS.of(&q1).all(db).await.unwrap()), ["rust", "sql"]);
        TAGS.set(db, &q1, [&web, &sql]).await.unwrap();
        assert_eq!(names(&TAGS.of(&q1).all(db).await.unwrap()), ["sql", "web"]);
        TAGS.set(db, &q3, [&web]).await.unwrap();
        assert_eq!(TAGS.clear(db, &q2).await.unwrap(), 1);
        assert!(TAGS.of(&q2).all(db).await.unwrap().is_empty());
        assert_eq!(count_rows(db, "m2m_question_tags").await, 3);

        // In a transaction: rolled back with it.
        let mut tx = db.begin().await.unwrap();
        TAGS.set(&mut tx, &q1, []).await.unwrap();
        TAGS.add(&mut tx, &q2, [&rust, &web]).await.unwrap();
        assert_eq!(TAGS.of(&q1).count(&mut tx).await.unwrap(), 0);
        tx.rollback().await.unwrap();
        assert_eq!(names(&TAGS.of(&q1).all(db).await.unwrap()), ["sql", "web"]);
        assert_eq!(TAGS.of(&q2).count(db).await.unwrap(), 0);
        // On a held connection.
        let mut conn = db.acquire().await.unwrap();
        TAGS.add(&mut conn, &q2, [&sql]).await.unwrap();
        assert_eq!(names(&TAGS.of(&q2).all(&mut conn).await.unwrap()), ["sql"]);
        drop(conn);

        // Unsaved instances are usage errors, and nothing is written.
        let unsaved = Tag {
            id: 0,
            name: "new".into(),
        };
        let err = TAGS.add(db, &q1, [&rust, &unsaved]).await.unwrap_err();
        assert!(
            matches!(&err, Error::Usage(m) if m.contains("Tag is not saved")),
            "{err}"
        );
        let fresh = Question {
            id: 0,
            text: "draft".into(),
            tags: ManyToMany::new(),
        };
        assert!(matches!(
            TAGS.set(db, &fresh, [&rust]).await,
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            TAGS.remove(db, &fresh, [&rust]).await,
            Err(Error::Usage(_))
        ));
        assert_eq!(TAGS.of(&q1).count(db).await.unwrap(), 2);
        // A target whose row does not exist fails its foreign key, on MySQL too.
        let ghost = Tag {
            id: 999,
            name: "ghost".into(),
        };
        assert!(TAGS.add(db, &q1, [&ghost]).await.is_err(), "{}", t.name);

        // Deleting an owner or a target takes its links: through the ORM with the models
        // in the set, through the join table's ON DELETE CASCADE without.
        // Now: q1 {sql, web}, q2 {sql}, q3 {web}.
        let models = ModelSet::new([Question::META, Tag::META]);
        let (deleted, queries) = capture_queries(q1.delete(db, &models)).await;
        assert_eq!(deleted.unwrap(), 1);
        assert!(
            queries
                .iter()
                .any(|q| q.starts_with("DELETE FROM") && q.contains("m2m_question_tags")),
            "the ORM deletes the links itself: {queries:?}"
        );
        assert_eq!(count_rows(db, "m2m_question_tags").await, 2);
        assert_eq!(sql.delete(db, &models).await.unwrap(), 1);
        assert_eq!(count_rows(db, "m2m_question_tags").await, 1);
        assert_eq!(web.delete(db, &ModelSet::empty()).await.unwrap(), 1);
        assert_eq!(count_rows(db, "m2m_question_tags").await, 0);
        assert_eq!(Question::objects().delete(db, &models).await.unwrap(), 2);
        assert_eq!(Tag::objects().count(db).await.unwrap(), 1);
        drop_tables(db, &[Question::META, Tag::META]).await;
    })
    .await;
}

#[tokio::test]
async fn a_model_related_to_itself() {
    on_every_backend("m2m_self", |t: TestDb| async move {
        let db = &t.db;
        create_tables(db, &[Person::META]).await;
        let mut people = Vec::new();
        for name in ["alice", "bob", "carol"] {
            let mut p = Person {
                id: 0,
                name: name.into(),
                friends: ManyToMany::new(),
            };
            p.save(db).await.unwrap();
            people.push(p);
        }
        let [alice, bob, carol] = &people[..] else {
            unreachable!()
        };
        let friends = Person::FRIENDS;
        friends.add(db, alice, [bob, carol]).await.unwrap();
        friends.add(db, carol, [alice]).await.unwrap();
        let names = |ps: Vec<Person>| ps.into_iter().map(|p| p.name).collect::<Vec<_>>();

        // Not symmetrical: alice lists bob, bob does not list alice.
        assert_eq!(
            names(friends.of(alice).all(db).await.unwrap()),
            ["bob", "carol"]
        );
        assert!(friends.of(bob).all(db).await.unwrap().is_empty());
        assert_eq!(
            names(friends.owners_of(bob).all(db).await.unwrap()),
            ["alice"]
        );
        assert_eq!(names(bob.person_set().all(db).await.unwrap()), ["alice"]);
        let likes_carol = Person::objects().filter(friends.any(Person::NAME.eq("carol")));
        assert_eq!(names(likes_carol.all(db).await.unwrap()), ["alice"]);
        let liked_by_alice = Person::objects().filter(friends.any_owner(Person::NAME.eq("alice")));
        assert_eq!(
            names(liked_by_alice.all(db).await.unwrap()),
            ["bob", "carol"]
        );
        let (rows, queries) =
            capture_queries(Person::objects().prefetch_many(friends).all(db)).await;
        assert_eq!(queries.len(), 2, "{queries:?}");
        let counts: Vec<usize> = rows.unwrap().iter().map(|(_, f)| f.len()).collect();
        assert_eq!(counts, [2, 0, 1]);

        // Deleting carol takes both her link from alice and hers to alice.
        let models = ModelSet::new([Person::META]);
        carol.delete(db, &models).await.unwrap();
        assert_eq!(count_rows(db, "m2m_person_friends").await, 1, "{}", t.name);
        assert_eq!(names(friends.of(alice).all(db).await.unwrap()), ["bob"]);
        drop_tables(db, &[Person::META]).await;
    })
    .await;
}
