use fullstack::{ManyToMany, Model};

#[derive(Model)]
struct Tag {
    id: i64,
}

// `symmetrical` is only for a relation of a model to itself.
#[derive(Model)]
struct Post {
    id: i64,
    #[field(symmetrical = false)]
    tags: ManyToMany<Tag>,
}

// A symmetrical relation has no reverse accessor to name.
#[derive(Model)]
struct Person {
    id: i64,
    #[field(related_name = "befriended_by")]
    friends: ManyToMany<Self>,
}

// Two keys to the model itself (in `Follow`): which is which must be said.
#[derive(Model)]
struct Account {
    id: i64,
    #[field(through = Follow, symmetrical = false)]
    follows: ManyToMany<Self>,
}

// `through_fields` without `through`; `through` on a column.
#[derive(Model)]
struct Article {
    id: i64,
    #[field(through_fields = ("article", "tag"))]
    tags: ManyToMany<Tag>,
    #[field(through = Follow)]
    title: String,
}

fn main() {}
