//! Reading the period a date view shows from its rule variables.

use crate::views::generic::UrlVariables;
use chrono::{Datelike, Months, NaiveDate};

/// Days `start..end` (the end excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Period {
    pub(super) start: NaiveDate,
    pub(super) end: NaiveDate,
}

/// How much of the date the rule gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Span {
    Year,
    Month,
    Day,
}

impl Span {
    /// The variables and Django's format for the message of a bad date.
    fn parts(self) -> (&'static [&'static str], &'static str) {
        match self {
            Span::Year => (&["year"], "%Y"),
            Span::Month => (&["year", "month"], "%Y__%m"),
            Span::Day => (&["year", "month", "day"], "%Y__%m__%d"),
        }
    }
}

/// The period the request's `<year>`, `<month>` and `<day>` name.
///
/// # Errors
/// A 404 with Django's message for a date that does not exist; a 500 for a rule without the
/// variables (the project's mistake).
pub(super) fn period(vars: &UrlVariables, span: Span) -> Result<Period, micro::Error> {
    let (names, format) = span.parts();
    let mut raw = Vec::new();
    for name in names {
        raw.push(vars.get(name).ok_or_else(|| {
            micro::Error::internal(format!(
                "a date view's URL rule needs <{}>; it has no <{name}>",
                names.join(">, <")
            ))
        })?);
    }
    parse(&raw, span).ok_or_else(|| {
        micro::Error::new(
            micro::StatusCode::NOT_FOUND,
            format!(
                "Invalid date string “{}” given format “{format}”",
                raw.join("__")
            ),
        )
    })
}

fn parse(raw: &[&str], span: Span) -> Option<Period> {
    let number = |s: &str| {
        (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let year = i32::try_from(number(raw[0])?).ok()?;
    let month = raw.get(1).map_or(Some(1), |m| number(m))?;
    let day = raw.get(2).map_or(Some(1), |d| number(d))?;
    let start = NaiveDate::from_ymd_opt(year, month, day)?;
    let end = match span {
        Span::Year => NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)?,
        Span::Month => start.checked_add_months(Months::new(1))?,
        Span::Day => start.succ_opt()?,
    };
    Some(Period { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn periods_end_where_the_next_begins() {
        assert_eq!(
            parse(&["2021"], Span::Year),
            Some(Period {
                start: day(2021, 1, 1),
                end: day(2022, 1, 1)
            })
        );
        assert_eq!(
            parse(&["2021", "12"], Span::Month).map(|p| p.end),
            Some(day(2022, 1, 1))
        );
        assert_eq!(
            parse(&["2024", "2", "29"], Span::Day).map(|p| p.end),
            Some(day(2024, 3, 1))
        );
    }

    #[test]
    fn dates_that_do_not_exist_are_refused() {
        assert_eq!(parse(&["2021", "13"], Span::Month), None);
        assert_eq!(parse(&["2021", "00"], Span::Month), None);
        assert_eq!(parse(&["2021", "02", "30"], Span::Day), None);
        assert_eq!(parse(&["2021", "+2", "01"], Span::Day), None);
        assert_eq!(parse(&["twenty"], Span::Year), None);
        assert_eq!(parse(&["99999"], Span::Year), None);
    }
}
