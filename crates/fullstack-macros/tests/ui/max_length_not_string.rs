use fullstack::Model;

#[derive(Model)]
struct Choice {
    id: i64,
    #[field(max_length = 10)]
    votes: i32,
}

fn main() {}
