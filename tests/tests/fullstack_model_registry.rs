//! `delete()` cascades through every model of the project without the caller listing them:
//! the project installs its apps' models in a process-wide registry (when its web app is built
//! or its command line runs). Without a registry, `delete()` refuses rather than skip a
//! cascade; an explicit `ModelSet` that leaves out an installed model pointing at the deleted
//! one is refused too. On every backend.

mod backends;

use backends::{TestDb, on_every_backend};
use fullstack::migrations::{NonInteractive, ProjectState, diff};
use fullstack::query::prelude::*;
use fullstack::query::registry;
use fullstack::{AppConfig, Error, ForeignKey, Model, ModelMeta, Project};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mmr", table = "mmr_question")]
struct Question {
    id: i64,
    #[field(max_length = 200)]
    text: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mmr", table = "mmr_choice")]
struct Choice {
    id: i64,
    #[field(on_delete = cascade)]
    question: ForeignKey<Question>,
}

/// Two steps away from a question: a cascade of a cascade.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mmr", table = "mmr_vote")]
struct Vote {
    id: i64,
    #[field(on_delete = cascade)]
    choice: ForeignKey<Choice>,
}

/// In another app of the project.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "mmr_notes", table = "mmr_note")]
struct Note {
    id: i64,
    #[field(on_delete = set_null)]
    about: Option<ForeignKey<Question>>,
}

const MODELS: [&ModelMeta; 4] = [Question::META, Choice::META, Vote::META, Note::META];

fn project() -> Project {
    Project::new("mmr")
        .app(AppConfig::new("mmr").models(&[Question::META, Choice::META, Vote::META]))
        .app(AppConfig::new("mmr_notes").model(Note::META))
}

async fn create_tables(t: &TestDb) {
    let b = t.db.backend();
    for table in ["mmr_note", "mmr_vote", "mmr_choice", "mmr_question"] {
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

#[track_caller]
fn assert_usage<T: std::fmt::Debug>(result: Result<T, Error>, part: &str) {
    match result {
        Err(Error::Usage(why)) => assert!(why.contains(part), "{why}"),
        other => panic!("expected a usage error about {part:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn delete_cascades_through_the_projects_models_on_every_backend() {
    on_every_backend("model_registry", |t| async move {
        create_tables(&t).await;
        let db = &t.db;
        let q = Question::objects()
            .create(db, Question::new("Q?"))
            .await
            .unwrap();
        let c = Choice::objects().create(db, Choice::new(&q)).await.unwrap();
        Vote::objects().create(db, Vote::new(&c)).await.unwrap();
        let note = Note::objects()
            .create(
                db,
                Note {
                    about: Some((&q).into()),
                    ..Note::new()
                },
            )
            .await
            .unwrap();

        // SQLite runs first, in a process where nothing is installed yet: refused, and
        // nothing deleted.
        if t.name == "sqlite" {
            assert!(registry::installed().models().is_empty());
            assert_usage(q.delete(db).await, "no models are installed");
            assert_usage(
                Question::objects().delete(db).await,
                "no models are installed",
            );
            assert_eq!(Question::objects().count(db).await.unwrap(), 1);
        }

        // Building the project's web app installs every app's models.
        let web = project().web_app(db).expect("web app");
        drop(web);
        assert_eq!(registry::installed().models().len(), 4, "{}", t.name);

        // A set that leaves out a model pointing at the deleted one, at any step of the
        // cascade, is refused before anything changes.
        let partial = ModelSet::new([Question::META, Choice::META, Note::META]);
        assert_usage(q.delete_with(db, &partial).await, "mmr.Vote");
        assert_eq!(Vote::objects().count(db).await.unwrap(), 1, "{}", t.name);

        // delete() finds every pointing model itself: the cascade two steps down, and the
        // SET NULL in the other app.
        assert_eq!(q.delete(db).await.unwrap(), 1, "{}", t.name);
        assert_eq!(Choice::objects().count(db).await.unwrap(), 0, "{}", t.name);
        assert_eq!(Vote::objects().count(db).await.unwrap(), 0, "{}", t.name);
        let mut note = note;
        note.refresh(db).await.unwrap();
        assert_eq!(note.about, None, "{}", t.name);

        // A complete explicit set still works, on a queryset too.
        let q = Question::objects()
            .create(db, Question::new("Again?"))
            .await
            .unwrap();
        Choice::objects().create(db, Choice::new(&q)).await.unwrap();
        let all = ModelSet::new(MODELS);
        assert_eq!(Question::objects().delete_with(db, &all).await.unwrap(), 1);
        assert_eq!(Choice::objects().count(db).await.unwrap(), 0, "{}", t.name);
    })
    .await;
}
