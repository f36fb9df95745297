use fullstack::Model;

#[derive(Model)]
struct MaxLength {
    id: i64,
    #[field(max_length = "200")]
    text: String,
}

#[derive(Model)]
struct Column {
    id: i64,
    #[field(column = 3)]
    text: String,
}

#[derive(Model)]
struct Flag {
    id: i64,
    #[field(unique = "yes")]
    text: String,
}

#[derive(Model)]
struct Choices {
    id: i64,
    #[field(choices = ["d", "Draft"])]
    status: String,
}

#[derive(Model)]
#[model(ordering = "-id")]
struct Ordering {
    id: i64,
}

fn main() {}
