//! Serves api-micro on `HOST`:`PORT` (default 127.0.0.1:5000).
//!
//! ```sh
//! MICRO_APP_TOKENS=$(openssl rand -hex 32) cargo run -p api-micro
//! ```

use std::process::ExitCode;

use api_micro::{Feed, Settings};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Display, not Debug: "configuration `APP.tokens`: ..." names the setting to fix.
            eprintln!("api-micro: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // `Config::load()` (inside `Settings::load`) reads micro.toml and the MICRO_* variables, but
    // the app is built with `App::new()` plus the body limit, not `App::from_config`:
    // `from_config` exists to set up signed-cookie sessions and so, outside DEBUG, refuses to
    // start without a SECRET_KEY. This API has no sessions (clients authenticate every request
    // with a bearer token), so a SECRET_KEY would sign nothing, and inventing a random one would
    // only hide a later mistake. With `App::new()` there are no session keys at all, and any use
    // of `req.session()` fails loudly. DEBUG changes nothing here: errors are always JSON.
    let settings = Settings::load()?;
    let db = api_micro::connect(&settings.database_url).await?;
    tracing::info!(
        database = %settings.database_url,
        tokens = settings.tokens.len(),
        "api-micro ready"
    );
    api_micro::app(db, Feed::default(), settings.tokens, settings.body_limit)
        .run()
        .await?;
    Ok(())
}
