//! The registered commands, by their path of words (`init-db`, `users create`).

use std::future::Future;
use std::sync::Arc;

use super::{CommandContext, CommandError};
use crate::handler::BoxFuture;

/// The words the command line reserves for itself: `run` serves, `help` prints the help.
pub(crate) const RESERVED: &[&str] = &["run", "help"];

type RunFn =
    Arc<dyn Fn(CommandContext) -> BoxFuture<'static, Result<(), CommandError>> + Send + Sync>;

/// One command: its help line and its handler, erased.
#[derive(Clone)]
pub(crate) struct Command {
    pub(crate) help: String,
    pub(crate) run: RunFn,
    /// The arguments clap parses before the handler runs (`App::clap_command`).
    #[cfg(feature = "clap")]
    pub(crate) clap: Option<clap::Command>,
}

impl Command {
    pub(crate) fn new<F, Fut>(help: impl Into<String>, handler: F) -> Self
    where
        F: Fn(CommandContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), CommandError>> + Send + 'static,
    {
        Command {
            help: help.into(),
            run: Arc::new(move |ctx| Box::pin(handler(ctx))),
            #[cfg(feature = "clap")]
            clap: None,
        }
    }
}

/// Every command of an app, in registration order. No path is a prefix of another, so a command
/// line names at most one command.
#[derive(Clone, Default)]
pub(crate) struct Commands {
    entries: Vec<(Vec<String>, Command)>,
}

impl Commands {
    /// Adds `command` at `path`, unless the path clashes with one already there.
    pub(crate) fn insert(&mut self, path: Vec<String>, command: Command) -> Result<(), String> {
        for word in &path {
            check_word(word)?;
        }
        let name = path.join(" ");
        // The command line reads these first words itself, so nothing under them is reachable.
        if let Some(word) = path.first()
            && RESERVED.contains(&word.as_str())
        {
            return Err(format!(
                "`{word}` is a built-in command: choose another name"
            ));
        }
        for (existing, _) in &self.entries {
            let other = existing.join(" ");
            if *existing == path {
                return Err(format!("a command `{name}` is already registered"));
            }
            if existing.starts_with(&path) {
                return Err(format!(
                    "`{name}` would hide the command `{other}`, whose group it names"
                ));
            }
            if path.starts_with(existing) {
                return Err(format!(
                    "`{name}` is under `{other}`, which is a command, not a group"
                ));
            }
        }
        self.entries.push((path, command));
        Ok(())
    }

    /// The command at exactly `path`.
    pub(crate) fn get(&self, path: &[String]) -> Option<&Command> {
        self.entries
            .iter()
            .find(|(p, _)| p.as_slice() == path)
            .map(|(_, c)| c)
    }

    /// Whether some command's path starts with `prefix` (a group, or a command itself).
    pub(crate) fn has_prefix(&self, prefix: &[String]) -> bool {
        self.entries.iter().any(|(p, _)| p.starts_with(prefix))
    }

    /// The commands whose path starts with `prefix`, as `(name, help)`, in registration order.
    pub(crate) fn under<'a>(
        &'a self,
        prefix: &'a [String],
    ) -> impl Iterator<Item = (String, &'a str)> + 'a {
        self.entries
            .iter()
            .filter(move |(p, _)| p.starts_with(prefix))
            .map(|(p, c)| (p.join(" "), c.help.as_str()))
    }
}

/// A command name, or a blueprint's name used as a group: one word a shell passes as it is.
pub(crate) fn check_word(word: &str) -> Result<(), String> {
    if word.is_empty() {
        return Err("a command name cannot be empty".into());
    }
    if word.starts_with('-') {
        return Err(format!(
            "the command name `{word}` starts with `-`, which marks an option"
        ));
    }
    if word.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "the command name `{word}` contains a space or a control character"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(words: &str) -> Vec<String> {
        words.split(' ').map(str::to_owned).collect()
    }

    fn noop() -> Command {
        Command::new("", |_| async { Ok(()) })
    }

    #[test]
    fn paths_stay_prefix_free() {
        let mut commands = Commands::default();
        commands.insert(path("init-db"), noop()).unwrap();
        commands.insert(path("users create"), noop()).unwrap();
        commands.insert(path("users list"), noop()).unwrap();

        let err = commands.insert(path("init-db"), noop()).unwrap_err();
        assert!(err.contains("already registered"), "{err}");
        let err = commands.insert(path("users"), noop()).unwrap_err();
        assert!(
            err.contains("would hide the command `users create`"),
            "{err}"
        );
        let err = commands.insert(path("init-db now"), noop()).unwrap_err();
        assert!(err.contains("`init-db`, which is a command"), "{err}");

        assert!(commands.get(&path("users create")).is_some());
        assert!(commands.get(&path("users")).is_none());
        assert!(commands.has_prefix(&path("users")));
        assert!(!commands.has_prefix(&path("user")));
        let names: Vec<String> = commands.under(&path("users")).map(|(n, _)| n).collect();
        assert_eq!(names, ["users create", "users list"]);
    }

    #[test]
    fn names_are_single_words_and_not_reserved() {
        let mut commands = Commands::default();
        for bad in ["", "-x", "two words", "tab\there"] {
            assert!(
                commands.insert(vec![bad.into()], noop()).is_err(),
                "{bad:?}"
            );
        }
        let err = commands.insert(path("run"), noop()).unwrap_err();
        assert!(err.contains("built-in"), "{err}");
        assert!(commands.insert(path("help"), noop()).is_err());
        let err = commands.insert(path("run now"), noop()).unwrap_err();
        assert!(
            err.contains("`run` is a built-in"),
            "a blueprint named run: {err}"
        );
        // Only the top level is reserved: a group may have its own `run`.
        commands.insert(path("worker run"), noop()).unwrap();
    }
}
