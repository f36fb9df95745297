//! The polls models, as in Django's tutorial.

use chrono::{DateTime, Utc};
use fullstack::{ForeignKey, Model};

/// A poll question.
#[derive(Model, Debug, Clone)]
#[model(app = "polls", ordering = ["-pub_date"])]
pub struct Question {
    /// The primary key (0 until saved).
    pub id: i64,
    /// The question.
    #[field(max_length = 200)]
    pub question_text: String,
    /// When it was published.
    pub pub_date: DateTime<Utc>,
}

/// One answer to a question, with its vote count. `Serialize` makes it a template context as it
/// is (the key serializes as its id).
#[derive(Model, Debug, Clone, serde::Serialize)]
#[model(app = "polls", ordering = ["id"])]
pub struct Choice {
    /// The primary key (0 until saved).
    pub id: i64,
    /// The question it answers; deleting the question deletes its choices.
    #[field(on_delete = cascade)]
    pub question: ForeignKey<Question>,
    /// The answer.
    #[field(max_length = 200)]
    pub choice_text: String,
    /// The votes it got.
    #[field(default = 0)]
    pub votes: i32,
}
