//! `runserver [ADDR:PORT] [--migrate]` (the default command): checks the models and migrations
//! (or applies the pending ones), then serves every app's routes with the
//! [`Database`](crate::Database) in state, until Ctrl-C/SIGTERM.

use std::net::{IpAddr, SocketAddr};

use clap::{Arg, ArgAction, Command};

use super::{CommandContext, CommandError};
use crate::migrations;

pub(crate) fn command() -> Command {
    Command::new("runserver")
        .about("Serves the project (the default command); address from HOST/PORT, default 127.0.0.1:8000")
        .arg(
            Arg::new("addrport")
                .value_name("ADDR:PORT")
                .help("Where to listen: 127.0.0.1:8000, 0:8000 (every interface), [::1]:8000, or a port"),
        )
        .arg(
            Arg::new("migrate")
                .long("migrate")
                .action(ArgAction::SetTrue)
                .help("Applies the pending migrations before serving (on by default when the project says migrate_on_start)"),
        )
}

/// `ADDR:PORT`, `PORT`, or `HOST`/`PORT` from the environment, else `default`.
pub(crate) fn address(arg: Option<&str>, default: SocketAddr) -> Result<SocketAddr, CommandError> {
    let env_host = std::env::var("HOST").unwrap_or_else(|_| default.ip().to_string());
    let env_port = std::env::var("PORT").unwrap_or_else(|_| default.port().to_string());
    let (host, port) = match arg {
        None => (env_host, env_port),
        Some(a) if a.chars().all(|c| c.is_ascii_digit()) => (env_host, a.to_owned()),
        Some(a) => {
            let (h, p) = a
                .rsplit_once(':')
                .ok_or_else(|| format!("`{a}` is not ADDR:PORT or a port number"))?;
            (h.to_owned(), p.to_owned())
        }
    };
    let port: u16 = port
        .trim()
        .parse()
        .map_err(|_| format!("the port must be a number from 0 to 65535, got `{port}`"))?;
    let host = host.trim_matches(['[', ']']);
    let ip: IpAddr = if host == "0" {
        IpAddr::from([0, 0, 0, 0])
    } else if host == "localhost" {
        IpAddr::from([127, 0, 0, 1])
    } else {
        host.parse()
            .map_err(|_| format!("the address must be an IP address, got `{host}`"))?
    };
    Ok(SocketAddr::new(ip, port))
}

/// Ctrl-C or SIGTERM (micro's own signal), or the project's shutdown hook when it has one.
async fn signal(shutdown: Option<micro::Shutdown>) {
    let hook = async {
        match shutdown {
            Some(s) => s.wait().await,
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = micro::shutdown_signal() => {}
        () = hook => {}
    }
}

pub(crate) async fn run(ctx: &mut CommandContext<'_>) -> Result<i32, CommandError> {
    let project = ctx.project;
    if ctx.process_command_line
        && let Some(warning) = project.logging_settings().install()
    {
        writeln!(ctx.err, "Warning: {warning}")?;
    }
    let addr = address(
        ctx.matches
            .get_one::<String>("addrport")
            .map(String::as_str),
        project.runserver_default_addr(),
    )?;
    let db = ctx.database().await?;

    // Model changes without a migration, reported now rather than as SQL errors later.
    let problems = project.check();
    if !problems.is_empty() {
        writeln!(
            ctx.err,
            "Warning: system check identified {} issue(s):",
            problems.len()
        )?;
        for p in &problems {
            writeln!(ctx.err, "  {p}")?;
        }
    }
    let migrate = ctx.matches.get_flag("migrate") || project.migrates_on_start();
    if migrate {
        // Under the executor's lock, so replicas starting together apply each migration once.
        let set = project.migrations()?;
        super::migrate::apply(ctx.out, project, &db, &set, &migrations::Target::Latest).await?;
        super::migrate::post_migrate(project, &db).await?;
    } else if let Ok(set) = project.migrations() {
        let status = migrations::show_migrations(&db, &set).await?;
        let unapplied: Vec<&migrations::MigrationStatus> =
            status.iter().filter(|s| !s.applied).collect();
        if !unapplied.is_empty() {
            let mut apps: Vec<&str> = unapplied.iter().map(|s| s.app.as_str()).collect();
            apps.dedup();
            writeln!(
                ctx.err,
                "Warning: you have {} unapplied migration(s). Your project may not work properly until you apply the migrations for app(s): {}.\nRun `migrate` to apply them.",
                unapplied.len(),
                apps.join(", ")
            )?;
        }
    }

    let app = project.web_app(&db)?;
    // A folder the project names that is missing is an error naming it, before binding.
    app.check_folders()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    writeln!(
        ctx.out,
        "Starting development server at http://{local}/\nQuit the server with CONTROL-C."
    )?;
    ctx.out.flush()?;
    project.serving(local);
    let shutdown = project.shutdown_handle().cloned();
    micro::serve(listener, app.into_service())
        .with_graceful_shutdown(signal(shutdown))
        .await?;
    writeln!(ctx.out, "Server stopped.")?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    fn address(arg: Option<&str>) -> Result<SocketAddr, super::CommandError> {
        super::address(arg, SocketAddr::from(([127, 0, 0, 1], 8000)))
    }

    #[test]
    fn addresses() {
        assert_eq!(address(Some("0:8001")).unwrap().to_string(), "0.0.0.0:8001");
        assert_eq!(address(Some("[::1]:80")).unwrap().to_string(), "[::1]:80");
        assert_eq!(
            address(Some("10.0.0.1:9000")).unwrap().to_string(),
            "10.0.0.1:9000"
        );
        assert!(address(Some("nowhere")).is_err());
        assert!(address(Some("1.2.3.4:99999")).is_err());
    }
}
