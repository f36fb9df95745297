//! The admin's one table, Django's `django_admin_log`: who added, changed or deleted what,
//! when, written by every change made through the admin and read by each object's history.
//! Django ties an entry to a content type; there are none here, so the entry names the app
//! and model itself (as the auth app's permissions do).

use chrono::{DateTime, Utc};

use crate::ForeignKey;
use crate::auth::User;

/// Django's `ADDITION`.
pub const ADDITION: i16 = 1;
/// Django's `CHANGE`.
pub const CHANGE: i16 = 2;
/// Django's `DELETION`.
pub const DELETION: i16 = 3;

/// One action on one object through the admin.
#[derive(crate::Model, Debug, Clone)]
#[model(app = "admin", table = "django_admin_log", ordering = ["-action_time"])]
pub struct LogEntry {
    /// The key.
    pub id: i64,
    /// When.
    pub action_time: DateTime<Utc>,
    /// Who. An entry goes with its user, as in Django.
    #[field(on_delete = cascade)]
    pub user: ForeignKey<User>,
    /// The object's app: `polls`.
    #[field(max_length = 100)]
    pub app_label: String,
    /// The object's model, lower-cased: `question`.
    #[field(max_length = 100)]
    pub model: String,
    /// The object's primary key, as text.
    #[field(max_length = 255, index = true)]
    pub object_id: String,
    /// What the object was called then (it may be gone since).
    #[field(max_length = 200)]
    pub object_repr: String,
    /// [`ADDITION`], [`CHANGE`] or [`DELETION`].
    pub action_flag: i16,
    /// What changed, for people: `Changed question text and pub date.`
    pub change_message: String,
}

impl LogEntry {
    /// Django's words for the action.
    pub fn action_name(&self) -> &'static str {
        match self.action_flag {
            ADDITION => "Added.",
            CHANGE => "Changed.",
            DELETION => "Deleted.",
            _ => "",
        }
    }
}
