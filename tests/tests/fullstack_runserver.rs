//! `runserver` as a user meets it: a project binary (the `fullstack-site` fixture) started
//! from another working directory serves the templates of the project and of its app, logs each
//! request and the cause of each 500 on stderr without installing a subscriber itself, lets
//! `RUST_LOG` and `Logging::Off` tune that, and stops with an error naming a missing folder.

mod process;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use process::{get, run_to_exit};

const WAIT: Duration = Duration::from_secs(20);

/// The fixture's command line `runserver 127.0.0.1:0`, in `dir`, with its project templates
/// named relative to its root and none of the test's own `MICRO_*` or `RUST_LOG` variables.
fn site(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fullstack-site"));
    for (name, _) in std::env::vars_os() {
        let name_text = name.to_string_lossy();
        if name_text.starts_with("MICRO_") || name_text == "DATABASE_URL" {
            cmd.env_remove(name);
        }
    }
    cmd.current_dir(dir)
        .args(["runserver", "127.0.0.1:0"])
        .env("MICRO_SECRET_KEY", "a test key")
        .env(
            "MICRO_TEMPLATES_FOLDER",
            "fixtures/fullstack_site/templates",
        )
        .env_remove("RUST_LOG")
        .env_remove("FIXTURE_LOGGING_OFF")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// A running `runserver`; killed when dropped.
struct Running {
    child: Child,
    stderr: Receiver<String>,
    addr: SocketAddr,
}

fn lines_of(reader: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl Running {
    /// Starts `cmd` and waits for `Starting development server at http://ADDR/` on stdout.
    fn start(cmd: &mut Command) -> Running {
        let mut child = cmd.spawn().expect("start the fixture binary");
        let stdout = lines_of(child.stdout.take().unwrap());
        let stderr = lines_of(child.stderr.take().unwrap());
        let mut running = Running {
            child,
            stderr,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        loop {
            let Ok(line) = stdout.recv_timeout(WAIT) else {
                let _ = running.child.kill();
                panic!(
                    "runserver did not start within {WAIT:?}:\n{}",
                    running.stop().join("\n")
                );
            };
            if let Some(addr) = line
                .strip_prefix("Starting development server at http://")
                .and_then(|rest| rest.trim_end_matches('/').parse().ok())
            {
                running.addr = addr;
                return running;
            }
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        get(self.addr, path)
    }

    /// Kills the process and returns what it printed on stderr.
    fn stop(&mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut lines = Vec::new();
        while let Ok(line) = self.stderr.recv_timeout(WAIT) {
            lines.push(line);
        }
        lines
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The log line of the request for `path`.
fn request_line<'a>(log: &'a [String], path: &str) -> Option<&'a String> {
    let field = format!("path=\"{path}\" ");
    log.iter()
        .find(|l| l.contains("micro::request") && l.contains(&field) && l.contains("status="))
}

#[test]
fn a_binary_started_from_another_directory_serves_the_project_and_app_templates() {
    let elsewhere = tempfile::tempdir().unwrap();
    let site = Running::start(&mut site(elsewhere.path()));
    let (status, page) = site.get("/");
    assert_eq!((status, page.trim()), (200, "<h1>Project page</h1>"));
    let (status, page) = site.get("/app");
    assert_eq!((status, page.trim()), (200, "<h1>App page</h1>"));
}

#[test]
fn every_request_is_logged_and_a_500_with_its_cause() {
    let elsewhere = tempfile::tempdir().unwrap();
    let mut site = Running::start(&mut site(elsewhere.path()));
    assert_eq!(site.get("/").0, 200);
    assert_eq!(site.get("/boom").0, 500);
    assert_eq!(site.get("/no/such/page").0, 404);
    let log = site.stop();
    let all = log.join("\n");

    let ok = request_line(&log, "/").unwrap_or_else(|| panic!("no request line:\n{all}"));
    assert!(
        ok.contains("INFO") && ok.contains("method=GET") && ok.contains("status=200"),
        "{ok}"
    );
    assert!(ok.contains("micros="), "the time it took: {ok}");

    let failed = request_line(&log, "/boom").unwrap_or_else(|| panic!("no 500 line:\n{all}"));
    assert!(failed.contains("status=500"), "{failed}");
    let cause = log
        .iter()
        .find(|l| l.contains("the disk caught fire"))
        .unwrap_or_else(|| panic!("the 500's cause is not logged:\n{all}"));
    assert!(cause.contains("ERROR"), "{cause}");

    // A bad URL is a quiet line, not an error that would page someone.
    let missing =
        request_line(&log, "/no/such/page").unwrap_or_else(|| panic!("no 404 line:\n{all}"));
    assert!(
        missing.contains("INFO") && missing.contains("status=404"),
        "{missing}"
    );
    assert!(
        !log.iter()
            .any(|l| l.contains("ERROR") && l.contains("/no/such/page")),
        "{all}"
    );
}

/// A `DoesNotExist` that the project turns into a 404 is logged by its final status: an INFO
/// request line, no ERROR claiming a 500 (micro logs a request's error after the error handlers).
#[test]
fn a_does_not_exist_turned_into_a_404_is_not_logged_as_an_error() {
    let elsewhere = tempfile::tempdir().unwrap();
    let mut site = Running::start(&mut site(elsewhere.path()));
    assert_eq!(site.get("/missing").0, 404);
    let log = site.stop();
    let all = log.join("\n");
    let line = request_line(&log, "/missing").unwrap_or_else(|| panic!("no 404 line:\n{all}"));
    assert!(
        line.contains("INFO") && line.contains("status=404"),
        "{line}"
    );
    assert!(!all.contains("ERROR"), "{all}");
}

#[test]
fn rust_log_tunes_the_log() {
    let elsewhere = tempfile::tempdir().unwrap();
    let mut site = Running::start(site(elsewhere.path()).env("RUST_LOG", "error"));
    assert_eq!(site.get("/").0, 200);
    assert_eq!(site.get("/boom").0, 500);
    let log = site.stop();
    let all = log.join("\n");
    assert!(request_line(&log, "/").is_none(), "{all}");
    assert!(all.contains("the disk caught fire"), "{all}");
}

#[test]
fn a_project_can_turn_the_log_off() {
    let elsewhere = tempfile::tempdir().unwrap();
    let mut site = Running::start(site(elsewhere.path()).env("FIXTURE_LOGGING_OFF", "1"));
    assert_eq!(site.get("/boom").0, 500);
    let log = site.stop();
    assert!(!log.iter().any(|l| l.contains("micro::request")), "{log:?}");
}

#[test]
fn a_missing_templates_folder_stops_runserver_naming_it() {
    let elsewhere = tempfile::tempdir().unwrap();
    let exited = run_to_exit(
        site(elsewhere.path())
            .env("MICRO_TEMPLATES_FOLDER", "fixtures/no_such_folder")
            .stdout(Stdio::null()),
    );
    assert!(!exited.success, "{}", exited.stderr);
    assert!(
        exited.stderr.contains("Error:")
            && exited.stderr.contains("fixtures/no_such_folder")
            && exited.stderr.contains("TEMPLATES_FOLDER"),
        "{}",
        exited.stderr
    );
    assert!(!exited.stderr.contains("panicked"), "{}", exited.stderr);
}
