//! What a command line asks for (serve, help, a command), and the help text.

use super::registry::{Command, Commands};

/// What the words after the program's name ask for.
pub(crate) enum Invocation<'c> {
    /// No words, or `run`: serve the app.
    Serve,
    /// `--help`, `-h` or `help`: print the list of commands.
    Help,
    /// A registered command, with the words after its name.
    Run {
        path: Vec<String>,
        command: &'c Command,
        args: Vec<String>,
    },
    /// A command line that names nothing: the reason, for an exit status of 2.
    Usage(String),
}

fn is_help(word: &str) -> bool {
    word == "--help" || word == "-h"
}

/// Reads `args` (without the program's name) against the registered commands.
pub(crate) fn parse<'c>(commands: &'c Commands, args: &[String]) -> Invocation<'c> {
    let Some(first) = args.first() else {
        return Invocation::Serve;
    };
    if is_help(first) || first == "help" {
        return Invocation::Help;
    }
    if first == "run" {
        return match args.get(1) {
            None => Invocation::Serve,
            Some(word) if is_help(word) => Invocation::Help,
            Some(word) => Invocation::Usage(format!(
                "`run` takes no arguments, got `{word}` (HOST and PORT in the environment choose the address)"
            )),
        };
    }
    if first.starts_with('-') {
        return Invocation::Usage(format!("unknown option `{first}`"));
    }
    for end in 1..=args.len() {
        let prefix = &args[..end];
        if let Some(command) = commands.get(prefix) {
            return Invocation::Run {
                path: prefix.to_vec(),
                command,
                args: args[end..].to_vec(),
            };
        }
        if !commands.has_prefix(prefix) {
            return Invocation::Usage(unknown(commands, &prefix.join(" ")));
        }
        // A group: the next word names one of its commands, or asks for help.
        if args.get(end).is_some_and(|word| is_help(word)) {
            return Invocation::Help;
        }
    }
    let names: Vec<String> = commands
        .under(args)
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    Invocation::Usage(format!(
        "`{}` is a group of commands: {}",
        args.join(" "),
        names.join(", ")
    ))
}

/// "unknown command", with the command the user probably meant when only `_`/`-` or case differ.
fn unknown(commands: &Commands, name: &str) -> String {
    let loose = |s: &str| s.to_lowercase().replace('_', "-");
    let wanted = loose(name);
    match commands
        .under(&[])
        .find(|(known, _)| loose(known) == wanted)
    {
        Some((known, _)) => format!("unknown command `{name}` (did you mean `{known}`?)"),
        None => format!("unknown command `{name}`"),
    }
}

/// The help text: usage, then every command with its help line.
pub(crate) fn help(program: &str, commands: &Commands) -> String {
    let mut rows: Vec<(String, String)> = vec![(
        "run".into(),
        "Serve the app (what happens without a command)".into(),
    )];
    rows.extend(
        commands
            .under(&[])
            .map(|(name, help)| (name, help.to_owned())),
    );
    let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let mut text = format!(
        "Usage: {program} [COMMAND] [ARGS]...\n\nServes the app when no command is given.\n\nCommands:\n"
    );
    for (name, help) in rows {
        text.push_str(format!("  {name:width$}  {help}").trim_end());
        text.push('\n');
    }
    text.push_str(&format!(
        "\nOptions:\n  {:width$}  Print this help\n",
        "-h, --help",
        width = width.max("-h, --help".len())
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    fn commands() -> Commands {
        let mut commands = Commands::default();
        for (name, help) in [
            ("init-db", "Create the tables"),
            ("users create", "Add a user"),
            ("users list", ""),
        ] {
            let command = Command::new(help, |_| async { Ok(()) });
            commands.insert(words(name), command).unwrap();
        }
        commands
    }

    fn usage(line: &str) -> String {
        match parse(&commands(), &words(line)) {
            Invocation::Usage(message) => message,
            _ => panic!("`{line}` is not a usage error"),
        }
    }

    #[test]
    fn no_words_or_run_serves() {
        let commands = commands();
        assert!(matches!(parse(&commands, &[]), Invocation::Serve));
        assert!(matches!(parse(&commands, &words("run")), Invocation::Serve));
        assert!(usage("run --port 8000").contains("`run` takes no arguments, got `--port`"));
    }

    #[test]
    fn help_in_every_spelling() {
        let commands = commands();
        for line in [
            "--help",
            "-h",
            "help",
            "run --help",
            "users --help",
            "users -h",
        ] {
            assert!(
                matches!(parse(&commands, &words(line)), Invocation::Help),
                "{line}"
            );
        }
    }

    #[test]
    fn commands_get_the_words_after_their_name() {
        let commands = commands();
        let Invocation::Run { path, args, .. } =
            parse(&commands, &words("users create ada --admin"))
        else {
            panic!("not a command");
        };
        assert_eq!((path, args), (words("users create"), words("ada --admin")));
        let Invocation::Run { args, .. } = parse(&commands, &words("init-db --help")) else {
            panic!("not a command");
        };
        assert_eq!(args, ["--help"], "a command's own --help is its to answer");
    }

    #[test]
    fn unknown_words_are_usage_errors() {
        assert_eq!(usage("nope"), "unknown command `nope`");
        assert_eq!(
            usage("init_db"),
            "unknown command `init_db` (did you mean `init-db`?)"
        );
        assert_eq!(usage("users drop"), "unknown command `users drop`");
        assert_eq!(
            usage("users"),
            "`users` is a group of commands: `users create`, `users list`"
        );
        assert_eq!(usage("--port"), "unknown option `--port`");
    }

    #[test]
    fn help_lists_every_command_aligned() {
        assert_eq!(
            help("flaskr", &commands()),
            "Usage: flaskr [COMMAND] [ARGS]...\n\
             \n\
             Serves the app when no command is given.\n\
             \n\
             Commands:\n\
            \x20 run           Serve the app (what happens without a command)\n\
            \x20 init-db       Create the tables\n\
            \x20 users create  Add a user\n\
            \x20 users list\n\
             \n\
             Options:\n\
            \x20 -h, --help    Print this help\n"
        );
    }
}
