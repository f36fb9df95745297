//! `fullstack-admin`, Django's `django-admin`: `fullstack-admin startproject NAME [DIR]` writes
//! a new project. Installed with `cargo install --path crates/fullstack-scaffold`.
//!
//! Exit codes: 0 when the project was written; 2 when the command line or a name is refused,
//! or the folder is not empty (nothing is written); 1 when writing failed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, Command};
use fullstack_scaffold::{ProjectOptions, Scaffold};

/// Where this binary was built from: the project's default fullstack checkout (the crates are
/// not published, so a project depends on a checkout by path).
const BUILT_FROM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn cli() -> Command {
    Command::new("fullstack-admin")
        .about("Creates fullstack projects (Django's django-admin)")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("startproject")
                .about("Creates a project: a cargo project whose binary is its manage.py, with settings.toml and one app")
                .arg(
                    Arg::new("name")
                        .value_name("NAME")
                        .required(true)
                        .help("The project's name: its cargo package (lowercase letters, digits, _ and -, starting with a letter)"),
                )
                .arg(
                    Arg::new("directory")
                        .value_name("DIR")
                        .help("The folder to write it into, which must be missing or empty (default: ./NAME)"),
                )
                .arg(
                    Arg::new("app")
                        .long("app")
                        .value_name("LABEL")
                        .default_value("pages")
                        .help("The label of the project's first app"),
                )
                .arg(
                    Arg::new("fullstack-path")
                        .long("fullstack-path")
                        .value_name("DIR")
                        .help("The fullstack checkout (with crates/fullstack) the project depends on by path (default: the one this program was built from)"),
                ),
        )
}

fn main() -> ExitCode {
    let matches = cli().get_matches();
    let Some(("startproject", args)) = matches.subcommand() else {
        unreachable!("clap requires a subcommand, and startproject is the only one");
    };
    let arg = |name: &str| args.get_one::<String>(name).cloned();
    let name = arg("name").unwrap_or_default();
    let dir = arg("directory").map_or_else(|| PathBuf::from(&name), PathBuf::from);
    let fullstack_path =
        arg("fullstack-path").map_or_else(|| PathBuf::from(BUILT_FROM), PathBuf::from);
    // An absolute path, so the project builds wherever it is moved within the machine.
    let fullstack_path = std::fs::canonicalize(&fullstack_path).unwrap_or(fullstack_path);
    let options = ProjectOptions::new(&name, &arg("app").unwrap_or_default(), &fullstack_path);

    let scaffold =
        match fullstack_scaffold::project(&options).and_then(|s| empty_folder(&dir).map(|()| s)) {
            Ok(scaffold) => scaffold,
            Err(why) => {
                eprintln!("Error: {why} (nothing was written)");
                return ExitCode::from(2);
            }
        };
    if let Err(e) = scaffold.write_into(&dir) {
        eprintln!("Error: writing the project into {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    print_summary(&options, &dir, &scaffold);
    ExitCode::SUCCESS
}

/// Refuses a folder that exists and is not empty, or a path that is not a folder.
fn empty_folder(dir: &Path) -> Result<(), String> {
    match std::fs::read_dir(dir).map(|mut entries| entries.next().is_some()) {
        Ok(true) => Err(format!(
            "{} exists and is not empty: give a new folder, or an empty one",
            dir.display()
        )),
        Ok(false) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{} cannot be used: {e}", dir.display())),
    }
}

fn print_summary(options: &ProjectOptions, dir: &Path, scaffold: &Scaffold) {
    println!("Created project `{}` in {}:", options.name, dir.display());
    for (path, _) in &scaffold.files {
        println!("  {path}");
    }
    for path in &scaffold.dirs {
        println!("  {path}/ (empty)");
    }
    println!(
        "\nNext:\n  cd {}\n  cargo run -- makemigrations\n  cargo run -- migrate\n  cargo run            \
         # http://127.0.0.1:8000/{}/\n  cargo test",
        dir.display(),
        options.app
    );
}
