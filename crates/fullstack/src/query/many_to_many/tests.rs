//! Exact SQL per backend for the many-to-many statements.

use super::PrefetchMany;
use crate::db::{ColumnType, Row, Value};
use crate::model::{FieldMeta, ManyToManyMeta, ModelMeta};
use crate::query::prelude::*;
use crate::query::sql;
use crate::{Backend, Column, Error, ManyToManyField, Model};

const ID: FieldMeta = FieldMeta {
    primary_key: true,
    auto: true,
    ..FieldMeta::new("id", "id", ColumnType::BigInt)
};

static POST: ModelMeta = ModelMeta {
    app: "blog",
    name: "Post",
    table: "blog_post",
    fields: &[ID, FieldMeta::new("title", "title", ColumnType::Text)],
    indexes: &[],
    many_to_many: &[ManyToManyMeta {
        name: "tags",
        to: || &TAG,
        table: "blog_post_tags",
        from_column: "post_id",
        to_column: "tag_id",
        through: None,
        symmetrical: false,
    }],
    ordering: &[],
    verbose_name: None,
    verbose_name_plural: None,
};

static TAG: ModelMeta = ModelMeta {
    app: "blog",
    name: "Tag",
    table: "blog_tag",
    fields: &[ID, FieldMeta::new("name", "name", ColumnType::Text)],
    indexes: &[],
    many_to_many: &[],
    ordering: &["name"],
    verbose_name: None,
    verbose_name_plural: None,
};

/// A stub instance: only its key matters (0 is unsaved).
struct Post(i64);
struct Tag(i64);

macro_rules! stub_model {
    ($ty:ident, $meta:expr) => {
        impl Model for $ty {
            const META: &'static ModelMeta = $meta;
            fn from_row(_: &Row, _: usize) -> Result<Self, Error> {
                unreachable!("SQL tests run nothing")
            }
            fn values(&self) -> Vec<Value> {
                vec![self.pk()]
            }
            fn pk(&self) -> Value {
                match self.0 {
                    0 => Value::Null(ColumnType::BigInt),
                    id => Value::BigInt(id),
                }
            }
            fn set_pk(&mut self, pk: i64) {
                self.0 = pk;
            }
        }
    };
}
stub_model!(Post, &POST);
stub_model!(Tag, &TAG);

const TAGS: ManyToManyField<Post, Tag> = ManyToManyField::new("tags");
const TAG_NAME: Column<Tag, String> = Column::new("name", "name");
const POST_TITLE: Column<Post, String> = Column::new("title", "title");

#[test]
fn of_and_owners_of_are_exists_on_the_join_table() {
    let (text, values) = TAGS.of(&Post(7)).unordered().to_sql(Backend::Postgres);
    assert_eq!(
        text,
        r#"SELECT "blog_tag"."id", "blog_tag"."name" FROM "blog_tag" WHERE EXISTS (SELECT $1 FROM "blog_post_tags" WHERE ("blog_post_tags"."tag_id" = "blog_tag"."id" AND "blog_post_tags"."post_id" = $2))"#
    );
    assert_eq!(values, [Value::Int(1), Value::BigInt(7)]);
    let (text, _) = TAGS.owners_of(&Tag(3)).to_sql(Backend::Sqlite);
    assert!(
        text.ends_with(r#"WHERE EXISTS (SELECT ? FROM "blog_post_tags" WHERE ("blog_post_tags"."post_id" = "blog_post"."id" AND "blog_post_tags"."tag_id" = ?))"#),
        "{text}"
    );
}

#[test]
fn any_nests_the_target_table_in_the_join_table() {
    let qs = Post::objects().filter(TAGS.any(TAG_NAME.eq("rust".to_owned())));
    let (text, values) = qs.to_sql(Backend::MySql);
    assert!(
        text.ends_with("WHERE EXISTS (SELECT ? FROM `blog_post_tags` WHERE (`blog_post_tags`.`post_id` = `blog_post`.`id` AND EXISTS (SELECT ? FROM `blog_tag` WHERE (`blog_tag`.`id` = `blog_post_tags`.`tag_id` AND `blog_tag`.`name` = ?))))"),
        "{text}"
    );
    assert_eq!(values[2], Value::Text("rust".into()));
    // Any target at all: the join table alone.
    let (text, _) = Post::objects()
        .filter(TAGS.any(Q::all()))
        .to_sql(Backend::Sqlite);
    assert!(
        text.ends_with(r#"WHERE EXISTS (SELECT ? FROM "blog_post_tags" WHERE "blog_post_tags"."post_id" = "blog_post"."id")"#),
        "{text}"
    );
    let (text, _) = Tag::objects()
        .filter(TAGS.any_owner(POST_TITLE.eq("Hi".to_owned())))
        .to_sql(Backend::Sqlite);
    assert!(
        text.contains(r#"WHERE EXISTS (SELECT ? FROM "blog_post_tags" WHERE ("blog_post_tags"."tag_id" = "blog_tag"."id" AND EXISTS (SELECT ? FROM "blog_post" WHERE ("blog_post"."id" = "blog_post_tags"."post_id" AND "blog_post"."title" = ?))))"#),
        "{text}"
    );
}

#[test]
fn add_skips_existing_pairs_per_backend() {
    let targets = [Value::BigInt(1), Value::BigInt(2)];
    let owner = Value::BigInt(9);
    let cols = ["post_id", "tag_id"];
    let sqlite = sql::insert_links(Backend::Sqlite, "blog_post_tags", cols, &owner, &targets);
    assert_eq!(
        sqlite.0,
        r#"INSERT OR IGNORE INTO "blog_post_tags" ("post_id", "tag_id") VALUES (?, ?), (?, ?)"#
    );
    assert_eq!(
        sqlite.1,
        [
            owner.clone(),
            targets[0].clone(),
            owner.clone(),
            targets[1].clone()
        ]
    );
    let pg = sql::insert_links(Backend::Postgres, "blog_post_tags", cols, &owner, &targets);
    assert_eq!(
        pg.0,
        r#"INSERT INTO "blog_post_tags" ("post_id", "tag_id") VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"#
    );
    let my = sql::insert_links(Backend::MySql, "blog_post_tags", cols, &owner, &targets);
    assert_eq!(
        my.0,
        "INSERT INTO `blog_post_tags` (`post_id`, `tag_id`) VALUES (?, ?), (?, ?) ON DUPLICATE KEY UPDATE `post_id` = `post_id`"
    );
}

#[test]
fn prefetch_joins_the_join_table_to_the_targets() {
    let p: PrefetchMany<Post, Tag> = Post::objects().prefetch_many(TAGS);
    let (text, values) = p.targets_sql(Backend::Postgres, &[Value::BigInt(1), Value::BigInt(2)]);
    assert_eq!(
        text,
        r#"SELECT "blog_tag"."id", "blog_tag"."name", "j1"."post_id" FROM "blog_tag" LEFT JOIN "blog_post_tags" "j1" ON "j1"."tag_id" = "blog_tag"."id" WHERE "j1"."post_id" IN ($1, $2) ORDER BY "blog_tag"."name" ASC, "blog_tag"."id" ASC"#
    );
    assert_eq!(values.len(), 2);
}

#[tokio::test]
async fn unsaved_instances_are_usage_errors_before_any_query() {
    let db = crate::Database::connect("sqlite::memory:").await.unwrap();
    let err = TAGS.add(&db, &Post(0), [&Tag(1)]).await.unwrap_err();
    assert!(
        matches!(&err, Error::Usage(m) if m.contains("owner Post is not saved")),
        "{err}"
    );
    let err = TAGS
        .set(&db, &Post(1), [&Tag(1), &Tag(0)])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Usage(m) if m.contains("set on Post.tags: the target Tag")),
        "{err}"
    );
    let err = TAGS.clear(&db, &Post(0)).await.unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err}");
}

#[test]
#[should_panic(expected = "Post has no many-to-many relation `labels`")]
fn an_unknown_relation_panics_clearly() {
    let labels: ManyToManyField<Post, Tag> = ManyToManyField::new("labels");
    let _ = labels.of(&Post(1));
}
