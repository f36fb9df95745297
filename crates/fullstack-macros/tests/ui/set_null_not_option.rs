use fullstack::{ForeignKey, Model};

#[derive(Model)]
struct Question {
    id: i64,
}

#[derive(Model)]
struct Choice {
    id: i64,
    #[field(on_delete = set_null)]
    question: ForeignKey<Question>,
}

fn main() {}
