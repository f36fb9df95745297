//! `clearsessions`: deletes expired sessions from the database (Django's command of that name),
//! for a cron job or a scheduled task.

use super::DatabaseStore;
use super::store::SessionStore;
use crate::{CommandContext, CommandFuture};

pub(super) fn definition() -> clap::Command {
    clap::Command::new("clearsessions").about("Deletes expired sessions from the database")
}

pub(super) fn run<'a>(ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
    Box::pin(async move {
        let store = DatabaseStore::new(ctx.database().await?);
        let deleted = store.clear_expired().await?;
        writeln!(ctx.out, "Deleted {deleted} expired session(s).")?;
        Ok(())
    })
}
