//! `showmigrations`: every app's migrations, `[X]` applied, `[ ]` not.

use clap::Command;

use super::{CommandContext, CommandError};
use crate::migrations;

pub(crate) fn command() -> Command {
    Command::new("showmigrations").about("Lists every app's migrations: [X] applied, [ ] not")
}

pub(crate) async fn run(ctx: &mut CommandContext<'_>) -> Result<i32, CommandError> {
    let set = ctx.migrations()?;
    let db = ctx.database().await?;
    let status = migrations::show_migrations(&db, &set).await?;
    let project = ctx.project;
    for app in project.apps() {
        writeln!(ctx.out, "{}", app.label())?;
        let mut any = false;
        for s in status.iter().filter(|s| s.app == app.label()) {
            any = true;
            let mark = if s.applied { 'X' } else { ' ' };
            writeln!(ctx.out, " [{mark}] {}", s.name)?;
        }
        if !any {
            writeln!(ctx.out, " (no migrations)")?;
        }
    }
    Ok(0)
}
