//! `check`: models in the wrong app and model changes without a migration; with `--deploy`,
//! also the settings' [deploy checks](crate::settings::deploy_checks). Exit code 1 when there
//! are problems at `--fail-level` or worse (model problems are always errors).

use clap::{Arg, ArgAction, Command};

use super::{CommandContext, CommandError};
use crate::settings::{Level, deploy_checks};

pub(crate) fn command() -> Command {
    Command::new("check")
        .about("Reports model changes without a migration, and with --deploy unsafe settings (exit code 1 on errors)")
        .arg(
            Arg::new("deploy")
                .long("deploy")
                .action(ArgAction::SetTrue)
                .help("Also checks the settings for a public HTTPS site (DEBUG, SECRET_KEY, HSTS, ...)"),
        )
        .arg(
            Arg::new("fail-level")
                .long("fail-level")
                .value_name("LEVEL")
                .value_parser(["ERROR", "WARNING"])
                .ignore_case(true)
                .default_value("ERROR")
                .help("The level of deploy check that makes the exit code 1"),
        )
}

pub(crate) fn run(ctx: &mut CommandContext<'_>) -> Result<i32, CommandError> {
    let problems = ctx.project().check();
    let deploy = if ctx.matches.get_flag("deploy") {
        deploy_checks(ctx.settings())
    } else {
        Vec::new()
    };
    if problems.is_empty() && deploy.is_empty() {
        writeln!(ctx.out, "System check identified no issues.")?;
        return Ok(0);
    }
    let fail_level = match ctx.matches.get_one::<String>("fail-level") {
        Some(level) if level.eq_ignore_ascii_case("WARNING") => Level::Warning,
        _ => Level::Error,
    };
    writeln!(
        ctx.err,
        "System check identified {} issue(s):",
        problems.len() + deploy.len()
    )?;
    for p in &problems {
        writeln!(ctx.err, "  {p}")?;
    }
    for check in &deploy {
        writeln!(ctx.err, "  {check}")?;
    }
    let failed = !problems.is_empty() || deploy.iter().any(|c| c.level >= fail_level);
    Ok(i32::from(failed))
}
