//! What the `new` constructor `#[derive(Model)]` writes calls for the defaults that are not
//! Rust literals: `default = now` and a decimal written as a string.

use chrono::{DateTime, NaiveDate, Utc};

/// A type a `default = now` field can have: the current time, or today's date (UTC), when the
/// instance is built, as migrations give the column `CURRENT_TIMESTAMP`.
#[doc(hidden)]
pub trait Now {
    /// The current value.
    fn now() -> Self;
}

impl Now for DateTime<Utc> {
    fn now() -> Self {
        Utc::now()
    }
}

impl Now for NaiveDate {
    fn now() -> Self {
        Utc::now().date_naive()
    }
}

/// The decimal a `default = "0.00"` holds, every digit kept.
///
/// # Panics
/// When `text` is not a decimal, which the derive checks at compile time.
#[doc(hidden)]
pub fn decimal(text: &str) -> rust_decimal::Decimal {
    text.parse()
        .expect("the derive accepts only decimal numbers as a Decimal's default")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_default_keeps_its_digits() {
        assert_eq!(decimal("0.10").to_string(), "0.10");
        assert_eq!(decimal("-12").to_string(), "-12");
    }

    #[test]
    fn now_is_today() {
        assert_eq!(<NaiveDate as Now>::now(), Utc::now().date_naive());
    }
}
