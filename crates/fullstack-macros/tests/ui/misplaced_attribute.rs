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

#[derive(Model)]
struct Entry {
    id: i64,
    pk: String,
}

// A field named `pk` that is the primary key is fine.
#[derive(Model)]
struct Slug {
    #[field(primary_key)]
    pk: String,
}

fn main() {}
