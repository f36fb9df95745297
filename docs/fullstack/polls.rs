// The models of the ORM guide (orm.md), written by hand as `#[derive(Model)]` writes them
// (an auto key `id: i64`, 0 until the row is saved).
// The guide's examples include this file, so they are compiled with the crate's doctests.

use chrono::{DateTime, Utc};
use fullstack::model::{FieldMeta, ManyToManyMeta, OnDelete, Relation, RelationKind, read_field};
use fullstack::{Column, ColumnType, DbType, Error, ManyToManyField, Model, ModelMeta, Row, Value};

#[derive(Debug, Clone)]
pub struct Question {
    pub id: i64,
    pub question_text: String,
    pub pub_date: DateTime<Utc>,
    pub votes: i32,
}

impl Question {
    pub const ID: Column<Question, i64> = Column::new("id", "id");
    /// The primary key by Django's name, as the derive writes it beside `ID`.
    pub const PK: Column<Question, i64> = Column::new("id", "id");
    pub const QUESTION_TEXT: Column<Question, String> =
        Column::new("question_text", "question_text");
    pub const PUB_DATE: Column<Question, DateTime<Utc>> = Column::new("pub_date", "pub_date");
    pub const VOTES: Column<Question, i32> = Column::new("votes", "votes");
    /// The many-to-many relation `tags: ManyToMany<Tag>` (not a field of the struct: it holds
    /// nothing, so this hand-written model leaves it out).
    pub const TAGS: ManyToManyField<Question, Tag> = ManyToManyField::new("tags");
}

/// The reverse accessor the derive writes for `Choice::question`.
pub trait ChoiceByQuestion {
    /// The choices pointing at this question.
    fn choice_set(&self) -> fullstack::query::QuerySet<Choice>;
}

impl ChoiceByQuestion for Question {
    fn choice_set(&self) -> fullstack::query::QuerySet<Choice> {
        // With the function that points a new choice at the question, for `create`.
        fullstack::query::reverse_accessor(self, Choice::QUESTION, |choice: &mut Choice, id| {
            choice.question = id;
        })
    }
}

pub static QUESTION_META: ModelMeta = ModelMeta::new(
    "polls",
    "Question",
    "polls_question",
    &[
        FieldMeta::new("id", "id", ColumnType::BigInt).primary_key(true).auto(true),
        FieldMeta::new("question_text", "question_text", ColumnType::VarChar).max_length(200),
        FieldMeta::new("pub_date", "pub_date", ColumnType::DateTime),
        FieldMeta::new("votes", "votes", ColumnType::Int),
    ],
)
.many_to_many(&[ManyToManyMeta {
    name: "tags",
    to: || &TAG_META,
    table: "polls_question_tags",
    from_column: "question_id",
    to_column: "tag_id",
    through: None,
    symmetrical: false,
}])
.ordering(&["-pub_date"]);

impl Model for Question {
    const META: &'static ModelMeta = &QUESTION_META;

    fn from_row(row: &Row, offset: usize) -> Result<Self, Error> {
        Ok(Question {
            id: read_field::<Self, _>(row, offset, 0)?,
            question_text: read_field::<Self, _>(row, offset, 1)?,
            pub_date: read_field::<Self, _>(row, offset, 2)?,
            votes: read_field::<Self, _>(row, offset, 3)?,
        })
    }

    fn values(&self) -> Vec<Value> {
        vec![
            unsaved_is_null(self.id),
            self.question_text.to_value(),
            self.pub_date.to_value(),
            self.votes.to_value(),
        ]
    }

    fn pk(&self) -> Value {
        unsaved_is_null(self.id)
    }

    fn set_pk(&mut self, pk: i64) {
        self.id = pk;
    }
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub id: i64,
    pub question: i64,
    pub votes: i32,
}

impl Choice {
    pub const ID: Column<Choice, i64> = Column::new("id", "id");
    pub const QUESTION: Column<Choice, i64> = Column::new("question", "question_id");
    pub const VOTES: Column<Choice, i32> = Column::new("votes", "votes");
}

pub static CHOICE_META: ModelMeta = ModelMeta::new(
    "polls",
    "Choice",
    "polls_choice",
    &[
        FieldMeta::new("id", "id", ColumnType::BigInt).primary_key(true).auto(true),
        FieldMeta::new("question", "question_id", ColumnType::BigInt)
            // The derive indexes every foreign key unless it says `index = false`.
            .index(true)
            .relation(Relation {
                kind: RelationKind::ForeignKey,
                to: || &QUESTION_META,
                on_delete: OnDelete::Cascade,
                related_name: None,
            }),
        FieldMeta::new("votes", "votes", ColumnType::Int),
    ],
);

impl Model for Choice {
    const META: &'static ModelMeta = &CHOICE_META;

    fn from_row(row: &Row, offset: usize) -> Result<Self, Error> {
        Ok(Choice {
            id: read_field::<Self, _>(row, offset, 0)?,
            question: read_field::<Self, _>(row, offset, 1)?,
            votes: read_field::<Self, _>(row, offset, 2)?,
        })
    }

    fn values(&self) -> Vec<Value> {
        vec![unsaved_is_null(self.id), self.question.to_value(), self.votes.to_value()]
    }

    fn pk(&self) -> Value {
        unsaved_is_null(self.id)
    }

    fn set_pk(&mut self, pk: i64) {
        self.id = pk;
    }
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub id: i64,
    pub name: String,
}

impl Tag {
    pub const ID: Column<Tag, i64> = Column::new("id", "id");
    pub const NAME: Column<Tag, String> = Column::new("name", "name");
}

pub static TAG_META: ModelMeta = ModelMeta::new(
    "polls",
    "Tag",
    "polls_tag",
    &[
        FieldMeta::new("id", "id", ColumnType::BigInt).primary_key(true).auto(true),
        FieldMeta::new("name", "name", ColumnType::VarChar).max_length(50),
    ],
)
.ordering(&["name"]);

impl Model for Tag {
    const META: &'static ModelMeta = &TAG_META;

    fn from_row(row: &Row, offset: usize) -> Result<Self, Error> {
        Ok(Tag {
            id: read_field::<Self, _>(row, offset, 0)?,
            name: read_field::<Self, _>(row, offset, 1)?,
        })
    }

    fn values(&self) -> Vec<Value> {
        vec![unsaved_is_null(self.id), self.name.to_value()]
    }

    fn pk(&self) -> Value {
        unsaved_is_null(self.id)
    }

    fn set_pk(&mut self, pk: i64) {
        self.id = pk;
    }
}

/// An auto key is 0 until the first save, as the derive spells it: NULL to the database, which
/// then assigns one.
fn unsaved_is_null(id: i64) -> Value {
    if id == 0 { Value::Null(ColumnType::BigInt) } else { id.to_value() }
}

/// Every model of the app, for `on_delete` (and the many-to-many links a delete removes), for
/// `delete_with`; inside a project, `delete()` finds them itself.
pub fn models() -> fullstack::query::ModelSet {
    fullstack::query::ModelSet::new([Question::META, Choice::META, Tag::META])
}
