use fullstack::Model;

#[derive(Model)]
struct Question {
    id: i64,
    #[field(default = "zero")]
    votes: i64,
    #[field(default = 1)]
    open: bool,
    #[field(default = now)]
    text: String,
    #[field(default = null)]
    score: f64,
    #[field(default = [1])]
    other: i32,
}

fn main() {}
