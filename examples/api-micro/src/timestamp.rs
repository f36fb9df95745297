//! Timestamps: stored as Unix milliseconds (an integer column, so range filters are exact and
//! indexable whatever offset the client wrote), exchanged as RFC 3339 text in UTC.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The current time in Unix milliseconds.
pub(crate) fn now_ms() -> i64 {
    to_ms(OffsetDateTime::now_utc())
}

/// Parses an RFC 3339 date-time (`2024-05-01T12:00:00Z`, `2024-05-01T14:00:00.5+02:00`) into Unix
/// milliseconds; precision below the millisecond is dropped.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text, &Rfc3339).ok().map(to_ms)
}

/// Formats Unix milliseconds as RFC 3339 in UTC, for example `2024-05-01T12:00:00.250Z`.
pub(crate) fn format_ms(ms: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

fn to_ms(at: OffsetDateTime) -> i64 {
    // Every year RFC 3339 can write (0000 to 9999) fits an i64 of milliseconds.
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// `serialize_with` for a millisecond field sent as RFC 3339.
pub(crate) fn serialize<S: serde::Serializer>(ms: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    match format_ms(*ms) {
        Some(text) => serializer.serialize_str(&text),
        None => Err(serde::ser::Error::custom(format!(
            "{ms} ms is not a representable date"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_to_the_millisecond_in_utc() {
        let ms = parse_rfc3339("2024-05-01T14:00:00.250+02:00").unwrap();
        assert_eq!(ms, 1_714_564_800_250);
        assert_eq!(format_ms(ms).unwrap(), "2024-05-01T12:00:00.25Z");
        assert_eq!(
            format_ms(parse_rfc3339("2024-05-01T12:00:00Z").unwrap()).unwrap(),
            "2024-05-01T12:00:00Z"
        );
        assert_eq!(parse_rfc3339("2024-05-01"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
