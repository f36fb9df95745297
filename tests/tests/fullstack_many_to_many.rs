//! The many-to-many API on every backend: `add`/`remove`/`clear`/`set`, `of`/`owners_of`,
//! `any`/`any_owner`, `prefetch_many`, a relation of a model to itself, and deletes of rows that
//! have links. The tables come from the migrations' own DDL (`ProjectState::from_models`), so
//! the join table is the real one: unique together, foreign keys `ON DELETE CASCADE`.

mod backends;

use backends::{TestDb, on_every_backend};
use fullstack::migrations::{NonInteractive, ProjectState, diff};
use fullstack::query::prelude::*;
use fullstack::{Database, Error, ForeignKey, ManyToMany, Model, ModelMeta, capture_queries};

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

/// Friendship goes both ways (symmetrical, the default for a relation to the model itself);
/// following does not.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "m2m", table = "m2m_person", ordering = ["id"])]
struct Person {
    id: i64,
    #[field(max_length = 50)]
    name: String,
    friends: ManyToMany<Self>,
    #[field(symmetrical = false)]
    follows: ManyToMany<Self>,
}

/// A relation through a model of its own (Django's `through`), whose extra fields fill
/// themselves (a default, NULL), so `add` can make its rows.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "m2m", table = "m2m_band", ordering = ["name"])]
struct Band {
    id: i64,
    #[field(max_length = 50)]
    name: String,
    #[field(through = Membership)]
    members: ManyToMany<Musician>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "m2m", table = "m2m_musician", ordering = ["name"])]
struct Musician {
    id: i64,
    #[field(max_length = 50)]
    name: String,
    /// Through a model whose `since` has no default: its rows are made by hand.
    #[field(through = Mentorship, through_fields = ("mentor", "student"), symmetrical = false)]
    students: ManyToMany<Self>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "m2m", table = "m2m_membership", ordering = ["id"], unique = ["band", "musician"])]
struct Membership {
    id: i64,
    #[field(on_delete = cascade)]
    band: ForeignKey<Band>,
    #[field(on_delete = cascade)]
    musician: ForeignKey<Musician>,
    #[field(max_length = 20, default = "member")]
    role: String,
    joined: Option<i32>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "m2m", table = "m2m_mentorship", ordering = ["id"])]
struct Mentorship {
    id: i64,
    #[field(on_delete = cascade, related_name = "+")]
    mentor: ForeignKey<Musician>,
    #[field(on_delete = cascade, related_name = "+")]
    student: ForeignKey<Musician>,
    since: i32,
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
    for op in diff(&state.clone(), &to, &mut NonInteractive).unwrap() {
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

/// The tests that use the `Question` and `Tag` tables take turns: the tables' names are the
/// models' own, the same on a shared server.
static QUESTION_TABLES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn many_to_many_on_every_backend() {
    let _tables = QUESTION_TABLES.lock().await;
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
        let (deleted, queries) = capture_queries(q1.delete_with(db, &models)).await;
        assert_eq!(deleted.unwrap(), 1);
        assert!(
            queries
                .iter()
                .any(|q| q.starts_with("DELETE FROM") && q.contains("m2m_question_tags")),
            "the ORM deletes the links itself: {queries:?}"
        );
        assert_eq!(count_rows(db, "m2m_question_tags").await, 2);
        assert_eq!(sql.delete_with(db, &models).await.unwrap(), 1);
        assert_eq!(count_rows(db, "m2m_question_tags").await, 1);
        assert_eq!(web.delete_with(db, &ModelSet::empty()).await.unwrap(), 1);
        assert_eq!(count_rows(db, "m2m_question_tags").await, 0);
        assert_eq!(
            Question::objects().delete_with(db, &models).await.unwrap(),
            2
        );
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
                follows: ManyToMany::new(),
            };
            p.save(db).await.unwrap();
            people.push(p);
        }
        let [alice, bob, carol] = &people[..] else {
            unreachable!()
        };
        let names = |ps: Vec<Person>| ps.into_iter().map(|p| p.name).collect::<Vec<_>>();

        // Symmetrical (the default): one add links both ways, one remove unlinks both.
        let friends = Person::FRIENDS;
        friends.add(db, alice, [bob]).await.unwrap();
        assert_eq!(names(friends.of(alice).all(db).await.unwrap()), ["bob"]);
        assert_eq!(names(friends.of(bob).all(db).await.unwrap()), ["alice"]);
        assert_eq!(count_rows(db, "m2m_person_friends").await, 2);
        friends.add(db, bob, [alice, carol]).await.unwrap();
        assert_eq!(count_rows(db, "m2m_person_friends").await, 4, "{}", t.name);
        assert_eq!(names(friends.of(carol).all(db).await.unwrap()), ["bob"]);
        let (rows, queries) =
            capture_queries(Person::objects().prefetch_many(friends).all(db)).await;
        assert_eq!(queries.len(), 2, "{queries:?}");
        let counts: Vec<usize> = rows.unwrap().iter().map(|(_, f)| f.len()).collect();
        assert_eq!(counts, [1, 2, 1]);
        // Removed from carol's side: gone from bob's too (two rows, one friendship).
        assert_eq!(friends.remove(db, carol, [bob]).await.unwrap(), 2);
        assert_eq!(names(friends.of(bob).all(db).await.unwrap()), ["alice"]);
        friends.set(db, carol, [alice]).await.unwrap();
        assert_eq!(
            names(friends.of(alice).all(db).await.unwrap()),
            ["bob", "carol"]
        );
        assert_eq!(friends.clear(db, alice).await.unwrap(), 4);
        assert_eq!(count_rows(db, "m2m_person_friends").await, 0);

        // One way (symmetrical = false): alice follows bob, bob does not follow alice.
        let follows = Person::FOLLOWS;
        follows.add(db, alice, [bob, carol]).await.unwrap();
        follows.add(db, carol, [alice]).await.unwrap();
        assert_eq!(
            names(follows.of(alice).all(db).await.unwrap()),
            ["bob", "carol"]
        );
        assert!(follows.of(bob).all(db).await.unwrap().is_empty());
        assert_eq!(
            names(follows.owners_of(bob).all(db).await.unwrap()),
            ["alice"]
        );
        // Only the one-way relation gives a reverse accessor.
        assert_eq!(names(bob.person_set().all(db).await.unwrap()), ["alice"]);
        let follows_carol = Person::objects().filter(follows.any(Person::NAME.eq("carol")));
        assert_eq!(names(follows_carol.all(db).await.unwrap()), ["alice"]);
        let followed_by_alice =
            Person::objects().filter(follows.any_owner(Person::NAME.eq("alice")));
        assert_eq!(
            names(followed_by_alice.all(db).await.unwrap()),
            ["bob", "carol"]
        );
        let rows = Person::objects().prefetch_many(follows).all(db).await;
        let counts: Vec<usize> = rows.unwrap().iter().map(|(_, f)| f.len()).collect();
        assert_eq!(counts, [2, 0, 1]);

        // Deleting carol takes both her link from alice and hers to alice.
        friends.add(db, carol, [bob]).await.unwrap();
        let models = ModelSet::new([Person::META]);
        carol.delete_with(db, &models).await.unwrap();
        assert_eq!(count_rows(db, "m2m_person_follows").await, 1, "{}", t.name);
        assert_eq!(count_rows(db, "m2m_person_friends").await, 0, "{}", t.name);
        assert_eq!(names(follows.of(alice).all(db).await.unwrap()), ["bob"]);
        drop_tables(db, &[Person::META]).await;
    })
    .await;
}

#[test]
fn a_through_model_gives_the_join_table_and_columns() {
    let members = &Band::META.many_to_many[0];
    assert_eq!(members.table, "m2m_membership");
    assert_eq!(
        (members.from_column, members.to_column),
        ("band_id", "musician_id")
    );
    assert!(std::ptr::eq(members.through.unwrap()(), Membership::META));
    let students = &Musician::META.many_to_many[0];
    assert_eq!(
        (
            students.from_column,
            students.to_column,
            students.symmetrical
        ),
        ("mentor_id", "student_id", false)
    );
    assert!(Person::META.many_to_many[0].symmetrical);
    // Migrations make no join table of their own for it: the through model is the table.
    let state = ProjectState::from_models(&[Band::META, Musician::META, Membership::META]);
    assert!(state.model("m2m.Band_members").is_err());
    assert!(state.model("m2m.Membership").is_ok());
}

async fn musician(db: &Database, name: &str) -> Musician {
    let mut m = Musician {
        id: 0,
        name: name.to_owned(),
        students: ManyToMany::new(),
    };
    m.save(db).await.unwrap();
    m
}

#[tokio::test]
async fn many_to_many_through_a_model() {
    on_every_backend("m2m_through", |t: TestDb| async move {
        let db = &t.db;
        let models = [
            Band::META,
            Musician::META,
            Membership::META,
            Mentorship::META,
        ];
        // Through models first: they point at the others.
        drop_tables(db, &[Membership::META, Mentorship::META]).await;
        create_tables(db, &models).await;
        let (john, paul, ringo) = (
            musician(db, "john").await,
            musician(db, "paul").await,
            musician(db, "ringo").await,
        );
        let mut beatles = Band {
            id: 0,
            name: "beatles".into(),
            members: ManyToMany::new(),
        };
        beatles.save(db).await.unwrap();
        let members = Band::MEMBERS;
        let names = |ms: Vec<Musician>| ms.into_iter().map(|m| m.name).collect::<Vec<_>>();

        // add makes through rows with their defaults; adding again makes no duplicate.
        members.add(db, &beatles, [&john, &paul]).await.unwrap();
        members.add(db, &beatles, [&paul]).await.unwrap();
        let rows = Membership::objects().all(db).await.unwrap();
        assert_eq!(rows.len(), 2, "{}", t.name);
        assert!(
            rows.iter()
                .all(|m| m.role == "member" && m.joined.is_none())
        );
        // A through row made by hand, with its own values, is a link like the others.
        let mut drummer = Membership {
            id: 0,
            band: (&beatles).into(),
            musician: (&ringo).into(),
            role: "drummer".into(),
            joined: Some(1962),
        };
        drummer.save(db).await.unwrap();
        assert_eq!(
            names(members.of(&beatles).all(db).await.unwrap()),
            ["john", "paul", "ringo"]
        );
        assert_eq!(ringo.band_set().count(db).await.unwrap(), 1);
        // add_with gives the through row's fields values.
        let george = musician(db, "george").await;
        members
            .add_with(
                db,
                &beatles,
                [&george],
                [
                    Membership::ROLE.set("guitar".to_owned()),
                    Membership::JOINED.set(Some(1958)),
                ],
            )
            .await
            .unwrap();
        let row = Membership::objects()
            .filter(Membership::MUSICIAN.eq(ForeignKey::from(&george)))
            .get(db)
            .await
            .unwrap();
        assert_eq!((row.role.as_str(), row.joined), ("guitar", Some(1958)));
        assert_eq!(members.remove(db, &beatles, [&george]).await.unwrap(), 1);
        let with_ringo = Band::objects().filter(members.any(Musician::NAME.eq("ringo")));
        assert_eq!(with_ringo.count(db).await.unwrap(), 1);

        // prefetch_many and prefetch_many_with: two statements, the targets' own order.
        let (rows, queries) = capture_queries(Band::objects().prefetch_many(members).all(db)).await;
        assert_eq!(queries.len(), 2, "{queries:?}");
        assert_eq!(names(rows.unwrap().remove(0).1), ["john", "paul", "ringo"]);
        let not_paul = Musician::objects()
            .exclude(Musician::NAME.eq("paul"))
            .order_by([Musician::NAME.desc()]);
        let (rows, queries) = capture_queries(
            Band::objects()
                .prefetch_many_with(members, not_paul.clone())
                .all(db),
        )
        .await;
        assert_eq!(queries.len(), 2, "{queries:?}");
        assert_eq!(names(rows.unwrap().remove(0).1), ["ringo", "john"]);
        let sliced = Band::objects()
            .prefetch_many_with(members, not_paul.limit(1))
            .all(db)
            .await;
        assert!(
            matches!(&sliced, Err(Error::Usage(m)) if m.contains("sliced")),
            "{sliced:?}"
        );

        // remove and set work on the through rows; the musicians stay.
        assert_eq!(members.remove(db, &beatles, [&ringo]).await.unwrap(), 1);
        members.set(db, &beatles, [&paul, &ringo]).await.unwrap();
        assert_eq!(
            names(members.of(&beatles).all(db).await.unwrap()),
            ["paul", "ringo"]
        );
        assert_eq!(Musician::objects().count(db).await.unwrap(), 4);
        // set_with: the rows it adds get the values; the row that stays keeps its own.
        members
            .set_with(
                db,
                &beatles,
                [&ringo, &george],
                [Membership::ROLE.set("guest".to_owned())],
            )
            .await
            .unwrap();
        let roles: Vec<(i64, String)> = Membership::objects()
            .order_by([Membership::ID.asc()])
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.musician.id(), m.role))
            .collect();
        assert_eq!(
            roles,
            [
                (ringo.id, "member".to_owned()),
                (george.id, "guest".to_owned())
            ],
            "{}",
            t.name
        );

        // A through model with a field that has no default: add cannot make its rows.
        let students = Musician::STUDENTS;
        let err = students.add(db, &john, [&paul]).await.unwrap_err();
        assert!(
            matches!(&err, Error::Usage(m) if m.contains("Mentorship") && m.contains("`since`")),
            "{err}"
        );
        assert_eq!(Mentorship::objects().count(db).await.unwrap(), 0);
        // add_with gives it (Django's through_defaults); rows made by hand are links too.
        students
            .add_with(db, &john, [&paul], [Mentorship::SINCE.set(1957)])
            .await
            .unwrap();
        let lesson = Mentorship::objects().get(db).await.unwrap();
        assert_eq!((lesson.mentor.id(), lesson.since), (john.id, 1957));
        let mut by_hand = Mentorship {
            id: 0,
            mentor: (&paul).into(),
            student: (&ringo).into(),
            since: 1960,
        };
        by_hand.save(db).await.unwrap();
        assert_eq!(names(students.of(&paul).all(db).await.unwrap()), ["ringo"]);
        by_hand.delete_with(db, &ModelSet::empty()).await.unwrap();
        // Misuse: another model's fields, an expression, a missing required field.
        let wrong_model = members.add_with(db, &beatles, [&john], [Mentorship::SINCE.set(1)]);
        assert!(
            matches!(wrong_model.await, Err(Error::Usage(m)) if m.contains("not Mentorship rows"))
        );
        let expr = students.add_with(
            db,
            &john,
            [&ringo],
            [Mentorship::SINCE.set(Mentorship::SINCE.f() + 1)],
        );
        assert!(matches!(expr.await, Err(Error::Usage(m)) if m.contains("expression")));
        let missing = students.add_with(
            db,
            &john,
            [&ringo],
            Vec::<fullstack::query::Assign<Mentorship>>::new(),
        );
        assert!(matches!(missing.await, Err(Error::Usage(m)) if m.contains("`since`")));
        assert_eq!(Mentorship::objects().count(db).await.unwrap(), 1);
        assert_eq!(names(students.of(&john).all(db).await.unwrap()), ["paul"]);
        assert_eq!(names(paul.musician_set().all(db).await.unwrap()), ["john"]);
        assert!(students.of(&paul).all(db).await.unwrap().is_empty());
        assert_eq!(students.clear(db, &john).await.unwrap(), 1);

        // Deleting the band deletes its through rows (their keys cascade).
        let set = ModelSet::new(models);
        assert_eq!(beatles.delete_with(db, &set).await.unwrap(), 1);
        assert_eq!(Membership::objects().count(db).await.unwrap(), 0);
        drop_tables(db, &[Membership::META, Mentorship::META]).await;
        drop_tables(db, &models).await;
    })
    .await;
}

/// Past one statement's parameter limit (SQLite binds at most 32,766 values, PostgreSQL and
/// MySQL 65,535), `add`, `remove`, `set` and `prefetch_many` split their statements, atomically.
#[tokio::test]
async fn many_links_are_split_into_several_statements() {
    let _tables = QUESTION_TABLES.lock().await;
    on_every_backend("m2m_chunks", |t: TestDb| async move {
        let db = &t.db;
        create_tables(db, &[Question::META, Tag::META]).await;
        const N: usize = 33_000;
        let tags: Vec<Tag> = (0..N)
            .map(|i| Tag {
                id: 0,
                name: format!("t{i:05}"),
            })
            .collect();
        let tags = Tag::objects().bulk_create(db, tags).await.unwrap();
        let q = question(db, "busy").await;
        let other = question(db, "other").await;
        let (added, queries) = capture_queries(Question::TAGS.add(db, &q, &tags)).await;
        added.unwrap();
        let inserts = queries.iter().filter(|s| s.contains("INSERT")).count();
        assert!(inserts >= 2, "{}: {inserts} inserts", t.name);
        assert_eq!(Question::TAGS.of(&q).count(db).await.unwrap(), N as u64);
        Question::TAGS.add(db, &other, &tags[..3]).await.unwrap();

        let rows = Question::objects()
            .prefetch_many(Question::TAGS)
            .all(db)
            .await
            .unwrap();
        let sizes: Vec<usize> = rows.iter().map(|(_, tags)| tags.len()).collect();
        assert_eq!(sizes, [N, 3]);

        // Keep the first and last 100: removes 32,800 links in several statements.
        let keep: Vec<&Tag> = tags[..100].iter().chain(&tags[N - 100..]).collect();
        Question::TAGS.set(db, &q, keep).await.unwrap();
        assert_eq!(Question::TAGS.of(&q).count(db).await.unwrap(), 200);
        let removed = Question::TAGS.remove(db, &q, &tags).await.unwrap();
        assert_eq!(removed, 200);
        assert_eq!(count_rows(db, "m2m_question_tags").await, 3);
        drop_tables(db, &[Question::META, Tag::META]).await;
    })
    .await;
}
