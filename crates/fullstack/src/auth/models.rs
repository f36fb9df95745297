//! The auth app's tables, under Django's names (`auth_user`, `auth_group`, `auth_permission` and
//! the join tables `auth_user_groups`, `auth_user_user_permissions`, `auth_group_permissions`), so
//! a Django user table can be copied over as it is.

use chrono::{DateTime, Utc};

use crate::ManyToMany;

/// A permission: Django's `auth_permission`. Django ties a permission to a content type; there
/// are no content types here, so the row names its app and model itself: the permission
/// `polls.change_question` is `app_label = "polls"`, `codename = "change_question"`,
/// `model = "question"`.
#[derive(crate::Model, Debug, Clone, PartialEq, Eq)]
#[model(app = "auth", table = "auth_permission", ordering = ["app_label", "codename"], unique = ["app_label", "codename"])]
pub struct Permission {
    /// The key.
    pub id: i64,
    /// What people read: `Can change question`.
    #[field(max_length = 255)]
    pub name: String,
    /// The app's label: `polls`.
    #[field(max_length = 100)]
    pub app_label: String,
    /// The model's name, lower-cased (`question`); empty for a permission of the app itself.
    #[field(max_length = 100)]
    pub model: String,
    /// What code checks: `change_question`.
    #[field(max_length = 100)]
    pub codename: String,
}

impl Permission {
    /// `app_label.codename`, what [`User::has_perm`](crate::auth::UserPermissions) takes.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.app_label, self.codename)
    }
}

/// A group of users sharing permissions: Django's `auth_group`.
#[derive(crate::Model, Debug, Clone)]
#[model(app = "auth", table = "auth_group", ordering = ["name"])]
pub struct Group {
    /// The key.
    pub id: i64,
    /// Unique.
    #[field(max_length = 150, unique)]
    pub name: String,
    /// The group's permissions (`auth_group_permissions`).
    pub permissions: ManyToMany<Permission>,
}

/// A user: Django's `auth_user`, column for column.
#[derive(crate::Model, Debug, Clone)]
#[model(app = "auth", table = "auth_user", ordering = ["username"])]
pub struct User {
    /// The key.
    pub id: i64,
    /// The encoded password hash (`argon2$argon2id$...`, `pbkdf2_sha256$...`), or an unusable
    /// one starting with `!`; see [`hashers`](crate::auth::hashers).
    #[field(max_length = 128)]
    pub password: String,
    /// When the user last logged in.
    pub last_login: Option<DateTime<Utc>>,
    /// Has every permission.
    #[field(default = false)]
    pub is_superuser: bool,
    /// Unique; what the login form asks for.
    #[field(max_length = 150, unique)]
    pub username: String,
    /// Given name.
    #[field(max_length = 150, default = "")]
    pub first_name: String,
    /// Family name.
    #[field(max_length = 150, default = "")]
    pub last_name: String,
    /// Email address.
    #[field(max_length = 254, default = "")]
    pub email: String,
    /// May use the admin.
    #[field(default = false)]
    pub is_staff: bool,
    /// An inactive user cannot log in and has no permission: Django's way to delete an account
    /// without breaking what points at it.
    #[field(default = true)]
    pub is_active: bool,
    /// When the account was made.
    #[field(default = now)]
    pub date_joined: DateTime<Utc>,
    /// The user's groups (`auth_user_groups`).
    pub groups: ManyToMany<Group>,
    /// Permissions given to the user directly (`auth_user_user_permissions`).
    pub user_permissions: ManyToMany<Permission>,
}

/// One failed login, what throttling counts: per username and per client address, within the
/// window of `AUTH_THROTTLE_WINDOW`. Rows older than the window are deleted as new ones come.
#[derive(crate::Model, Debug, Clone)]
#[model(app = "auth", table = "auth_login_failure", index = ["username", "at"], index = ["address", "at"])]
pub struct LoginFailure {
    /// The key.
    pub id: i64,
    /// The username that was tried (as typed, lower-cased).
    #[field(max_length = 150)]
    pub username: String,
    /// The client's address.
    #[field(max_length = 64)]
    pub address: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A bearer token for a JSON API, made by [`ApiToken::create`](crate::auth::ApiToken::create)
/// or `createtoken`: only its SHA-256 digest is stored, so a leaked table gives no usable
/// token. Deleting the row revokes it; deleting the user deletes their tokens.
#[derive(crate::Model, Debug, Clone)]
#[model(app = "auth", table = "auth_token")]
pub struct ApiToken {
    /// The key.
    pub id: i64,
    /// Whose requests the token authenticates.
    #[field(on_delete = cascade)]
    pub user: crate::ForeignKey<User>,
    /// What the token is for (`"deploy script"`), for the user's list.
    #[field(max_length = 100, default = "")]
    pub name: String,
    /// The token's first characters, to tell tokens apart in lists: never enough to use.
    #[field(max_length = 16)]
    pub prefix: String,
    /// The hex SHA-256 of the token: what a request's token is looked up by.
    #[field(max_length = 64, unique)]
    pub digest: String,
    /// When it was made.
    #[field(default = now)]
    pub created: DateTime<Utc>,
    /// When a request last used it (written at most once a minute).
    pub last_used: Option<DateTime<Utc>>,
    /// When it stops working; never when `None`.
    pub expires: Option<DateTime<Utc>>,
}
