//! Which names an app or a project may have: each becomes a Rust identifier (a module, a
//! crate) and an app's label prefixes its tables.

/// Rust's keywords, strict and reserved: a module or a crate cannot be named one.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "typeof", "unsized", "virtual", "yield", "try", "union",
];

/// Crates a generated project uses, or the compiler's own: a project (a crate) or an app (a
/// module of the project's crate) of that name would shadow them.
const CRATES: &[&str] = &[
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    "fullstack",
    "micro",
    "tokio",
    "fullstack_macros",
    "fullstack_scaffold",
];

/// Names of a project's own files and folders, which an app's files would collide with.
const PROJECT_FILES: &[&str] = &["main", "lib", "tests", "migrations", "templates", "static"];

/// Whether `name` is lowercase letters, digits and `extra`, starting with a letter.
fn well_formed(name: &str, extra: &[char]) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c))
}

/// Refuses an app label that cannot name a Rust module or a table prefix: lowercase letters,
/// digits and `_`, starting with a letter, not a keyword nor a name the project uses.
pub fn check_app_label(label: &str) -> Result<(), String> {
    if !well_formed(label, &['_']) {
        return Err(format!(
            "`{label}` is not an app label: use lowercase letters, digits and _, starting with a letter (it names a Rust module and a database table prefix)"
        ));
    }
    if KEYWORDS.contains(&label) || CRATES.contains(&label) || PROJECT_FILES.contains(&label) {
        return Err(format!(
            "`{label}` cannot name an app: it is a Rust keyword or a name the project uses"
        ));
    }
    Ok(())
}

/// Refuses a project name that cannot name a cargo package whose crate is a Rust identifier:
/// lowercase letters, digits, `_` and `-`, starting with a letter; with `-` read as `_`, not a
/// keyword nor a crate the project uses.
pub fn check_project_name(name: &str) -> Result<(), String> {
    if !well_formed(name, &['_', '-']) {
        return Err(format!(
            "`{name}` is not a project name: use lowercase letters, digits, _ and -, starting with a letter (it names the cargo package and its crate)"
        ));
    }
    let ident = name.replace('-', "_");
    if KEYWORDS.contains(&ident.as_str()) || CRATES.contains(&ident.as_str()) {
        return Err(format!(
            "`{name}` cannot name a project: it is a Rust keyword or the name of a crate the project uses"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{check_app_label, check_project_name};

    #[test]
    fn app_labels() {
        for good in ["polls", "blog_posts2", "a"] {
            assert_eq!(check_app_label(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "Polls",
            "2polls",
            "_polls",
            "blog-posts",
            "../etc",
            "a.b",
            "fn",
            "self",
            "micro",
            "std",
            "migrations",
            "polls ",
        ] {
            let why = check_app_label(bad).unwrap_err();
            assert!(why.contains(&format!("`{bad}`")), "{why}");
        }
    }

    #[test]
    fn project_names() {
        for good in ["mysite", "my-site", "site_2"] {
            assert_eq!(check_project_name(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "1abc",
            "MySite",
            "-site",
            "my site",
            "my/site",
            "..",
            "self",
            "std",
            "core",
            "fullstack",
            "async",
            "proc-macro",
        ] {
            let why = check_project_name(bad).unwrap_err();
            assert!(why.contains(&format!("`{bad}`")), "{why}");
        }
    }
}
