//! App commands, through a real binary (`fixtures/micro_commands.rs`): a command that writes
//! through the app's state and config, a blueprint's command group, a clap command, `--help`,
//! an unknown command, a failing command, and serving when no command is given.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_micro-commands");

/// The longest a command may take before the test fails instead of hanging.
const LIMIT: Duration = Duration::from_secs(30);

/// The fixture app's environment: its database file in `dir`, a secret key, port 0.
fn fixture(dir: &Path) -> Command {
    let mut command = Command::new(BINARY);
    command
        .env("MICRO_APP_DATABASE", database(dir))
        .env("MICRO_SECRET_KEY", "test key")
        .env("MICRO_SESSION_COOKIE_NAME", "sid")
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env_remove("MICRO_CONFIG")
        .current_dir(dir);
    command
}

fn database(dir: &Path) -> PathBuf {
    dir.join("db.txt")
}

struct Run {
    code: Option<i32>,
    out: String,
    err: String,
}

/// Runs the fixture with `args` and waits for it to exit.
fn run(dir: &Path, args: &[&str]) -> Run {
    let child = fixture(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the fixture binary starts");
    let output = wait(child, &args.join(" "));
    Run {
        code: output.status.code(),
        out: String::from_utf8_lossy(&output.stdout).into_owned(),
        err: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Waits for `child` to exit, killing it (and failing) after [`LIMIT`].
fn wait(child: Child, what: &str) -> Output {
    let pid = child.id();
    let (done, exited) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match exited.recv_timeout(LIMIT) {
        Ok(output) => output.expect("the fixture's output"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("`micro-commands {what}` did not exit within {LIMIT:?}");
        }
    }
}

#[track_caller]
fn status(r: &Run, code: i32) {
    assert_eq!(r.code, Some(code), "stdout:\n{}\nstderr:\n{}", r.out, r.err);
}

#[test]
fn a_command_runs_with_the_apps_state_and_config_then_exits() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["init-db"]);
    status(&r, 0);
    assert_eq!(r.out, "Initialized the database.\n");
    assert!(!r.err.contains("serving"), "{}", r.err);
    // The file is the one the config names, through the state; the cookie name is the config's.
    let written = std::fs::read_to_string(database(dir.path())).unwrap();
    assert_eq!(written, "initialized, cookie sid\n");
}

#[test]
fn a_blueprints_commands_are_a_group_named_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["users", "add", "ada"]);
    status(&r, 0);
    assert_eq!(r.out, "Added ada.\n");
    let written = std::fs::read_to_string(database(dir.path())).unwrap();
    assert_eq!(written, "user ada\n");

    // The command reads its own arguments, and its error is reported.
    let r = run(dir.path(), &["users", "add"]);
    status(&r, 1);
    assert!(r.err.contains("Error: usage: users add NAME"), "{}", r.err);

    // The group alone names no command.
    let r = run(dir.path(), &["users"]);
    status(&r, 2);
    assert!(
        r.err
            .contains("error: `users` is a group of commands: `users add`"),
        "{}",
        r.err
    );
}

#[test]
fn help_lists_the_commands_with_their_help() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--help", "-h", "help"] {
        let r = run(dir.path(), &[flag]);
        status(&r, 0);
        assert!(
            r.out
                .starts_with("Usage: micro-commands [COMMAND] [ARGS]..."),
            "{}",
            r.out
        );
        for line in [
            "  run        Serve the app (what happens without a command)",
            "  init-db    Clear the existing data and create new tables",
            "  fail       Fail, for the tests",
            "  greet      Greet someone",
            "  users add  Add a user: users add NAME",
        ] {
            assert!(r.out.contains(line), "no `{line}` in:\n{}", r.out);
        }
        assert_eq!(r.err, "");
    }
    assert!(!database(dir.path()).exists(), "help ran no command");
}

#[test]
fn an_unknown_command_is_a_usage_error_that_lists_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["init_db"]);
    status(&r, 2);
    assert!(
        r.err
            .starts_with("error: unknown command `init_db` (did you mean `init-db`?)\n"),
        "{}",
        r.err
    );
    assert!(
        r.err.contains("  init-db    Clear the existing data"),
        "{}",
        r.err
    );
    assert!(!r.err.contains("serving"), "nothing is served: {}", r.err);
    assert_eq!(r.out, "");

    let r = run(dir.path(), &["--port", "8000"]);
    status(&r, 2);
    assert!(
        r.err.starts_with("error: unknown option `--port`"),
        "{}",
        r.err
    );
    let r = run(dir.path(), &["run", "--port", "8000"]);
    status(&r, 2);
    assert!(r.err.contains("`run` takes no arguments"), "{}", r.err);
    assert!(!database(dir.path()).exists());
}

#[test]
fn a_failing_command_prints_its_error_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["fail"]);
    status(&r, 1);
    assert_eq!(r.err, "Error: the database is locked\n");
    assert_eq!(r.out, "");
}

#[test]
fn a_clap_command_gets_its_parsed_arguments_and_clap_help() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["greet", "--shout", "ada"]);
    status(&r, 0);
    assert_eq!(r.out, "HELLO, ADA!\n");

    let r = run(dir.path(), &["greet"]);
    status(&r, 2);
    assert!(r.err.contains("<who>"), "{}", r.err);
    assert!(
        r.err.contains("Usage: micro-commands greet"),
        "usage names the program and command: {}",
        r.err
    );

    let r = run(dir.path(), &["greet", "--help"]);
    status(&r, 0);
    assert!(r.out.contains("Greet someone"), "{}", r.out);
    assert!(r.out.contains("--shout"), "{}", r.out);
}

/// A served fixture, its address read from the line it prints on stderr.
struct Served {
    child: Child,
    addr: String,
}

fn serve(dir: &Path, args: &[&str]) -> Served {
    let mut child = fixture(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the fixture binary starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + LIMIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                if let Some(rest) = line.strip_prefix("micro: serving on http://") {
                    let addr = rest.split_whitespace().next().unwrap().to_owned();
                    return Served { child, addr };
                }
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the fixture did not say it was serving within {LIMIT:?}");
            }
        }
    }
}

fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply
}

#[test]
fn no_command_or_run_serves_until_terminated() {
    let dir = tempfile::tempdir().unwrap();
    status(&run(dir.path(), &["init-db"]), 0);
    for args in [&[][..], &["run"][..]] {
        let served = serve(dir.path(), args);
        let reply = get(&served.addr, "/");
        assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
        assert!(
            reply.ends_with("\r\n\r\ninitialized, cookie sid\n"),
            "the handler reads the state the command wrote to: {reply}"
        );
        let pid = served.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let output = wait(served.child, "serving");
        assert!(
            output.status.success(),
            "a graceful stop on SIGTERM: {:?}",
            output.status
        );
    }
}

#[cfg(unix)]
#[test]
fn an_argument_that_is_not_utf8_is_a_usage_error_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;

    let dir = tempfile::tempdir().unwrap();
    let child = fixture(dir.path())
        .args(["users", "add"])
        .arg(std::ffi::OsStr::from_bytes(b"ad\xffa"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = wait(child, "users add <not UTF-8>");
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: the argument `ad\u{fffd}a` is not valid UTF-8"),
        "{err}"
    );
    assert!(!database(dir.path()).exists());
}
