//! `startapp LABEL [--directory DIR]`: writes a new app into the project (a module with a model,
//! a view, a template, an empty migrations folder and a test) and says how to install it.

use std::path::PathBuf;

use clap::{Arg, Command};

use super::{CommandContext, CommandError};

pub(crate) fn command() -> Command {
    Command::new("startapp")
        .about("Creates an app: src/LABEL.rs with a model, a view and a test, its template and migrations folder")
        .arg(
            Arg::new("label")
                .value_name("LABEL")
                .required(true)
                .help("The app's label: lowercase letters, digits and _, starting with a letter (polls, blog_posts)"),
        )
        .arg(
            Arg::new("directory")
                .long("directory")
                .value_name("DIR")
                .help("The project's folder, the one with Cargo.toml (default: the project's root, else the working directory)"),
        )
}

pub(crate) fn run(ctx: &mut CommandContext<'_>) -> Result<i32, CommandError> {
    let label = ctx
        .matches
        .get_one::<String>("label")
        .cloned()
        .unwrap_or_default();
    // The same files and label rules as `fullstack-admin startproject`'s first app.
    let scaffold = fullstack_scaffold::app(&label)?;
    if ctx.project.apps().iter().any(|a| a.label() == label) {
        return Err(format!("an app labelled `{label}` is installed already").into());
    }
    let dir = match ctx.matches.get_one::<String>("directory") {
        Some(dir) => PathBuf::from(dir),
        None => match ctx.project.root_dir() {
            Some(root) => root.to_path_buf(),
            None => std::env::current_dir()?,
        },
    };
    if !dir.join("Cargo.toml").is_file() {
        return Err(format!(
            "{} has no Cargo.toml: run startapp in the project's folder, or give it with --directory",
            dir.display()
        )
        .into());
    }
    let taken = scaffold.existing_in(&dir);
    if !taken.is_empty() {
        return Err(format!(
            "not creating app `{label}`: {} exist(s) already in {} (nothing was written)",
            taken.join(", "),
            dir.display()
        )
        .into());
    }
    scaffold.write_into(&dir)?;

    writeln!(ctx.out, "Created app `{label}` in {}:", dir.display())?;
    for (path, _) in &scaffold.files {
        writeln!(ctx.out, "  {path}")?;
    }
    for path in &scaffold.dirs {
        writeln!(ctx.out, "  {path}/ (empty)")?;
    }
    writeln!(
        ctx.out,
        "\nTo install it:\n  \
         1. in src/main.rs (or src/lib.rs): `mod {label};` and `.app({label}::app())` on the project\n  \
         2. cargo run -- makemigrations, then cargo run -- migrate\n\
         Its page is /{label}/. Its test needs `tokio` with the `macros` feature among the \
         [dev-dependencies], and `micro` among the [dependencies]."
    )?;
    Ok(0)
}
