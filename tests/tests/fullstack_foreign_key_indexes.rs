//! Foreign-key columns get an index, as Django gives every `ForeignKey` `db_index=True`: new
//! models in their `create_model`, existing projects in a migration `makemigrations` adds (an
//! `alter_field` that only creates the index: no table rebuild on SQLite). MySQL/MariaDB index
//! a foreign key themselves, so no second index is made there. `index = false` opts out.

mod backends;

use backends::{TestDb, on_every_backend};
use fullstack::migrations::{self, Executor, MigrationSet, NonInteractive, Operation, Target};
use fullstack::model::FieldMeta;
use fullstack::query::prelude::*;
use fullstack::{Backend, ForeignKey, Model, ModelMeta, Value};

#[derive(Model, Debug, Clone)]
#[model(app = "fkidx", table = "fkidx_question")]
struct Question {
    id: i64,
    #[field(max_length = 200)]
    text: String,
}

#[derive(Model, Debug, Clone)]
#[model(app = "fkidx", table = "fkidx_choice")]
struct Choice {
    id: i64,
    #[field(on_delete = cascade)]
    question: ForeignKey<Question>,
    #[field(max_length = 200)]
    text: String,
}

#[derive(Model, Debug, Clone)]
#[model(app = "fkidx", table = "fkidx_vote")]
struct Vote {
    id: i64,
    #[field(on_delete = cascade, index = false)]
    choice: ForeignKey<Choice>,
}

/// `Choice` as a project made before foreign keys were indexed has it.
fn unindexed_choice() -> &'static ModelMeta {
    let fields: Vec<FieldMeta> = Choice::META.fields.iter().map(|f| f.index(false)).collect();
    let mut choice = *Choice::META;
    choice.fields = Box::leak(fields.into_boxed_slice());
    Box::leak(Box::new(choice))
}

/// The indexes whose first column is `column` of `table`.
async fn indexes_on(t: &TestDb, table: &str, column: &str) -> Vec<String> {
    let (sql, values): (&str, Vec<Value>) = match t.db.backend() {
        Backend::Sqlite => (
            "SELECT il.name FROM pragma_index_list(?) AS il, pragma_index_info(il.name) AS ii \
             WHERE ii.name = ? AND ii.seqno = 0",
            vec![table.into(), column.into()],
        ),
        Backend::Postgres => (
            "SELECT i.relname::text FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid \
             JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] \
             WHERE t.relname = $1 AND a.attname = $2 AND pg_table_is_visible(t.oid)",
            vec![table.into(), column.into()],
        ),
        Backend::MySql => (
            "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ? \
             AND SEQ_IN_INDEX = 1",
            vec![table.into(), column.into()],
        ),
    };
    let mut names: Vec<String> =
        t.db.fetch_all(sql, values)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0).unwrap())
            .collect();
    names.sort();
    names
}

async fn drop_tables(t: &TestDb) {
    for table in ["fkidx_vote", "fkidx_choice", "fkidx_question"] {
        let sql = format!("DROP TABLE IF EXISTS {}", t.db.backend().quote(table));
        t.db.execute(&sql, vec![]).await.unwrap();
    }
}

#[tokio::test]
async fn foreign_keys_are_indexed_once_on_every_backend() {
    on_every_backend("fk_indexes", |t| async move {
        drop_tables(&t).await;
        let dir = tempfile::tempdir().unwrap();
        let recorder = t.table("migrations");
        let migrate = |set: MigrationSet, target: Target| {
            let (db, recorder) = (t.db.clone(), recorder.clone());
            async move {
                Executor::new(&db, &set)
                    .recorder_table(&recorder)
                    .migrate(&target)
                    .await
                    .unwrap();
            }
        };
        // What the key's own index is called, where there is one; MySQL's is the constraint's.
        let own = |table: &str, column: &str| match t.db.backend() {
            Backend::MySql => format!("{table}_{column}_fk"),
            _ => format!("{table}_{column}_idx"),
        };

        // A project whose choices' key has no index yet, with a row.
        let old = [Question::META, unindexed_choice()];
        migrations::make_migrations(&old, dir.path(), &mut NonInteractive).unwrap();
        migrate(MigrationSet::from_dir(dir.path()).unwrap(), Target::Latest).await;
        let mut q = Question {
            id: 0,
            text: "Up?".into(),
        };
        q.save(&t.db).await.unwrap();
        let mut c = Choice {
            id: 0,
            question: ForeignKey::from(&q),
            text: "Yes".into(),
        };
        c.save(&t.db).await.unwrap();
        let before = indexes_on(&t, "fkidx_choice", "question_id").await;
        if t.db.backend() == Backend::MySql {
            assert_eq!(before, [own("fkidx_choice", "question_id")], "{}", t.name);
        } else {
            assert!(before.is_empty(), "{}: {before:?}", t.name);
        }

        // makemigrations adds the index, in place.
        let new = [Question::META, Choice::META, Vote::META];
        let written = migrations::make_migrations(&new, dir.path(), &mut NonInteractive).unwrap();
        assert_eq!(written.len(), 1, "{}", t.name);
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        let second = &set.migrations()[1];
        assert!(
            second.operations.iter().any(|op| matches!(op,
                Operation::AlterField { old, new, .. } if !old.index && new.index)),
            "{}: {:?}",
            t.name,
            second.operations
        );
        let sql =
            migrations::sql_migrate(&set, "fkidx", &second.name, t.db.backend(), false).unwrap();
        let choices = t.db.backend().quote("fkidx_choice");
        let index = format!(
            "CREATE INDEX {} ON {choices} ({})",
            t.db.backend().quote("fkidx_choice_question_id_idx"),
            t.db.backend().quote("question_id")
        );
        assert_eq!(
            sql.contains(&index),
            t.db.backend() != Backend::MySql,
            "{}: {sql:?}",
            t.name
        );
        assert!(
            !sql.iter().any(|s| s.contains("new__fkidx_choice")
                || s.starts_with(&format!("ALTER TABLE {choices}"))),
            "{}: the choices' table is not rebuilt or altered: {sql:?}",
            t.name
        );
        migrate(set.clone(), Target::Latest).await;
        assert_eq!(
            indexes_on(&t, "fkidx_choice", "question_id").await,
            [own("fkidx_choice", "question_id")],
            "{}: one index on the key",
            t.name
        );
        assert_eq!(Choice::objects().count(&t.db).await.unwrap(), 1);
        // A new model's key is indexed in its create_model, unless it opts out.
        let votes = indexes_on(&t, "fkidx_vote", "choice_id").await;
        if t.db.backend() == Backend::MySql {
            assert_eq!(votes, [own("fkidx_vote", "choice_id")], "{}", t.name);
        } else {
            assert!(votes.is_empty(), "{}: {votes:?}", t.name);
        }

        // Rolling back drops the index (MySQL keeps the one its constraint needs).
        let first = set.migrations()[0].name.clone();
        migrate(
            set.clone(),
            Target::To {
                app: "fkidx".into(),
                name: first,
            },
        )
        .await;
        assert_eq!(
            indexes_on(&t, "fkidx_choice", "question_id").await,
            before,
            "{}",
            t.name
        );
        assert_eq!(Choice::objects().count(&t.db).await.unwrap(), 1);
        drop_tables(&t).await;
    })
    .await;
}
