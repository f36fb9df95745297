use fullstack::{ForeignKey, Model};

#[derive(Model)]
struct Question {
    id: i64,
    #[field(on_delete = cascade)]
    text: String,
}

#[derive(Model)]
struct Choice {
    id: i64,
    question: ForeignKey<Question>,
}

#[derive(Model)]
struct Vote {
    id: i64,
    #[field(on_delete = delete)]
    question: ForeignKey<Question>,
}

fn main() {}
