use fullstack::Model;

#[derive(Model)]
struct Tag {
    #[field(primary_key)]
    slug: String,
    #[field(primary_key)]
    name: String,
}

fn main() {}
