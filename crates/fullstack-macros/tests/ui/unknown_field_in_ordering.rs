use fullstack::Model;

#[derive(Model)]
#[model(ordering = ["-published"], index = ["id", "titel"])]
struct Article {
    id: i64,
    title: String,
}

fn main() {}
