//! `startapp LABEL [--directory DIR]`: writes a new app into the project (a module with a model,
//! a view, a template, an empty migrations folder and a test) and says how to install it.

mod files;

use std::path::{Path, PathBuf};

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

/// Words a module cannot be named (Rust's keywords), and names that would shadow a crate the
/// app uses.
const TAKEN: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "union",
    "fullstack",
    "micro",
    "tokio",
    "main",
    "lib",
    "tests",
    "migrations",
    "templates",
    "static",
];

/// Why `label` cannot name an app, if it cannot.
fn refusal(label: &str) -> Option<String> {
    let mut chars = label.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !well_formed {
        return Some(format!(
            "`{label}` is not an app label: use lowercase letters, digits and _, starting with a letter (it names a Rust module and a database table prefix)"
        ));
    }
    TAKEN.contains(&label).then(|| {
        format!("`{label}` cannot name an app: it is a Rust keyword or a name the project uses")
    })
}

pub(crate) fn run(ctx: &mut CommandContext<'_>) -> Result<i32, CommandError> {
    let label = ctx
        .matches
        .get_one::<String>("label")
        .cloned()
        .unwrap_or_default();
    if let Some(why) = refusal(&label) {
        return Err(why.into());
    }
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
    let files = files::for_app(&label);
    let migrations = Path::new("migrations").join(&label);
    let taken: Vec<String> = files
        .iter()
        .map(|(path, _)| PathBuf::from(path))
        .chain([migrations.clone(), PathBuf::from(&label)])
        .filter(|path| dir.join(path).exists())
        .map(|path| path.display().to_string())
        .collect();
    if !taken.is_empty() {
        return Err(format!(
            "not creating app `{label}`: {} exist(s) already in {} (nothing was written)",
            taken.join(", "),
            dir.display()
        )
        .into());
    }

    for (path, text) in &files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
    }
    std::fs::create_dir_all(dir.join(&migrations))?;

    writeln!(ctx.out, "Created app `{label}` in {}:", dir.display())?;
    for (path, _) in &files {
        writeln!(ctx.out, "  {path}")?;
    }
    writeln!(ctx.out, "  {}/ (empty)", migrations.display())?;
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

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn labels() {
        assert_eq!(refusal("polls"), None);
        assert_eq!(refusal("blog_posts2"), None);
        for bad in [
            "",
            "Polls",
            "2polls",
            "blog-posts",
            "../etc",
            "a.b",
            "fn",
            "micro",
        ] {
            assert!(refusal(bad).is_some(), "{bad}");
        }
    }
}
