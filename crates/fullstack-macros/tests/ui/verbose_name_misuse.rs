use fullstack::{ManyToMany, Model};

#[derive(Model)]
#[model(verbose_name = "")]
struct Empty {
    id: i64,
}

#[derive(Model)]
#[model(verbose_name_plural = 2)]
struct NotAString {
    id: i64,
}

#[derive(Model)]
struct Tag {
    id: i64,
    #[field(help_text = " ")]
    name: String,
}

#[derive(Model)]
struct Post {
    id: i64,
    #[field(verbose_name = "labels")]
    tags: ManyToMany<Tag>,
}

#[derive(Model)]
struct Twice {
    id: i64,
    #[field(verbose_name = "a", verbose_name = "b")]
    name: String,
}

fn main() {}
