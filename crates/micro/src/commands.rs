//! App commands, Flask's `@app.cli.command`: `./flaskr init-db` runs a command registered on the
//! app, with the app's config and state, and exits; `./flaskr` (or `./flaskr run`) serves.
//!
//! micro reads only the first words of the command line (which command, or `--help`); the words
//! after a command's name are the command's own, given as they are ([`CommandContext::args`]),
//! or parsed by clap with the `clap` feature. See the guide's chapter on commands.

mod command_line;
mod context;
mod registration;
mod registry;

use std::ffi::OsString;
use std::io::Write;
use std::sync::Arc;

pub use context::CommandContext;
pub(crate) use registry::{Command, Commands};

use crate::BoxError;
use crate::app::Shared;
use command_line::{Invocation, help, parse};

/// What a command fails with: any error. Its message is printed as `Error: <message>` and the
/// program exits with status 1.
pub type CommandError = BoxError;

/// What the command line left [`App::run`](crate::App::run) to do.
pub(crate) enum Next {
    /// Serve the app.
    Serve,
    /// A command ran, or the help was printed: exit with status 0.
    Done,
}

/// Reads the process's command line `args` (the program's name first) and runs what it names:
/// a command, or the help. A failed command or a command line that names nothing is reported
/// on stderr and **exits the process** (status 1 and 2), as clap's `get_matches` does: the
/// program's `main` has nothing more to do then.
pub(crate) async fn run_command_line(app: &Arc<Shared>, args: Vec<OsString>) -> Next {
    let mut args = args.into_iter();
    let program = args
        .next()
        .and_then(|arg0| {
            let name = std::path::Path::new(&arg0).file_name()?;
            Some(name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "app".to_owned());
    // A lossy conversion would hand a command a different file name than the one typed.
    let words: Vec<String> = match args.map(OsString::into_string).collect() {
        Ok(words) => words,
        Err(word) => {
            eprintln!(
                "error: the argument `{}` is not valid UTF-8",
                word.to_string_lossy()
            );
            exit(2)
        }
    };
    match parse(&app.commands, &words) {
        Invocation::Serve => Next::Serve,
        Invocation::Help => {
            print!("{}", help(&program, &app.commands));
            Next::Done
        }
        Invocation::Usage(reason) => {
            eprint!("error: {reason}\n\n{}", help(&program, &app.commands));
            exit(2)
        }
        Invocation::Run {
            path,
            command,
            args,
        } => match execute(app, Some(&program), path, command, args).await {
            Ok(()) => Next::Done,
            Err(Failure::Failed(err)) => {
                eprintln!("Error: {}", describe(&*err));
                exit(1)
            }
            #[cfg(feature = "clap")]
            Err(Failure::Clap(err)) => {
                // clap prints help to stdout with status 0, mistakes to stderr with status 2.
                let _ = err.print();
                match err.exit_code() {
                    0 => Next::Done,
                    code => exit(code),
                }
            }
        },
    }
}

/// [`TestClient::run_command`](crate::TestClient::run_command): `args` must name a command.
pub(crate) async fn run_for_test(app: &Arc<Shared>, args: Vec<String>) -> Result<(), CommandError> {
    match parse(&app.commands, &args) {
        Invocation::Run {
            path,
            command,
            args,
        } => execute(app, None, path, command, args)
            .await
            .map_err(Failure::into_error),
        Invocation::Usage(reason) => Err(reason.into()),
        Invocation::Serve | Invocation::Help => Err(format!(
            "`{}` names no command: the test client runs commands, not the server or the help",
            args.join(" ")
        )
        .into()),
    }
}

/// Why a command did not succeed.
enum Failure {
    /// The handler returned an error.
    Failed(CommandError),
    /// clap refused the arguments, or was asked for help.
    #[cfg(feature = "clap")]
    Clap(clap::Error),
}

impl Failure {
    fn into_error(self) -> CommandError {
        match self {
            Failure::Failed(err) => err,
            #[cfg(feature = "clap")]
            Failure::Clap(err) => Box::new(err),
        }
    }
}

/// Runs `command` (registered at `path`) with the words after its name.
async fn execute(
    app: &Arc<Shared>,
    program: Option<&str>,
    path: Vec<String>,
    command: &Command,
    args: Vec<String>,
) -> Result<(), Failure> {
    let name = path.join(" ");
    #[cfg(feature = "clap")]
    let matches = match &command.clap {
        None => clap::ArgMatches::default(),
        Some(clap) => {
            // Usage lines then read `flaskr users create <NAME>`, as the user types it.
            let bin_name = program.map_or_else(|| name.clone(), |p| format!("{p} {name}"));
            clap.clone()
                .bin_name(bin_name)
                .try_get_matches_from(std::iter::once(name.clone()).chain(args.iter().cloned()))
                .map_err(Failure::Clap)?
        }
    };
    #[cfg(not(feature = "clap"))]
    let _ = program;
    let ctx = CommandContext {
        name,
        args,
        app: app.clone(),
        #[cfg(feature = "clap")]
        matches,
    };
    (command.run)(ctx).await.map_err(Failure::Failed)
}

/// The error's message followed by its causes, which many errors leave out of their own.
fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn exit(code: i32) -> ! {
    // `process::exit` runs no destructors: flush what the command printed.
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(code)
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("cannot open the database")
        }
    }

    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn errors_are_described_with_their_causes() {
        let err = Outer(std::io::Error::other("permission denied"));
        assert_eq!(
            describe(&err),
            "cannot open the database: permission denied"
        );
        let plain: super::CommandError = "no such user".into();
        assert_eq!(describe(&*plain), "no such user");
    }
}
