//! `makemigrations [--name N] [--rename app.Old=New ...] [--remove app.Model[.field] ...]
//! [--fill app.Model.field=V ...] [--dry-run] [--check] [--no-input]`: writes the migrations
//! the models need into each app's migrations folder. No database is needed.
//!
//! What the models cannot say (was a field renamed or removed? what do existing rows get in a
//! new NOT NULL column?) is answered by the flags, else asked on the terminal; without a
//! terminal (stdin is not one, or `--no-input`) the command refuses, names the model and
//! field and the ways to answer, and writes nothing.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use clap::{Arg, ArgAction, Command};

use super::{CommandContext, CommandError};
use crate::migrations::{FlagQuestioner, Interactive, Migration, plan_migrations};
use crate::project::AppConfig;

pub(crate) fn command() -> Command {
    Command::new("makemigrations")
        .about("Writes the migrations the models need into each app's migrations folder")
        .arg(
            Arg::new("name")
                .long("name")
                .short('n')
                .value_name("NAME")
                .help("The new migration's name (after its number) instead of an automatic one"),
        )
        .arg(
            Arg::new("rename")
                .long("rename")
                .value_name("app.Old=New|app.Model.old=new")
                .action(ArgAction::Append)
                .help("A model or field was renamed (not removed and added): its data is kept"),
        )
        .arg(
            Arg::new("remove")
                .long("remove")
                .value_name("app.Model|app.Model.field")
                .action(ArgAction::Append)
                .help("A model or field was removed, not renamed: its data is dropped"),
        )
        .arg(
            Arg::new("fill")
                .long("fill")
                .value_name("app.Model.field=VALUE")
                .action(ArgAction::Append)
                .help(
                    "The value existing rows get for a field that becomes NOT NULL without a \
                     default",
                ),
        )
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("Shows what would be written, without writing"),
        )
        .arg(
            Arg::new("check")
                .long("check")
                .action(ArgAction::SetTrue)
                .help("Writes nothing; exit code 1 when migrations are missing"),
        )
        .arg(
            Arg::new("no-input")
                .long("no-input")
                .alias("noinput")
                .action(ArgAction::SetTrue)
                .help(
                    "Asks no question: what the flags do not answer is refused (as without a \
                     terminal)",
                ),
        )
}

/// `0002_add_votes` named `--name` instead: `0002_<name>`.
fn renamed(m: &Migration, name: &str) -> String {
    let number = m.name.split('_').next().unwrap_or("0001");
    format!("{number}_{name}")
}

/// `embedded.rs` for one app's folder: `include!` it and pass it to
/// [`AppConfig::embedded_migrations`].
fn embedded_index(app: &str, names: &[String]) -> String {
    let mut s = String::from(
        "// Written by makemigrations: this app's migrations, embedded in the binary.\n\
         // Use: AppConfig::embedded_migrations(include!(\"<this file>\"))\n&[\n",
    );
    for name in names {
        let _ = writeln!(
            s,
            "    ({app:?}, {name:?}, include_str!({:?})),",
            format!("{name}.json")
        );
    }
    s.push_str("]\n");
    s
}

fn write_file(path: &Path, text: &str) -> Result<(), CommandError> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()).into())
}

pub(crate) async fn run(ctx: &mut CommandContext<'_>) -> Result<i32, CommandError> {
    let project = ctx.project;
    let misplaced = project.misplaced_models();
    if let Some(first) = misplaced.first() {
        return Err(first.clone().into());
    }
    let set = project.migrations_from_dirs()?;
    let flags = |name: &str| -> Vec<String> {
        ctx.matches
            .get_many::<String>(name)
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    };
    let mut answers = FlagQuestioner::new();
    for flag in flags("rename") {
        answers = answers.parse_rename(&flag)?;
    }
    for flag in flags("remove") {
        answers = answers.parse_remove(&flag)?;
    }
    for flag in flags("fill") {
        answers = answers.parse_fill(&flag)?;
    }
    let dry_run = ctx.matches.get_flag("dry-run") || ctx.matches.get_flag("check");
    let models = project.models();
    let mut new = if !ctx.matches.get_flag("no-input") && std::io::stdin().is_terminal() {
        let mut q = answers.or_ask(Interactive::new(std::io::stdin().lock(), &mut *ctx.out));
        plan_migrations(&models, &set, &mut q)?
    } else {
        plan_migrations(&models, &set, &mut answers)?
    };
    if new.is_empty() {
        writeln!(ctx.out, "No changes detected")?;
        return Ok(0);
    }
    if let Some(name) = ctx.matches.get_one::<String>("name") {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`--name {name}`: use letters, digits and underscores").into());
        }
        let renames: Vec<((String, String), String)> = new
            .iter()
            .map(|m| ((m.app.clone(), m.name.clone()), renamed(m, name)))
            .collect();
        for m in &mut new {
            for dep in &mut m.dependencies {
                if let Some((_, to)) = renames.iter().find(|(from, _)| from == dep) {
                    dep.1.clone_from(to);
                }
            }
            m.name = renamed(m, name);
        }
    }
    for m in &new {
        let app = project
            .apps()
            .iter()
            .find(|a| a.label() == m.app)
            .ok_or_else(|| {
                format!(
                    "models of app `{}` are listed, but it is not installed",
                    m.app
                )
            })?;
        let dir = app.migrations_path();
        let path = dir.join(format!("{}.json", m.name));
        writeln!(ctx.out, "Migrations for '{}':", m.app)?;
        writeln!(ctx.out, "  {}", path.display())?;
        for op in &m.operations {
            writeln!(ctx.out, "    - {}", op.describe())?;
        }
        if dry_run {
            continue;
        }
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        write_file(&path, &m.to_json())?;
        write_app_index(app)?;
    }
    if ctx.matches.get_flag("check") {
        return Ok(1);
    }
    Ok(0)
}

fn write_app_index(app: &AppConfig) -> Result<(), CommandError> {
    let mut names: Vec<String> = app
        .migrations_from_dir()?
        .into_iter()
        .map(|m| m.name)
        .collect();
    names.sort();
    write_file(
        &app.migrations_path().join("embedded.rs"),
        &embedded_index(app.label(), &names),
    )
}
