//! Runs the `rooted-app` fixture binary as a process, from a working directory of the test's
//! choosing, reads what it prints, and sends it plain HTTP/1.1 requests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// The longest a process may take to start serving or to exit.
const WAIT: Duration = Duration::from_secs(20);

/// The fixture started in `dir`, listening on a free port of 127.0.0.1, with no `MICRO_*`
/// variable from the test's own environment.
pub(crate) fn rooted_app(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rooted-app"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("MICRO_") {
            cmd.env_remove(name);
        }
    }
    cmd.current_dir(dir)
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env_remove("RUST_LOG")
        .env_remove("FIXTURE_TRACING")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// A process that is serving; killed when dropped.
pub(crate) struct Serving {
    child: Child,
    stderr: Receiver<String>,
    /// What it printed on stderr so far.
    pub(crate) lines: Vec<String>,
    pub(crate) addr: SocketAddr,
}

/// A process that ended by itself.
pub(crate) struct Exited {
    pub(crate) success: bool,
    pub(crate) stderr: String,
}

fn spawn(cmd: &mut Command) -> (Child, Receiver<String>) {
    let mut child = cmd.spawn().expect("start the fixture binary");
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

impl Serving {
    /// Starts `cmd` and waits for its `serving on http://...` line.
    pub(crate) fn start(cmd: &mut Command) -> Serving {
        let (child, stderr) = spawn(cmd);
        let mut serving = Serving {
            child,
            stderr,
            lines: Vec::new(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match serving.stderr.recv_timeout(left) {
                Ok(line) => {
                    let addr = line
                        .split_once("serving on http://")
                        .and_then(|(_, rest)| rest.split_whitespace().next())
                        .and_then(|addr| addr.parse().ok());
                    serving.lines.push(line);
                    if let Some(addr) = addr {
                        serving.addr = addr;
                        return serving;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = serving.child.wait();
                    panic!(
                        "the app exited ({status:?}) before serving:\n{}",
                        serving.lines.join("\n")
                    );
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "the app did not say it was serving within {WAIT:?}:\n{}",
                    serving.lines.join("\n")
                ),
            }
        }
    }

    /// `GET path`, answered as (status, body).
    pub(crate) fn get(&self, path: &str) -> (u16, String) {
        get(self.addr, path)
    }

    /// Kills the process and returns everything it printed on stderr.
    pub(crate) fn stop(mut self) -> Vec<String> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The reader thread ends at the pipe's end, which the kill brought.
        while let Ok(line) = self.stderr.recv_timeout(WAIT) {
            self.lines.push(line);
        }
        std::mem::take(&mut self.lines)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `cmd` to its end, which must come within [`WAIT`]; a process still running then is
/// killed and the test fails.
pub(crate) fn run_to_exit(cmd: &mut Command) -> Exited {
    let (mut child, stderr) = spawn(cmd);
    let deadline = Instant::now() + WAIT;
    let mut lines = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match stderr.recv_timeout(left) {
            Ok(line) => lines.push(line),
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the app was still running after {WAIT:?}:\n{}",
                    lines.join("\n")
                );
            }
        }
    }
    let status = child.wait().expect("the app's exit status");
    Exited {
        success: status.success(),
        stderr: lines.join("\n"),
    }
}

/// A plain `GET` over a fresh connection, answered as (status, body).
pub(crate) fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect_timeout(&addr, WAIT).expect("connect to the app");
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("read the answer");
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {reply:?}"));
    (status, body.to_owned())
}
