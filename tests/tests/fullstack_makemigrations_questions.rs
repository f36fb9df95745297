//! `makemigrations` never guesses a change that could lose data: a field that may have been
//! renamed, a NOT NULL field without a value for existing rows. Without a terminal (stdin from
//! /dev/null, or `--no-input`) it refuses, names the model and field and the ways to answer,
//! exits non-zero and writes nothing; `--rename`, `--remove` and `--fill` answer up front, and
//! a `--rename` keeps the column's data on every backend.
//!
//! The commands run in this process through `Project::run_with`, except where stdin matters:
//! there the test binary runs itself as the project's `manage` with stdin from /dev/null
//! (see `without_a_terminal`).

mod backends;

use std::path::Path;
use std::process::{Command, Stdio};

use backends::on_every_backend;
use fullstack::query::prelude::*;
use fullstack::{AppConfig, Model, ModelMeta, Project};

/// The same model, `polls.Question` in table `migsafe_question`, as it changes.
mod v1 {
    use fullstack::Model;

    #[derive(Model, Debug, Clone)]
    #[model(app = "polls", table = "migsafe_question")]
    pub(crate) struct Question {
        pub(crate) id: i64,
        #[field(max_length = 200)]
        pub(crate) text: String,
        pub(crate) score: Option<i32>,
    }
}

/// `text` renamed to `question_text`.
mod renamed {
    use fullstack::Model;

    #[derive(Model, Debug, Clone)]
    #[model(app = "polls", table = "migsafe_question")]
    pub(crate) struct Question {
        pub(crate) id: i64,
        #[field(max_length = 200)]
        pub(crate) question_text: String,
        pub(crate) score: Option<i32>,
    }
}

/// A NOT NULL field without a default added.
mod added {
    use fullstack::Model;

    #[derive(Model, Debug, Clone)]
    #[model(app = "polls", table = "migsafe_question")]
    pub(crate) struct Question {
        pub(crate) id: i64,
        #[field(max_length = 200)]
        pub(crate) text: String,
        pub(crate) score: Option<i32>,
        pub(crate) votes: i32,
    }
}

/// `score` stops accepting NULL, without a default.
mod required {
    use fullstack::Model;

    #[derive(Model, Debug, Clone)]
    #[model(app = "polls", table = "migsafe_question")]
    pub(crate) struct Question {
        pub(crate) id: i64,
        #[field(max_length = 200)]
        pub(crate) text: String,
        pub(crate) score: i32,
    }
}

fn models(version: &str) -> &'static ModelMeta {
    match version {
        "v1" => v1::Question::META,
        "renamed" => renamed::Question::META,
        "added" => added::Question::META,
        "required" => required::Question::META,
        other => panic!("no model version {other}"),
    }
}

fn project(version: &str, dir: &Path, url: &str) -> Project {
    Project::new("site").database_url(url).app(
        AppConfig::new("polls")
            .model(models(version))
            .migrations_dir(dir.join("polls")),
    )
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("db.sqlite3").display())
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

async fn run(project: &Project, args: &[&str]) -> Run {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("manage").chain(args.iter().copied());
    let code = project.run_with(argv, &mut out, &mut err).await;
    Run {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The files of the app's migrations folder, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("polls"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A folder with the initial migration of `v1`.
async fn initial() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let r = run(
        &project("v1", dir.path(), &url),
        &["makemigrations", "--no-input"],
    )
    .await;
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    dir
}

const CHILD_MODELS: &str = "MIGSAFE_CHILD_MODELS";
const CHILD_DIR: &str = "MIGSAFE_CHILD_DIR";

/// In the child process (the variables are set): runs `manage makemigrations` of the project
/// with the models named, as its binary would, and exits with its code.
fn child_mode() {
    let Ok(version) = std::env::var(CHILD_MODELS) else {
        return;
    };
    let dir = std::env::var(CHILD_DIR).unwrap();
    let dir = Path::new(&dir);
    let code = block_on(project(&version, dir, &sqlite_url(dir)).run_with(
        ["manage", "makemigrations"],
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    ));
    std::process::exit(code);
}

/// Runs `manage makemigrations` with `version`'s models and stdin from /dev/null, in a child
/// process: this test binary, running only `test` (whose first line is `child_mode()`).
fn without_a_terminal(test: &str, version: &str, dir: &Path) -> Run {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_MODELS, version)
        .env(CHILD_DIR, dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[track_caller]
fn assert_contains(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "no `{part}` in:\n{text}");
    }
}

#[test]
fn without_a_terminal_a_possible_rename_is_refused_and_nothing_is_written() {
    child_mode();
    let dir = block_on(initial());
    let before = files(dir.path());
    let r = without_a_terminal(
        "without_a_terminal_a_possible_rename_is_refused_and_nothing_is_written",
        "renamed",
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    assert_contains(
        &r.err,
        &[
            "nothing was written",
            "Field polls.Question.text is gone and polls.Question.question_text, a \
             VarChar(200) field, is new: was it renamed?",
            "--rename polls.Question.text=question_text",
            "the column text and its data are kept",
            "--remove polls.Question.text",
            "the column text and its data are dropped",
        ],
    );
    assert!(!r.out.contains("Migrations for"), "{}", r.out);
    assert_eq!(files(dir.path()), before);
}

#[test]
fn without_a_terminal_a_not_null_field_without_default_is_refused() {
    child_mode();
    let dir = block_on(initial());
    let before = files(dir.path());
    let r = without_a_terminal(
        "without_a_terminal_a_not_null_field_without_default_is_refused",
        "added",
        dir.path(),
    );
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    assert_contains(
        &r.err,
        &[
            "Field polls.Question.votes is a new field that cannot be NULL and has no default",
            "declare a default: #[field(default = ...)]",
            "--fill polls.Question.votes=VALUE",
            "make it nullable: votes: Option<i32>",
        ],
    );
    assert_eq!(files(dir.path()), before);
}

#[tokio::test]
async fn no_input_refuses_a_field_that_stops_accepting_null_and_fill_answers() {
    let dir = initial().await;
    let url = sqlite_url(dir.path());
    let p = project("required", dir.path(), &url);
    for flag in ["--no-input", "--noinput"] {
        let r = run(&p, &["makemigrations", flag]).await;
        assert_eq!(r.code, 1, "{}{}", r.out, r.err);
        assert_contains(
            &r.err,
            &[
                "Field polls.Question.score stops accepting NULL and has no default",
                "--fill polls.Question.score=VALUE",
                "score: Option<i32>",
            ],
        );
    }
    // A value that does not fit the field is refused too.
    let r = run(
        &p,
        &[
            "makemigrations",
            "--no-input",
            "--fill",
            "polls.Question.score=many",
        ],
    )
    .await;
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    assert_contains(&r.err, &["`many` is not a whole number"]);
    assert_eq!(files(dir.path()), ["0001_initial.json", "embedded.rs"]);

    let r = run(
        &p,
        &[
            "makemigrations",
            "--no-input",
            "--fill",
            "polls.Question.score=0",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    let written =
        std::fs::read_to_string(dir.path().join("polls/0002_alter_question_score.json")).unwrap();
    assert!(written.contains(r#""fill": {"#), "{written}");
}

#[tokio::test]
async fn remove_says_the_field_was_removed_not_renamed() {
    let dir = initial().await;
    let url = sqlite_url(dir.path());
    let r = run(
        &project("renamed", dir.path(), &url),
        &[
            "makemigrations",
            "--no-input",
            "--remove",
            "polls.Question.text",
            "--fill",
            "polls.Question.question_text=unknown",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_contains(
        &r.out,
        &[
            "- Remove field text from polls.Question",
            "- Add field question_text to polls.Question",
        ],
    );
    let r = run(
        &project("renamed", dir.path(), &url),
        &["makemigrations", "--no-input", "--remove", "polls"],
    )
    .await;
    assert_eq!(r.code, 1);
    assert_contains(&r.err, &["`--remove polls`: write app.Model"]);
}

/// Drops what an earlier run left on a shared server: the table and its migrations' records.
async fn forget(db: &fullstack::Database) {
    let b = db.backend();
    let _ = db
        .execute(
            &format!("DROP TABLE IF EXISTS {}", b.quote("migsafe_question")),
            vec![],
        )
        .await;
    let _ = db
        .execute(
            &format!(
                "DELETE FROM {} WHERE {} = 'polls'",
                b.quote(fullstack::migrations::DEFAULT_TABLE),
                b.quote("app")
            ),
            vec![],
        )
        .await;
}

#[tokio::test]
async fn a_rename_flag_keeps_the_data_on_every_backend() {
    on_every_backend("migsafe_rename", |t| async move {
        forget(&t.db).await;
        let dir = tempfile::tempdir().unwrap();
        let first = project("v1", dir.path(), &t.url);
        for args in [&["makemigrations", "--no-input"][..], &["migrate"]] {
            let r = run(&first, args).await;
            assert_eq!(r.code, 0, "{}: {}{}", t.name, r.out, r.err);
        }
        let mut q = v1::Question {
            id: 0,
            text: "What's up?".into(),
            score: None,
        };
        q.save(&t.db).await.unwrap();

        let second = project("renamed", dir.path(), &t.url);
        let r = run(
            &second,
            &[
                "makemigrations",
                "--no-input",
                "--rename",
                "polls.Question.text=question_text",
            ],
        )
        .await;
        assert_eq!(r.code, 0, "{}: {}{}", t.name, r.out, r.err);
        assert_contains(
            &r.out,
            &["- Rename field text on polls.Question to question_text"],
        );
        let r = run(&second, &["migrate"]).await;
        assert_eq!(r.code, 0, "{}: {}{}", t.name, r.out, r.err);
        let rows = renamed::Question::objects().all(&t.db).await.unwrap();
        assert_eq!(rows.len(), 1, "{}", t.name);
        assert_eq!(rows[0].question_text, "What's up?", "{}", t.name);
        assert_eq!(rows[0].id, q.id, "{}", t.name);
        forget(&t.db).await;
    })
    .await;
}
