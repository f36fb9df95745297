use fullstack::{ForeignKey, Model};

#[derive(Model)]
struct Person {
    id: i64,
}

// Both keys would give `Person` the accessor `message_set()`.
#[derive(Model)]
struct Message {
    id: i64,
    #[field(on_delete = cascade)]
    sender: ForeignKey<Person>,
    #[field(on_delete = cascade)]
    recipient: ForeignKey<Person>,
}

// Fine: the second key has a name of its own, the third none at all.
#[derive(Model)]
struct Letter {
    id: i64,
    #[field(on_delete = cascade)]
    sender: ForeignKey<Person>,
    #[field(on_delete = cascade, related_name = "letters_received")]
    recipient: ForeignKey<Person>,
    #[field(on_delete = cascade, related_name = "+")]
    courier: ForeignKey<Person>,
}

fn main() {}
