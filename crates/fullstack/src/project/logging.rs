//! [`Logging`]: what `runserver` logs when the program installed no tracing subscriber, as
//! Django's runserver prints each request and the traceback of each 500.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The filter `runserver` logs with when `RUST_LOG` is unset: micro's request lines and every
/// warning and error at INFO, sqlx's per-statement lines off (its slow-statement warnings stay).
pub const DEFAULT_LOG_FILTER: &str = "info,sqlx=warn";

/// Whether `runserver` installs a tracing subscriber ([`Project::logging`](super::Project::logging)).
///
/// It installs one only when the program has not set its own, and only when it runs from
/// [`Project::run`](super::Project::run) or [`run_async`](super::Project::run_async) (the
/// process's command line), never from `run_with`, whose output goes to the writers it is given.
///
/// ```
/// use fullstack::{Logging, Project};
///
/// let quiet = Project::new("site").logging(Logging::Off);
/// let chatty = Project::new("site").logging(Logging::Filter("debug,sqlx=info".into()));
/// assert_eq!(chatty.logging_settings(), &Logging::Filter("debug,sqlx=info".into()));
/// # let _ = quiet;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Logging {
    /// Requests and errors on stderr, filtered by `RUST_LOG` when it is set, else by
    /// [`DEFAULT_LOG_FILTER`].
    #[default]
    Default,
    /// The same with this filter (`EnvFilter` directives) instead of the default; `RUST_LOG`
    /// still wins, so an operator can turn things up without a rebuild.
    Filter(String),
    /// No subscriber: the program logs as it chooses, or not at all.
    Off,
}

impl Logging {
    /// Installs the subscriber this setting asks for, unless one is set already. Returns a
    /// warning to show when `RUST_LOG` does not parse (the setting's own filter is used then).
    pub(crate) fn install(&self) -> Option<String> {
        let fallback = match self {
            Logging::Off => return None,
            Logging::Default => DEFAULT_LOG_FILTER,
            Logging::Filter(directives) => directives.as_str(),
        };
        if tracing::dispatcher::has_been_set() {
            return None;
        }
        let from_env = std::env::var("RUST_LOG")
            .ok()
            .filter(|v| !v.trim().is_empty());
        let (filter, warning) = match from_env.map(|v| (EnvFilter::try_new(&v), v)) {
            Some((Ok(filter), _)) => (filter, None),
            Some((Err(err), value)) => (
                fallback_filter(fallback),
                Some(format!(
                    "RUST_LOG=`{value}` is not a log filter ({err}): logging with `{fallback}`"
                )),
            ),
            None => (fallback_filter(fallback), None),
        };
        // Another thread may have set one since the check; theirs wins then.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .try_init();
        warning
    }
}

/// The project's own filter, or the default one if that does not parse either.
fn fallback_filter(directives: &str) -> EnvFilter {
    EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG_FILTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_filter_parses_and_keeps_sqlx_statements_out() {
        let filter = EnvFilter::try_new(DEFAULT_LOG_FILTER).unwrap().to_string();
        assert!(filter.contains("sqlx=warn"), "{filter}");
    }

    #[test]
    fn a_project_filter_that_does_not_parse_falls_back_to_the_default() {
        let filter = fallback_filter("[not a filter").to_string();
        assert!(filter.contains("sqlx=warn"), "{filter}");
    }
}
