//! `sqlmigrate APP NAME [--backwards]`: the SQL a migration runs, on the project's backend.

use clap::{Arg, ArgAction, Command};

use super::{CommandContext, CommandError, resolve_migration};
use crate::{Backend, Error, migrations};

pub(crate) fn command() -> Command {
    Command::new("sqlmigrate")
        .about("Prints the SQL a migration runs on the database's backend (no connection needed)")
        .arg(Arg::new("app").value_name("APP").required(true))
        .arg(
            Arg::new("name")
                .value_name("NAME")
                .required(true)
                .help("The migration (a unique prefix will do)"),
        )
        .arg(
            Arg::new("backwards")
                .long("backwards")
                .action(ArgAction::SetTrue)
                .help("The SQL that rolls it back"),
        )
}

pub(crate) async fn run(ctx: &mut CommandContext<'_>) -> Result<i32, CommandError> {
    let backend = Backend::from_url(ctx.database_url())
        .ok_or_else(|| Error::UnsupportedUrl(ctx.database_url().to_owned()))?;
    let set = ctx.migrations()?;
    let app = ctx
        .matches
        .get_one::<String>("app")
        .cloned()
        .unwrap_or_default();
    let name = ctx
        .matches
        .get_one::<String>("name")
        .cloned()
        .unwrap_or_default();
    let name = resolve_migration(&set, ctx.project(), &app, &name)?;
    let backwards = ctx.matches.get_flag("backwards");
    let statements = migrations::sql_migrate(&set, &app, &name, backend, backwards)?;
    writeln!(
        ctx.out,
        "-- {app}.{name}{} on {}",
        if backwards { " (backwards)" } else { "" },
        backend.name()
    )?;
    for sql in statements {
        let sql = sql.trim_end();
        if sql.ends_with(';') {
            writeln!(ctx.out, "{sql}")?;
        } else {
            writeln!(ctx.out, "{sql};")?;
        }
    }
    Ok(0)
}
