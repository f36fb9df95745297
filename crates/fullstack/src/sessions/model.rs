//! The table sessions are kept in: Django's `django_session`.

use chrono::{DateTime, Utc};

/// One stored session: Django's `django_session` row. Its data is a JSON object.
#[derive(crate::Model, Debug, Clone)]
#[model(app = "sessions", table = "django_session")]
pub struct StoredSession {
    /// The random key the cookie carries.
    #[field(primary_key, max_length = 40)]
    pub session_key: String,
    /// The session's values, as a JSON object.
    pub session_data: String,
    /// When the session stops being valid; indexed for `clearsessions`.
    #[field(index)]
    pub expire_date: DateTime<Utc>,
}
