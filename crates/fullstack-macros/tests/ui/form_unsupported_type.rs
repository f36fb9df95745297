use fullstack::forms::Form;

struct Money(i64);

#[derive(Form)]
struct Order {
    total: Money,
}

fn main() {}
