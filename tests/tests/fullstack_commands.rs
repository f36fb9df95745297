//! fullstack's management commands through `Project::run_with`, without a subprocess:
//! makemigrations, migrate (and `--plan`, `zero`, a named target), showmigrations, sqlmigrate,
//! check, dbshell, an app's own command, clap errors, and runserver answering a request.

mod backends;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use backends::{TestDb, on_every_backend};
use fullstack::model::FieldMeta;
use fullstack::{
    AppConfig, ColumnType, CommandContext, CommandFuture, Database, ManagementCommand, ModelMeta,
    Project,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ID: FieldMeta = FieldMeta::new("id", "id", ColumnType::BigInt)
    .primary_key(true)
    .auto(true);

const QUESTION_TEXT: FieldMeta =
    FieldMeta::new("question_text", "question_text", ColumnType::VarChar).max_length(200);

const VOTES: FieldMeta = FieldMeta::new("votes", "votes", ColumnType::Int).null(true);

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A `Question` model of app `app`, in table `table`, with `fields` after its id.
fn question(app: &'static str, table: &'static str, fields: &[FieldMeta]) -> &'static ModelMeta {
    let mut all = vec![ID, QUESTION_TEXT];
    for f in fields {
        all.push(*f);
    }
    Box::leak(Box::new(ModelMeta::new(
        app,
        "Question",
        table,
        Box::leak(all.into_boxed_slice()),
    )))
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

async fn run(project: &Project, args: &[&str]) -> Run {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("manage").chain(args.iter().copied());
    let code = tokio::time::timeout(
        Duration::from_secs(60),
        project.run_with(argv, &mut out, &mut err),
    )
    .await
    .unwrap_or_else(|_| panic!("`{}` took over 60 s", args.join(" ")));
    Run {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    }
}

#[track_caller]
fn ok(r: &Run) {
    assert_eq!(r.code, 0, "out:\n{}\nerr:\n{}", r.out, r.err);
}

fn project(t: &TestDb, app: &'static str, dir: &Path, model: &'static ModelMeta) -> Project {
    Project::new("site").database_url(&t.url).app(
        AppConfig::new(app)
            .model(model)
            .migrations_dir(dir.join(app)),
    )
}

async fn table_exists(db: &Database, table: &str) -> bool {
    let sql = format!("SELECT COUNT(*) FROM {}", db.backend().quote(table));
    db.fetch_all(&sql, vec![]).await.is_ok()
}

async fn column_exists(db: &Database, table: &str, column: &str) -> bool {
    let b = db.backend();
    let sql = format!(
        "UPDATE {} SET {} = NULL WHERE 1 = 0",
        b.quote(table),
        b.quote(column)
    );
    db.execute(&sql, vec![]).await.is_ok()
}

#[tokio::test]
async fn the_migration_commands_on_every_backend() {
    on_every_backend("commands", |t| async move {
        let dir = tempfile::tempdir().unwrap();
        let app = leak(t.table("polls"));
        let table = leak(t.table("question"));
        let v1 = project(&t, app, dir.path(), question(app, table, &[]));

        // makemigrations writes 0001_initial into the app's folder, then has nothing to do.
        let r = run(&v1, &["makemigrations", "--no-input"]).await;
        ok(&r);
        assert!(
            r.out.contains(&format!("Migrations for '{app}':")),
            "{}",
            r.out
        );
        assert!(
            r.out.contains(&format!("- Create model {app}.Question")),
            "{}",
            r.out
        );
        let folder = dir.path().join(app);
        assert!(folder.join("0001_initial.json").is_file());
        let index = std::fs::read_to_string(folder.join("embedded.rs")).unwrap();
        assert!(
            index.contains("include_str!(\"0001_initial.json\")"),
            "{index}"
        );
        let r = run(&v1, &["makemigrations", "--no-input"]).await;
        ok(&r);
        assert_eq!(r.out, "No changes detected\n");
        ok(&run(&v1, &["check"]).await);

        // showmigrations before and after migrate; sqlmigrate prints the DDL.
        let r = run(&v1, &["showmigrations"]).await;
        ok(&r);
        assert!(
            r.out.contains(&format!("{app}\n [ ] 0001_initial\n")),
            "{}",
            r.out
        );
        let r = run(&v1, &["sqlmigrate", app, "0001"]).await;
        ok(&r);
        assert!(r.out.contains("CREATE TABLE"), "{}", r.out);
        assert!(r.out.contains(table), "{}", r.out);
        let r = run(&v1, &["sqlmigrate", app, "0001_initial", "--backwards"]).await;
        ok(&r);
        assert!(r.out.contains("DROP TABLE"), "{}", r.out);

        let r = run(&v1, &["migrate"]).await;
        ok(&r);
        assert!(
            r.out
                .contains(&format!("  Applying {app}.0001_initial... OK\n")),
            "{}",
            r.out
        );
        assert!(table_exists(&t.db, table).await);
        let r = run(&v1, &["migrate"]).await;
        ok(&r);
        assert!(r.out.contains("No migrations to apply."), "{}", r.out);
        let r = run(&v1, &["showmigrations"]).await;
        assert!(r.out.contains(" [X] 0001_initial\n"), "{}", r.out);

        // A model change without a migration: check fails, migrate warns, makemigrations fixes.
        let v2 = project(&t, app, dir.path(), question(app, table, &[VOTES]));
        let r = run(&v2, &["check"]).await;
        assert_eq!(r.code, 1, "{}", r.out);
        assert!(
            r.err.contains("has no migration (run makemigrations)"),
            "{}",
            r.err
        );
        assert!(r.err.contains("votes"), "{}", r.err);
        let r = run(&v2, &["migrate"]).await;
        ok(&r);
        assert!(
            r.out.contains("have changes that are not yet reflected"),
            "{}",
            r.out
        );
        let r = run(&v2, &["makemigrations", "--dry-run", "--no-input"]).await;
        ok(&r);
        assert!(!folder.join("0002_add_question_votes.json").exists());
        let r = run(&v2, &["makemigrations", "--no-input"]).await;
        ok(&r);
        assert!(
            folder.join("0002_add_question_votes.json").is_file(),
            "{}",
            r.out
        );
        ok(&run(&v2, &["check"]).await);

        let r = run(&v2, &["migrate", "--plan"]).await;
        ok(&r);
        assert!(
            r.out.contains(&format!("{app}.0002_add_question_votes\n")),
            "{}",
            r.out
        );
        assert!(!column_exists(&t.db, table, "votes").await);
        let r = run(&v2, &["migrate", app]).await;
        ok(&r);
        assert!(
            r.out
                .contains(&format!("Applying {app}.0002_add_question_votes... OK")),
            "{}",
            r.out
        );
        assert!(column_exists(&t.db, table, "votes").await);

        // Back to 0001, then zero.
        let r = run(&v2, &["migrate", app, "0001"]).await;
        ok(&r);
        assert!(
            r.out
                .contains(&format!("Unapplying {app}.0002_add_question_votes... OK")),
            "{}",
            r.out
        );
        assert!(!column_exists(&t.db, table, "votes").await);
        let r = run(&v2, &["showmigrations"]).await;
        assert!(
            r.out
                .contains(" [X] 0001_initial\n [ ] 0002_add_question_votes\n"),
            "{}",
            r.out
        );
        let r = run(&v2, &["migrate", app, "zero"]).await;
        ok(&r);
        assert!(
            r.out
                .contains(&format!("Unapplying {app}.0001_initial... OK")),
            "{}",
            r.out
        );
        assert!(!table_exists(&t.db, table).await);

        // Errors: exit code 1 and a message on stderr.
        let r = run(&v2, &["migrate", app, "0009"]).await;
        assert_eq!(r.code, 1);
        assert!(
            r.err.contains("cannot find a migration matching `0009`"),
            "{}",
            r.err
        );
        let r = run(&v2, &["migrate", "nosuchapp"]).await;
        assert_eq!(r.code, 1);
        assert!(
            r.err.contains("no installed app with label `nosuchapp`"),
            "{}",
            r.err
        );
    })
    .await;
}

/// An app's own command: reads its argument and queries the database.
struct CountRows;

impl ManagementCommand for CountRows {
    fn command(&self) -> clap::Command {
        clap::Command::new("countrows")
            .about("Counts a table's rows")
            .arg(clap::Arg::new("table").required(true))
    }

    fn run<'a>(&'a self, ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
        Box::pin(async move {
            let table = ctx.matches.get_one::<String>("table").unwrap().clone();
            let db = ctx.database().await?;
            let sql = format!("SELECT COUNT(*) FROM {}", db.backend().quote(&table));
            let rows = db.fetch_all(&sql, vec![]).await?;
            writeln!(ctx.out, "{table}: {} rows", rows[0].get::<i64>(0)?)?;
            Ok(())
        })
    }
}

/// Prints the size of the pool the command got.
fn pool_size<'a>(ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
    Box::pin(async move {
        let db = ctx.database().await?;
        writeln!(ctx.out, "{}", db.max_connections())?;
        Ok(())
    })
}

/// A command as a plain function.
fn shout<'a>(ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
    Box::pin(async move {
        let word = ctx
            .matches
            .get_one::<String>("word")
            .unwrap()
            .to_uppercase();
        writeln!(ctx.out, "{word}!")?;
        Ok(())
    })
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("db.sqlite3").display())
}

#[tokio::test]
async fn an_apps_own_command_runs_and_errors_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let db = Database::connect(&url).await.unwrap();
    db.execute("CREATE TABLE things (id INTEGER)", vec![])
        .await
        .unwrap();
    db.execute("INSERT INTO things VALUES (1), (2)", vec![])
        .await
        .unwrap();
    db.close().await;
    let project = Project::new("site").database_url(&url).app(
        AppConfig::new("stuff").command(CountRows).command_fn(
            clap::Command::new("shout").arg(clap::Arg::new("word").required(true)),
            shout,
        ),
    );
    let r = run(&project, &["shout", "hey"]).await;
    ok(&r);
    assert_eq!(r.out, "HEY!\n");
    let r = run(&project, &["countrows", "things"]).await;
    ok(&r);
    assert_eq!(r.out, "things: 2 rows\n");
    let r = run(&project, &["countrows", "missing"]).await;
    assert_eq!(r.code, 1);
    assert!(r.err.starts_with("Error: "), "{}", r.err);
    assert!(r.err.contains("run `migrate` first"), "{}", r.err);

    // --help lists the built-in commands and the app's.
    let r = run(&project, &["--help"]).await;
    ok(&r);
    for c in [
        "runserver",
        "migrate",
        "makemigrations",
        "showmigrations",
        "sqlmigrate",
        "check",
        "dbshell",
        "countrows",
        "shout",
    ] {
        assert!(r.out.contains(c), "{c} missing from\n{}", r.out);
    }
}

#[tokio::test]
async fn commands_connect_with_the_projects_pool_options() {
    let dir = tempfile::tempdir().unwrap();
    let project = Project::new("site")
        .database_url(sqlite_url(dir.path()))
        .app(AppConfig::new("stuff").command_fn(clap::Command::new("poolsize"), pool_size));
    let r = run(&project, &["poolsize"]).await;
    ok(&r);
    assert_eq!(r.out, "10\n", "the default");
    let project = project.pool_options(fullstack::PoolOptions {
        max_connections: 3,
        ..fullstack::PoolOptions::default()
    });
    let r = run(&project, &["poolsize"]).await;
    ok(&r);
    assert_eq!(r.out, "3\n");
}

#[tokio::test]
async fn an_unknown_command_is_a_clap_error_with_exit_code_2() {
    let project = Project::new("site").database_url("sqlite::memory:");
    let r = run(&project, &["frobnicate"]).await;
    assert_eq!(r.code, 2);
    assert!(
        r.err.contains("unrecognized subcommand 'frobnicate'"),
        "{}",
        r.err
    );
    let r = run(&project, &["migrate", "--bogus"]).await;
    assert_eq!(r.code, 2);
    let r = run(&project, &["sqlmigrate"]).await;
    assert_eq!(r.code, 2, "{}", r.err);
}

#[tokio::test]
async fn a_command_name_taken_twice_is_refused() {
    let project = Project::new("site")
        .app(AppConfig::new("a").command(CountRows))
        .app(AppConfig::new("b").command(CountRows));
    let r = run(&project, &["check"]).await;
    assert_eq!(r.code, 1);
    assert!(r.err.contains("adds a command `countrows`"), "{}", r.err);
}

#[tokio::test]
async fn dbshell_runs_each_backends_client_with_the_urls_parameters() {
    on_every_backend("dbshell", |t| async move {
        let (client, flag) = match t.name {
            "sqlite" => ("sqlite3", "-batch"),
            "postgresql" => ("psql", "-c"),
            _ => ("mysql", "-e"),
        };
        if std::process::Command::new(client)
            .arg("--version")
            .output()
            .is_err()
        {
            // Straight to stderr: the harness swallows `eprintln!` from a passing test.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "note: dbshell on {} NOT TESTED: {client} is not on PATH",
                t.name
            );
            return;
        }
        let project = Project::new("site").database_url(&t.url);
        let args: Vec<&str> = if t.name == "sqlite" {
            vec!["dbshell", "--", flag, "select 1;"]
        } else {
            vec!["dbshell", "--", flag, "select 1"]
        };
        let r = run(&project, &args).await;
        ok(&r);
        // A query the server refuses: the client's exit code is the command's.
        let bad: Vec<&str> = if t.name == "sqlite" {
            vec!["dbshell", "--", "-bail", "select * from no_such_table;"]
        } else {
            vec!["dbshell", "--", flag, "select * from no_such_table"]
        };
        assert_ne!(run(&project, &bad).await.code, 0);
    })
    .await;
}

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    String::from_utf8_lossy(&buf).into_owned()
}

/// Runs `project` with `args` (a `runserver`), requests `path` once it serves, then stops it:
/// the command's output and the raw HTTP response.
async fn serve_once(project: Project, args: &[&str], path: &str) -> (Run, String) {
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
    let addr_tx = std::sync::Mutex::new(Some(addr_tx));
    let (trigger, shutdown) = micro::Shutdown::channel();
    let project = project.shutdown(shutdown).on_serving(move |addr| {
        if let Some(tx) = addr_tx.lock().unwrap().take() {
            let _ = tx.send(addr);
        }
    });
    let client = async {
        let addr = tokio::time::timeout(Duration::from_secs(30), addr_rx)
            .await
            .expect("runserver did not start within 30 s")
            .unwrap();
        let response = tokio::time::timeout(Duration::from_secs(10), http_get(addr, path))
            .await
            .expect("no answer within 10 s");
        trigger.fire();
        response
    };
    tokio::join!(run(&project, args), client)
}

#[tokio::test]
async fn runserver_serves_the_apps_routes_with_the_database_in_state() {
    let dir = tempfile::tempdir().unwrap();
    // A model without a migration: reported at startup.
    let model = question("polls", "polls_question", &[]);
    let project = Project::new("site")
        .database_url(sqlite_url(dir.path()))
        .app(
            AppConfig::new("polls")
                .model(model)
                .migrations_dir(dir.path().join("polls"))
                .routes(|app| {
                    app.get(
                        "/answer",
                        |micro::State(db): micro::State<Database>| async move {
                            let rows = db.fetch_all("SELECT 40 + 2", vec![]).await.unwrap();
                            format!(
                                "{} on {}",
                                rows[0].get::<i64>(0).unwrap(),
                                db.backend().name()
                            )
                        },
                    );
                }),
        );
    let (r, response) = serve_once(project, &["runserver", "127.0.0.1:0"], "/answer").await;
    ok(&r);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("42 on sqlite"), "{response}");
    assert!(
        r.out
            .contains("Starting development server at http://127.0.0.1:"),
        "{}",
        r.out
    );
    assert!(r.out.ends_with("Server stopped.\n"), "{}", r.out);
    assert!(
        r.err
            .contains("Warning: system check identified 1 issue(s)"),
        "{}",
        r.err
    );
    assert!(
        r.err
            .contains("polls: Create model polls.Question has no migration"),
        "{}",
        r.err
    );
}

#[tokio::test]
async fn runserver_is_the_default_command() {
    let dir = tempfile::tempdir().unwrap();
    let project = Project::new("site")
        .default_addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .app(AppConfig::new("hello").routes(|app| {
            app.get("/", || async { "hello" });
        }));
    let url = sqlite_url(dir.path());
    // No subcommand: runserver, with the database from --database-url.
    let (r, response) = serve_once(project, &["--database-url", url.as_str()], "/").await;
    ok(&r);
    assert!(response.ends_with("hello"), "{response}");
    assert!(r.err.is_empty(), "{}", r.err);
    assert!(dir.path().join("db.sqlite3").exists());
}

/// `runserver --migrate`, or a project that says `migrate_on_start`: the pending migrations
/// are applied (with migrate's output) before the first request, on a database that did not
/// exist; without either, runserver only warns.
#[tokio::test]
async fn runserver_can_migrate_before_serving() {
    let dir = tempfile::tempdir().unwrap();
    let model = question("polls", "polls_question", &[]);
    let project = |db: &str| {
        Project::new("site")
            .database_url(sqlite_url(&dir.path().join(db)))
            .app(
                AppConfig::new("polls")
                    .model(model)
                    .migrations_dir(dir.path().join("polls"))
                    .routes(|app| {
                        app.get(
                            "/count",
                            |micro::State(db): micro::State<Database>| async move {
                                match db
                                    .fetch_all("SELECT COUNT(*) FROM polls_question", vec![])
                                    .await
                                {
                                    Ok(rows) => {
                                        format!("{} questions", rows[0].get::<i64>(0).unwrap())
                                    }
                                    Err(_) => "no table".to_owned(),
                                }
                            },
                        );
                    }),
            )
    };
    for db in ["a", "b", "c"] {
        std::fs::create_dir_all(dir.path().join(db)).unwrap();
    }
    ok(&run(&project("a"), &["makemigrations", "--no-input"]).await);

    let (r, response) = serve_once(
        project("a"),
        &["runserver", "--migrate", "127.0.0.1:0"],
        "/count",
    )
    .await;
    ok(&r);
    assert!(response.ends_with("0 questions"), "{response}");
    assert!(
        r.out.contains("Applying polls.0001_initial... OK"),
        "{}",
        r.out
    );
    assert!(r.err.is_empty(), "{}", r.err);

    let on_start = project("b").migrate_on_start(true);
    let (r, response) = serve_once(on_start, &["runserver", "127.0.0.1:0"], "/count").await;
    ok(&r);
    assert!(response.ends_with("0 questions"), "{response}");
    assert!(
        r.out.contains("Applying polls.0001_initial... OK"),
        "{}",
        r.out
    );

    let (r, response) = serve_once(project("c"), &["runserver", "127.0.0.1:0"], "/count").await;
    ok(&r);
    assert!(response.ends_with("no table"), "{response}");
    assert!(
        r.err.contains("you have 1 unapplied migration(s)"),
        "{}",
        r.err
    );
}

/// A migration that fails under `runserver --migrate` stops the command with migrate's error
/// and a failure exit, before it listens: a half-migrated database is never served.
#[tokio::test]
async fn runserver_does_not_serve_when_its_migrations_fail() {
    let dir = tempfile::tempdir().unwrap();
    let model = question("polls", "polls_question", &[]);
    let url = sqlite_url(dir.path());
    let served = Arc::new(AtomicBool::new(false));
    let seen = served.clone();
    let project = Project::new("site")
        .database_url(url.clone())
        .on_serving(move |_| seen.store(true, Ordering::SeqCst))
        .app(
            AppConfig::new("polls")
                .model(model)
                .migrations_dir(dir.path().join("polls")),
        );
    ok(&run(&project, &["makemigrations", "--no-input"]).await);
    // A table of that name already exists, so the migration's CREATE TABLE fails.
    let db = Database::connect(&url).await.unwrap();
    db.execute("CREATE TABLE polls_question (other INTEGER)", vec![])
        .await
        .unwrap();
    db.close().await;

    let r = tokio::time::timeout(
        Duration::from_secs(30),
        run(&project, &["runserver", "--migrate", "127.0.0.1:0"]),
    )
    .await
    .expect("runserver must give up, not serve");
    assert_ne!(r.code, 0, "out:\n{}\nerr:\n{}", r.out, r.err);
    assert!(r.err.contains("polls_question"), "{}", r.err);
    assert!(!r.out.contains("Starting development server"), "{}", r.out);
    assert!(!served.load(Ordering::SeqCst));
}

#[tokio::test]
async fn embedded_migrations_are_applied_without_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let model = question("shop", "shop_question", &[]);
    let source = Project::new("site").database_url(&url).app(
        AppConfig::new("shop")
            .model(model)
            .migrations_dir(dir.path().join("shop")),
    );
    ok(&run(&source, &["makemigrations", "--no-input"]).await);
    let json = std::fs::read_to_string(dir.path().join("shop/0001_initial.json")).unwrap();
    let embedded: &'static [(&'static str, &'static str, &'static str)] =
        Box::leak(vec![("shop", "0001_initial", leak(json))].into_boxed_slice());
    // The deployed binary: no folder (it does not exist), the migrations compiled in.
    let deployed = Project::new("site").database_url(&url).app(
        AppConfig::new("shop")
            .model(model)
            .migrations_dir(dir.path().join("nowhere"))
            .embedded_migrations(embedded),
    );
    ok(&run(&deployed, &["check"]).await);
    let r = run(&deployed, &["migrate"]).await;
    ok(&r);
    assert!(
        r.out.contains("Applying shop.0001_initial... OK"),
        "{}",
        r.out
    );
    let r = run(&deployed, &["showmigrations"]).await;
    assert_eq!(r.out, "shop\n [X] 0001_initial\n");
}

#[tokio::test]
async fn makemigrations_name_and_rename_flags() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let old = question("blog", "blog_question", &[]);
    let p = |m: &'static ModelMeta| {
        Project::new("site").database_url(&url).app(
            AppConfig::new("blog")
                .model(m)
                .migrations_dir(dir.path().join("blog")),
        )
    };
    let r = run(&p(old), &["makemigrations", "--name", "first"]).await;
    ok(&r);
    assert!(
        dir.path().join("blog/0001_first.json").is_file(),
        "{}",
        r.out
    );
    // Field question_text renamed to votes' place: --rename says it is a rename.
    let renamed: &'static ModelMeta = Box::leak(Box::new({
        let mut renamed = *old;
        renamed.fields = Box::leak(
            vec![
                ID,
                FieldMeta::new("title", "title", ColumnType::VarChar).max_length(200),
            ]
            .into_boxed_slice(),
        );
        renamed
    }));
    let r = run(
        &p(renamed),
        &[
            "makemigrations",
            "--rename",
            "blog.Question.question_text=title",
        ],
    )
    .await;
    ok(&r);
    assert!(r.out.contains("Rename field"), "{}", r.out);
    let r = run(&p(renamed), &["makemigrations", "--rename", "nonsense"]).await;
    assert_eq!(r.code, 1);
    assert!(r.err.contains("--rename nonsense"), "{}", r.err);
    // A model listed in the wrong app is refused.
    let misplaced = Project::new("site")
        .database_url(&url)
        .app(AppConfig::new("other").model(old));
    let r = run(&misplaced, &["check"]).await;
    assert_eq!(r.code, 1);
    assert!(
        r.err
            .contains("model blog.Question is listed in app `other`"),
        "{}",
        r.err
    );
}

#[tokio::test]
async fn web_app_has_the_apps_routes_templates_and_database() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("polls_templates");
    std::fs::create_dir_all(templates.join("polls")).unwrap();
    std::fs::write(templates.join("polls/index.html"), "polls: {{ n }}").unwrap();
    let project = Project::new("site")
        .app(AppConfig::new("polls").templates(&templates).routes(|app| {
            app.get(
                "/polls/",
                |t: micro::Templates, micro::State(db): micro::State<Database>| async move {
                    let rows = db.fetch_all("SELECT 7", vec![]).await.unwrap();
                    let n = rows[0].get::<i64>(0).unwrap();
                    t.render("polls/index.html", micro::context! { n })
                },
            );
        }))
        .web(|app| {
            app.get("/health", || async { "ok" });
        });
    let db = Database::connect(&sqlite_url(dir.path())).await.unwrap();
    let client = micro::TestClient::new(project.web_app(&db).unwrap());
    let res = client.get("/polls/").await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(res.text(), "polls: 7");
    assert_eq!(client.get("/health").await.text(), "ok");
    db.close().await;
}

#[tokio::test]
async fn concurrent_migrate_commands_apply_each_migration_once() {
    on_every_backend("concurrent_migrate", |t| async move {
        let dir = tempfile::tempdir().unwrap();
        let app = leak(t.table("race"));
        let table = leak(t.table("question"));
        let v1 = project(&t, app, dir.path(), question(app, table, &[]));
        ok(&run(&v1, &["makemigrations", "--no-input"]).await);
        let v2 = project(&t, app, dir.path(), question(app, table, &[VOTES]));
        ok(&run(&v2, &["makemigrations", "--no-input"]).await);
        let (a, b) = tokio::join!(run(&v2, &["migrate"]), run(&v2, &["migrate"]));
        let both = format!("{}{}", a.out, b.out);
        if t.name == "sqlite" {
            // No lock on SQLite (see the executor): one wins, the other fails and rolls back.
            assert!(a.code == 0 || b.code == 0, "{both}{}{}", a.err, b.err);
        } else {
            ok(&a);
            ok(&b);
            for name in ["0001_initial", "0002_add_question_votes"] {
                let line = format!("Applying {app}.{name}... OK");
                assert_eq!(both.matches(&line).count(), 1, "{both}");
            }
        }
        let r = run(&v2, &["showmigrations"]).await;
        assert!(!r.out.contains("[ ]"), "{}", r.out);
        assert!(column_exists(&t.db, table, "votes").await);
        ok(&run(&v2, &["migrate", app, "zero"]).await);
        assert!(!table_exists(&t.db, table).await);
    })
    .await;
}
