//! Unit tests of the autodetector, the writer/loader and the DDL, no database needed.

use super::*;
use crate::db::ColumnType;
use crate::model::{
    DefaultValue, FieldMeta, IndexMeta, ManyToManyMeta, ModelMeta, OnDelete, Relation, RelationKind,
};

const ID: FieldMeta = FieldMeta {
    primary_key: true,
    auto: true,
    ..FieldMeta::new("id", "id", ColumnType::BigInt)
};

static AUTHOR: ModelMeta = ModelMeta {
    app: "blog",
    name: "Author",
    table: "blog_author",
    fields: &[
        ID,
        FieldMeta {
            max_length: Some(100),
            unique: true,
            ..FieldMeta::new("name", "name", ColumnType::VarChar)
        },
    ],
    indexes: &[],
    many_to_many: &[],
    ordering: &[],
    verbose_name: None,
    verbose_name_plural: None,
};

fn author() -> &'static ModelMeta {
    &AUTHOR
}
fn tag() -> &'static ModelMeta {
    &TAG
}

static TAG: ModelMeta = ModelMeta {
    app: "blog",
    name: "Tag",
    table: "blog_tag",
    fields: &[ID, FieldMeta::new("label", "label", ColumnType::Text)],
    indexes: &[],
    many_to_many: &[],
    ordering: &[],
    verbose_name: None,
    verbose_name_plural: None,
};

// "Aaa" sorts before "Author": the autodetector must still create Author first.
static POST: ModelMeta = ModelMeta {
    app: "blog",
    name: "Aaapost",
    table: "blog_post",
    fields: &[
        ID,
        FieldMeta::new("title", "title", ColumnType::Text),
        FieldMeta {
            relation: Some(Relation {
                kind: RelationKind::ForeignKey,
                to: author,
                on_delete: OnDelete::Cascade,
                related_name: None,
            }),
            ..FieldMeta::new("author", "author_id", ColumnType::BigInt)
        },
    ],
    indexes: &[IndexMeta {
        name: "blog_post_title_author",
        fields: &["title", "author"],
        unique: true,
    }],
    many_to_many: &[ManyToManyMeta {
        name: "tags",
        to: tag,
        table: "blog_post_tags",
        from_column: "aaapost_id",
        to_column: "tag_id",
        through: None,
        symmetrical: false,
    }],
    ordering: &[],
    verbose_name: None,
    verbose_name_plural: None,
};

fn state(models: &[&ModelMeta]) -> ProjectState {
    ProjectState::from_models(models)
}

/// The operations, when no question comes up.
fn ops(from: &ProjectState, to: &ProjectState) -> Vec<Operation> {
    diff(from, to, &mut NonInteractive).unwrap()
}

fn model_mut<'a>(s: &'a mut ProjectState, label: &str) -> &'a mut ModelState {
    s.models.get_mut(label).unwrap()
}

#[test]
fn initial_creates_models_in_foreign_key_order_with_join_tables() {
    let to = state(&[&POST, &AUTHOR, &TAG]);
    let ops = ops(&ProjectState::default(), &to);
    let created: Vec<String> = ops
        .iter()
        .map(|o| match o {
            Operation::CreateModel { model } => model.name.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    let pos = |n: &str| created.iter().position(|c| c == n).unwrap();
    assert!(pos("Author") < pos("Aaapost"), "{created:?}");
    assert!(pos("Aaapost") < pos("Aaapost_tags"), "{created:?}");
    assert!(pos("Tag") < pos("Aaapost_tags"), "{created:?}");
    let join = to.model("blog.Aaapost_tags").unwrap();
    assert_eq!(join.table, "blog_post_tags");
    assert_eq!(join.field("aaapost").unwrap().column, "aaapost_id");
    assert_eq!(join.field("tag").unwrap().column, "tag_id");
    assert!(join.indexes[0].unique);
    // Replaying the operations gives the target state: nothing left to detect.
    let mut replay = ProjectState::default();
    for op in &ops {
        op.apply_state(&mut replay).unwrap();
    }
    assert_eq!(replay, to);
}

#[test]
fn foreign_key_cycle_is_broken_with_a_later_add_field() {
    let mut to = state(&[&AUTHOR, &POST, &TAG]);
    let fk = to
        .model("blog.Aaapost")
        .unwrap()
        .field("author")
        .unwrap()
        .clone();
    let mut back = fk.clone();
    back.name = "favourite".into();
    back.column = "favourite_id".into();
    back.relation.as_mut().unwrap().to = "blog.Aaapost".into();
    back.null = true;
    model_mut(&mut to, "blog.Author").fields.push(back);
    let ops = ops(&ProjectState::default(), &to);
    let mut replay = ProjectState::default();
    for op in &ops {
        op.apply_state(&mut replay).unwrap();
    }
    assert_eq!(replay, to);
    assert!(ops.iter().any(|o| matches!(o, Operation::AddField { .. })));
    // Every DDL statement finds the tables it points at.
    let mut s = ProjectState::default();
    for op in &ops {
        for b in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
            op.forward_sql(b, &s).unwrap();
        }
        op.apply_state(&mut s).unwrap();
    }
}

#[test]
fn field_changes_are_detected() {
    let from = state(&[&AUTHOR]);
    let mut to = from.clone();
    let m = model_mut(&mut to, "blog.Author");
    m.fields[1].max_length = Some(200); // alter max_length
    m.fields.push(FieldState::from_meta(&FieldMeta {
        default: Some(DefaultValue::Int(0)),
        ..FieldMeta::new("votes", "votes", ColumnType::Int)
    }));
    let ops = ops(&from, &to);
    assert_eq!(ops.len(), 2, "{ops:?}");
    assert!(matches!(&ops[0], Operation::AddField { field, .. } if field.name == "votes"));
    assert!(matches!(&ops[1], Operation::AlterField { old, new, .. }
        if old.max_length == Some(100) && new.max_length == Some(200)));
    assert_eq!(auto_name(&ops[..1], false), "add_author_votes");

    // Type, NULL, default, unique, index.
    for change in [
        |f: &mut FieldState| f.ty = ColumnType::Text,
        |f: &mut FieldState| f.null = true,
        |f: &mut FieldState| f.default = Some(state::DefaultState::Text("x".into())),
        |f: &mut FieldState| f.unique = false,
        |f: &mut FieldState| {
            f.unique = false;
            f.index = true;
        },
    ] {
        let mut to = from.clone();
        change(&mut model_mut(&mut to, "blog.Author").fields[1]);
        let ops = self::ops(&from, &to);
        assert!(
            matches!(ops.as_slice(), [Operation::AlterField { .. }]),
            "{ops:?}"
        );
        for b in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
            assert!(!ops[0].forward_sql(b, &from).unwrap().is_empty());
        }
    }

    // Removal.
    let mut to = from.clone();
    model_mut(&mut to, "blog.Author").fields.pop();
    assert!(matches!(
        self::ops(&from, &to).as_slice(),
        [Operation::RemoveField { name, .. }] if name == "name"
    ));
}

#[test]
fn indexes_are_added_and_removed() {
    let from = state(&[&AUTHOR, &POST, &TAG]);
    let mut to = from.clone();
    model_mut(&mut to, "blog.Aaapost").indexes.clear();
    let ops1 = ops(&from, &to);
    assert!(
        matches!(ops1.as_slice(), [Operation::RemoveIndex { name, .. }] if name == "blog_post_title_author")
    );
    let ops2 = ops(&to, &from);
    assert!(matches!(ops2.as_slice(), [Operation::AddIndex { index, .. }] if index.unique));
    let sql = ops2[0].forward_sql(Backend::Postgres, &to).unwrap();
    assert_eq!(
        sql,
        [r#"CREATE UNIQUE INDEX "blog_post_title_author" ON "blog_post" ("title", "author_id")"#]
    );
    assert_eq!(
        ops1[0].forward_sql(Backend::MySql, &from).unwrap(),
        ["DROP INDEX `blog_post_title_author` ON `blog_post`"]
    );
}

#[test]
fn renames_are_asked_never_guessed() {
    let from = state(&[&AUTHOR]);
    let mut to = from.clone();
    let f = &mut model_mut(&mut to, "blog.Author").fields[1];
    f.name = "full_name".into();
    f.column = "full_name".into();

    // Nobody to ask: refused, naming the field and both answers.
    let err = diff(&from, &to, &mut NonInteractive)
        .unwrap_err()
        .to_string();
    assert!(err.contains("nothing was written"), "{err}");
    assert!(
        err.contains(
            "Field blog.Author.name is gone and blog.Author.full_name, a VarChar(100) field, is new"
        ),
        "{err}"
    );
    assert!(err.contains("--rename blog.Author.name=full_name"), "{err}");
    assert!(err.contains("--remove blog.Author.name"), "{err}");

    let mut q = FlagQuestioner::parse(&["blog.Author.name=full_name"]).unwrap();
    let renamed = diff(&from, &to, &mut q).unwrap();
    assert!(
        matches!(renamed.as_slice(), [Operation::RenameField { old_name, new_name, .. }]
            if old_name == "name" && new_name == "full_name"),
        "{renamed:?}"
    );
    // (The new field cannot be NULL: the existing rows need a value.)
    let mut q = FlagQuestioner::new()
        .parse_remove("blog.Author.name")
        .and_then(|q| q.parse_fill("blog.Author.full_name=anonymous"))
        .unwrap();
    assert!(matches!(
        diff(&from, &to, &mut q).unwrap().as_slice(),
        [Operation::RemoveField { .. }, Operation::AddField { .. }]
    ));

    let mut out = Vec::new();
    let mut answers = Interactive::new(&b"y\n"[..], &mut out);
    assert_eq!(diff(&from, &to, &mut answers).unwrap(), renamed);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "Was blog.Author.name renamed to blog.Author.full_name (a VarChar(100) field)? [y/N] "
    );
    // No is a removal and an addition; a wrong answer is asked again; the end of the input
    // stops everything.
    let mut answers = Interactive::new(&b"maybe\n\n1\nanonymous\n"[..], Vec::new());
    assert!(matches!(
        diff(&from, &to, &mut answers).unwrap().as_slice(),
        [Operation::RemoveField { .. }, Operation::AddField { .. }]
    ));
    let mut answers = Interactive::new(&b""[..], Vec::new());
    let err = diff(&from, &to, &mut answers).unwrap_err().to_string();
    assert!(err.contains("stopped"), "{err}");

    // Two candidates: each is asked in turn, and a flag naming one rules the other out.
    let mut two = to.clone();
    let mut other = two.model("blog.Author").unwrap().fields[1].clone();
    other.name = "pen_name".into();
    other.column = "pen_name".into();
    model_mut(&mut two, "blog.Author").fields.push(other);
    let mut answers = Interactive::new(&b"n\ny\n1\nanonymous\n"[..], Vec::new());
    assert!(matches!(
        diff(&from, &two, &mut answers).unwrap().as_slice(),
        [Operation::RenameField { new_name, .. }, Operation::AddField { field, .. }]
            if new_name == "pen_name" && field.name == "full_name"
    ));
    let mut q = FlagQuestioner::parse(&["blog.Author.name=pen_name"])
        .and_then(|q| q.parse_fill("blog.Author.full_name=anonymous"))
        .unwrap();
    assert!(matches!(
        diff(&from, &two, &mut q).unwrap().as_slice(),
        [Operation::RenameField { new_name, .. }, Operation::AddField { .. }]
            if new_name == "pen_name"
    ));

    // A model rename.
    let mut to = from.clone();
    let mut m = to.models.remove("blog.Author").unwrap();
    m.name = "Writer".into();
    m.table = "blog_writer".into();
    to.models.insert(m.label(), m);
    let mut q = FlagQuestioner::new().rename_model("blog.Author", "blog.Writer");
    assert!(matches!(
        diff(&from, &to, &mut q).unwrap().as_slice(),
        [Operation::RenameModel { new_table, .. }] if new_table == "blog_writer"
    ));
    let err = diff(&from, &to, &mut NonInteractive)
        .unwrap_err()
        .to_string();
    assert!(err.contains("--rename blog.Author=Writer"), "{err}");
    assert!(err.contains("--remove blog.Author "), "{err}");
    let mut q = FlagQuestioner::new().parse_remove("blog.Author").unwrap();
    assert!(matches!(
        diff(&from, &to, &mut q).unwrap().as_slice(),
        [Operation::CreateModel { .. }, Operation::DeleteModel { .. }]
    ));
    // `check` lists the change without asking.
    let set = MigrationSet::new(
        plan_migrations(&[&AUTHOR], &MigrationSet::default(), &mut NonInteractive).unwrap(),
    )
    .unwrap();
    let writer: &'static ModelMeta = Box::leak(Box::new(ModelMeta {
        app: "blog",
        name: "Writer",
        table: "blog_writer",
        fields: AUTHOR.fields,
        indexes: &[],
        many_to_many: &[],
        ordering: &[],
        verbose_name: None,
        verbose_name_plural: None,
    }));
    let missing = check(&[writer], &set);
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(
        missing[0].contains("Create model blog.Writer has no migration"),
        "{missing:?}"
    );
}

#[test]
fn writer_and_loader_round_trip() {
    let dir = std::env::temp_dir().join(format!("fullstack-mig-unit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written = make_migrations(&[&AUTHOR], &dir, &mut NonInteractive).unwrap();
    assert_eq!(written, [dir.join("blog/0001_initial.json")]);
    assert!(
        make_migrations(&[&AUTHOR], &dir, &mut NonInteractive)
            .unwrap()
            .is_empty()
    );
    let written = make_migrations(&[&AUTHOR, &POST, &TAG], &dir, &mut NonInteractive).unwrap();
    assert_eq!(written.len(), 1);
    let second = written[0]
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(second.starts_with("0002_"), "{second}");

    let set = MigrationSet::from_dir(&dir).unwrap();
    assert_eq!(
        set.migrations().len(),
        2,
        "{written:?} {:?}",
        set.migrations()
    );
    assert_eq!(
        set.migrations()[1].dependencies,
        [("blog".to_owned(), "0001_initial".to_owned())]
    );
    assert_eq!(set.state().unwrap(), state(&[&AUTHOR, &POST, &TAG]));
    assert!(check(&[&AUTHOR, &POST, &TAG], &set).is_empty());
    assert_eq!(
        check(&[&AUTHOR], &set).len(),
        3,
        "{:?}",
        check(&[&AUTHOR], &set)
    );

    // The embedded index names every file, relative to itself.
    let index = std::fs::read_to_string(dir.join("embedded.rs")).unwrap();
    assert!(index.contains(r#"("blog", "0001_initial", include_str!("blog/0001_initial.json"))"#));
    let files: Vec<(String, String, String)> = set
        .migrations()
        .iter()
        .map(|m| (m.app.clone(), m.name.clone(), m.to_json()))
        .collect();
    let refs: Vec<(&str, &str, &str)> = files
        .iter()
        .map(|(a, n, j)| (a.as_str(), n.as_str(), j.as_str()))
        .collect();
    let embedded = MigrationSet::from_embedded(&refs).unwrap();
    assert_eq!(embedded.migrations(), set.migrations());

    // The file is reviewable JSON.
    let text = std::fs::read_to_string(dir.join("blog/0001_initial.json")).unwrap();
    assert!(text.contains(r#""op": "create_model""#), "{text}");
    assert!(Migration::parse("blog", "x", "{\"operations\": [{\"op\": \"nope\"}]}").is_err());

    let sql = sql_migrate(&set, "blog", "0001_initial", Backend::Postgres, false).unwrap();
    assert_eq!(
        sql,
        [
            r#"CREATE TABLE "blog_author" ("id" BIGSERIAL PRIMARY KEY, "name" VARCHAR(100) NOT NULL, CONSTRAINT "blog_author_name_uniq" UNIQUE ("name"))"#
        ]
    );
    assert_eq!(
        sql_migrate(&set, "blog", "0001_initial", Backend::Sqlite, true).unwrap(),
        [r#"DROP TABLE "blog_author""#]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ddl_per_backend() {
    let s = state(&[&AUTHOR, &POST, &TAG]);
    let post = s.model("blog.Aaapost").unwrap();
    let create = |b| ddl::Ddl { backend: b }.create_model(&s, post).unwrap();
    assert_eq!(
        create(Backend::Sqlite)[0],
        r#"CREATE TABLE "blog_post" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "title" TEXT NOT NULL, "author_id" BIGINT NOT NULL, CONSTRAINT "blog_post_author_id_fk" FOREIGN KEY ("author_id") REFERENCES "blog_author" ("id") ON DELETE CASCADE)"#
    );
    assert!(create(Backend::MySql)[0].contains("`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"));
    let long = ddl::constraint_name(&"t".repeat(50), &"c".repeat(30), "fk");
    assert!(long.len() <= 63 && long.ends_with("_fk"), "{long}");
}

#[test]
fn not_null_additions_ask_for_a_one_off_value() {
    let from = state(&[&AUTHOR]);
    let mut to = from.clone();
    model_mut(&mut to, "blog.Author")
        .fields
        .push(FieldState::from_meta(&FieldMeta::new(
            "age",
            "age",
            ColumnType::Int,
        )));
    let err = diff(&from, &to, &mut NonInteractive)
        .unwrap_err()
        .to_string();
    for part in [
        "Field blog.Author.age is a new field that cannot be NULL and has no default",
        "#[field(default = ...)]",
        "--fill blog.Author.age=VALUE",
        "age: Option<i32>",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }
    let mut out = Vec::new();
    let mut answers = Interactive::new(&b"3\n1\nabc\n42\n"[..], &mut out);
    let ops = diff(&from, &to, &mut answers).unwrap();
    let asked = String::from_utf8(out).unwrap();
    assert!(
        asked.contains("It is impossible to add the field blog.Author.age"),
        "{asked}"
    );
    assert!(asked.contains("Please select 1 or 2: "), "{asked}");
    assert!(
        asked.contains("`abc` is not a whole number; try again: "),
        "{asked}"
    );
    assert!(matches!(
        &ops[0],
        Operation::AddField {
            fill: Some(state::DefaultState::Int(42)),
            ..
        }
    ));
    let sql = ops[0].forward_sql(Backend::Postgres, &from).unwrap();
    assert_eq!(
        sql,
        [
            r#"ALTER TABLE "blog_author" ADD COLUMN "age" INTEGER NOT NULL DEFAULT 42"#,
            r#"ALTER TABLE "blog_author" ALTER COLUMN "age" DROP DEFAULT"#
        ]
    );
    // Quitting writes nothing.
    let mut answers = Interactive::new(&b"2\n"[..], Vec::new());
    assert!(diff(&from, &to, &mut answers).is_err());
    // A flag answers up front; a value that does not fit is refused.
    let mut q = FlagQuestioner::new()
        .parse_fill("blog.Author.age=7")
        .unwrap();
    assert!(matches!(
        &diff(&from, &to, &mut q).unwrap()[0],
        Operation::AddField {
            fill: Some(state::DefaultState::Int(7)),
            ..
        }
    ));
    let mut q = FlagQuestioner::new()
        .parse_fill("blog.Author.age=old")
        .unwrap();
    let err = diff(&from, &to, &mut q).unwrap_err().to_string();
    assert!(
        err.contains("`--fill blog.Author.age=old`: `old` is not a whole number"),
        "{err}"
    );
    assert!(FlagQuestioner::new().parse_fill("nodots=1").is_err());

    // A nullable field that stops accepting NULL, without a default: asked the same way.
    let mut nullable = to.clone();
    model_mut(&mut nullable, "blog.Author").fields[2].null = true;
    let err = diff(&nullable, &to, &mut NonInteractive)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Field blog.Author.age stops accepting NULL and has no default"),
        "{err}"
    );
    let mut q = FlagQuestioner::new()
        .parse_fill("blog.Author.age=0")
        .unwrap();
    let ops = diff(&nullable, &to, &mut q).unwrap();
    assert!(matches!(
        &ops[0],
        Operation::AlterField {
            fill: Some(state::DefaultState::Int(0)),
            ..
        }
    ));
    // Every question without an answer is listed at once.
    let mut renamed_too = to.clone();
    let f = &mut model_mut(&mut renamed_too, "blog.Author").fields[1];
    f.name = "full_name".into();
    f.column = "full_name".into();
    let err = diff(&from, &renamed_too, &mut NonInteractive)
        .unwrap_err()
        .to_string();
    assert!(err.contains("--rename") && err.contains("--fill"), "{err}");
}

static COMMENT: ModelMeta = ModelMeta {
    app: "talk",
    name: "Comment",
    table: "talk_comment",
    fields: &[
        ID,
        FieldMeta {
            null: true,
            relation: Some(Relation {
                kind: RelationKind::OneToOne,
                to: author,
                on_delete: OnDelete::SetNull,
                related_name: None,
            }),
            ..FieldMeta::new("author", "author_id", ColumnType::BigInt)
        },
    ],
    indexes: &[],
    many_to_many: &[],
    ordering: &[],
    verbose_name: None,
    verbose_name_plural: None,
};

#[test]
fn cross_app_foreign_keys_depend_on_the_other_app_and_irreversible_ops_say_so() {
    let set = MigrationSet::default();
    let new = plan_migrations(&[&COMMENT, &AUTHOR], &set, &mut NonInteractive).unwrap();
    let apps: Vec<&str> = new.iter().map(|m| m.app.as_str()).collect();
    assert_eq!(apps, ["blog", "talk"]);
    assert_eq!(
        new[1].dependencies,
        [("blog".to_owned(), "0001_initial".to_owned())]
    );
    // A one-to-one is a unique foreign key.
    let set = MigrationSet::new(new).unwrap();
    let sql = sql_migrate(&set, "talk", "0001_initial", Backend::MySql, false).unwrap();
    assert!(sql[0].contains("UNIQUE (`author_id`)"), "{sql:?}");
    assert!(sql[0].contains("ON DELETE SET NULL"), "{sql:?}");

    let mut m = set.migrations()[1].clone();
    m.name = "0002_raw".into();
    m.dependencies = vec![];
    m.operations = vec![Operation::RunSql {
        forward: vec!["SELECT 1".into()],
        backward: None,
    }];
    assert!(!m.operations[0].is_reversible());
    let mut all = set.migrations().to_vec();
    all.push(m);
    let set = MigrationSet::new(all).unwrap();
    assert_eq!(
        sql_migrate(&set, "talk", "0002_raw", Backend::Sqlite, false).unwrap(),
        ["SELECT 1"]
    );
    let err = sql_migrate(&set, "talk", "0002_raw", Backend::Sqlite, true).unwrap_err();
    assert!(err.to_string().contains("cannot be undone"), "{err}");
    // A missing dependency is refused when the set is built.
    let mut broken = set.migrations().to_vec();
    broken[1].dependencies = vec![("nope".into(), "0001_initial".into())];
    assert!(MigrationSet::new(broken).is_err());
}

static PRODUCT: ModelMeta = ModelMeta {
    app: "shop",
    name: "Product",
    table: "shop_product",
    fields: &[
        ID,
        FieldMeta {
            max_digits: Some(10),
            decimal_places: Some(2),
            default: Some(DefaultValue::Text("0.00")),
            ..FieldMeta::new("price", "price", ColumnType::Decimal)
        },
        FieldMeta {
            null: true,
            ..FieldMeta::new("opens_at", "opens_at", ColumnType::Time)
        },
        FieldMeta::new("stocked_at", "stocked_at", ColumnType::NaiveDateTime),
    ],
    indexes: &[],
    many_to_many: &[],
    ordering: &[],
    verbose_name: None,
    verbose_name_plural: None,
};

#[test]
fn decimal_and_naive_time_columns_per_backend() {
    let s = state(&[&PRODUCT]);
    let product = s.model("shop.Product").unwrap();
    let create = |b| {
        ddl::Ddl { backend: b }
            .create_model(&s, product)
            .unwrap()
            .remove(0)
    };
    assert_eq!(
        create(Backend::Postgres),
        r#"CREATE TABLE "shop_product" ("id" BIGSERIAL PRIMARY KEY, "price" NUMERIC(10, 2) NOT NULL DEFAULT '0.00', "opens_at" TIME, "stocked_at" TIMESTAMP NOT NULL)"#
    );
    assert_eq!(
        create(Backend::MySql),
        "CREATE TABLE `shop_product` (`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, `price` DECIMAL(10, 2) NOT NULL DEFAULT '0.00', `opens_at` TIME(6), `stocked_at` DATETIME(6) NOT NULL)"
    );
    // DECIMAL gives the column NUMERIC affinity on SQLite; times are ISO 8601 text.
    assert_eq!(
        create(Backend::Sqlite),
        r#"CREATE TABLE "shop_product" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "price" DECIMAL(10, 2) NOT NULL DEFAULT '0.00', "opens_at" TEXT, "stocked_at" TEXT NOT NULL)"#
    );

    // The digits are part of the state: changing them is an AlterField that retypes the column.
    let mut to = s.clone();
    model_mut(&mut to, "shop.Product").fields[1].max_digits = Some(12);
    model_mut(&mut to, "shop.Product").fields[1].decimal_places = Some(4);
    let ops = ops(&s, &to);
    assert!(
        matches!(ops.as_slice(), [Operation::AlterField { old, new, .. }]
            if old.max_digits == Some(10) && new.decimal_places == Some(4)),
        "{ops:?}"
    );
    // (The default is dropped around the retype and set again.)
    assert!(ops[0].forward_sql(Backend::Postgres, &s).unwrap().contains(
        &r#"ALTER TABLE "shop_product" ALTER COLUMN "price" TYPE NUMERIC(12, 4)"#.into()
    ));
    assert_eq!(
        ops[0].forward_sql(Backend::MySql, &s).unwrap(),
        ["ALTER TABLE `shop_product` MODIFY COLUMN `price` DECIMAL(12, 4) NOT NULL DEFAULT '0.00'"]
    );
    // The migration file says them, and reads back the same.
    let json = Migration {
        app: "shop".into(),
        name: "0002".into(),
        dependencies: Vec::new(),
        operations: ops.clone(),
    }
    .to_json();
    assert!(
        json.contains(r#""type": "decimal""#) && json.contains(r#""max_digits": 12"#),
        "{json}"
    );
    assert_eq!(
        Migration::parse("shop", "0002", &json).unwrap().operations,
        ops
    );
    let json = serde_json::to_string(&FieldState::from_meta(&PRODUCT.fields[3])).unwrap();
    assert!(json.contains(r#""type":"naive_date_time""#), "{json}");
}

#[test]
fn foreign_keys_get_an_index_in_place_and_none_of_their_own_on_mysql() {
    let before = state(&[&AUTHOR, &POST, &TAG]);
    let mut after = before.clone();
    model_mut(&mut after, "blog.Aaapost").fields[2].index = true;
    let ops = self::ops(&before, &after);
    assert!(
        matches!(ops.as_slice(), [Operation::AlterField { old, new, .. }] if !old.index && new.index),
        "{ops:?}"
    );
    assert_eq!(
        ops[0].describe(),
        "Add an index to field author of blog.Aaapost"
    );
    let index = r#"CREATE INDEX "blog_post_author_id_idx" ON "blog_post" ("author_id")"#;
    // No table rebuild on SQLite: only the index changes.
    for b in [Backend::Sqlite, Backend::Postgres] {
        assert_eq!(ops[0].forward_sql(b, &before).unwrap(), [index]);
        assert_eq!(
            ops[0].backward_sql(b, &before).unwrap(),
            [r#"DROP INDEX "blog_post_author_id_idx""#]
        );
    }
    // InnoDB indexes a foreign key's column itself.
    assert!(
        ops[0]
            .forward_sql(Backend::MySql, &before)
            .unwrap()
            .is_empty()
    );
    assert!(
        ops[0]
            .backward_sql(Backend::MySql, &before)
            .unwrap()
            .is_empty()
    );
    let post = after.model("blog.Aaapost").unwrap();
    let create = |backend| ddl::Ddl { backend }.create_model(&after, post).unwrap();
    // (Then the model's unique index over title and author.)
    assert_eq!(create(Backend::Postgres)[1], index);
    assert_eq!(create(Backend::Postgres).len(), 3);
    assert_eq!(create(Backend::MySql).len(), 2);

    // A join table's key to the target is indexed; the key to the owner leads the unique index.
    let join = after.model("blog.Aaapost_tags").unwrap();
    assert!(join.field("tag").unwrap().index && !join.field("aaapost").unwrap().index);
    assert_eq!(
        ddl::Ddl {
            backend: Backend::Sqlite
        }
        .create_model(&after, join)
        .unwrap()[1],
        r#"CREATE INDEX "blog_post_tags_tag_id_idx" ON "blog_post_tags" ("tag_id")"#
    );
}

#[test]
fn a_date_time_value_is_written_for_each_backend() {
    let at = FieldState::from_meta(&FieldMeta::new("at", "at", ColumnType::DateTime));
    let value = state::DefaultState::Text("2024-01-31T12:00:00+00:00".into());
    let sql = |backend| ddl::Ddl { backend }.default_sql(&at, &value);
    assert_eq!(sql(Backend::Postgres), "'2024-01-31T12:00:00+00:00'");
    assert_eq!(sql(Backend::Sqlite), "'2024-01-31T12:00:00+00:00'");
    assert_eq!(sql(Backend::MySql), "'2024-01-31 12:00:00.000000'");
}

#[test]
fn small_int_real_and_binary_columns_per_backend() {
    let types = |b| {
        [ColumnType::SmallInt, ColumnType::Real, ColumnType::Binary].map(|ty| {
            ddl::Ddl { backend: b }
                .column_type(&FieldState::from_meta(&FieldMeta::new("x", "x", ty)))
        })
    };
    assert_eq!(types(Backend::Sqlite), ["SMALLINT", "REAL", "BLOB"]);
    assert_eq!(types(Backend::Postgres), ["SMALLINT", "REAL", "BYTEA"]);
    assert_eq!(types(Backend::MySql), ["SMALLINT", "FLOAT", "LONGBLOB"]);
}
