use fullstack::{Decimal, Model};

#[derive(Model)]
struct NoDigits {
    id: i64,
    price: Decimal,
}

#[derive(Model)]
struct OnlyMaxDigits {
    id: i64,
    #[field(max_digits = 10)]
    price: Option<Decimal>,
}

#[derive(Model)]
struct MorePlacesThanDigits {
    id: i64,
    #[field(max_digits = 4, decimal_places = 6)]
    price: Decimal,
}

#[derive(Model)]
struct TooManyDigits {
    id: i64,
    #[field(max_digits = 40, decimal_places = 2)]
    price: Decimal,
}

#[derive(Model)]
struct DigitsOnAnInteger {
    id: i64,
    #[field(max_digits = 10, decimal_places = 2)]
    votes: i32,
}

#[derive(Model)]
struct DefaultNotANumber {
    id: i64,
    #[field(max_digits = 10, decimal_places = 2, default = "free")]
    price: Decimal,
}

fn main() {}
