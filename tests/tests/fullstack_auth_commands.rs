//! The auth app's commands as a user runs them, in a process with standard input and
//! environment: `createsuperuser` interactive (with the validators and the bypass question) and
//! `--noinput` with `SUPERUSER_PASSWORD`, and `changepassword`, on every database backend.

mod backends;

use std::io::Write;
use std::process::{Command, Stdio};

use backends::on_every_backend;
use fullstack::auth::{Hashers, User};
use fullstack::query::prelude::*;

const BINARY: &str = env!("CARGO_BIN_EXE_auth-site");

/// Runs the fixture with `args`, `stdin` and `env`; its exit code, stdout and stderr.
fn run(url: &str, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut child = Command::new(BINARY)
        .args(args)
        .args(["--database-url", url])
        .env_remove("SUPERUSER_PASSWORD")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

async fn user(db: &fullstack::Database, name: &str) -> User {
    User::objects()
        .filter(User::USERNAME.eq(name))
        .get(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn createsuperuser_and_changepassword() {
    on_every_backend("authcommands", |t| async move {
        let (code, _, err) = run(&t.url, &["migrate"], "", &[]);
        assert_eq!(code, 0, "{err}");

        // --noinput with the password from the environment.
        let scripted = unique("ops");
        let (code, out, err) = run(
            &t.url,
            &["createsuperuser", "--noinput", "--username", &scripted, "--email", "ops@example.com"],
            "",
            &[("SUPERUSER_PASSWORD", "a scripted secret")],
        );
        assert_eq!(code, 0, "{out}{err}");
        let ops = user(&t.db, &scripted).await;
        assert!(ops.is_superuser && ops.is_staff);
        assert!(Hashers::default().verify("a scripted secret", &ops.password).ok);

        // Interactive: a taken username, mismatched passwords, a common one refused, then a
        // good one.
        let name = unique("ada");
        let answers = format!(
            "{scripted}\n{name}\nada@example.com\nfirst pass\nsecond pass\npassword\npassword\nN\ncorrect horse battery\ncorrect horse battery\n"
        );
        let (code, out, err) = run(&t.url, &["createsuperuser"], &answers, &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(err.contains("That username is already taken."), "{err}");
        assert!(err.contains("Your passwords didn't match."), "{err}");
        assert!(err.contains("This password is too common."), "{err}");
        assert!(out.contains("Superuser created successfully."), "{out}");
        let ada = user(&t.db, &name).await;
        assert_eq!(ada.email, "ada@example.com");
        assert!(Hashers::default().verify("correct horse battery", &ada.password).ok);

        // Bypassing the validators when asked.
        let weak = unique("weak");
        let answers = format!("{weak}\n\n1234\n1234\ny\n");
        let (code, out, err) = run(&t.url, &["createsuperuser"], &answers, &[]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(err.contains("This password is too short."), "{err}");
        assert!(Hashers::default().verify("1234", &user(&t.db, &weak).await.password).ok);

        // Input that ends: an error, not a hang.
        let (code, _, err) = run(&t.url, &["createsuperuser"], "", &[]);
        assert_eq!(code, 1);
        assert!(err.contains("standard input is closed"), "{err}");

        // changepassword: a mismatch, then a new password.
        let (code, out, err) = run(
            &t.url,
            &["changepassword", &name],
            "one thing\nanother\na brand new secret\na brand new secret\n",
            &[],
        );
        assert_eq!(code, 0, "{out}{err}");
        assert!(err.contains("Passwords do not match."), "{err}");
        assert!(out.contains("Password changed successfully"), "{out}");
        assert!(Hashers::default().verify("a brand new secret", &user(&t.db, &name).await.password).ok);
        let (code, _, err) = run(&t.url, &["changepassword", &unique("ghost")], "", &[]);
        assert_eq!(code, 1);
        assert!(err.contains("does not exist"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn createsuperuser_on_a_database_not_migrated_says_to_migrate() {
    // An empty database of its own on each server (a project without apps migrates nothing).
    let empty = fullstack::Project::new("empty");
    let mut urls = vec![("sqlite", "sqlite::memory:".to_owned())];
    for (name, var) in [
        ("postgresql", "TEST_POSTGRES_URL"),
        ("mysql", "TEST_MYSQL_URL"),
    ] {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => urls.push((name, url)),
            _ => println!("NOT TESTED: {name} (set {var})"),
        }
    }
    for (backend, server) in urls {
        let db = fullstack::test::TestDatabase::with_url(&empty, &server)
            .await
            .unwrap();
        let url = match backend {
            "sqlite" => format!(
                "sqlite://{}?mode=rwc",
                std::env::temp_dir()
                    .join(format!("{}.sqlite3", db.name()))
                    .display()
            ),
            _ => {
                let (base, _) = server.rsplit_once('/').unwrap();
                format!("{base}/{}", db.name())
            }
        };
        let (code, out, err) = run(
            &url,
            &["createsuperuser", "--noinput", "--username", "admin"],
            "",
            &[("SUPERUSER_PASSWORD", "correct horse battery")],
        );
        assert_eq!(code, 1, "{backend}: {out}{err}");
        assert!(err.contains("run `migrate` first"), "{backend}: {err}");
        db.finish().await.unwrap();
    }
}
