// The models of the ORM guide (orm.md), written as users write them: `#[derive(Model)]` (an
// auto key `id: i64`, 0 until the row is saved). The guide's examples include this file, so
// they are compiled with the crate's doctests.

use chrono::{DateTime, Utc};
use fullstack::{ForeignKey, ManyToMany, Model};

#[derive(Model, Debug, Clone)]
#[model(app = "polls", ordering = ["-pub_date"])]
pub struct Question {
    pub id: i64,
    #[field(max_length = 200)]
    pub question_text: String,
    pub pub_date: DateTime<Utc>,
    pub votes: i32,
    /// Not a column: the join table `polls_question_tags`, reached through `Question::TAGS`.
    pub tags: ManyToMany<Tag>,
}

#[derive(Model, Debug, Clone)]
#[model(app = "polls")]
pub struct Choice {
    pub id: i64,
    /// Indexed, as every foreign key is unless it says `index = false`; the derive writes the
    /// reverse accessor `question.choice_set()` (the trait `ChoiceByQuestion`).
    #[field(on_delete = cascade)]
    pub question: ForeignKey<Question>,
    pub votes: i32,
}

#[derive(Model, Debug, Clone)]
#[model(app = "polls", ordering = ["name"])]
pub struct Tag {
    pub id: i64,
    #[field(max_length = 50)]
    pub name: String,
}

/// Every model of the app, for `on_delete` (and the many-to-many links a delete removes), for
/// `delete_with`; inside a project, `delete()` finds them itself.
pub fn models() -> fullstack::query::ModelSet {
    fullstack::query::ModelSet::new([Question::META, Choice::META, Tag::META])
}
