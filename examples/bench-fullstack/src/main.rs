//! The TechEmpower benchmark server, full-stack flavour: listens on `HOST`:`PORT`, uses the
//! database at `DATABASE_URL` (or the SQLite file `DB_PATH`) with `DB_POOL_SIZE` connections
//! (default 4), and creates/fills the tables when they are missing.
//!
//! The project's settings come from `FULLSTACK_*` variables (no settings file), so the default
//! middleware can be switched off to measure it: `FULLSTACK_MIDDLEWARE_SECURITY=false
//! FULLSTACK_MIDDLEWARE_CLICKJACKING=false FULLSTACK_MIDDLEWARE_CSP=false
//! FULLSTACK_MIDDLEWARE_CSRF=false BENCH_SESSIONS=off`.

use std::process::ExitCode;

use fullstack::{Database, PoolOptions};

fn database_url() -> String {
    if let Ok(url) = std::env::var("DATABASE_URL")
        && !url.is_empty()
    {
        return url;
    }
    match std::env::var("DB_PATH") {
        Ok(path) if !path.is_empty() => format!("sqlite://{path}"),
        _ => "sqlite://bench.db".to_owned(),
    }
}

async fn serve() -> Result<(), String> {
    let url = database_url();
    let max_connections = std::env::var("DB_POOL_SIZE")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(4);
    // All connections opened up front, as the peers do.
    let options = PoolOptions {
        max_connections,
        min_connections: max_connections,
        ..PoolOptions::default()
    };
    let db = Database::connect_with(&url, options)
        .await
        .map_err(|e| format!("cannot connect to {url}: {e}"))?;
    bench_fullstack::prepare_database(&db)
        .await
        .map_err(|e| format!("cannot prepare the database: {e}"))?;

    // The project's web app (its default middleware, the database in state), served directly
    // rather than through `runserver`, which would open its own pool (no pool size) and a
    // multi-threaded runtime.
    let mut settings = fullstack::Settings::load_from(env!("CARGO_MANIFEST_DIR"))
        .map_err(|e| format!("settings: {e}"))?;
    if settings.web.secret_key.is_none() {
        // Nothing here is signed; a key of this process's own keeps the harness free of one.
        settings.web.secret_key = Some(micro::Secret::new(format!(
            "bench-{:032x}",
            fastrand::u128(..)
        )));
    }
    let project = match std::env::var("BENCH_SESSIONS").as_deref() {
        Ok("off") => bench_fullstack::bare_project(),
        _ => bench_fullstack::project(),
    };
    let app = project
        .settings(settings)
        .web_app(&db)
        .map_err(|e| e.to_string())?;
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_owned());
    let addr = format!("{host}:{port}");
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    micro::serve(listener, app.into_service())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

fn main() -> ExitCode {
    // Pinned to one core (the harness's `taskset -c 1`), a current-thread runtime saves the
    // work-stealing machinery; sqlx's SQLite connections run on threads of their own anyway.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let runtime = if cores == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench-fullstack: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-fullstack: {e}");
            ExitCode::FAILURE
        }
    }
}
