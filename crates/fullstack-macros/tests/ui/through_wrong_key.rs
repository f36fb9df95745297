use fullstack::{ForeignKey, ManyToMany, Model};

#[derive(Model)]
struct Musician {
    id: i64,
}

#[derive(Model)]
struct Venue {
    id: i64,
}

#[derive(Model)]
struct Band {
    id: i64,
    // Membership's `musician` points at a Venue, and it has no `band` key at all.
    #[field(through = Membership)]
    members: ManyToMany<Musician>,
}

#[derive(Model)]
struct Membership {
    id: i64,
    #[field(on_delete = cascade)]
    group: ForeignKey<Band>,
    #[field(on_delete = cascade)]
    musician: ForeignKey<Venue>,
}

fn main() {}
