//! `migrate [APP [NAME|zero]] [--plan]`.

use clap::{Arg, ArgAction, Command};

use super::{CommandContext, CommandError, resolve_migration};
use crate::migrations::{self, Executor, MigrationSet, Target};
use crate::project::Project;

pub(crate) fn command() -> Command {
    Command::new("migrate")
        .about("Brings the database to the migrations: all of them, or APP at NAME (`zero`: none of APP's)")
        .arg(Arg::new("app").value_name("APP").help("Only this app (to its latest migration)"))
        .arg(
            Arg::new("name")
                .value_name("NAME")
                .requires("app")
                .help("The migration to bring APP to (a unique prefix will do), or `zero`"),
        )
        .arg(
            Arg::new("plan")
                .long("plan")
                .action(ArgAction::SetTrue)
                .help("Shows what would be applied or rolled back, without doing it"),
        )
}

fn target(
    project: &Project,
    set: &MigrationSet,
    app: Option<&String>,
    name: Option<&String>,
) -> Result<Target, CommandError> {
    let Some(app) = app else {
        return Ok(Target::Latest);
    };
    if !project.apps().iter().any(|a| a.label() == app) {
        return Err(format!("no installed app with label `{app}`").into());
    }
    match name.map(String::as_str) {
        Some("zero") => Ok(Target::Zero { app: app.clone() }),
        Some(name) => Ok(Target::To {
            app: app.clone(),
            name: resolve_migration(set, project, app, name)?,
        }),
        None => {
            let latest = set
                .latest(app)
                .ok_or_else(|| format!("app `{app}` has no migrations"))?;
            Ok(Target::To {
                app: app.clone(),
                name: latest.name.clone(),
            })
        }
    }
}

/// The migration of `app` before `name`, as a target: rolling `name` back alone.
fn before(set: &MigrationSet, app: &str, name: &str) -> Target {
    let mut names: Vec<&str> = set
        .migrations()
        .iter()
        .filter(|m| m.app == app)
        .map(|m| m.name.as_str())
        .collect();
    names.sort_unstable();
    match names.iter().position(|n| *n == name) {
        Some(i) if i > 0 => Target::To {
            app: app.to_owned(),
            name: names[i - 1].to_owned(),
        },
        _ => Target::Zero {
            app: app.to_owned(),
        },
    }
}

pub(crate) async fn run(ctx: &mut CommandContext<'_>) -> Result<i32, CommandError> {
    let project = ctx.project;
    let set = project.migrations()?;
    let target = target(
        project,
        &set,
        ctx.matches.get_one::<String>("app"),
        ctx.matches.get_one::<String>("name"),
    )?;
    let db = ctx.database().await?;
    let executor = Executor::new(&db, &set).rust(project.rust_registry());
    let plan = executor.plan(&target).await?;
    let out = &mut *ctx.out;

    if ctx.matches.get_flag("plan") {
        writeln!(out, "Planned operations:")?;
        if plan.is_empty() {
            writeln!(out, "  No planned migration operations.")?;
        }
        for (app, name, backwards) in &plan {
            let m = set
                .migrations()
                .iter()
                .find(|m| &m.app == app && &m.name == name);
            if *backwards {
                writeln!(out, "Undo {app}.{name}")?;
            } else {
                writeln!(out, "{app}.{name}")?;
            }
            for op in m.map(|m| m.operations.as_slice()).unwrap_or_default() {
                writeln!(out, "    {}", op.describe())?;
            }
        }
        return Ok(0);
    }

    writeln!(out, "Operations to perform:")?;
    match &target {
        Target::Latest => {
            let mut apps: Vec<&str> = Vec::new();
            for m in set.migrations() {
                if !apps.contains(&m.app.as_str()) {
                    apps.push(&m.app);
                }
            }
            apps.sort_unstable();
            writeln!(out, "  Apply all migrations: {}", apps.join(", "))?;
        }
        Target::To { app, name } => {
            writeln!(out, "  Target specific migration: {name}, from {app}")?;
        }
        Target::Zero { app } => writeln!(out, "  Unapply all migrations: {app}")?,
    }
    writeln!(out, "Running migrations:")?;
    if plan.is_empty() {
        writeln!(out, "  No migrations to apply.")?;
    }
    for (app, name, backwards) in &plan {
        let (verb, step) = if *backwards {
            ("Unapplying", before(&set, app, name))
        } else {
            (
                "Applying",
                Target::To {
                    app: app.clone(),
                    name: name.clone(),
                },
            )
        };
        write!(out, "  {verb} {app}.{name}...")?;
        out.flush()?;
        if let Err(e) = executor.migrate(&step).await {
            writeln!(out, " FAILED")?;
            return Err(e.into());
        }
        writeln!(out, " OK")?;
    }
    let problems = migrations::check(&project.models(), &set);
    if !problems.is_empty() {
        let mut apps: Vec<&str> = problems
            .iter()
            .filter_map(|p| p.split(':').next())
            .collect();
        apps.dedup();
        writeln!(
            out,
            "  Your models in app(s): {} have changes that are not yet reflected in a migration, and so won't be applied.\n  Run `makemigrations` to make new migrations, and then re-run `migrate` to apply them.",
            apps.join(", ")
        )?;
    }
    Ok(0)
}
