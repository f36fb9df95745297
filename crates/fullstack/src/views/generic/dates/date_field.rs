//! The field types a date view can archive by.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::DbType;
use crate::query::Temporal;

/// A date or datetime field type: `NaiveDate`, `DateTime<Utc>` or `NaiveDateTime` (read as
/// UTC).
pub trait DateField: DbType + Temporal + Clone + Send + Sync + 'static {
    /// The first moment of `day`.
    fn start_of(day: NaiveDate) -> Self;
    /// This moment (today, for a date).
    fn now() -> Self;
}

impl DateField for NaiveDate {
    fn start_of(day: NaiveDate) -> Self {
        day
    }
    fn now() -> Self {
        Utc::now().date_naive()
    }
}

impl DateField for DateTime<Utc> {
    fn start_of(day: NaiveDate) -> Self {
        day.and_time(chrono::NaiveTime::MIN).and_utc()
    }
    fn now() -> Self {
        Utc::now()
    }
}

impl DateField for NaiveDateTime {
    fn start_of(day: NaiveDate) -> Self {
        day.and_time(chrono::NaiveTime::MIN)
    }
    fn now() -> Self {
        Utc::now().naive_utc()
    }
}
