//! `migrate [APP [NAME|zero]] [--plan]`.

use clap::{Arg, ArgAction, Command};

use super::{CommandContext, CommandError, resolve_migration};
use crate::migrations::{self, Executor, MigrationProgress, MigrationSet, Target};
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
    if ctx.matches.get_flag("plan") {
        let executor = Executor::new(&db, &set).rust(project.rust_registry());
        let plan = executor.plan(&target).await?;
        let out = &mut *ctx.out;
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
    apply(ctx.out, project, &db, &set, &target).await?;
    post_migrate(project, &db).await?;
    Ok(0)
}

/// Runs the apps' [`post_migrate`](crate::AppConfig::post_migrate) hooks, in app order.
pub(crate) async fn post_migrate(
    project: &Project,
    db: &crate::Database,
) -> Result<(), CommandError> {
    for app in project.apps() {
        for hook in app.post_migrate_hooks() {
            hook(db, project).await?;
        }
    }
    Ok(())
}

/// Brings the database to `target`, printing Django's lines as it goes (`Operations to
/// perform:`, `Applying polls.0001_initial... OK`); `migrate` and `runserver --migrate`.
pub(crate) async fn apply(
    out: &mut dyn std::io::Write,
    project: &Project,
    db: &crate::Database,
    set: &MigrationSet,
    target: &Target,
) -> Result<(), CommandError> {
    let executor = Executor::new(db, set).rust(project.rust_registry());
    let plan = executor.plan(target).await?;
    writeln!(out, "Operations to perform:")?;
    match target {
        Target::Latest => {
            let mut apps: Vec<&str> = Vec::new();
            for m in set.migrations() {
                if !apps.contains(&m.app.as_str()) {
                    apps.push(&m.app);
                }
            }
            apps.sort_unstable();
            let apps = if apps.is_empty() {
                "(none)".to_owned()
            } else {
                apps.join(", ")
            };
            writeln!(out, "  Apply all migrations: {apps}")?;
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
    if !plan.is_empty() {
        // One locked run of the executor; its progress comes back through a channel and is
        // printed while it works.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, bool, bool)>();
        let hook = move |p: MigrationProgress<'_>| {
            let _ = tx.send((format!("{}.{}", p.app, p.name), p.forward, p.done));
        };
        let executor = executor.progress(&hook);
        let run = executor.migrate(target);
        tokio::pin!(run);
        let mut open = false;
        let mut print = |(label, forward, done): (String, bool, bool)| -> std::io::Result<()> {
            open = !done;
            if done {
                writeln!(out, " OK")
            } else {
                let verb = if forward { "Applying" } else { "Unapplying" };
                write!(out, "  {verb} {label}...")?;
                out.flush()
            }
        };
        let result = loop {
            tokio::select! {
                biased;
                Some(event) = rx.recv() => print(event)?,
                result = &mut run => {
                    while let Ok(event) = rx.try_recv() {
                        print(event)?;
                    }
                    break result;
                }
            }
        };
        match result {
            Ok(report) => {
                if report.applied.is_empty() && report.unapplied.is_empty() {
                    // Another process applied them meanwhile.
                    writeln!(out, "  No migrations to apply.")?;
                }
                // The executor's other notes (MySQL's non-transactional DDL).
                for m in &report.messages {
                    if !m.starts_with("Applying ")
                        && !m.starts_with("Unapplying ")
                        && !m.starts_with("No migrations")
                    {
                        writeln!(out, "  {m}")?;
                    }
                }
            }
            Err(e) => {
                if open {
                    writeln!(out, " FAILED")?;
                }
                return Err(e.into());
            }
        }
    }
    let problems = migrations::check(&project.models(), set);
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
    Ok(())
}
