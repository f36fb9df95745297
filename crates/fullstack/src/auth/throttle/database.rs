//! The failures in the database: one `auth_login_failure` row each, the rows older than the
//! window deleted when a failure is recorded, so the table stays small without a cron job.

use chrono::{DateTime, Utc};

use super::Counted;
use crate::auth::LoginFailure;
use crate::query::prelude::*;
use crate::{Database, Error};

/// The address stored for a client whose address is unknown (a test client, a server that does
/// not say). Such failures count for their username only: counting them together would let one
/// client lock every other out.
const UNKNOWN_ADDRESS: &str = "unknown";

/// The times of the newest `limit` failures of `what` after `since`: one query.
pub(super) async fn newest(
    db: &Database,
    what: Counted<'_>,
    since: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<DateTime<Utc>>, Error> {
    let of = match what {
        Counted::Username(name) => LoginFailure::USERNAME.eq(name.to_owned()),
        Counted::Address(address) => LoginFailure::ADDRESS.eq(address.to_string()),
    };
    let rows = LoginFailure::objects()
        .filter(of & LoginFailure::AT.gt(since))
        .order_by([LoginFailure::AT.desc()])
        .limit(limit as u64)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| r.at).collect())
}

pub(super) async fn record(
    db: &Database,
    username: &str,
    address: Option<std::net::IpAddr>,
    since: DateTime<Utc>,
) -> Result<(), Error> {
    LoginFailure::objects()
        .filter(LoginFailure::AT.lt(since))
        .delete(db)
        .await?;
    LoginFailure::objects()
        .create(
            db,
            LoginFailure {
                id: 0,
                username: username.to_owned(),
                address: address.map_or_else(|| UNKNOWN_ADDRESS.to_owned(), |a| a.to_string()),
                at: Utc::now(),
            },
        )
        .await?;
    Ok(())
}

pub(super) async fn reset(db: &Database, username: &str) -> Result<(), Error> {
    LoginFailure::objects()
        .filter(LoginFailure::USERNAME.eq(username.to_owned()))
        .delete(db)
        .await?;
    Ok(())
}
