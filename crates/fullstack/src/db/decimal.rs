//! Decimals: the digit checks of `max_digits`/`decimal_places`, and how SQLite stores them.
//!
//! PostgreSQL (`NUMERIC(p, s)`) and MySQL (`DECIMAL(p, s)`) store decimals exactly, through
//! sqlx's `rust_decimal` support. SQLite has no decimal type. The column is declared
//! `DECIMAL(p, s)`, which gives it NUMERIC affinity (as Django's `decimal` column), and values
//! are bound as numbers: an INTEGER when the value is whole and fits 64 bits, a REAL otherwise.
//! So comparisons, `ORDER BY`, arithmetic and aggregates are numeric, as on the other backends.
//! The alternatives fail one of those: TEXT compares as text (`"10.00" < "9.00"`) and breaks
//! arithmetic; a scaled integer would need every bound value and every expression scaled by
//! the column's `decimal_places`. The price of REAL is precision: a double holds any 15
//! significant digits exactly (read back as the shortest decimal that names the same double,
//! the value is the one written; some values of 16 or 17 digits survive too), so a value that
//! would not come back exactly is refused before it is stored ([`check`]) rather than silently
//! rounded. Django has the same limit on SQLite, but rounds without a word.

use std::str::FromStr as _;

use rust_decimal::Decimal;

use crate::Backend;

/// How a decimal is bound on SQLite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SqliteNumber {
    /// A whole number that fits 64 bits, stored exactly.
    Int(i64),
    /// Anything else, as the double nearest to it.
    Real(f64),
}

/// The number SQLite stores for `d`.
pub(crate) fn to_sqlite(d: &Decimal) -> SqliteNumber {
    let n = d.normalize();
    if n.scale() == 0
        && let Ok(i) = i64::try_from(n.mantissa())
    {
        return SqliteNumber::Int(i);
    }
    // Through the decimal text: Rust's float parsing rounds correctly, so this is the double
    // nearest to `d`.
    SqliteNumber::Real(d.to_string().parse().unwrap_or(f64::NAN))
}

/// The decimal a double read from SQLite stands for: the shortest decimal that parses back to
/// the same double (what `Display` prints), so `0.1` reads as `0.1`, not as the double's 55
/// binary digits.
pub(crate) fn from_sqlite_real(f: f64) -> Result<Decimal, String> {
    if !f.is_finite() {
        return Err(format!("{f} is not a decimal"));
    }
    Decimal::from_str(&f.to_string()).map_err(|e| format!("{f}: {e}"))
}

/// Whether SQLite gives `d` back exactly.
pub(crate) fn exact_on_sqlite(d: &Decimal) -> bool {
    match to_sqlite(d) {
        SqliteNumber::Int(_) => true,
        SqliteNumber::Real(f) => from_sqlite_real(f).is_ok_and(|back| back == *d),
    }
}

/// Checks `d` against a field's `(max_digits, decimal_places)` when it has them, as Django's
/// `DecimalValidator` does, except that trailing zeros after the point do not count (`1.50`
/// fits one decimal place: it is the same number as `1.5`). On SQLite it also refuses a value
/// that the database would not give back exactly (see the module documentation).
///
/// # Errors
/// A sentence saying which limit the value passes.
pub(crate) fn check(
    d: &Decimal,
    digits: Option<(u32, u32)>,
    backend: Backend,
) -> Result<(), String> {
    if let Some((max_digits, decimal_places)) = digits {
        check_digits(d, max_digits, decimal_places)?;
    }
    if backend == Backend::Sqlite && !exact_on_sqlite(d) {
        return Err(format!(
            "{d} has more significant digits than SQLite stores exactly (it keeps a double: any \
             15 digits, a whole number of up to 18)"
        ));
    }
    Ok(())
}

fn check_digits(d: &Decimal, max_digits: u32, decimal_places: u32) -> Result<(), String> {
    let n = d.normalize();
    let digits = n
        .mantissa()
        .unsigned_abs()
        .checked_ilog10()
        .map_or(0, |l| l + 1);
    let decimals = n.scale();
    let whole = digits.saturating_sub(decimals);
    let max_whole = max_digits.saturating_sub(decimal_places);
    if decimals > decimal_places {
        return Err(format!(
            "{d} has {decimals} digits after the point; at most {decimal_places} are allowed"
        ));
    }
    if whole > max_whole {
        return Err(format!(
            "{d} has {whole} digits before the point; at most {max_whole} are allowed \
             (max_digits = {max_digits}, decimal_places = {decimal_places})"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn digit_limits_follow_max_digits_and_decimal_places() {
        let ok = |s: &str| check(&dec(s), Some((5, 2)), Backend::Postgres);
        assert!(ok("999.99").is_ok());
        assert!(ok("-999.99").is_ok());
        assert!(ok("0").is_ok());
        assert!(ok("0.01").is_ok());
        assert!(ok("1.50000").is_ok(), "trailing zeros are not digits");
        assert!(
            ok("1000")
                .unwrap_err()
                .contains("4 digits before the point")
        );
        assert!(
            ok("0.001")
                .unwrap_err()
                .contains("3 digits after the point")
        );
        assert!(check(&dec("0.5"), Some((2, 2)), Backend::Postgres).is_ok());
        assert!(check(&dec("1"), Some((2, 2)), Backend::Postgres).is_err());
        // A hand-written field without digits: anything goes (but SQLite's limit).
        assert!(check(&dec("123456789.123456"), None, Backend::Postgres).is_ok());
    }

    #[test]
    fn sqlite_stores_whole_numbers_as_integers_and_the_rest_as_doubles() {
        assert_eq!(to_sqlite(&dec("42.000")), SqliteNumber::Int(42));
        assert_eq!(
            to_sqlite(&dec("-123456789012345678")),
            SqliteNumber::Int(-123_456_789_012_345_678)
        );
        assert_eq!(to_sqlite(&dec("0.10")), SqliteNumber::Real(0.1));
        for s in [
            "12345678.90",
            "0.10",
            "-0.01",
            "99999999999999.9",
            "0.000000000000001",
        ] {
            assert!(exact_on_sqlite(&dec(s)), "{s}");
            let SqliteNumber::Real(f) = to_sqlite(&dec(s)) else {
                panic!("{s} is not whole")
            };
            assert_eq!(from_sqlite_real(f).unwrap(), dec(s));
        }
        // 20 significant digits do not survive a double.
        let long = dec("1234567890.1234567891");
        assert!(!exact_on_sqlite(&long));
        assert!(check(&long, Some((20, 10)), Backend::Sqlite).is_err());
        assert!(check(&long, None, Backend::Sqlite).is_err());
        assert!(check(&long, Some((20, 10)), Backend::Postgres).is_ok());
    }
}
