//! The table that records which migrations are applied: `fullstack_migrations (id, app, name,
//! applied_at)`.

use super::ddl::Ddl;
use super::state::FieldState;
use crate::Error;
use crate::db::{Backend, ColumnType, RawConn, Value};

/// The default recorder table.
pub const DEFAULT_TABLE: &str = "fullstack_migrations";

fn field(name: &str, ty: ColumnType) -> FieldState {
    FieldState {
        name: name.into(),
        column: name.into(),
        ty,
        null: false,
        primary_key: false,
        auto: false,
        unique: false,
        index: false,
        max_length: Some(255),
        max_digits: None,
        decimal_places: None,
        default: None,
        relation: None,
    }
}

pub(crate) struct Recorder<'a> {
    pub(crate) backend: Backend,
    pub(crate) table: &'a str,
}

impl Recorder<'_> {
    fn q(&self, s: &str) -> String {
        self.backend.quote(s)
    }

    /// Whether the table exists, on PostgreSQL (`to_regclass` reads the name as SQL does, on
    /// the search path, so it is given quoted).
    async fn exists_on_postgres(&self, conn: &mut RawConn) -> Result<bool, Error> {
        let rows = conn
            .conn()
            .fetch_all(
                "SELECT to_regclass($1) IS NOT NULL",
                vec![Value::Text(self.q(self.table))],
            )
            .await?;
        Ok(rows.first().map(|r| r.get::<bool>(0)).transpose()? == Some(true))
    }

    pub(crate) async fn ensure(&self, conn: &mut RawConn) -> Result<(), Error> {
        // `CREATE TABLE IF NOT EXISTS` on an existing table makes PostgreSQL send a NOTICE
        // ("relation ... already exists, skipping"), which sqlx logs at INFO: on every run of
        // `migrate`. Look first; the statement below still covers a race to create it.
        if self.backend == Backend::Postgres && self.exists_on_postgres(conn).await? {
            return Ok(());
        }
        let ddl = Ddl {
            backend: self.backend,
        };
        let id = FieldState {
            primary_key: true,
            auto: true,
            ..field("id", ColumnType::BigInt)
        };
        let cols = [
            ddl.column_def(&id, true),
            ddl.column_def(&field("app", ColumnType::VarChar), true),
            ddl.column_def(&field("name", ColumnType::VarChar), true),
            ddl.column_def(&field("applied_at", ColumnType::DateTime), true),
        ];
        let sql = format!(
            "CREATE TABLE IF NOT EXISTS {} ({})",
            self.q(self.table),
            cols.join(", ")
        );
        if conn.conn().execute(&sql, Vec::new()).await.is_err() {
            // Two sessions creating the table at once on a new database: PostgreSQL's
            // `IF NOT EXISTS` is not atomic, and the loser fails on a catalog unique index
            // (`pg_type_typname_nsp_index`). Once the winner has committed, the same statement
            // is a no-op; a real error fails again and is returned.
            conn.conn().execute(&sql, Vec::new()).await?;
        }
        Ok(())
    }

    pub(crate) async fn applied(&self, conn: &mut RawConn) -> Result<Vec<(String, String)>, Error> {
        let sql = format!(
            "SELECT {}, {} FROM {} ORDER BY {}",
            self.q("app"),
            self.q("name"),
            self.q(self.table),
            self.q("id")
        );
        conn.conn()
            .fetch_all(&sql, Vec::new())
            .await?
            .iter()
            .map(|r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)))
            .collect()
    }

    fn ph(&self, n: usize) -> String {
        let mut s = String::new();
        self.backend.placeholder_into(&mut s, n);
        s
    }

    pub(crate) async fn record(
        &self,
        conn: &mut RawConn,
        app: &str,
        name: &str,
    ) -> Result<(), Error> {
        let sql = format!(
            "INSERT INTO {} ({}, {}, {}) VALUES ({}, {}, {})",
            self.q(self.table),
            self.q("app"),
            self.q("name"),
            self.q("applied_at"),
            self.ph(1),
            self.ph(2),
            self.ph(3)
        );
        conn.conn()
            .execute(
                &sql,
                vec![app.into(), name.into(), Value::DateTime(chrono::Utc::now())],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn unrecord(
        &self,
        conn: &mut RawConn,
        app: &str,
        name: &str,
    ) -> Result<(), Error> {
        let sql = format!(
            "DELETE FROM {} WHERE {} = {} AND {} = {}",
            self.q(self.table),
            self.q("app"),
            self.ph(1),
            self.q("name"),
            self.ph(2)
        );
        conn.conn()
            .execute(&sql, vec![app.into(), name.into()])
            .await?;
        Ok(())
    }
}
