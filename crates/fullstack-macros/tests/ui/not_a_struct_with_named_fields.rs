use fullstack::Model;

#[derive(Model)]
struct Pair(i64, String);

#[derive(Model)]
struct Unit;

#[derive(Model)]
enum Status {
    Draft,
    Published,
}

#[derive(Model)]
struct Generic<T> {
    id: i64,
    value: T,
}

fn main() {}
