use fullstack::{Decimal, Model};

// The unsaved auto key is `id: 0`, not `None`.
#[derive(Model)]
struct Question {
    id: Option<i64>,
    text: String,
}

#[derive(Model)]
struct Tagged {
    #[field(primary_key)]
    id: Option<i32>,
}

// A decimal's default is a plain decimal number, as a column and `Model::new` take it.
#[derive(Model)]
struct Price {
    id: i64,
    #[field(max_digits = 6, decimal_places = 2, default = "1e3")]
    amount: Decimal,
}

fn main() {}
