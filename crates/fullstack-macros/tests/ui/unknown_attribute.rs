use fullstack::Model;

#[derive(Model)]
struct Question {
    id: i64,
    #[field(maxlength = 200)]
    text: String,
}

#[derive(Model)]
#[model(tabel = "polls_question")]
struct Poll {
    id: i64,
}

fn main() {}
