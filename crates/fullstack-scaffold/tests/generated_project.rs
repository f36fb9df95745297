//! End to end: `fullstack-admin startproject` writes a project that builds, whose own test
//! passes, whose `makemigrations` and `migrate` work, and to which `startapp` adds an app that
//! builds and passes its test too. The project points at this workspace's crates
//! (`--fullstack-path`), builds offline with the workspace's `Cargo.lock`, and shares the
//! workspace's target folder, so only what differs from the workspace's build is compiled.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    std::fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).unwrap()
}

/// The target folder this test was built in (the workspace's, or `CARGO_TARGET_DIR`):
/// `CARGO_TARGET_TMPDIR` is its `tmp/`.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Runs cargo in the project, asserting success; returns stdout and stderr together.
fn cargo(project: &Path, args: &[&str]) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .arg("--offline")
        .args(args)
        .current_dir(project)
        .env("CARGO_TARGET_DIR", target_dir())
        // The project's own settings, not the environment's of whoever runs the tests.
        .env_remove("DATABASE_URL")
        .env_remove("FULLSTACK_SETTINGS")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "cargo {args:?} in {}:\n{text}",
        project.display()
    );
    text
}

#[test]
fn a_generated_project_builds_migrates_and_passes_its_tests_and_so_does_a_new_app() {
    let tmp = tempfile::tempdir().unwrap();
    let workspace = workspace();
    let out = Command::new(env!("CARGO_BIN_EXE_fullstack-admin"))
        .args([
            "startproject",
            "scaffold-e2e-site",
            "site",
            "--app",
            "polls",
        ])
        .arg("--fullstack-path")
        .arg(&workspace)
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let site = tmp.path().join("site");
    // The workspace's versions of every dependency: nothing new is fetched or built.
    std::fs::copy(workspace.join("Cargo.lock"), site.join("Cargo.lock")).unwrap();

    let tested = cargo(&site, &["test", "-q"]);
    assert!(tested.contains("1 passed"), "{tested}");

    let made = cargo(&site, &["run", "-q", "--", "makemigrations"]);
    assert!(
        made.contains("0001_initial") && made.contains("polls.Item"),
        "{made}"
    );
    assert!(site.join("migrations/polls/0001_initial.json").is_file());
    let migrated = cargo(&site, &["run", "-q", "--", "migrate"]);
    assert!(
        migrated.contains("Applying polls.0001_initial... OK"),
        "{migrated}"
    );
    assert!(
        site.join("db.sqlite3").is_file(),
        "in the working directory"
    );
    let checked = cargo(&site, &["run", "-q", "--", "check"]);
    assert!(checked.contains("no issues"), "{checked}");

    // startapp, then the two lines it says to add.
    let started = cargo(&site, &["run", "-q", "--", "startapp", "blog"]);
    assert!(started.contains("src/blog.rs"), "{started}");
    let main_rs = site.join("src/main.rs");
    let main = std::fs::read_to_string(&main_rs).unwrap();
    let main = main.replace("mod polls;", "mod blog;\nmod polls;").replace(
        ".app(polls::app())",
        ".app(polls::app())\n        .app(blog::app())",
    );
    std::fs::write(&main_rs, main).unwrap();
    let made = cargo(&site, &["run", "-q", "--", "makemigrations"]);
    assert!(made.contains("migrations/blog/0001_initial.json"), "{made}");
    assert!(
        !made.contains("migrations/polls/0002"),
        "polls is unchanged: {made}"
    );
    let tested = cargo(&site, &["test", "-q"]);
    assert!(tested.contains("2 passed"), "{tested}");
}
