//! `migrate` and `showmigrations` log nothing from the database on a run with nothing to do:
//! PostgreSQL's NOTICE `relation "fullstack_migrations" already exists, skipping` (from a
//! `CREATE TABLE IF NOT EXISTS`, which sqlx logs at INFO) is not sent on every run.
//!
//! The database's notices are caught with a process-wide tracing subscriber (sqlx may read
//! them on any worker thread), so this file holds this one test.

mod backends;

use std::sync::Mutex;

use backends::on_every_backend;
use fullstack::migrations::{self, Executor, MigrationSet, NonInteractive, Target};
use fullstack::model::FieldMeta;
use fullstack::{ColumnType, ModelMeta};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// The events of sqlx's notice target, as `level: message`.
static NOTICES: Mutex<Vec<String>> = Mutex::new(Vec::new());

const TARGET: &str = "sqlx::postgres::notice";

struct Notices;

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl Subscriber for Notices {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == TARGET
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        NOTICES
            .lock()
            .unwrap()
            .push(format!("{}: {}", event.metadata().level(), message.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

const ID: FieldMeta = FieldMeta::new("id", "id", ColumnType::BigInt)
    .primary_key(true)
    .auto(true);

#[tokio::test]
async fn migrating_again_logs_no_notice() {
    tracing::subscriber::set_global_default(Notices).unwrap();
    on_every_backend("migrate_logs", |t| async move {
        let dir = tempfile::tempdir().unwrap();
        let recorder = t.table("migrations");
        let model: &'static ModelMeta = Box::leak(Box::new(ModelMeta::new(
            "logs",
            "Entry",
            Box::leak(t.table("entry").into_boxed_str()),
            &[ID],
        )));
        migrations::make_migrations(&[model], dir.path(), &mut NonInteractive).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        let executor = Executor::new(&t.db, &set).recorder_table(&recorder);
        executor.migrate(&Target::Latest).await.unwrap();
        NOTICES.lock().unwrap().clear();

        let report = executor.migrate(&Target::Latest).await.unwrap();
        assert!(report.applied.is_empty(), "{}: {report:?}", t.name);
        executor.status().await.unwrap();
        executor.plan(&Target::Latest).await.unwrap();
        let notices = std::mem::take(&mut *NOTICES.lock().unwrap());
        assert!(notices.is_empty(), "{}: {notices:?}", t.name);

        // (The subscriber does see a notice when the server sends one.)
        if t.db.backend() == fullstack::Backend::Postgres {
            let table = t.db.backend().quote(&recorder);
            t.db.execute(
                &format!("CREATE TABLE IF NOT EXISTS {table} (id BIGINT)"),
                vec![],
            )
            .await
            .unwrap();
            let notices = std::mem::take(&mut *NOTICES.lock().unwrap());
            assert!(
                notices.iter().any(|n| n.contains("already exists")),
                "{notices:?}"
            );
        }
        let drop = |table: String| format!("DROP TABLE {}", t.db.backend().quote(&table));
        t.db.execute(&drop(t.table("entry")), vec![]).await.unwrap();
        t.db.execute(&drop(recorder), vec![]).await.unwrap();
    })
    .await;
}
