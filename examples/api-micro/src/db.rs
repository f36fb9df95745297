//! The database: SQLite through sqlx, with no ORM.
//!
//! Every statement is a `&'static str` with `?N` placeholders and every value is bound, never
//! formatted into the text (sqlx 0.9 only accepts dynamic SQL wrapped in `AssertSqlSafe`, and
//! this module never needs it). Optional filters are written `(?1 IS NULL OR device_id = ?1)`,
//! so one prepared statement serves every combination of filters.

use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use crate::timestamp;
use crate::validate::{ListParams, NewReading};

/// The schema, created at startup when missing. Times are Unix milliseconds.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS devices (
    id         TEXT    PRIMARY KEY NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS readings (
    id          INTEGER PRIMARY KEY,
    device_id   TEXT    NOT NULL REFERENCES devices (id),
    kind        TEXT    NOT NULL CHECK (length(kind) BETWEEN 1 AND 32),
    value       REAL    NOT NULL,
    unit        TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS readings_by_time ON readings (recorded_at, id);
CREATE INDEX IF NOT EXISTS readings_by_device ON readings (device_id, kind, recorded_at);
";

/// Opens the database at `url` (`sqlite://path.db`, created if missing), with WAL journaling,
/// a busy timeout and foreign keys on, and creates the schema if it is not there.
///
/// Use a file: `sqlite::memory:` would give each pooled connection its own empty database.
///
/// # Errors
/// When the URL is not a SQLite URL, or the file cannot be opened or created.
pub async fn connect(url: &str) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::raw_sql(SCHEMA).execute(&pool).await?;
    Ok(pool)
}

/// A stored reading, as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Reading {
    /// Assigned by the database.
    pub id: i64,
    /// The device that measured it.
    pub device_id: String,
    /// What was measured: `temperature`, `humidity`...
    pub kind: String,
    /// The measured value.
    pub value: f64,
    /// Its unit, one of [`UNITS`](crate::validate::UNITS).
    pub unit: String,
    /// When it was measured, Unix milliseconds; RFC 3339 in JSON.
    #[serde(serialize_with = "timestamp::serialize")]
    pub recorded_at: i64,
    /// When the API stored it, Unix milliseconds; RFC 3339 in JSON.
    #[serde(serialize_with = "timestamp::serialize")]
    pub created_at: i64,
}

/// A device's first and last time of posting, Unix milliseconds.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Device {
    /// The device's id.
    pub id: String,
    /// When it first posted.
    pub first_seen: i64,
    /// When it last posted.
    pub last_seen: i64,
}

/// Aggregates of one device's readings of one kind and unit.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct KindStats {
    /// What was measured.
    pub kind: String,
    /// In which unit.
    pub unit: String,
    /// How many readings.
    pub count: i64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// The mean value.
    pub avg: f64,
    /// The earliest `recorded_at`.
    #[serde(serialize_with = "timestamp::serialize")]
    pub first_recorded_at: i64,
    /// The latest `recorded_at`.
    #[serde(serialize_with = "timestamp::serialize")]
    pub last_recorded_at: i64,
}

/// Stores readings in one transaction (all or none), recording their devices as seen.
///
/// # Errors
/// Database errors.
pub async fn insert_readings(
    db: &SqlitePool,
    readings: &[NewReading],
    now_ms: i64,
) -> Result<Vec<Reading>, sqlx::Error> {
    // IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy timeout)
    // instead of failing halfway through with SQLITE_BUSY.
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let mut stored = Vec::with_capacity(readings.len());
    for reading in readings {
        sqlx::query(
            "INSERT INTO devices (id, first_seen, last_seen) VALUES (?1, ?2, ?2)
             ON CONFLICT (id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)",
        )
        .bind(&reading.device_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query_as::<_, Reading>(
            "INSERT INTO readings (device_id, kind, value, unit, recorded_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             RETURNING id, device_id, kind, value, unit, recorded_at, created_at",
        )
        .bind(&reading.device_id)
        .bind(&reading.kind)
        .bind(reading.value)
        .bind(&reading.unit)
        .bind(reading.recorded_at)
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await?;
        stored.push(row);
    }
    tx.commit().await?;
    Ok(stored)
}

/// One reading by id.
///
/// # Errors
/// Database errors.
pub async fn get_reading(db: &SqlitePool, id: i64) -> Result<Option<Reading>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, device_id, kind, value, unit, recorded_at, created_at
         FROM readings WHERE id = ?1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Deletes a reading; `false` when there was none with this id.
///
/// # Errors
/// Database errors.
pub async fn delete_reading(db: &SqlitePool, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM readings WHERE id = ?1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// One page of readings matching the filters, newest first, and how many match in all.
///
/// # Errors
/// Database errors.
pub async fn list_readings(
    db: &SqlitePool,
    params: &ListParams,
) -> Result<(Vec<Reading>, i64), sqlx::Error> {
    // `since` is inclusive and `until` exclusive, so consecutive windows neither overlap nor
    // leave gaps.
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM readings
         WHERE (?1 IS NULL OR device_id = ?1)
           AND (?2 IS NULL OR kind = ?2)
           AND (?3 IS NULL OR recorded_at >= ?3)
           AND (?4 IS NULL OR recorded_at < ?4)",
    )
    .bind(params.device.as_deref())
    .bind(params.kind.as_deref())
    .bind(params.since)
    .bind(params.until)
    .fetch_one(db)
    .await?;
    let items = sqlx::query_as(
        "SELECT id, device_id, kind, value, unit, recorded_at, created_at FROM readings
         WHERE (?1 IS NULL OR device_id = ?1)
           AND (?2 IS NULL OR kind = ?2)
           AND (?3 IS NULL OR recorded_at >= ?3)
           AND (?4 IS NULL OR recorded_at < ?4)
         ORDER BY recorded_at DESC, id DESC
         LIMIT ?5 OFFSET ?6",
    )
    .bind(params.device.as_deref())
    .bind(params.kind.as_deref())
    .bind(params.since)
    .bind(params.until)
    .bind(i64::from(params.per_page))
    .bind(params.offset())
    .fetch_all(db)
    .await?;
    Ok((items, total))
}

/// A device, if it ever posted.
///
/// # Errors
/// Database errors.
pub async fn get_device(db: &SqlitePool, id: &str) -> Result<Option<Device>, sqlx::Error> {
    sqlx::query_as("SELECT id, first_seen, last_seen FROM devices WHERE id = ?1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Count, min, max and mean of a device's readings, per kind and unit, computed by SQLite.
///
/// # Errors
/// Database errors.
pub async fn device_stats(db: &SqlitePool, device: &str) -> Result<Vec<KindStats>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, unit,
                COUNT(*)         AS count,
                MIN(value)       AS min,
                MAX(value)       AS max,
                AVG(value)       AS avg,
                MIN(recorded_at) AS first_recorded_at,
                MAX(recorded_at) AS last_recorded_at
         FROM readings WHERE device_id = ?1
         GROUP BY kind, unit
         ORDER BY kind, unit",
    )
    .bind(device)
    .fetch_all(db)
    .await
}

/// Whether the database answers.
///
/// # Errors
/// Database errors, including a closed pool.
pub async fn ping(db: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(db).await.map(drop)
}
