//! Serves the hello-micro app on `HOST`:`PORT` (default 127.0.0.1:5000).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match serve().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Display, not the Debug that returning the error from `main` would print.
            eprintln!("hello-micro: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    let app = hello_micro::app(hello_micro::config()?)?;
    app.run().await?;
    Ok(())
}
