//! `command` and `clap_command` on [`App`] and [`Blueprint`].

use std::future::Future;

use super::registry::check_word;
use super::{Command, CommandContext, CommandError};
use crate::{App, Blueprint};

impl App {
    /// Registers a command, Flask's `@app.cli.command("init-db")`: `./program init-db` runs it
    /// instead of serving, with the app's config and state, and exits. The handler is async; it
    /// gets a [`CommandContext`] with the words after the command's name. `help` is the line
    /// `--help` shows.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use micro::{App, CommandContext, CommandError, State, TestClient};
    ///
    /// #[derive(Clone, Default)]
    /// struct Db(Arc<Mutex<Vec<String>>>);
    ///
    /// async fn init_db(ctx: CommandContext) -> Result<(), CommandError> {
    ///     let db = ctx.state::<Db>()?;
    ///     *db.0.lock().unwrap() = vec!["admin".into()];
    ///     println!("Initialized the database.");
    ///     Ok(())
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let mut app = App::new();
    /// app.state(Db::default());
    /// app.command("init-db", "Clear the existing data and create new tables", init_db);
    /// app.get("/users", |State(db): State<Db>| async move { db.0.lock().unwrap().join(",") });
    ///
    /// // In `main`, `app.run().await` serves, or runs `./program init-db`. In a test:
    /// let client = TestClient::new(app);
    /// client.run_command(["init-db"]).await.unwrap();
    /// assert_eq!(client.get("/users").await.text(), "admin");
    /// # }
    /// ```
    ///
    /// # Panics
    /// When `name` is not one plain word (empty, with a space, starting with `-`), is `run` or
    /// `help` (which the command line keeps for itself), or is already taken.
    #[track_caller]
    pub fn command<F, Fut>(&mut self, name: &str, help: &str, handler: F) -> &mut Self
    where
        F: Fn(CommandContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), CommandError>> + Send + 'static,
    {
        self.add_command(name, Command::new(help, handler))
    }

    /// Registers a command whose arguments clap parses, from its [`clap::Command`] (its name,
    /// `about` line, arguments and help). The handler finds them in
    /// [`CommandContext::matches`]; `--help` after the command's name prints clap's help, and
    /// arguments clap refuses are reported with exit status 2 before the handler runs.
    ///
    /// ```
    /// use micro::{App, CommandContext, CommandError};
    /// use clap::{Arg, ArgAction};
    ///
    /// async fn greet(ctx: CommandContext) -> Result<(), CommandError> {
    ///     let who: &String = ctx.matches().get_one("who").expect("required");
    ///     let greeting = format!("Hello, {who}!");
    ///     let shout = ctx.matches().get_flag("shout");
    ///     println!("{}", if shout { greeting.to_uppercase() } else { greeting });
    ///     Ok(())
    /// }
    ///
    /// let mut app = App::new();
    /// app.clap_command(
    ///     clap::Command::new("greet")
    ///         .about("Greet someone")
    ///         .arg(Arg::new("who").required(true))
    ///         .arg(Arg::new("shout").long("shout").action(ArgAction::SetTrue)),
    ///     greet,
    /// );
    /// ```
    ///
    /// # Panics
    /// As [`command`](Self::command).
    #[cfg(feature = "clap")]
    #[cfg_attr(docsrs, doc(cfg(feature = "clap")))]
    #[track_caller]
    pub fn clap_command<F, Fut>(&mut self, command: clap::Command, handler: F) -> &mut Self
    where
        F: Fn(CommandContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), CommandError>> + Send + 'static,
    {
        let name = command.get_name().to_owned();
        self.add_command(&name, with_clap(command, handler))
    }

    #[track_caller]
    fn add_command(&mut self, name: &str, command: Command) -> &mut Self {
        if let Err(why) = self.commands.insert(vec![name.to_owned()], command) {
            panic!("micro: cannot add the command `{name}`: {why}");
        }
        self
    }
}

impl Blueprint {
    /// Registers a command in this blueprint's group, like Flask's `bp.cli.command`: the
    /// command `create` of the blueprint `users` runs as `./program users create`
    /// (`./program admin users create` when `users` is nested in `admin`). Otherwise as
    /// [`App::command`].
    ///
    /// ```
    /// use micro::{App, Blueprint, CommandContext, CommandError};
    ///
    /// async fn create_user(ctx: CommandContext) -> Result<(), CommandError> {
    ///     let name = ctx.args().first().ok_or("usage: users create NAME")?;
    ///     println!("created {name}");
    ///     Ok(())
    /// }
    ///
    /// let mut users = Blueprint::new("users", "/users");
    /// users.command("create", "Add a user: users create NAME", create_user);
    /// let mut app = App::new();
    /// app.register_blueprint(users);
    /// ```
    ///
    /// # Panics
    /// When `name` is not one plain word, or the blueprint has a command of that name. A clash
    /// with the app's commands (an app command named like the blueprint) is reported when the
    /// blueprint is registered.
    #[track_caller]
    pub fn command<F, Fut>(&mut self, name: &str, help: &str, handler: F) -> &mut Self
    where
        F: Fn(CommandContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), CommandError>> + Send + 'static,
    {
        self.add_command(name, Command::new(help, handler))
    }

    /// Registers a command whose arguments clap parses in this blueprint's group: see
    /// [`App::clap_command`] and [`command`](Self::command).
    ///
    /// # Panics
    /// As [`command`](Self::command).
    #[cfg(feature = "clap")]
    #[cfg_attr(docsrs, doc(cfg(feature = "clap")))]
    #[track_caller]
    pub fn clap_command<F, Fut>(&mut self, command: clap::Command, handler: F) -> &mut Self
    where
        F: Fn(CommandContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), CommandError>> + Send + 'static,
    {
        let name = command.get_name().to_owned();
        self.add_command(&name, with_clap(command, handler))
    }

    #[track_caller]
    fn add_command(&mut self, name: &str, command: Command) -> &mut Self {
        let why = match check_word(name) {
            Err(why) => Some(why),
            Ok(()) if self.commands.iter().any(|(taken, _)| taken == name) => {
                Some("the blueprint already has a command of that name".to_owned())
            }
            Ok(()) => None,
        };
        if let Some(why) = why {
            panic!(
                "micro: cannot add the command `{name}` to the blueprint `{}`: {why}",
                self.name()
            );
        }
        self.commands.push((name.to_owned(), command));
        self
    }
}

#[cfg(feature = "clap")]
fn with_clap<F, Fut>(command: clap::Command, handler: F) -> Command
where
    F: Fn(CommandContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), CommandError>> + Send + 'static,
{
    let help = command
        .get_about()
        .map(ToString::to_string)
        .unwrap_or_default();
    Command {
        clap: Some(command),
        ..Command::new(help, handler)
    }
}
