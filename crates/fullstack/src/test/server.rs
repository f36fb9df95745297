//! `CREATE DATABASE` and `DROP DATABASE` on PostgreSQL and MySQL/MariaDB, through a connection
//! to the database the URL names.

use crate::{Backend, Database, Error, PoolOptions, Value};

async fn admin(url: &str) -> Result<Database, Error> {
    let options = PoolOptions {
        max_connections: 1,
        ..PoolOptions::default()
    };
    Database::connect_with(url, options).await
}

/// Creates the database `name` on the server of `url`.
pub(super) async fn create_database(url: &str, backend: Backend, name: &str) -> Result<(), Error> {
    let admin = admin(url).await?;
    let created = admin
        .execute(&format!("CREATE DATABASE {}", backend.quote(name)), vec![])
        .await;
    admin.close().await;
    created.map(drop)
}

/// Drops the database `name`, first ending every session still connected to it: a test that
/// panicked can leave connections (on MySQL even an open transaction, whose locks would make
/// `DROP DATABASE` wait) behind.
pub(super) async fn drop_database(url: &str, backend: Backend, name: &str) -> Result<(), Error> {
    let admin = admin(url).await?;
    let dropped = end_sessions_and_drop(&admin, backend, name).await;
    admin.close().await;
    dropped.map_err(|e| Error::Usage(format!("DROP DATABASE {name}: {e}")))
}

async fn end_sessions_and_drop(
    admin: &Database,
    backend: Backend,
    name: &str,
) -> Result<(), Error> {
    match backend {
        Backend::Postgres => {
            admin
                .fetch_all(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = $1 AND pid <> pg_backend_pid()",
                    vec![Value::from(name)],
                )
                .await?;
        }
        Backend::MySql => {
            let sessions = admin
                .fetch_all(
                    "SELECT CAST(id AS SIGNED) FROM information_schema.processlist \
                     WHERE db = ? AND id <> CONNECTION_ID()",
                    vec![Value::from(name)],
                )
                .await?;
            for session in sessions {
                let id: i64 = session.get(0)?;
                // Gone already if it closed in between: nothing to do then.
                let _ = admin.execute(&format!("KILL {id}"), vec![]).await;
            }
        }
        Backend::Sqlite => return Ok(()),
    }
    admin
        .execute(
            &format!("DROP DATABASE IF EXISTS {}", backend.quote(name)),
            vec![],
        )
        .await
        .map(|_| ())
}
