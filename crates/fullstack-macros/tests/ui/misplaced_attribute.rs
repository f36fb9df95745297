use fullstack::Model;

#[derive(Model)]
#[field(unique)]
struct Question {
    id: i64,
}

#[derive(Model)]
struct Choice {
    id: i64,
    #[model(table = "choices")]
    text: String,
}

#[derive(Model)]
struct Page {
    id: i64,
    meta: String,
}

fn main() {}
