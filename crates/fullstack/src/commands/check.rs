//! `check`: models in the wrong app and model changes without a migration; exit code 1 when
//! there are any.

use clap::Command;

use super::{CommandContext, CommandError};

pub(crate) fn command() -> Command {
    Command::new("check")
        .about("Reports model changes without a migration (exit code 1 when there are any)")
}

pub(crate) fn run(ctx: &mut CommandContext<'_>) -> Result<i32, CommandError> {
    let problems = ctx.project().check();
    if problems.is_empty() {
        writeln!(ctx.out, "System check identified no issues.")?;
        return Ok(0);
    }
    writeln!(
        ctx.err,
        "System check identified {} issue(s):",
        problems.len()
    )?;
    for p in &problems {
        writeln!(ctx.err, "  {p}")?;
    }
    Ok(1)
}
