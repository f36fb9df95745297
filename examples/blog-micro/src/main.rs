//! Serves blog-micro on `HOST`:`PORT` (default 127.0.0.1:5000), on the database of
//! `DATABASE_URL` (default the SQLite file `blog-micro.db`); `blog-micro seed FILE` loads a
//! fixture instead.

use std::process::ExitCode;

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
            eprintln!("blog-micro: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), micro::BoxError> {
    let config = blog_micro::config()?;
    let db = blog_micro::Db::connect(&blog_micro::database_url()).await?;
    // Flask's `init-db`, at every start: the tables that are missing are created.
    db.create_schema().await?;
    blog_micro::app(config, db)?.run().await?;
    Ok(())
}
