//! Sessions in the project's database, in the `django_session` table (the default backend).

use chrono::Utc;
use serde_json::{Map, Value as Json};

use super::store::{SessionRecord, SessionStore, StoreFuture};
use crate::{Backend, Database, Value};

const TABLE: &str = "django_session";

/// Keeps sessions in a [`Database`], one row per session: a load is one query, and so is a
/// save, a delete or a [cycle](SessionStore::cycle).
#[derive(Debug, Clone)]
pub struct DatabaseStore {
    db: Database,
}

impl DatabaseStore {
    /// Sessions in `db`'s `django_session` table (made by the sessions app's migration).
    pub fn new(db: Database) -> Self {
        DatabaseStore { db }
    }

    fn sql(&self, template: &str) -> String {
        // `{t}` is the table, `{k}`/`{d}`/`{e}` the columns, `{1}`, `{2}`... the placeholders.
        let backend = self.db.backend();
        let mut sql = template
            .replace("{t}", &backend.quote(TABLE))
            .replace("{k}", &backend.quote("session_key"))
            .replace("{d}", &backend.quote("session_data"))
            .replace("{e}", &backend.quote("expire_date"));
        for n in 1..=4 {
            let mut placeholder = String::new();
            backend.placeholder_into(&mut placeholder, n);
            sql = sql.replace(&format!("{{{n}}}"), &placeholder);
        }
        sql
    }

    fn upsert_sql(&self) -> String {
        match self.db.backend() {
            Backend::MySql => self.sql(
                "INSERT INTO {t} ({k}, {d}, {e}) VALUES ({1}, {2}, {3}) \
                 ON DUPLICATE KEY UPDATE {d} = VALUES({d}), {e} = VALUES({e})",
            ),
            Backend::Sqlite | Backend::Postgres => self.sql(
                "INSERT INTO {t} ({k}, {d}, {e}) VALUES ({1}, {2}, {3}) \
                 ON CONFLICT ({k}) DO UPDATE SET {d} = excluded.{d}, {e} = excluded.{e}",
            ),
        }
    }
}

fn encode(data: &Map<String, Json>) -> String {
    Json::Object(data.clone()).to_string()
}

impl SessionStore for DatabaseStore {
    fn load<'a>(&'a self, key: &'a str) -> StoreFuture<'a, Option<SessionRecord>> {
        Box::pin(async move {
            let sql = self.sql("SELECT {d}, {e} FROM {t} WHERE {k} = {1} AND {e} > {2}");
            let row = self
                .db
                .fetch_optional(
                    &sql,
                    vec![Value::Text(key.to_owned()), Value::DateTime(Utc::now())],
                )
                .await?;
            let Some(row) = row else { return Ok(None) };
            let text: String = row.get(0)?;
            // Data that is not a JSON object (written by something else) is an empty session,
            // as a tampered cookie is: never an error page.
            let data = match serde_json::from_str::<Json>(&text) {
                Ok(Json::Object(map)) => map,
                _ => Map::new(),
            };
            Ok(Some(SessionRecord {
                key: key.to_owned(),
                data,
                expire_date: row.get(1)?,
            }))
        })
    }

    fn save<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.db
                .execute(
                    &self.upsert_sql(),
                    vec![
                        Value::Text(record.key.clone()),
                        Value::Text(encode(&record.data)),
                        Value::DateTime(record.expire_date),
                    ],
                )
                .await?;
            Ok(())
        })
    }

    fn update<'a>(&'a self, record: &'a SessionRecord) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            // A plain UPDATE, not the upsert: a row deleted meanwhile (a logout) stays deleted.
            let sql = self.sql("UPDATE {t} SET {d} = {1}, {e} = {2} WHERE {k} = {3}");
            let updated = self
                .db
                .execute(
                    &sql,
                    vec![
                        Value::Text(encode(&record.data)),
                        Value::DateTime(record.expire_date),
                        Value::Text(record.key.clone()),
                    ],
                )
                .await?;
            Ok(updated > 0)
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let sql = self.sql("DELETE FROM {t} WHERE {k} = {1}");
            self.db
                .execute(&sql, vec![Value::Text(key.to_owned())])
                .await?;
            Ok(())
        })
    }

    fn exists<'a>(&'a self, key: &'a str) -> StoreFuture<'a, bool> {
        Box::pin(async move {
            let sql = self.sql("SELECT 1 FROM {t} WHERE {k} = {1} AND {e} > {2}");
            let row = self
                .db
                .fetch_optional(
                    &sql,
                    vec![Value::Text(key.to_owned()), Value::DateTime(Utc::now())],
                )
                .await?;
            Ok(row.is_some())
        })
    }

    fn clear_expired(&self) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let sql = self.sql("DELETE FROM {t} WHERE {e} <= {1}");
            Ok(self
                .db
                .execute(&sql, vec![Value::DateTime(Utc::now())])
                .await?)
        })
    }

    fn cycle<'a>(&'a self, old_key: &'a str, record: &'a SessionRecord) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let sql = self.sql("UPDATE {t} SET {k} = {1}, {d} = {2}, {e} = {3} WHERE {k} = {4}");
            let moved = self
                .db
                .execute(
                    &sql,
                    vec![
                        Value::Text(record.key.clone()),
                        Value::Text(encode(&record.data)),
                        Value::DateTime(record.expire_date),
                        Value::Text(old_key.to_owned()),
                    ],
                )
                .await?;
            if moved == 0 {
                // The old row is gone (expired and cleared meanwhile): write the new one.
                self.save(record).await?;
            }
            Ok(())
        })
    }
}
