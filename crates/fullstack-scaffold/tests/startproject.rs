//! `fullstack-admin startproject`, run as the installed binary is: what it writes, and what it
//! refuses (exit code 2, nothing written).

use std::path::Path;
use std::process::{Command, Output};

fn admin(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fullstack-admin"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn startproject_writes_a_project_with_settings_an_app_and_a_readme() {
    let tmp = tempfile::tempdir().unwrap();
    let out = admin(&["startproject", "mysite"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let site = tmp.path().join("mysite");
    let read = |path: &str| std::fs::read_to_string(site.join(path)).unwrap();

    let manifest = read("Cargo.toml");
    assert!(manifest.contains("name = \"mysite\""), "{manifest}");
    // The default checkout is the one the binary was built from, by an absolute path.
    let workspace = std::fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).unwrap();
    let fullstack = workspace.join("crates/fullstack");
    assert!(
        manifest.contains(&format!(
            "fullstack = {{ path = \"{}\" }}",
            fullstack.display()
        )),
        "{manifest}"
    );
    let main = read("src/main.rs");
    assert!(
        main.contains("mod pages;") && main.contains(".app(pages::app())"),
        "{main}"
    );
    assert!(main.contains("fullstack::project!(\"mysite\")"), "{main}");
    assert!(main.contains("fullstack::settings!()"), "{main}");
    let settings = read("settings.toml");
    assert!(settings.contains("SECRET_KEY = \"insecure-"), "{settings}");
    assert!(read("src/pages/models.rs").contains("#[derive(Model"));
    assert!(read("pages/templates/pages/index.html").contains("The pages app"));
    assert!(site.join("migrations/pages").is_dir());
    let readme = read("README.md");
    assert!(readme.contains("cargo run -- migrate"), "{readme}");
    assert!(read(".gitignore").contains("db.sqlite3"));

    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("src/main.rs") && said.contains("cargo run -- makemigrations"),
        "{said}"
    );
}

#[test]
fn startproject_writes_into_a_given_empty_folder_with_the_app_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("here")).unwrap();
    let out = admin(
        &["startproject", "my-site", "here", "--app", "polls"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(tmp.path().join("here/src/polls.rs").is_file());
    let manifest = std::fs::read_to_string(tmp.path().join("here/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"my-site\""), "{manifest}");
}

#[test]
fn startproject_refuses_bad_names_a_non_empty_folder_and_a_wrong_checkout_writing_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, says) in [
        (
            &["startproject", "1abc"][..],
            "`1abc` is not a project name",
        ),
        (&["startproject", "self"], "`self` cannot name a project"),
        (&["startproject", "std"], "`std` cannot name a project"),
        (
            &["startproject", "my site"],
            "`my site` is not a project name",
        ),
        (
            &["startproject", "mysite", "--app", "fn"],
            "`fn` cannot name an app",
        ),
        (
            &["startproject", "mysite", "--app", "Polls"],
            "`Polls` is not an app label",
        ),
        (
            &[
                "startproject",
                "mysite",
                "--fullstack-path",
                "/no/such/checkout",
            ],
            "--fullstack-path",
        ),
    ] {
        let out = admin(args, tmp.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(says) && err.contains("nothing was written"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "nothing written"
    );

    std::fs::create_dir(tmp.path().join("mysite")).unwrap();
    std::fs::write(tmp.path().join("mysite/notes.txt"), "mine").unwrap();
    let out = admin(&["startproject", "mysite"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("exists and is not empty"),
        "{}",
        stderr(&out)
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path().join("mysite"))
        .unwrap()
        .collect();
    assert_eq!(left.len(), 1, "only the user's file");

    // A command-line mistake is clap's, with the same exit code.
    let out = admin(&["startproject"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let out = admin(&[], tmp.path());
    assert_eq!(out.status.code(), Some(2));
}
