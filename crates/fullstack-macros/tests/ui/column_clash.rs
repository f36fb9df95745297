use fullstack::{ForeignKey, ManyToMany, Model};

#[derive(Model)]
struct Question {
    id: i64,
}

#[derive(Model)]
struct Choice {
    id: i64,
    #[field(on_delete = cascade)]
    question: ForeignKey<Question>,
    question_id: i64,
}

#[derive(Model)]
struct Tagged {
    id: i64,
    #[field(unique)]
    tags: ManyToMany<Question>,
}

fn main() {}
