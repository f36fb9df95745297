use fullstack::Model;

#[derive(Model)]
struct Question {
    id: i64,
    #[field(null)]
    text: String,
}

#[derive(Model)]
struct Tag {
    #[field(primary_key, auto)]
    slug: String,
}

#[derive(Model)]
struct Vote {
    id: i64,
    #[field(auto)]
    count: i64,
}

fn main() {}
