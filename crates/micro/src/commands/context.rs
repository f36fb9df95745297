//! What a running command gets: its name and arguments, the app's config and state.

use std::sync::Arc;

use super::CommandError;
use crate::Config;
use crate::app::Shared;

/// What a command's handler gets: its own arguments, and the app's [`Config`] and state, the same
/// values handlers see through [`State<T>`](crate::State) (a database pool, say).
///
/// ```
/// use micro::{App, CommandContext, CommandError};
///
/// #[derive(Clone)]
/// struct Greeting(&'static str);
///
/// async fn greet(ctx: CommandContext) -> Result<(), CommandError> {
///     let Greeting(word) = ctx.state::<Greeting>()?;
///     let who = ctx.args().first().map_or("world", String::as_str);
///     println!("{word}, {who}!");
///     Ok(())
/// }
///
/// let mut app = App::new();
/// app.state(Greeting("Hello"));
/// app.command("greet", "Greet someone: greet [NAME]", greet);
/// ```
pub struct CommandContext {
    pub(crate) name: String,
    pub(crate) args: Vec<String>,
    pub(crate) app: Arc<Shared>,
    #[cfg(feature = "clap")]
    pub(crate) matches: clap::ArgMatches,
}

impl std::fmt::Debug for CommandContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandContext")
            .field("name", &self.name)
            .field("args", &self.args)
            .finish_non_exhaustive()
    }
}

impl CommandContext {
    /// The command's name as typed: `init-db`, or `users create` for a blueprint's command.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The words after the command's name, for the command to read as it likes (or, with the
    /// `clap` feature, for clap to parse: see `App::clap_command`).
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// The configuration the app was built with.
    pub fn config(&self) -> &Config {
        &self.app.config
    }

    /// The value of type `T` registered with [`App::state`](crate::App::state).
    ///
    /// # Errors
    /// When no `T` was registered; the message names the type, so `?` explains the mistake.
    pub fn state<T: Send + Sync + 'static>(&self) -> Result<&T, CommandError> {
        self.app.state.get::<T>().ok_or_else(|| {
            format!(
                "the command `{}` asked for the state {1}, which was never registered: call app.state({1} {{ .. }}) first",
                self.name,
                std::any::type_name::<T>()
            )
            .into()
        })
    }

    /// The arguments clap parsed, for a command added with
    /// [`App::clap_command`](crate::App::clap_command) (empty for the others).
    #[cfg(feature = "clap")]
    #[cfg_attr(docsrs, doc(cfg(feature = "clap")))]
    pub fn matches(&self) -> &clap::ArgMatches {
        &self.matches
    }
}
