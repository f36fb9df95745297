//! Management commands, Django's `manage.py`: `runserver` (the default), `migrate`,
//! `makemigrations`, `showmigrations`, `sqlmigrate`, `check`, `dbshell`, `startapp`, and the
//! commands apps add with [`ManagementCommand`].
//!
//! ```
//! use fullstack::{AppConfig, CommandContext, CommandFuture, ManagementCommand, Project};
//!
//! struct Greet;
//!
//! impl ManagementCommand for Greet {
//!     fn command(&self) -> clap::Command {
//!         clap::Command::new("greet").about("Says hello").arg(clap::Arg::new("who"))
//!     }
//!     fn run<'a>(&'a self, ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
//!         Box::pin(async move {
//!             let who = ctx.matches.get_one::<String>("who").cloned().unwrap_or("world".into());
//!             writeln!(ctx.out, "Hello, {who}!")?;
//!             Ok(())
//!         })
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let project = Project::new("site").app(AppConfig::new("hello").command(Greet));
//! let (mut out, mut err) = (Vec::new(), Vec::new());
//! let code = project.run_with(["manage", "greet", "you"], &mut out, &mut err).await;
//! assert_eq!((code, String::from_utf8(out).unwrap()), (0, "Hello, you!\n".to_owned()));
//! # }
//! ```

mod check;
mod dbshell;
mod makemigrations;
mod migrate;
mod runserver;
mod showmigrations;
mod sqlmigrate;
mod startapp;

use std::fmt;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;

use clap::{Arg, ArgMatches, Command};

use crate::migrations::MigrationSet;
use crate::project::Project;
use crate::{Database, Error};

/// What a command fails with: any error, shown as `Error: <message>` with exit code 1.
pub type CommandError = Box<dyn std::error::Error + Send + Sync>;

/// What [`ManagementCommand::run`] returns.
pub type CommandFuture<'a> = Pin<Box<dyn Future<Output = Result<(), CommandError>> + 'a>>;

/// A management command an app adds (see the [module](self) example): its clap definition and
/// an async handler.
pub trait ManagementCommand: Send + Sync {
    /// The command's name, arguments and help, as a clap [`Command`].
    fn command(&self) -> Command;

    /// Runs the command; its arguments are in [`CommandContext::matches`].
    fn run<'a>(&'a self, ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a>;
}

/// A command handler as a plain function, for [`AppConfig::command_fn`](crate::AppConfig::command_fn).
pub type CommandFn = for<'a, 'b> fn(&'a mut CommandContext<'b>) -> CommandFuture<'a>;

/// A [`ManagementCommand`] made of a clap definition and a [`CommandFn`].
pub(crate) struct FnCommand {
    pub(crate) command: Command,
    pub(crate) handler: CommandFn,
}

impl ManagementCommand for FnCommand {
    fn command(&self) -> Command {
        self.command.clone()
    }

    fn run<'a>(&'a self, ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
        (self.handler)(ctx)
    }
}

/// What a running command gets: its arguments, the output, the project and its database.
pub struct CommandContext<'a> {
    /// The command's arguments.
    pub matches: ArgMatches,
    /// Where output goes (stdout for [`Project::run`]).
    pub out: &'a mut dyn Write,
    /// Where warnings go (stderr for [`Project::run`]).
    pub err: &'a mut dyn Write,
    project: &'a Project,
    database_url: String,
    db: Option<Database>,
    /// Whether the command line is the process's own, so `runserver` may install a log
    /// subscriber writing to the process's stderr.
    process_command_line: bool,
}

impl fmt::Debug for CommandContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandContext")
            .field("matches", &self.matches)
            .field("project", &self.project.name())
            .field("database_url", &self.database_url)
            .finish_non_exhaustive()
    }
}

impl CommandContext<'_> {
    /// The project.
    pub fn project(&self) -> &Project {
        self.project
    }

    /// The project's settings.
    pub fn settings(&self) -> &crate::Settings {
        self.project().current_settings()
    }

    /// The database URL (`--database-url`, else the project's).
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// The database, connected on first use (and closed when the command ends).
    ///
    /// # Errors
    /// When the URL is not supported or the server cannot be reached.
    pub async fn database(&mut self) -> Result<Database, Error> {
        if let Some(db) = &self.db {
            return Ok(db.clone());
        }
        let options = self.project.pool_settings().clone();
        let db = Database::connect_with(&self.database_url, options).await?;
        self.db = Some(db.clone());
        Ok(db)
    }

    /// The project's migrations.
    ///
    /// # Errors
    /// As [`Project::migrations`].
    pub fn migrations(&self) -> Result<MigrationSet, Error> {
        self.project.migrations()
    }
}

/// The built-in commands' names.
const BUILTIN: &[&str] = &[
    "runserver",
    "migrate",
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "check",
    "dbshell",
    "startapp",
];

fn cli(project: &Project) -> Command {
    let mut cli = Command::new("manage")
        .about(format!(
            "{}: management commands (runserver when none is given)",
            project.name()
        ))
        .arg(
            Arg::new("database-url")
                .long("database-url")
                .value_name("URL")
                .global(true)
                .help("The database (default: the project's, else DATABASE_URL, else sqlite://db.sqlite3?mode=rwc)"),
        )
        .subcommand(runserver::command())
        .subcommand(migrate::command())
        .subcommand(makemigrations::command())
        .subcommand(showmigrations::command())
        .subcommand(sqlmigrate::command())
        .subcommand(check::command())
        .subcommand(dbshell::command())
        .subcommand(startapp::command());
    for app in project.apps() {
        for c in app.commands() {
            cli = cli.subcommand(c.command());
        }
    }
    cli
}

/// Two commands with one name: refused before clap sees them.
fn duplicate_command(project: &Project) -> Option<String> {
    let mut seen: Vec<String> = BUILTIN.iter().map(|s| (*s).to_owned()).collect();
    for app in project.apps() {
        for c in app.commands() {
            let name = c.command().get_name().to_owned();
            if seen.contains(&name) {
                return Some(format!(
                    "app `{}` adds a command `{name}`, but a command of that name exists",
                    app.label()
                ));
            }
            seen.push(name);
        }
    }
    None
}

pub(crate) async fn dispatch(
    project: &Project,
    args: Vec<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    process_command_line: bool,
) -> i32 {
    if let Some(why) = duplicate_command(project) {
        let _ = writeln!(err, "Error: {why}");
        return 1;
    }
    let matches = match cli(project).try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            use clap::error::ErrorKind;
            let text = e.render().to_string();
            return match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    let _ = write!(out, "{text}");
                    0
                }
                _ => {
                    let _ = write!(err, "{text}");
                    e.exit_code()
                }
            };
        }
    };
    let database_url = matches
        .get_one::<String>("database-url")
        .cloned()
        .unwrap_or_else(|| project.resolved_database_url());
    let (name, sub) = match matches.subcommand() {
        Some((name, sub)) => (name.to_owned(), sub.clone()),
        None => (
            "runserver".to_owned(),
            runserver::command()
                .try_get_matches_from(["runserver"])
                .unwrap_or_default(),
        ),
    };
    let mut ctx = CommandContext {
        matches: sub,
        out,
        err,
        project,
        database_url,
        db: None,
        process_command_line,
    };
    let result = run_command(&name, &mut ctx).await;
    let _ = ctx.out.flush();
    if let Some(db) = ctx.db.take() {
        db.close().await;
    }
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(ctx.err, "Error: {e}");
            // The commonest cause of "no such table" in a command is a database not migrated
            // yet; the driver's words do not say so.
            if e.downcast_ref::<crate::Error>()
                .is_some_and(crate::Error::is_missing_table)
            {
                let _ = writeln!(ctx.err, "{NOT_MIGRATED}");
            }
            1
        }
    }
}

/// What a command that found a table missing adds to the driver's error.
const NOT_MIGRATED: &str = "A table it needs is not in this database: run `migrate` first \
     (`showmigrations` lists what is not applied).";

async fn run_command(name: &str, ctx: &mut CommandContext<'_>) -> Result<i32, CommandError> {
    match name {
        "runserver" => runserver::run(ctx).await,
        "migrate" => migrate::run(ctx).await,
        "makemigrations" => makemigrations::run(ctx).await,
        "showmigrations" => showmigrations::run(ctx).await,
        "sqlmigrate" => sqlmigrate::run(ctx).await,
        "check" => check::run(ctx),
        "dbshell" => dbshell::run(ctx),
        "startapp" => startapp::run(ctx),
        _ => {
            let project = ctx.project;
            let command = project
                .apps()
                .iter()
                .flat_map(|a| a.commands())
                .find(|c| c.command().get_name() == name)
                .ok_or_else(|| format!("unknown command `{name}`"))?
                .clone();
            command.run(ctx).await.map(|()| 0)
        }
    }
}

/// `app.name`, or the app's one migration whose name starts with `name` (`0002`).
pub(crate) fn resolve_migration(
    set: &MigrationSet,
    project: &Project,
    app: &str,
    name: &str,
) -> Result<String, CommandError> {
    if !project.apps().iter().any(|a| a.label() == app) {
        return Err(format!("no installed app with label `{app}`").into());
    }
    let names: Vec<&str> = set
        .migrations()
        .iter()
        .filter(|m| m.app == app)
        .map(|m| m.name.as_str())
        .collect();
    if names.contains(&name) {
        return Ok(name.to_owned());
    }
    let matching: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| n.starts_with(name))
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => Err(format!("cannot find a migration matching `{name}` from app `{app}`").into()),
        _ => Err(format!(
            "more than one migration matches `{name}` in app `{app}`: {}",
            matching.join(", ")
        )
        .into()),
    }
}
