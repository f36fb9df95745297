//! Exact SQL per backend for the statements the writer builds.

use crate::db::{ColumnType, Row, Value};
use crate::model::{FieldMeta, ModelMeta, OnDelete, Relation, RelationKind};
use crate::query::prelude::*;
use crate::{Backend, Column, Error, Model};

struct Question;
struct Choice;

static QUESTION: ModelMeta = ModelMeta {
    app: "polls",
    name: "Question",
    table: "polls_question",
    fields: &[
        FieldMeta {
            primary_key: true,
            auto: true,
            ..FieldMeta::new("id", "id", ColumnType::BigInt)
        },
        FieldMeta::new("question_text", "question_text", ColumnType::VarChar),
        FieldMeta::new("pub_date", "pub_date", ColumnType::DateTime),
        FieldMeta::new("votes", "votes", ColumnType::Int),
    ],
    indexes: &[],
    many_to_many: &[],
    ordering: &["-pub_date"],
    verbose_name: None,
    verbose_name_plural: None,
};

static CHOICE: ModelMeta = ModelMeta {
    app: "polls",
    name: "Choice",
    table: "polls_choice",
    fields: &[
        FieldMeta {
            primary_key: true,
            auto: true,
            ..FieldMeta::new("id", "id", ColumnType::BigInt)
        },
        FieldMeta {
            relation: Some(Relation {
                kind: RelationKind::ForeignKey,
                to: || &QUESTION,
                on_delete: OnDelete::Cascade,
                related_name: None,
            }),
            ..FieldMeta::new("question", "question_id", ColumnType::BigInt)
        },
        FieldMeta::new("votes", "votes", ColumnType::Int),
    ],
    indexes: &[],
    many_to_many: &[],
    ordering: &[],
    verbose_name: None,
    verbose_name_plural: None,
};

macro_rules! stub_model {
    ($ty:ty, $meta:expr) => {
        impl Model for $ty {
            const META: &'static ModelMeta = $meta;
            fn from_row(_: &Row, _: usize) -> Result<Self, Error> {
                unreachable!("SQL tests run nothing")
            }
            fn values(&self) -> Vec<Value> {
                Vec::new()
            }
            fn pk(&self) -> Value {
                Value::BigInt(1)
            }
            fn set_pk(&mut self, _: i64) {}
        }
    };
}
stub_model!(Question, &QUESTION);
stub_model!(Choice, &CHOICE);

impl Question {
    const ID: Column<Question, i64> = Column::new("id", "id");
    const TEXT: Column<Question, String> = Column::new("question_text", "question_text");
    const PUB_DATE: Column<Question, chrono::DateTime<chrono::Utc>> =
        Column::new("pub_date", "pub_date");
    const VOTES: Column<Question, i32> = Column::new("votes", "votes");
}

impl Choice {
    const QUESTION: Column<Choice, i64> = Column::new("question", "question_id");
    const VOTES: Column<Choice, i32> = Column::new("votes", "votes");
}

const SELECT_Q: &str = r#"SELECT "polls_question"."id", "polls_question"."question_text", "polls_question"."pub_date", "polls_question"."votes" FROM "polls_question""#;

#[test]
fn select_with_default_ordering_and_filters() {
    let qs = Question::objects().filter(Question::VOTES.gt(5) & Question::VOTES.lte(10));
    let (sql, values) = qs.to_sql(Backend::Postgres);
    assert_eq!(
        sql,
        format!(
            r#"{SELECT_Q} WHERE ("polls_question"."votes" > $1 AND "polls_question"."votes" <= $2) ORDER BY "polls_question"."pub_date" DESC"#
        )
    );
    assert_eq!(values, [Value::Int(5), Value::Int(10)]);
    let (sql, _) = qs.to_sql(Backend::MySql);
    assert!(sql.starts_with("SELECT `polls_question`.`id`"), "{sql}");
    assert!(sql.contains("`polls_question`.`votes` > ? AND"), "{sql}");
}

#[test]
fn or_not_in_between_and_empty_in() {
    let qs = Question::objects()
        .unordered()
        .filter(Question::VOTES.is_in([1, 2]) | !Question::VOTES.between(3, 4))
        .exclude(Question::VOTES.is_in(Vec::<i32>::new()));
    let (sql, values) = qs.to_sql(Backend::Sqlite);
    assert_eq!(
        sql,
        format!(
            r#"{SELECT_Q} WHERE (("polls_question"."votes" IN (?, ?) OR NOT (("polls_question"."votes" BETWEEN ? AND ?) IS TRUE)) AND NOT ((1 = 0) IS TRUE))"#
        )
    );
    assert_eq!(values.len(), 4);
}

#[test]
fn like_lookups_escape_per_backend() {
    let cs = Question::objects()
        .unordered()
        .filter(Question::TEXT.contains("50%_a!*"));
    let (sql, values) = cs.to_sql(Backend::Postgres);
    assert!(
        sql.ends_with(r#"WHERE "polls_question"."question_text" LIKE $1 ESCAPE '!'"#),
        "{sql}"
    );
    assert_eq!(values, [Value::Text("%50!%!_a!!*%".into())]);
    let (sql, values) = cs.to_sql(Backend::Sqlite);
    assert!(
        sql.ends_with(r#"WHERE "polls_question"."question_text" GLOB ?"#),
        "{sql}"
    );
    assert_eq!(values, [Value::Text("*50%_a![*]*".into())]);
    let (sql, _) = cs.to_sql(Backend::MySql);
    assert!(
        sql.ends_with("WHERE CAST(`polls_question`.`question_text` AS BINARY) LIKE CAST(? AS BINARY) ESCAPE '!'"),
        "{sql}"
    );
    let ci = Question::objects()
        .unordered()
        .filter(Question::TEXT.istartswith("Wh_"));
    let (sql, values) = ci.to_sql(Backend::Sqlite);
    assert!(
        sql.ends_with(r#"WHERE LOWER("polls_question"."question_text") LIKE LOWER(?) ESCAPE '!'"#),
        "{sql}"
    );
    assert_eq!(values, [Value::Text("Wh!_%".into())]);
}

#[test]
fn date_parts_per_backend() {
    let qs = Question::objects()
        .unordered()
        .filter(Question::PUB_DATE.year().eq(2024));
    let tail = |b| qs.to_sql(b).0.split(" WHERE ").nth(1).unwrap().to_owned();
    assert_eq!(
        tail(Backend::Sqlite),
        r#"CAST(strftime('%Y', "polls_question"."pub_date") AS INTEGER) = ?"#
    );
    assert_eq!(
        tail(Backend::Postgres),
        r#"CAST(EXTRACT(YEAR FROM "polls_question"."pub_date" AT TIME ZONE 'UTC') AS INTEGER) = $1"#
    );
    assert_eq!(
        tail(Backend::MySql),
        "YEAR(`polls_question`.`pub_date`) = ?"
    );
}

#[test]
fn joins_across_a_foreign_key() {
    let qs = Choice::objects()
        .filter(Choice::QUESTION.join(Question::PUB_DATE).month().eq(3))
        .order_by([
            Choice::QUESTION.join(Question::VOTES).desc(),
            Choice::VOTES.asc(),
        ]);
    let (sql, _) = qs.to_sql(Backend::Postgres);
    assert_eq!(
        sql,
        r#"SELECT "polls_choice"."id", "polls_choice"."question_id", "polls_choice"."votes" FROM "polls_choice" LEFT JOIN "polls_question" "j1" ON "j1"."id" = "polls_choice"."question_id" WHERE CAST(EXTRACT(MONTH FROM "j1"."pub_date" AT TIME ZONE 'UTC') AS INTEGER) = $1 ORDER BY "j1"."votes" DESC, "polls_choice"."votes" ASC"#
    );
}

#[test]
fn a_key_or_unique_equality_picks_one_row() {
    let by_pk = Question::objects().filter(Question::ID.eq(3));
    assert!(by_pk.parts.picks_one_row(&QUESTION));
    let and_more = by_pk.filter(Question::VOTES.gt(1));
    assert!(and_more.parts.picks_one_row(&QUESTION));
    assert!(
        !Question::objects()
            .filter(Question::VOTES.eq(1))
            .parts
            .picks_one_row(&QUESTION)
    );
    let either = Question::objects().filter(Question::ID.eq(3) | Question::ID.eq(4));
    assert!(!either.parts.picks_one_row(&QUESTION));
}

#[test]
fn slices_and_distinct() {
    let qs = Question::objects().unordered().distinct().slice(10..15);
    let (sql, values) = qs.to_sql(Backend::Postgres);
    assert!(sql.starts_with(r#"SELECT DISTINCT "polls_question"."id""#));
    // Literal numbers, not bound values: SQLite re-prepares for every new LIMIT value.
    assert!(sql.ends_with(" LIMIT 5 OFFSET 10"), "{sql}");
    assert!(values.is_empty());
    let (sql, _) = Question::objects()
        .unordered()
        .offset(3)
        .to_sql(Backend::Sqlite);
    assert!(sql.ends_with(" LIMIT -1 OFFSET 3"), "{sql}");
    let (sql, _) = Question::objects()
        .unordered()
        .offset(3)
        .to_sql(Backend::MySql);
    assert!(
        sql.ends_with(" LIMIT 18446744073709551615 OFFSET 3"),
        "{sql}"
    );
}

#[test]
fn update_with_f_expressions_and_subquery_targets() {
    let parts = Question::objects().filter(Question::VOTES.lt(3)).parts;
    let set = Question::VOTES.set(Question::VOTES.f() + 1);
    let (sql, values) = super::update(
        Backend::Postgres,
        &QUESTION,
        &parts,
        &[(set.column, set.value)],
    );
    assert_eq!(
        sql,
        r#"UPDATE "polls_question" SET "votes" = ("polls_question"."votes" + $1) WHERE "polls_question"."votes" < $2"#
    );
    assert_eq!(values, [Value::Int(1), Value::Int(3)]);

    let parts = Choice::objects()
        .filter(Choice::QUESTION.join(Question::VOTES).gt(0))
        .parts;
    let (sql, _) = super::delete(Backend::MySql, &CHOICE, &parts);
    assert_eq!(
        sql,
        "DELETE FROM `polls_choice` WHERE `id` IN (SELECT `sub`.`id` FROM (SELECT `polls_choice`.`id` FROM `polls_choice` LEFT JOIN `polls_question` `j1` ON `j1`.`id` = `polls_choice`.`question_id` WHERE `j1`.`votes` > ?) `sub`)"
    );
}

#[test]
fn count_and_aggregates() {
    let parts = Question::objects().filter(Question::VOTES.gt(1)).parts;
    let (sql, _) = super::count(Backend::Sqlite, &QUESTION, &parts);
    assert_eq!(
        sql,
        r#"SELECT COUNT(*) FROM "polls_question" WHERE "polls_question"."votes" > ?"#
    );
    let sum = Question::VOTES.sum();
    let avg = Question::VOTES.avg();
    let select = |b| {
        let parts = crate::query::sql::Parts {
            order: Some(Vec::new()),
            ..Default::default()
        };
        super::select(
            b,
            &QUESTION,
            &parts,
            &[sum.node.clone(), avg.node.clone()],
            &[],
        )
        .0
    };
    assert_eq!(
        select(Backend::Postgres),
        r#"SELECT CAST(SUM("polls_question"."votes") AS BIGINT), CAST(AVG("polls_question"."votes") AS DOUBLE PRECISION) FROM "polls_question""#
    );
    assert_eq!(
        select(Backend::MySql),
        "SELECT CAST(SUM(`polls_question`.`votes`) AS SIGNED), CAST(AVG(`polls_question`.`votes`) AS DOUBLE) FROM `polls_question`"
    );
    let (sql, _) = Choice::objects()
        .values([Choice::QUESTION.into()])
        .annotate(count())
        .to_sql(Backend::Sqlite);
    assert_eq!(
        sql,
        r#"SELECT "polls_choice"."question_id", COUNT(*) FROM "polls_choice" GROUP BY "polls_choice"."question_id""#
    );
}

#[test]
fn multi_row_insert_with_returning() {
    let (sql, values) = super::insert(
        Backend::Postgres,
        "polls_choice",
        &["question_id", "votes"],
        vec![
            vec![Value::BigInt(1), Value::Int(0)],
            vec![Value::BigInt(1), Value::Int(2)],
        ],
        Some("id"),
    );
    assert_eq!(
        sql,
        r#"INSERT INTO "polls_choice" ("question_id", "votes") VALUES ($1, $2), ($3, $4) RETURNING "id""#
    );
    assert_eq!(values.len(), 4);
}

#[test]
fn identifiers_are_quoted_and_values_never_spliced() {
    let evil = "x'); DROP TABLE polls_question; --";
    let (sql, values) = Question::objects()
        .filter(Question::TEXT.eq(evil))
        .to_sql(Backend::Sqlite);
    assert!(!sql.contains("DROP"));
    assert_eq!(values, [Value::Text(evil.into())]);
}

#[test]
fn reverse_lookups_are_exists_subqueries() {
    let qs = Question::objects()
        .unordered()
        .filter(Question::VOTES.gt(1) & Choice::QUESTION.any(Choice::VOTES.gte(3)));
    let (sql, values) = qs.to_sql(Backend::Postgres);
    assert_eq!(
        sql,
        format!(
            r#"{SELECT_Q} WHERE ("polls_question"."votes" > $1 AND EXISTS (SELECT $2 FROM "polls_choice" WHERE ("polls_choice"."question_id" = "polls_question"."id" AND "polls_choice"."votes" >= $3)))"#
        )
    );
    assert_eq!(values, [Value::Int(1), Value::Int(1), Value::Int(3)]);
}

#[test]
fn aggregates_over_a_slice_use_a_subquery() {
    let parts = Question::objects()
        .order_by([Question::VOTES.desc()])
        .limit(2)
        .parts;
    let (sql, _) = super::aggregate(
        Backend::Sqlite,
        &QUESTION,
        &parts,
        &[Question::VOTES.sum().node],
    );
    assert_eq!(
        sql,
        format!(
            r#"SELECT SUM("sub"."votes") FROM ({SELECT_Q} ORDER BY "polls_question"."votes" DESC LIMIT 2) "sub""#
        )
    );
}

#[test]
fn aggregates_across_a_join_over_a_slice_pick_the_rows_by_key() {
    let parts = Choice::objects()
        .order_by([Choice::VOTES.desc()])
        .limit(2)
        .parts;
    let (sql, values) = super::aggregate(
        Backend::Postgres,
        &CHOICE,
        &parts,
        &[Choice::QUESTION.join(Question::VOTES).sum().node],
    );
    assert_eq!(
        sql,
        r#"SELECT CAST(SUM("j1"."votes") AS BIGINT) FROM "polls_choice" LEFT JOIN "polls_question" "j1" ON "j1"."id" = "polls_choice"."question_id" WHERE "polls_choice"."id" IN (SELECT "sub"."id" FROM (SELECT "polls_choice"."id" FROM "polls_choice" ORDER BY "polls_choice"."votes" DESC LIMIT 2) "sub")"#
    );
    assert!(values.is_empty());
}

struct Vote;
static VOTE: ModelMeta = ModelMeta {
    app: "polls",
    name: "Vote",
    table: "polls_vote",
    fields: &[
        FieldMeta {
            primary_key: true,
            auto: true,
            ..FieldMeta::new("id", "id", ColumnType::BigInt)
        },
        FieldMeta {
            relation: Some(Relation {
                kind: RelationKind::ForeignKey,
                to: || &CHOICE,
                on_delete: OnDelete::Cascade,
                related_name: None,
            }),
            ..FieldMeta::new("choice", "choice_id", ColumnType::BigInt)
        },
    ],
    indexes: &[],
    many_to_many: &[],
    ordering: &[],
    verbose_name: None,
    verbose_name_plural: None,
};
stub_model!(Vote, &VOTE);

#[test]
fn paths_of_several_hops_join_each_table_once() {
    const CHOICE_FK: Column<Vote, i64> = Column::new("choice", "choice_id");
    let to_question = || {
        CHOICE_FK
            .rel::<Choice>()
            .then::<Question, _>(Choice::QUESTION)
    };
    let qs = Vote::objects()
        .filter(to_question().col(Question::VOTES).gt(1))
        .order_by([
            CHOICE_FK.join(Choice::VOTES).asc(),
            to_question().col(Question::PUB_DATE).desc(),
        ]);
    let (sql, _) = qs.to_sql(Backend::Sqlite);
    assert_eq!(
        sql,
        r#"SELECT "polls_vote"."id", "polls_vote"."choice_id" FROM "polls_vote" LEFT JOIN "polls_choice" "j1" ON "j1"."id" = "polls_vote"."choice_id" LEFT JOIN "polls_question" "j2" ON "j2"."id" = "j1"."question_id" WHERE "j2"."votes" > ? ORDER BY "j1"."votes" ASC, "j2"."pub_date" DESC"#
    );
}
