use fullstack::Model;

#[derive(Model)]
struct Tag {
    slug: String,
}

#[derive(Model)]
struct Named {
    id: String,
}

fn main() {}
