//! fullstack's migrations on every backend: makemigrations from models (no hand-written
//! migration), migrate, add/alter fields keeping data, rollback, the recorder, re-runs, atomic
//! failures, data migrations, renames, and `check`.

mod backends;

use std::sync::OnceLock;

use backends::{TestDb, on_every_backend};
use fullstack::migrations::{
    self, Executor, FlagQuestioner, MigrationSet, NonInteractive, Operation, RustRegistry, Target,
};
use fullstack::model::{DefaultValue, FieldMeta, OnDelete, Relation, RelationKind};
use fullstack::{Backend, ColumnType, ModelMeta, Value};

const ID: FieldMeta = FieldMeta::new("id", "id", ColumnType::BigInt)
    .primary_key(true)
    .auto(true);

/// A model with a table name unique to the test run (tests share the servers).
fn model(name: &'static str, table: String, fields: Vec<FieldMeta>) -> &'static ModelMeta {
    Box::leak(Box::new(ModelMeta::new(
        "shop",
        name,
        Box::leak(table.into_boxed_str()),
        Box::leak(fields.into_boxed_slice()),
    )))
}

fn varchar(name: &'static str, len: u32) -> FieldMeta {
    FieldMeta::new(name, name, ColumnType::VarChar).max_length(len)
}

struct Sql<'a>(&'a TestDb);

impl Sql<'_> {
    fn q(&self, s: &str) -> String {
        self.0.db.backend().quote(s)
    }
    fn p(&self, n: usize) -> String {
        let mut s = String::new();
        self.0.db.backend().placeholder_into(&mut s, n);
        s
    }
    async fn exec(&self, sql: &str, values: Vec<Value>) -> Result<u64, fullstack::Error> {
        self.0.db.execute(sql, values).await
    }
    /// Whether `table` has `column`. (Not `SELECT "col"`: SQLite reads an unknown quoted name
    /// as a string literal.)
    async fn has_column(&self, table: &str, column: &str) -> bool {
        let sql = format!(
            "UPDATE {} SET {} = NULL WHERE 1 = 0",
            self.q(table),
            self.q(column)
        );
        self.0.db.execute(&sql, vec![]).await.is_ok()
    }

    async fn count(&self, table: &str) -> i64 {
        let rows = self
            .0
            .db
            .fetch_all(&format!("SELECT COUNT(*) FROM {}", self.q(table)), vec![])
            .await
            .unwrap();
        rows[0].get::<i64>(0).unwrap()
    }
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[tokio::test]
async fn migrate_add_alter_rollback_and_rerun() {
    on_every_backend("migrate_cycle", |t| async move {
        let s = Sql(&t);
        let dir = dir();
        let recorder = t.table("migrations");
        let (author_t, book_t) = (t.table("author"), t.table("book"));
        static AUTHOR: OnceLock<&'static ModelMeta> = OnceLock::new();
        fn author() -> &'static ModelMeta {
            AUTHOR.get().unwrap()
        }
        let author_v1 = model("Author", author_t.clone(), vec![ID, varchar("name", 50)]);
        let _ = AUTHOR.set(author_v1);
        let fk = FieldMeta::new("author", "author_id", ColumnType::BigInt)
            .relation(Relation {
                kind: RelationKind::ForeignKey,
                to: author,
                on_delete: OnDelete::Cascade,
                related_name: None,
            })
            .index(true);
        let price_v1 = FieldMeta::new("price", "price", ColumnType::Int).null(true);
        let book_v1 = model(
            "Book",
            book_t.clone(),
            vec![
                ID,
                FieldMeta::new("title", "title", ColumnType::Text),
                fk,
                price_v1,
            ],
        );

        // The book points at the author: created second, whatever the order given.
        let written =
            migrations::make_migrations(&[book_v1, author_v1], dir.path(), &mut NonInteractive)
                .unwrap();
        assert_eq!(written.len(), 1);
        assert!(written[0].ends_with("shop/0001_initial.json"));
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        let exec = |set| Executor::new(&t.db, set).recorder_table(&recorder);
        let report = exec(&set).migrate(&Target::Latest).await.unwrap();
        assert_eq!(report.applied.len(), 1, "{report:?}");

        // The tables accept rows, and the foreign key is enforced.
        s.exec(
            &format!(
                "INSERT INTO {} ({}) VALUES ({})",
                s.q(&author_t),
                s.q("name"),
                s.p(1)
            ),
            vec!["Ursula".into()],
        )
        .await
        .unwrap();
        let insert_book = format!(
            "INSERT INTO {} ({}, {}, {}) VALUES ({}, {}, {})",
            s.q(&book_t),
            s.q("title"),
            s.q("author_id"),
            s.q("price"),
            s.p(1),
            s.p(2),
            s.p(3)
        );
        s.exec(
            &insert_book,
            vec![
                "Earthsea".into(),
                Value::BigInt(1),
                Value::Null(ColumnType::Int),
            ],
        )
        .await
        .unwrap();
        s.exec(
            &insert_book,
            vec!["Lathe".into(), Value::BigInt(1), Value::Int(12)],
        )
        .await
        .unwrap();
        assert!(
            s.exec(
                &insert_book,
                vec!["Orphan".into(), Value::BigInt(99), Value::Int(1)]
            )
            .await
            .is_err(),
            "{}: the foreign key is not enforced",
            t.name
        );

        // v2: a field with a default, a longer name, and a price that may no longer be NULL.
        let author_v2 = model("Author", author_t.clone(), vec![ID, varchar("name", 200)]);
        let book_v2 = model(
            "Book",
            book_t.clone(),
            vec![
                ID,
                FieldMeta::new("title", "title", ColumnType::Text),
                fk,
                FieldMeta::new("price", "price", ColumnType::Int).default(DefaultValue::Int(0)),
                FieldMeta::new("votes", "votes", ColumnType::Int).default(DefaultValue::Int(0)),
            ],
        );
        let models_v2 = [author_v2, book_v2];
        assert_eq!(
            migrations::check(&models_v2, &set).len(),
            3,
            "{:?}",
            migrations::check(&models_v2, &set)
        );
        let written =
            migrations::make_migrations(&models_v2, dir.path(), &mut NonInteractive).unwrap();
        assert_eq!(written.len(), 1);
        let name = written[0]
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(name.starts_with("0002_"), "{name}");
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        assert!(migrations::check(&models_v2, &set).is_empty());
        let report = exec(&set).migrate(&Target::Latest).await.unwrap();
        assert_eq!(report.applied, [("shop".to_owned(), name.clone())]);

        let rows =
            t.db.fetch_all(
                &format!(
                    "SELECT {}, {}, {} FROM {} ORDER BY {}",
                    s.q("title"),
                    s.q("price"),
                    s.q("votes"),
                    s.q(&book_t),
                    s.q("id")
                ),
                vec![],
            )
            .await
            .unwrap();
        let read: Vec<(String, i32, i32)> = rows
            .iter()
            .map(|r| (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap()))
            .collect();
        assert_eq!(
            read,
            [("Earthsea".into(), 0, 0), ("Lathe".into(), 12, 0)],
            "{}",
            t.name
        );
        let long = "x".repeat(150);
        s.exec(
            &format!(
                "INSERT INTO {} ({}) VALUES ({})",
                s.q(&author_t),
                s.q("name"),
                s.p(1)
            ),
            vec![long.into()],
        )
        .await
        .unwrap();
        // The foreign key survived the rebuild of the table on SQLite.
        assert!(
            s.exec(
                &insert_book,
                vec!["Orphan".into(), Value::BigInt(99), Value::Int(1)]
            )
            .await
            .is_err()
        );
        assert_eq!(s.count(&book_t).await, 2);

        // The recorder, and a re-run that does nothing.
        let status = Executor::new(&t.db, &set)
            .recorder_table(&recorder)
            .status()
            .await
            .unwrap();
        assert!(status.iter().all(|m| m.applied), "{status:?}");
        let again = exec(&set).migrate(&Target::Latest).await.unwrap();
        assert!(again.applied.is_empty() && again.unapplied.is_empty());
        assert_eq!(again.messages, ["No migrations to apply."]);

        // Rolling back would shorten `name` below a stored value: PostgreSQL and MySQL refuse
        // (SQLite does not enforce lengths), and on PostgreSQL nothing of the rollback stays.
        let to_initial = Target::To {
            app: "shop".into(),
            name: "0001_initial".into(),
        };
        if t.db.backend() == Backend::Postgres {
            assert!(exec(&set).migrate(&to_initial).await.is_err());
            assert!(s.has_column(&book_t, "votes").await);
        }
        s.exec(
            &format!(
                "DELETE FROM {} WHERE {} > {}",
                s.q(&author_t),
                s.q("id"),
                s.p(1)
            ),
            vec![Value::BigInt(1)],
        )
        .await
        .unwrap();

        // Roll back to 0001: votes is gone, the rows and kept columns stay.
        assert_eq!(
            exec(&set).plan(&to_initial).await.unwrap(),
            [("shop".to_owned(), name.clone(), true)]
        );
        let back = exec(&set)
            .migrate(&Target::To {
                app: "shop".into(),
                name: "0001_initial".into(),
            })
            .await
            .unwrap();
        assert_eq!(back.unapplied, [("shop".to_owned(), name.clone())]);
        assert!(s.has_column(&book_t, "price").await);
        assert!(
            !s.has_column(&book_t, "votes").await,
            "{}: votes survived the rollback",
            t.name
        );
        let rows =
            t.db.fetch_all(
                &format!(
                    "SELECT {} FROM {} ORDER BY {}",
                    s.q("title"),
                    s.q(&book_t),
                    s.q("id")
                ),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].get::<String>(0).unwrap(), "Lathe");
        // price accepts NULL again.
        s.exec(
            &insert_book,
            vec![
                "Null price".into(),
                Value::BigInt(1),
                Value::Null(ColumnType::Int),
            ],
        )
        .await
        .unwrap();
        let status = Executor::new(&t.db, &set)
            .recorder_table(&recorder)
            .status()
            .await
            .unwrap();
        assert_eq!(
            status.iter().map(|m| m.applied).collect::<Vec<_>>(),
            [true, false]
        );

        // Forward again, then everything back to zero.
        exec(&set).migrate(&Target::Latest).await.unwrap();
        assert_eq!(s.count(&book_t).await, 3);
        exec(&set)
            .migrate(&Target::Zero { app: "shop".into() })
            .await
            .unwrap();
        assert!(
            t.db.fetch_all(&format!("SELECT 1 FROM {}", s.q(&book_t)), vec![])
                .await
                .is_err()
        );
        // sqlmigrate needs no database.
        let sql = migrations::sql_migrate(&set, "shop", &name, t.db.backend(), false).unwrap();
        assert!(sql.iter().any(|l| l.contains("votes")), "{sql:?}");
    })
    .await;
}

#[tokio::test]
async fn a_failing_migration_leaves_nothing_half_applied() {
    on_every_backend("migrate_fail", |t| async move {
        let s = Sql(&t);
        let dir = dir();
        let recorder = t.table("migrations");
        let table = t.table("thing");
        let v1 = model("Thing", table.clone(), vec![ID, varchar("name", 20)]);
        migrations::make_migrations(&[v1], dir.path(), &mut NonInteractive).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        Executor::new(&t.db, &set)
            .recorder_table(&recorder)
            .migrate(&Target::Latest)
            .await
            .unwrap();
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            s.q(&table),
            s.q("name"),
            s.p(1)
        );
        s.exec(&insert, vec!["same".into()]).await.unwrap();
        s.exec(&insert, vec!["same".into()]).await.unwrap();

        // Adds a column, then makes `name` unique, which the rows refuse.
        let v2 = model(
            "Thing",
            table.clone(),
            vec![
                ID,
                varchar("name", 20).unique(true),
                FieldMeta::new("extra", "extra", ColumnType::Int).default(DefaultValue::Int(1)),
            ],
        );
        migrations::make_migrations(&[v2], dir.path(), &mut NonInteractive).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        let ops = &set.migrations()[1].operations;
        assert!(matches!(ops[0], Operation::AddField { .. }), "{ops:?}");
        let err = Executor::new(&t.db, &set)
            .recorder_table(&recorder)
            .migrate(&Target::Latest)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("0002"), "{err}");
        let status = Executor::new(&t.db, &set)
            .recorder_table(&recorder)
            .status()
            .await
            .unwrap();
        assert_eq!(
            status.iter().map(|m| m.applied).collect::<Vec<_>>(),
            [true, false]
        );
        let extra = s.has_column(&table, "extra").await;
        if t.db.backend() == Backend::MySql {
            // No transactional DDL: the added column stays; the migration is not recorded.
            assert!(extra, "mysql keeps DDL that ran before the failure");
        } else {
            assert!(!extra, "{}: half of the migration stayed", t.name);
            assert_eq!(s.count(&table).await, 2);
        }
    })
    .await;
}

#[tokio::test]
async fn renames_and_data_migrations() {
    on_every_backend("migrate_rename", |t| async move {
        let s = Sql(&t);
        let dir = dir();
        let recorder = t.table("migrations");
        let table = t.table("person");
        let v1 = model("Person", table.clone(), vec![ID, varchar("name", 50)]);
        migrations::make_migrations(&[v1], dir.path(), &mut NonInteractive).unwrap();

        // Renamed `name` to `full_name` and added `slug`: the rename is confirmed by a flag.
        let v2 = model(
            "Person",
            table.clone(),
            vec![ID, varchar("full_name", 50), varchar("slug", 50).null(true)],
        );
        let mut q = FlagQuestioner::parse(&["shop.Person.name=full_name"]).unwrap();
        let written = migrations::make_migrations(&[v2], dir.path(), &mut q).unwrap();
        // A data migration is an operation added by hand to the reviewed file.
        let mut m = MigrationSet::from_dir(dir.path()).unwrap().migrations()[1].clone();
        assert!(
            matches!(m.operations[0], Operation::RenameField { .. }),
            "{:?}",
            m.operations
        );
        m.operations.push(Operation::RunRust {
            name: "fill_slugs".into(),
            backward: Some("clear_slugs".into()),
        });
        std::fs::write(&written[0], m.to_json()).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        assert!(migrations::check(&[v2], &set).is_empty());

        // Apply 0001 and add a row, then the rest.
        let registry = RustRegistry::new()
            .register("fill_slugs", |tx| {
                Box::pin(async move {
                    let b = tx.backend();
                    let sql = format!(
                        "UPDATE {} SET {} = LOWER({})",
                        b.quote(TABLE.get().unwrap()),
                        b.quote("slug"),
                        b.quote("full_name")
                    );
                    tx.execute(&sql, vec![]).await?;
                    Ok(())
                })
            })
            .register("clear_slugs", |tx| {
                Box::pin(async move {
                    let table = tx.backend().quote(TABLE.get().unwrap());
                    let slug = tx.backend().quote("slug");
                    tx.execute(&format!("UPDATE {table} SET {slug} = NULL"), vec![])
                        .await?;
                    Ok(())
                })
            });
        static TABLE: OnceLock<String> = OnceLock::new();
        let _ = TABLE.set(table.clone());
        let exec = || {
            Executor::new(&t.db, &set)
                .recorder_table(&recorder)
                .rust(&registry)
        };
        exec()
            .migrate(&Target::To {
                app: "shop".into(),
                name: "0001_initial".into(),
            })
            .await
            .unwrap();
        s.exec(
            &format!(
                "INSERT INTO {} ({}) VALUES ({})",
                s.q(&table),
                s.q("name"),
                s.p(1)
            ),
            vec!["Ada Lovelace".into()],
        )
        .await
        .unwrap();
        exec().migrate(&Target::Latest).await.unwrap();
        let rows =
            t.db.fetch_all(
                &format!(
                    "SELECT {}, {} FROM {}",
                    s.q("full_name"),
                    s.q("slug"),
                    s.q(&table)
                ),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(rows[0].get::<String>(0).unwrap(), "Ada Lovelace");
        assert_eq!(rows[0].get::<String>(1).unwrap(), "ada lovelace");

        // Back: the column has its old name and the data.
        exec()
            .migrate(&Target::To {
                app: "shop".into(),
                name: "0001_initial".into(),
            })
            .await
            .unwrap();
        let rows =
            t.db.fetch_all(
                &format!("SELECT {} FROM {}", s.q("name"), s.q(&table)),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(rows[0].get::<String>(0).unwrap(), "Ada Lovelace");
        exec()
            .migrate(&Target::Zero { app: "shop".into() })
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn many_to_many_indexes_unique_and_model_rename() {
    on_every_backend("migrate_m2m", |t| async move {
        use fullstack::model::{IndexMeta, ManyToManyMeta};
        let s = Sql(&t);
        let dir = dir();
        let recorder = t.table("migrations");
        let (tag_t, post_t, join_t) = (t.table("tag"), t.table("post"), t.table("post_tags"));
        static TAG: OnceLock<&'static ModelMeta> = OnceLock::new();
        static LABEL: OnceLock<&'static ModelMeta> = OnceLock::new();
        fn tag() -> &'static ModelMeta {
            TAG.get().unwrap()
        }
        fn label() -> &'static ModelMeta {
            LABEL.get().unwrap()
        }
        let _ = TAG.set(model("Tag", tag_t.clone(), vec![ID, varchar("label", 30)]));
        let post = |to: fn() -> &'static ModelMeta,
                    to_column: &'static str,
                    indexed: bool|
         -> &'static ModelMeta {
            let index_name: &'static str = Box::leak(t.table("post_title").into_boxed_str());
            let indexes: &'static [IndexMeta] = if indexed {
                Box::leak(Box::new([IndexMeta {
                    name: index_name,
                    fields: &["title", "id"],
                    unique: false,
                }]))
            } else {
                &[]
            };
            let table = Box::leak(post_t.clone().into_boxed_str());
            let fields = Box::leak(Box::new([ID, varchar("title", 100)]));
            let tags = Box::leak(Box::new([ManyToManyMeta {
                name: "tags",
                to,
                table: Box::leak(join_t.clone().into_boxed_str()),
                from_column: "post_id",
                to_column,
                through: None,
                symmetrical: false,
            }]));
            let post = ModelMeta::new("shop", "Post", table, fields)
                .indexes(indexes)
                .many_to_many(tags);
            Box::leak(Box::new(post))
        };
        let v1 = [post(tag, "tag_id", true), tag()];
        migrations::make_migrations(&v1, dir.path(), &mut NonInteractive).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        let exec = |set| Executor::new(&t.db, set).recorder_table(&recorder);
        exec(&set).migrate(&Target::Latest).await.unwrap();

        let ins = |table: &str, col: &str| {
            format!(
                "INSERT INTO {} ({}) VALUES ({})",
                s.q(table),
                s.q(col),
                s.p(1)
            )
        };
        s.exec(&ins(&tag_t, "label"), vec!["rust".into()])
            .await
            .unwrap();
        s.exec(&ins(&tag_t, "label"), vec!["rust".into()])
            .await
            .unwrap();
        s.exec(&ins(&post_t, "title"), vec!["Hello".into()])
            .await
            .unwrap();
        let link = format!(
            "INSERT INTO {} ({}, {}) VALUES ({}, {})",
            s.q(&join_t),
            s.q("post_id"),
            s.q("tag_id"),
            s.p(1),
            s.p(2)
        );
        s.exec(&link, vec![Value::BigInt(1), Value::BigInt(1)])
            .await
            .unwrap();
        assert!(
            s.exec(&link, vec![Value::BigInt(1), Value::BigInt(1)])
                .await
                .is_err(),
            "unique together"
        );
        assert!(
            s.exec(&link, vec![Value::BigInt(1), Value::BigInt(9)])
                .await
                .is_err(),
            "foreign key"
        );
        s.exec(
            &format!(
                "DELETE FROM {} WHERE {} = {}",
                s.q(&tag_t),
                s.q("id"),
                s.p(1)
            ),
            vec![Value::BigInt(2)],
        )
        .await
        .unwrap();

        // v2: Tag renamed to Label (asked), its label made unique, the post index dropped.
        let label_t = t.table("label");
        let _ = LABEL.set(model(
            "Label",
            label_t.clone(),
            vec![
                ID,
                varchar("label", 30).unique(true),
            ],
        ));
        let v2 = [post(label, "label_id", false), label()];
        let mut q = FlagQuestioner::new().rename_model("shop.Tag", "shop.Label");
        migrations::make_migrations(&v2, dir.path(), &mut q).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        let ops = &set.migrations()[1].operations;
        assert!(matches!(ops[0], Operation::RenameModel { .. }), "{ops:?}");
        // Then: label altered, the index dropped, the join column renamed with the model.
        assert_eq!(ops.len(), 4, "{ops:?}");
        assert!(
            ops.iter().any(|o| matches!(o, Operation::RenameField { new_column, .. } if new_column == "label_id")),
            "{ops:?}"
        );
        exec(&set).migrate(&Target::Latest).await.unwrap();

        // The join rows survived the rebuild of the table they point at (SQLite).
        assert_eq!(s.count(&join_t).await, 1);
        assert_eq!(s.count(&label_t).await, 1);
        assert!(
            s.exec(&ins(&label_t, "label"), vec!["rust".into()])
                .await
                .is_err(),
            "unique"
        );
        assert!(
            s.exec(&link, vec![Value::BigInt(1), Value::BigInt(9)])
                .await
                .is_err(),
            "foreign key"
        );
        // Deleting the post cascades to the join table.
        s.exec(&format!("DELETE FROM {}", s.q(&post_t)), vec![])
            .await
            .unwrap();
        assert_eq!(s.count(&join_t).await, 0);
        assert!(migrations::check(&v2, &set).is_empty());

        exec(&set)
            .migrate(&Target::Zero { app: "shop".into() })
            .await
            .unwrap();
        for table in [&label_t, &post_t, &join_t] {
            assert!(!s.has_column(table, "id").await, "{table} left behind");
        }
    })
    .await;
}

#[tokio::test]
async fn constraints_follow_a_renamed_model() {
    on_every_backend("migrate_renamed_constraints", |t| async move {
        let s = Sql(&t);
        let dir = dir();
        let recorder = t.table("migrations");
        static OWNER: OnceLock<&'static ModelMeta> = OnceLock::new();
        fn owner() -> &'static ModelMeta {
            OWNER.get().unwrap()
        }
        let owner_m = *OWNER.get_or_init(|| model("Owner", t.table("owner"), vec![ID]));
        let fields = |v3: bool| {
            vec![
                ID,
                FieldMeta::new("owner", "owner_id", ColumnType::BigInt)
                    .null(v3)
                    .relation(Relation {
                        kind: RelationKind::ForeignKey,
                        to: owner,
                        on_delete: if v3 {
                            OnDelete::SetNull
                        } else {
                            OnDelete::Cascade
                        },
                        related_name: None,
                    }),
                varchar("code", 20).unique(!v3),
                varchar("nick", 20).index(!v3),
            ]
        };
        let v1 = [model("Profile", t.table("profile"), fields(false)), owner_m];
        migrations::make_migrations(&v1, dir.path(), &mut NonInteractive).unwrap();
        let v2 = [model("Member", t.table("member"), fields(false)), owner_m];
        let mut q = FlagQuestioner::parse(&["shop.Profile=Member"]).unwrap();
        migrations::make_migrations(&v2, dir.path(), &mut q).unwrap();
        // v3 drops the unique constraint, the index, and changes the foreign key: by the names
        // the renamed table's constraints now have.
        let v3 = [model("Member", t.table("member"), fields(true)), owner_m];
        migrations::make_migrations(&v3, dir.path(), &mut NonInteractive).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        assert_eq!(set.migrations().len(), 3);
        let exec = || Executor::new(&t.db, &set).recorder_table(&recorder);
        exec().migrate(&Target::Latest).await.unwrap();

        let member = t.table("member");
        s.exec(
            &format!(
                "INSERT INTO {} ({}) VALUES ({})",
                s.q(&t.table("owner")),
                s.q("id"),
                s.p(1)
            ),
            vec![Value::BigInt(1)],
        )
        .await
        .unwrap();
        let insert = format!(
            "INSERT INTO {} ({}, {}, {}) VALUES ({}, {}, {})",
            s.q(&member),
            s.q("owner_id"),
            s.q("code"),
            s.q("nick"),
            s.p(1),
            s.p(2),
            s.p(3)
        );
        s.exec(&insert, vec![Value::BigInt(1), "a".into(), "n".into()])
            .await
            .unwrap();
        s.exec(&insert, vec![Value::BigInt(1), "a".into(), "n".into()])
            .await
            .unwrap(); // not unique now
        s.exec(&format!("DELETE FROM {}", s.q(&t.table("owner"))), vec![])
            .await
            .unwrap();
        assert_eq!(s.count(&member).await, 2, "SET NULL, not CASCADE");

        s.exec(&format!("DELETE FROM {}", s.q(&member)), vec![])
            .await
            .unwrap();
        exec()
            .migrate(&Target::Zero { app: "shop".into() })
            .await
            .unwrap();
        assert!(!s.has_column(&t.table("profile"), "id").await);
    })
    .await;
}

#[tokio::test]
async fn not_null_fields_get_a_one_off_value_for_existing_rows() {
    on_every_backend("migrate_fill", |t| async move {
        let s = Sql(&t);
        let dir = dir();
        let recorder = t.table("migrations");
        let table = t.table("item");
        let nullable = varchar("colour", 20).null(true);
        let v1 = model("Item", table.clone(), vec![ID, nullable]);
        migrations::make_migrations(&[v1], dir.path(), &mut NonInteractive).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        Executor::new(&t.db, &set)
            .recorder_table(&recorder)
            .migrate(&Target::Latest)
            .await
            .unwrap();
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            s.q(&table),
            s.q("colour"),
            s.p(1)
        );
        s.exec(&insert, vec![Value::Null(ColumnType::VarChar)])
            .await
            .unwrap();
        s.exec(&insert, vec!["red".into()]).await.unwrap();

        // `qty` is added NOT NULL without a default, `colour` stops accepting NULL: the
        // questioner gives the values existing rows get, once.
        let v2 = model(
            "Item",
            table.clone(),
            vec![
                ID,
                varchar("colour", 20),
                FieldMeta::new("qty", "qty", ColumnType::Int),
            ],
        );
        let mut q = FlagQuestioner::new()
            .parse_fill("shop.Item.qty=7")
            .unwrap()
            .parse_fill("shop.Item.colour=unknown")
            .unwrap();
        migrations::make_migrations(&[v2], dir.path(), &mut q).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        assert!(migrations::check(&[v2], &set).is_empty());
        Executor::new(&t.db, &set)
            .recorder_table(&recorder)
            .migrate(&Target::Latest)
            .await
            .unwrap();
        let rows =
            t.db.fetch_all(
                &format!(
                    "SELECT {}, {} FROM {} ORDER BY {}",
                    s.q("colour"),
                    s.q("qty"),
                    s.q(&table),
                    s.q("id")
                ),
                vec![],
            )
            .await
            .unwrap();
        let read: Vec<(String, i32)> = rows
            .iter()
            .map(|r| (r.get(0).unwrap(), r.get(1).unwrap()))
            .collect();
        assert_eq!(
            read,
            [("unknown".into(), 7), ("red".into(), 7)],
            "{}",
            t.name
        );
        // The value was for existing rows only: new rows must give one.
        assert!(
            s.exec(&insert, vec!["blue".into()]).await.is_err(),
            "{}: qty kept a default",
            t.name
        );
    })
    .await;
}

#[tokio::test]
async fn an_irreversible_migration_stops_a_rollback_before_it_starts() {
    on_every_backend("migrate_irreversible", |t| async move {
        let s = Sql(&t);
        let dir = dir();
        let recorder = t.table("migrations");
        let table = t.table("note");
        let v1 = model("Note", table.clone(), vec![ID, varchar("body", 20)]);
        migrations::make_migrations(&[v1], dir.path(), &mut NonInteractive).unwrap();
        let v2 = model(
            "Note",
            table.clone(),
            vec![
                ID,
                varchar("body", 20),
                FieldMeta::new("seen", "seen", ColumnType::Bool).null(true),
            ],
        );
        migrations::make_migrations(&[v2], dir.path(), &mut NonInteractive).unwrap();
        // 0003: raw SQL without a way back.
        let raw = migrations::Migration {
            app: "shop".into(),
            name: "0003_raw".into(),
            dependencies: vec![],
            operations: vec![Operation::RunSql {
                forward: vec![format!(
                    "UPDATE {} SET {} = {}",
                    s.q(&table),
                    s.q("body"),
                    "'x'"
                )],
                backward: None,
            }],
        };
        migrations::write_migration(dir.path(), &raw).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        let exec = || Executor::new(&t.db, &set).recorder_table(&recorder);
        exec().migrate(&Target::Latest).await.unwrap();
        let err = exec()
            .migrate(&Target::To {
                app: "shop".into(),
                name: "0001_initial".into(),
            })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("cannot be undone"), "{err}");
        // Nothing was rolled back, not even 0002, which could have been.
        assert!(s.has_column(&table, "seen").await);
        let status = exec().status().await.unwrap();
        assert!(status.iter().all(|m| m.applied), "{status:?}");
    })
    .await;
}

#[tokio::test]
async fn two_processes_migrating_at_once_apply_each_migration_once() {
    on_every_backend("migrate_concurrent", |t| async move {
        let s = Sql(&t);
        let dir = dir();
        let recorder = t.table("migrations");
        let table = t.table("race");
        let v1 = model("Race", table.clone(), vec![ID, varchar("name", 20)]);
        migrations::make_migrations(&[v1], dir.path(), &mut NonInteractive).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        let a = Executor::new(&t.db, &set).recorder_table(&recorder);
        let b = Executor::new(&t.db, &set).recorder_table(&recorder);
        let (ra, rb) = tokio::join!(a.migrate(&Target::Latest), b.migrate(&Target::Latest));
        if t.db.backend() == Backend::Sqlite {
            // No lock: one wins, the other's migration fails and rolls back whole.
            assert!(ra.is_ok() || rb.is_ok());
        } else {
            let (ra, rb) = (ra.unwrap(), rb.unwrap());
            assert_eq!(ra.applied.len() + rb.applied.len(), 1, "{ra:?} {rb:?}");
        }
        let status = a.status().await.unwrap();
        assert!(status.iter().all(|m| m.applied));
        assert!(s.has_column(&table, "name").await);
    })
    .await;
}

/// What a deployed binary does: the migrations are compiled in through the `embedded.rs` index
/// `makemigrations` keeps (this fixture was written by `make_migrations`).
static EMBEDDED: &[(&str, &str, &str)] = include!("fixtures/migrations/embedded.rs");

#[test]
fn migrations_embed_in_the_binary() {
    let embedded = MigrationSet::from_embedded(EMBEDDED).unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/migrations");
    let on_disk = MigrationSet::from_dir(&dir).unwrap();
    assert_eq!(embedded.migrations(), on_disk.migrations());
    assert_eq!(embedded.migrations().len(), 2);
    let state = embedded.state().unwrap();
    assert!(state.models.contains_key("blog.Aaapost_tags"));
    let sql = migrations::sql_migrate(&embedded, "blog", "0001_initial", Backend::Postgres, false)
        .unwrap();
    assert!(
        sql[0].starts_with(r#"CREATE TABLE "blog_author""#),
        "{sql:?}"
    );
}

#[tokio::test]
async fn a_type_change_keeps_the_data() {
    on_every_backend("migrate_retype", |t| async move {
        let s = Sql(&t);
        let dir = dir();
        let recorder = t.table("migrations");
        let table = t.table("counter");
        let fields = |wide: bool| {
            vec![
                ID,
                FieldMeta::new(
                    "n",
                    "n",
                    if wide {
                        ColumnType::BigInt
                    } else {
                        ColumnType::Int
                    },
                )
                .default(DefaultValue::Int(0)),
                if wide {
                    FieldMeta::new("label", "label", ColumnType::Text)
                } else {
                    varchar("label", 10)
                },
            ]
        };
        let v1 = model("Counter", table.clone(), fields(false));
        migrations::make_migrations(&[v1], dir.path(), &mut NonInteractive).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        Executor::new(&t.db, &set)
            .recorder_table(&recorder)
            .migrate(&Target::Latest)
            .await
            .unwrap();
        s.exec(
            &format!(
                "INSERT INTO {} ({}, {}) VALUES ({}, {})",
                s.q(&table),
                s.q("n"),
                s.q("label"),
                s.p(1),
                s.p(2)
            ),
            vec![Value::Int(41), "short".into()],
        )
        .await
        .unwrap();
        let v2 = model("Counter", table.clone(), fields(true));
        migrations::make_migrations(&[v2], dir.path(), &mut NonInteractive).unwrap();
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        Executor::new(&t.db, &set)
            .recorder_table(&recorder)
            .migrate(&Target::Latest)
            .await
            .unwrap();
        s.exec(
            &format!(
                "INSERT INTO {} ({}, {}) VALUES ({}, {})",
                s.q(&table),
                s.q("label"),
                s.q("n"),
                s.p(1),
                s.p(2)
            ),
            // Not the statement used before the migration: sqlx caches prepared statements per
            // connection, with the parameter types of the old schema.
            vec![
                "a label much longer than ten".into(),
                Value::BigInt(9_000_000_000),
            ],
        )
        .await
        .unwrap();
        let rows =
            t.db.fetch_all(
                &format!(
                    "SELECT {}, {} FROM {} ORDER BY {}",
                    s.q("n"),
                    s.q("label"),
                    s.q(&table),
                    s.q("id")
                ),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(rows[0].get::<i64>(0).unwrap(), 41);
        assert_eq!(rows[0].get::<String>(1).unwrap(), "short");
        assert_eq!(rows[1].get::<i64>(0).unwrap(), 9_000_000_000);
        // The default survived the type change.
        s.exec(
            &format!(
                "INSERT INTO {} ({}) VALUES ({})",
                s.q(&table),
                s.q("label"),
                s.p(1)
            ),
            vec!["d".into()],
        )
        .await
        .unwrap();
        assert_eq!(s.count(&table).await, 3);
    })
    .await;
}

#[tokio::test]
async fn decimal_fields_are_added_and_their_digits_altered() {
    on_every_backend("migrate_decimal", |t| async move {
        let s = Sql(&t);
        let dir = dir();
        let recorder = t.table("migrations");
        let table = t.table("item");
        let price = |digits: u32, places: u32| {
            FieldMeta::new("price", "price", ColumnType::Decimal)
                .max_digits(digits)
                .decimal_places(places)
                .default(DefaultValue::Text("0.00"))
        };
        let migrate = |expect: &'static str| {
            let (dir, recorder) = (dir.path(), &recorder);
            let t = &t;
            async move {
                let set = MigrationSet::from_dir(dir).unwrap();
                let report = Executor::new(&t.db, &set)
                    .recorder_table(recorder)
                    .migrate(&Target::Latest)
                    .await
                    .unwrap();
                assert_eq!(report.applied.len(), 1, "{expect}: {report:?}");
                assert!(report.applied[0].1.contains(expect), "{report:?}");
            }
        };
        let make = |fields: Vec<FieldMeta>| {
            let m = model("Item", table.clone(), fields);
            let written =
                migrations::make_migrations(&[m], dir.path(), &mut NonInteractive).unwrap();
            assert_eq!(written.len(), 1);
            std::fs::read_to_string(&written[0]).unwrap()
        };
        let insert = format!(
            "INSERT INTO {} ({}, {}) VALUES ({}, {})",
            s.q(&table),
            s.q("name"),
            s.q("price"),
            s.p(1),
            s.p(2)
        );
        let prices = || async {
            let rows =
                t.db.fetch_all(
                    &format!(
                        "SELECT {} FROM {} ORDER BY {}",
                        s.q("price"),
                        s.q(&table),
                        s.q("id")
                    ),
                    vec![],
                )
                .await
                .unwrap();
            rows.iter()
                .map(|r| r.get::<fullstack::Decimal>(0).unwrap())
                .collect::<Vec<_>>()
        };
        let dec = |s: &str| Value::Decimal(s.parse().unwrap());

        make(vec![ID, varchar("name", 20)]);
        migrate("initial").await;
        s.exec(
            &format!(
                "INSERT INTO {} ({}) VALUES ({})",
                s.q(&table),
                s.q("name"),
                s.p(1)
            ),
            vec!["old".into()],
        )
        .await
        .unwrap();

        // Added with its digits and default: the existing row gets 0.00.
        let json = make(vec![ID, varchar("name", 20), price(6, 2)]);
        assert!(
            json.contains(r#""op": "add_field""#)
                && json.contains(r#""type": "decimal""#)
                && json.contains(r#""max_digits": 6"#)
                && json.contains(r#""decimal_places": 2"#),
            "{json}"
        );
        migrate("add_item_price").await;
        s.exec(&insert, vec!["a".into(), dec("1234.56")])
            .await
            .unwrap();
        if t.db.backend() != Backend::Sqlite {
            // NUMERIC(6, 2) holds four digits before the point (SQLite does not check).
            assert!(
                s.exec(&insert, vec!["b".into(), dec("123456.78")])
                    .await
                    .is_err(),
                "{}",
                t.name
            );
        }

        // More digits: an AlterField that retypes the column, keeping the values.
        let json = make(vec![ID, varchar("name", 20), price(10, 4)]);
        assert!(
            json.contains(r#""op": "alter_field""#) && json.contains(r#""max_digits": 10"#),
            "{json}"
        );
        migrate("alter_item_price").await;
        s.exec(&insert, vec!["c".into(), dec("123456.7891")])
            .await
            .unwrap();
        let expected: Vec<fullstack::Decimal> = ["0", "1234.56", "123456.7891"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(prices().await, expected, "{}", t.name);

        let m = model(
            "Item",
            table.clone(),
            vec![ID, varchar("name", 20), price(10, 4)],
        );
        let set = MigrationSet::from_dir(dir.path()).unwrap();
        assert!(migrations::check(&[m], &set).is_empty());
    })
    .await;
}

/// Several sessions reading the migration state of a new database at once (replicas starting
/// together, `showmigrations` beside `migrate`) each create the recorder table if it is missing;
/// on PostgreSQL `CREATE TABLE IF NOT EXISTS` races, and the loser must not fail.
#[tokio::test]
async fn sessions_creating_the_recorder_table_at_once_all_succeed() {
    on_every_backend("recorder_race", |t| async move {
        let set = MigrationSet::new(Vec::new()).unwrap();
        for round in 0..5 {
            let recorder = t.table(&format!("rec{round}"));
            let runs = (0..6).map(|_| async {
                Executor::new(&t.db, &set)
                    .recorder_table(&recorder)
                    .status()
                    .await
            });
            for r in futures_util::future::join_all(runs).await {
                r.unwrap_or_else(|e| panic!("{}: {e}", t.name));
            }
            let drop = format!("DROP TABLE {}", t.db.backend().quote(&recorder));
            t.db.execute(&drop, Vec::new()).await.unwrap();
        }
    })
    .await;
}
