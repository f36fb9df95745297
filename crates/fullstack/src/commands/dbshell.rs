//! `dbshell [-- ARGS...]`: the database's own client (`sqlite3`, `psql`, `mysql`) on the
//! project's database.

use clap::{Arg, Command};

use super::{CommandContext, CommandError};
use crate::{Backend, Error};

pub(crate) fn command() -> Command {
    Command::new("dbshell")
        .about("Runs the database's client (sqlite3, psql or mysql) on the project's database")
        .arg(
            Arg::new("args")
                .num_args(0..)
                .last(true)
                .allow_hyphen_values(true)
                .value_name("ARGS")
                .help("More arguments for the client, after `--`"),
        )
}

/// The parts of `scheme://user:password@host:port/name?params`.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct UrlParts {
    pub(crate) user: Option<String>,
    pub(crate) password: Option<String>,
    pub(crate) host: Option<String>,
    pub(crate) port: Option<String>,
    pub(crate) name: Option<String>,
}

pub(crate) fn parse_url(url: &str) -> UrlParts {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (user, password) = match userinfo.map(|u| u.split_once(':').unwrap_or((u, ""))) {
        Some((u, p)) => (
            Some(decode(u)).filter(|s| !s.is_empty()),
            Some(decode(p)).filter(|s| !s.is_empty()),
        ),
        None => (None, None),
    };
    let (host, port) = if let Some(stripped) = hostport.strip_prefix('[') {
        // [::1]:5432
        let (h, p) = stripped.split_once(']').unwrap_or((stripped, ""));
        (
            h.to_owned(),
            p.strip_prefix(':').unwrap_or_default().to_owned(),
        )
    } else {
        let (h, p) = hostport.split_once(':').unwrap_or((hostport, ""));
        (h.to_owned(), p.to_owned())
    };
    UrlParts {
        user,
        password,
        host: Some(host).filter(|s| !s.is_empty()),
        port: Some(port).filter(|s| !s.is_empty()),
        name: Some(decode(path)).filter(|s| !s.is_empty()),
    }
}

/// Percent-decoding, for user names and passwords.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A client program, its arguments and environment variables.
type Client = (&'static str, Vec<String>, Vec<(String, String)>);

/// The client program, its arguments and environment for `url`.
pub(crate) fn client(url: &str) -> Result<Client, Error> {
    let backend = Backend::from_url(url).ok_or_else(|| Error::UnsupportedUrl(url.to_owned()))?;
    let mut args = Vec::new();
    let mut env = Vec::new();
    match backend {
        Backend::Sqlite => {
            let rest = url.split_once(':').map_or(url, |(_, r)| r);
            let rest = rest.trim_start_matches("//");
            let path = rest.split('?').next().unwrap_or_default();
            args.push(if path.is_empty() {
                ":memory:".to_owned()
            } else {
                path.to_owned()
            });
            Ok(("sqlite3", args, env))
        }
        Backend::Postgres => {
            let p = parse_url(url);
            if let Some(u) = p.user {
                args.push(format!("--username={u}"));
            }
            if let Some(h) = p.host {
                args.push(format!("--host={h}"));
            }
            if let Some(port) = p.port {
                args.push(format!("--port={port}"));
            }
            if let Some(pw) = p.password {
                env.push(("PGPASSWORD".to_owned(), pw));
            }
            if let Some(n) = p.name {
                args.push(n);
            }
            Ok(("psql", args, env))
        }
        Backend::MySql => {
            let p = parse_url(url);
            if let Some(u) = p.user {
                args.push(format!("--user={u}"));
            }
            if let Some(h) = p.host {
                args.push(format!("--host={h}"));
            }
            if let Some(port) = p.port {
                args.push(format!("--port={port}"));
            }
            if let Some(pw) = p.password {
                env.push(("MYSQL_PWD".to_owned(), pw));
            }
            if let Some(n) = p.name {
                args.push(n);
            }
            Ok(("mysql", args, env))
        }
    }
}

pub(crate) fn run(ctx: &mut CommandContext<'_>) -> Result<i32, CommandError> {
    let (program, mut args, env) = client(ctx.database_url())?;
    args.extend(
        ctx.matches
            .get_many::<String>("args")
            .into_iter()
            .flatten()
            .cloned(),
    );
    exec(program, &args, env)
}

/// Runs `program` with the terminal; its exit code.
fn exec(program: &str, args: &[String], env: Vec<(String, String)>) -> Result<i32, CommandError> {
    let status = std::process::Command::new(program)
        .args(args)
        .envs(env)
        .status()
        .map_err(|e| -> CommandError {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "dbshell: the `{program}` client is not installed or not on PATH; install it to use dbshell"
                )
                .into()
            } else {
                format!("dbshell: cannot run `{program}`: {e}").into()
            }
        })?;
    Ok(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients() {
        let (p, a, e) =
            client("postgres://bob:s%40cret@db.example:5433/shop?sslmode=require").unwrap();
        assert_eq!(p, "psql");
        assert_eq!(
            a,
            ["--username=bob", "--host=db.example", "--port=5433", "shop"]
        );
        assert_eq!(e, [("PGPASSWORD".to_owned(), "s@cret".to_owned())]);
        let (p, a, _) = client("mysql://root@127.0.0.1:3306/test").unwrap();
        assert_eq!(p, "mysql");
        assert_eq!(
            a,
            ["--user=root", "--host=127.0.0.1", "--port=3306", "test"]
        );
        let (p, a, _) = client("sqlite://db.sqlite3?mode=rwc").unwrap();
        assert_eq!((p, a), ("sqlite3", vec!["db.sqlite3".to_owned()]));
        assert!(client("oracle://x").is_err());
    }

    #[test]
    fn a_missing_client_is_a_clear_error() {
        let e = exec("fullstack-no-such-client", &[], Vec::new()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "dbshell: the `fullstack-no-such-client` client is not installed or not on PATH; install it to use dbshell"
        );
    }
}
