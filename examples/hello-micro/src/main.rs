//! Serves the hello-micro app on `HOST`:`PORT` (default 127.0.0.1:5000).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let app = hello_micro::app(hello_micro::config()?)?;
    app.run().await?;
    Ok(())
}
