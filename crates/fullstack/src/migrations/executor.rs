//! Applies and rolls back migrations, one transaction per migration where the backend has
//! transactional DDL (PostgreSQL, SQLite). MySQL/MariaDB commit each DDL statement implicitly,
//! so there a failing migration can leave its earlier statements applied: the report says so.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;

use super::loader::{Migration, MigrationSet};
use super::operations::Step;
use super::recorder::{DEFAULT_TABLE, Recorder};
use super::state::ProjectState;
use crate::db::{Backend, RawConn, Row, Value};
use crate::{Database, Error};

/// The connection a migration runs on, handed to Rust data migrations. Inside the migration's
/// transaction on PostgreSQL and SQLite.
pub struct MigrationTx<'c> {
    conn: &'c mut RawConn,
    backend: Backend,
}

impl std::fmt::Debug for MigrationTx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MigrationTx")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl MigrationTx<'_> {
    /// The backend, to write SQL that differs.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs a statement with bound values.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn execute(&mut self, sql: &str, values: Vec<Value>) -> Result<u64, Error> {
        self.conn.conn().execute(sql, values).await
    }

    /// Reads every row of a query.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn fetch_all(&mut self, sql: &str, values: Vec<Value>) -> Result<Vec<Row>, Error> {
        self.conn.conn().fetch_all(sql, values).await
    }
}

/// The future a Rust data migration returns.
pub type MigrationFuture<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>>;

/// A Rust data migration: `|tx| Box::pin(async move { tx.execute(..).await?; Ok(()) })`.
pub type RustMigrationFn = for<'a, 'c> fn(&'a mut MigrationTx<'c>) -> MigrationFuture<'a>;

/// The Rust functions `RunRust` operations name.
#[derive(Debug, Clone, Default)]
pub struct RustRegistry {
    fns: HashMap<String, RustMigrationFn>,
}

impl RustRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `f` under `name`.
    #[must_use]
    pub fn register(mut self, name: &str, f: RustMigrationFn) -> Self {
        self.fns.insert(name.to_owned(), f);
        self
    }
}

/// Where [`migrate`](super::migrate) goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every migration applied.
    Latest,
    /// `app` at migration `name`: applied with its dependencies if it is not, or the app's
    /// later migrations (and those depending on them) rolled back if it is.
    To {
        /// The app.
        app: String,
        /// The migration.
        name: String,
    },
    /// Every migration of `app` rolled back (`migrate app zero`).
    Zero {
        /// The app.
        app: String,
    },
}

/// What a `migrate` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateReport {
    /// Applied, in order (`app`, `name`).
    pub applied: Vec<(String, String)>,
    /// Rolled back, in order.
    pub unapplied: Vec<(String, String)>,
    /// Lines for the terminal.
    pub messages: Vec<String>,
}

/// One line of `showmigrations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// The app.
    pub app: String,
    /// The migration.
    pub name: String,
    /// Whether it is applied.
    pub applied: bool,
}

/// One migration starting or finished, for [`Executor::progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationProgress<'m> {
    /// The app.
    pub app: &'m str,
    /// The migration.
    pub name: &'m str,
    /// Applied (`true`) or rolled back.
    pub forward: bool,
    /// `false` before it runs, `true` once it is applied or rolled back.
    pub done: bool,
}

/// What [`Executor::progress`] takes.
pub type ProgressFn<'a> = &'a (dyn Fn(MigrationProgress<'_>) + Send + Sync);

/// Applies migrations of a [`MigrationSet`] to a database.
pub struct Executor<'a> {
    db: &'a Database,
    set: &'a MigrationSet,
    rust: Option<&'a RustRegistry>,
    table: String,
    progress: Option<ProgressFn<'a>>,
}

impl std::fmt::Debug for Executor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("db", &self.db)
            .field("set", &self.set)
            .field("rust", &self.rust)
            .field("table", &self.table)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl<'a> Executor<'a> {
    /// An executor recording in `fullstack_migrations`.
    pub fn new(db: &'a Database, set: &'a MigrationSet) -> Self {
        Executor {
            db,
            set,
            rust: None,
            table: DEFAULT_TABLE.to_owned(),
            progress: None,
        }
    }

    /// Calls `hook` before and after each migration it applies or rolls back, while it works
    /// (the `migrate` command's `Applying polls.0001_initial... OK` lines).
    #[must_use]
    pub fn progress(mut self, hook: ProgressFn<'a>) -> Self {
        self.progress = Some(hook);
        self
    }

    fn report_progress(&self, m: &Migration, forward: bool, done: bool) {
        if let Some(hook) = self.progress {
            hook(MigrationProgress {
                app: &m.app,
                name: &m.name,
                forward,
                done,
            });
        }
    }

    /// The Rust data migrations `RunRust` operations call.
    #[must_use]
    pub fn rust(mut self, registry: &'a RustRegistry) -> Self {
        self.rust = Some(registry);
        self
    }

    /// Records in `table` instead of `fullstack_migrations`.
    #[must_use]
    pub fn recorder_table(mut self, table: &str) -> Self {
        table.clone_into(&mut self.table);
        self
    }

    fn recorder(&self) -> Recorder<'_> {
        Recorder {
            backend: self.db.backend(),
            table: &self.table,
        }
    }

    /// Which migrations are applied (`showmigrations`).
    ///
    /// # Errors
    /// The driver's error.
    pub async fn status(&self) -> Result<Vec<MigrationStatus>, Error> {
        let mut conn = self.db.acquire_raw().await?;
        let rec = self.recorder();
        rec.ensure(&mut conn).await?;
        let applied: BTreeSet<(String, String)> =
            rec.applied(&mut conn).await?.into_iter().collect();
        Ok(self
            .set
            .migrations()
            .iter()
            .map(|m| MigrationStatus {
                app: m.app.clone(),
                name: m.name.clone(),
                applied: applied.contains(&(m.app.clone(), m.name.clone())),
            })
            .collect())
    }

    /// What [`migrate`](Self::migrate) would do for `target`, without doing it (`migrate
    /// --plan`): `(app, name, backwards)` in the order they would run.
    ///
    /// # Errors
    /// The driver's error, or an unknown target.
    pub async fn plan(&self, target: &Target) -> Result<Vec<(String, String, bool)>, Error> {
        let mut conn = self.db.acquire_raw().await?;
        let rec = self.recorder();
        rec.ensure(&mut conn).await?;
        let applied: BTreeSet<(String, String)> =
            rec.applied(&mut conn).await?.into_iter().collect();
        let (forward, backward) = self.plan_indexes(&applied, target)?;
        let all = self.set.migrations();
        Ok(backward
            .iter()
            .map(|&i| (all[i].app.clone(), all[i].name.clone(), true))
            .chain(
                forward
                    .iter()
                    .map(|&i| (all[i].app.clone(), all[i].name.clone(), false)),
            )
            .collect())
    }

    /// The plan for `target`: migrations to apply (forwards) or roll back (in rollback order).
    fn plan_indexes(
        &self,
        applied: &BTreeSet<(String, String)>,
        target: &Target,
    ) -> Result<(Vec<usize>, Vec<usize>), Error> {
        let all = self.set.migrations();
        let key = |m: &Migration| (m.app.clone(), m.name.clone());
        let is_applied = |i: usize| applied.contains(&key(&all[i]));
        // Everything that (transitively) depends on the migrations in `roots`.
        let dependents = |roots: Vec<usize>| -> Vec<usize> {
            let mut set: BTreeSet<usize> = roots.into_iter().collect();
            for i in 0..all.len() {
                let deps_hit = all[i]
                    .dependencies
                    .iter()
                    .any(|d| set.iter().any(|&j| all[j].app == d.0 && all[j].name == d.1))
                    || set.iter().any(|&j| j < i && all[j].app == all[i].app);
                if deps_hit {
                    set.insert(i);
                }
            }
            let mut v: Vec<usize> = set.into_iter().filter(|&i| is_applied(i)).collect();
            v.reverse();
            v
        };
        match target {
            Target::Latest => Ok(((0..all.len()).filter(|&i| !is_applied(i)).collect(), vec![])),
            Target::Zero { app } => {
                let roots = (0..all.len()).filter(|&i| all[i].app == *app).collect();
                Ok((vec![], dependents(roots)))
            }
            Target::To { app, name } => {
                let pos = self.set.position(app, name).ok_or_else(|| {
                    Error::Migration(format!("there is no migration {app}.{name}"))
                })?;
                if is_applied(pos) {
                    let roots = (pos + 1..all.len())
                        .filter(|&i| all[i].app == *app)
                        .collect();
                    Ok((vec![], dependents(roots)))
                } else {
                    // The target and what it depends on.
                    let mut need: BTreeSet<usize> = BTreeSet::from([pos]);
                    for i in (0..pos).rev() {
                        let needed = need.iter().any(|&j| {
                            all[j]
                                .dependencies
                                .iter()
                                .any(|d| d.0 == all[i].app && d.1 == all[i].name)
                                || (all[j].app == all[i].app)
                        });
                        if needed {
                            need.insert(i);
                        }
                    }
                    Ok((
                        need.into_iter().filter(|&i| !is_applied(i)).collect(),
                        vec![],
                    ))
                }
            }
        }
    }

    /// Brings the database to `target`.
    ///
    /// # Errors
    /// When a migration fails (on PostgreSQL and SQLite it is rolled back whole; the migrations
    /// before it stay applied), or is irreversible and would have to be rolled back.
    pub async fn migrate(&self, target: &Target) -> Result<MigrateReport, Error> {
        let mut conn = self.db.acquire_raw().await?;
        // Two processes starting at once (several replicas of a deployment) must not both
        // apply the same migrations: PostgreSQL and MySQL hold a lock named after the recorder
        // table for the whole run. (SQLite serialises writers; the loser's migration fails and
        // rolls back.)
        self.lock(&mut conn, true).await?;
        let result = self.migrate_locked(&mut conn, target).await;
        if self.lock(&mut conn, false).await.is_err() {
            // Closing the session releases the lock.
            conn.close_on_drop();
        }
        result
    }

    async fn lock(&self, conn: &mut RawConn, take: bool) -> Result<(), Error> {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.table.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let key = i64::from_ne_bytes(hash.to_ne_bytes());
        match self.db.backend() {
            Backend::Sqlite => {}
            Backend::Postgres => {
                let f = if take {
                    "pg_advisory_lock"
                } else {
                    "pg_advisory_unlock"
                };
                conn.conn()
                    .execute(&format!("SELECT {f}($1)"), vec![Value::BigInt(key)])
                    .await?;
            }
            Backend::MySql => {
                let sql = if take {
                    "SELECT CAST(COALESCE(GET_LOCK(?, 600), 0) AS SIGNED)"
                } else {
                    "SELECT CAST(COALESCE(RELEASE_LOCK(?), 0) AS SIGNED)"
                };
                let rows = conn
                    .conn()
                    .fetch_all(sql, vec![Value::Text(self.table.clone())])
                    .await?;
                if take && rows.first().map(|r| r.get::<i64>(0)).transpose()? != Some(1) {
                    return Err(Error::Migration(format!(
                        "another process holds the migration lock `{}`",
                        self.table
                    )));
                }
            }
        }
        Ok(())
    }

    async fn migrate_locked(
        &self,
        conn: &mut RawConn,
        target: &Target,
    ) -> Result<MigrateReport, Error> {
        let backend = self.db.backend();
        let rec = self.recorder();
        rec.ensure(conn).await?;
        let applied: BTreeSet<(String, String)> = rec.applied(conn).await?.into_iter().collect();
        let (forward, backward) = self.plan_indexes(&applied, target)?;
        let mut report = MigrateReport::default();
        if forward.is_empty() && backward.is_empty() {
            report.messages.push("No migrations to apply.".into());
            return Ok(report);
        }
        if backend == Backend::MySql {
            report.messages.push(
                "mysql: DDL is not transactional; a failing migration may leave part of its \
                 statements applied"
                    .into(),
            );
        }
        if backend == Backend::Sqlite {
            // Outside any transaction, or SQLite ignores it: table rebuilds must not cascade.
            conn.conn()
                .execute("PRAGMA foreign_keys = OFF", Vec::new())
                .await?;
        }
        let result = self
            .run_all(conn, &rec, &forward, &backward, &mut report)
            .await;
        if backend == Backend::Sqlite
            && conn
                .conn()
                .execute("PRAGMA foreign_keys = ON", Vec::new())
                .await
                .is_err()
        {
            conn.close_on_drop();
        }
        result.map(|()| report)
    }

    async fn run_all(
        &self,
        conn: &mut RawConn,
        rec: &Recorder<'_>,
        forward: &[usize],
        backward: &[usize],
        report: &mut MigrateReport,
    ) -> Result<(), Error> {
        let all = self.set.migrations();
        // Every step of the plan first: an irreversible or inconsistent migration anywhere in
        // it stops the plan before anything runs.
        let back_steps = backward
            .iter()
            .map(|&i| self.steps(i, false))
            .collect::<Result<Vec<_>, _>>()?;
        let fwd_steps = forward
            .iter()
            .map(|&i| self.steps(i, true))
            .collect::<Result<Vec<_>, _>>()?;
        for (&i, steps) in backward.iter().zip(back_steps) {
            let m = &all[i];
            self.report_progress(m, false, false);
            self.run_one(conn, m, steps, false, rec).await?;
            self.report_progress(m, false, true);
            report
                .messages
                .push(format!("Unapplying {}... OK", m.label()));
            report.unapplied.push((m.app.clone(), m.name.clone()));
        }
        for (&i, steps) in forward.iter().zip(fwd_steps) {
            let m = &all[i];
            self.report_progress(m, true, false);
            self.run_one(conn, m, steps, true, rec).await?;
            self.report_progress(m, true, true);
            report
                .messages
                .push(format!("Applying {}... OK", m.label()));
            report.applied.push((m.app.clone(), m.name.clone()));
        }
        Ok(())
    }

    /// The SQL and Rust steps of migration `i`, forwards or backwards.
    fn steps(&self, i: usize, forward: bool) -> Result<Vec<Step>, Error> {
        let m = &self.set.migrations()[i];
        let ctx = |e: Error| Error::Migration(format!("{}: {e}", m.label()));
        let mut state: ProjectState = self.set.state_after(i)?;
        let backend = self.db.backend();
        let mut states = Vec::with_capacity(m.operations.len());
        for op in &m.operations {
            states.push(state.clone());
            op.apply_state(&mut state).map_err(ctx)?;
        }
        let mut steps = Vec::new();
        if forward {
            for (op, before) in m.operations.iter().zip(&states) {
                steps.extend(op.forward_steps(backend, before).map_err(ctx)?);
            }
        } else {
            for (op, before) in m.operations.iter().zip(&states).rev() {
                steps.extend(op.backward_steps(backend, before).map_err(ctx)?);
            }
        }
        for s in &steps {
            if let Step::Rust(name) = s
                && !self.rust.is_some_and(|r| r.fns.contains_key(name))
            {
                return Err(ctx(Error::Migration(format!(
                    "the Rust data migration `{name}` is not registered (Executor::rust)"
                ))));
            }
        }
        Ok(steps)
    }

    async fn run_one(
        &self,
        conn: &mut RawConn,
        m: &Migration,
        steps: Vec<Step>,
        forward: bool,
        rec: &Recorder<'_>,
    ) -> Result<(), Error> {
        let backend = self.db.backend();
        let atomic = backend != Backend::MySql;
        if atomic {
            conn.conn().execute("BEGIN", Vec::new()).await?;
        }
        let result = async {
            for step in steps {
                match step {
                    Step::Sql(sql) => {
                        conn.conn().execute(&sql, Vec::new()).await.map_err(|e| {
                            Error::Migration(format!("{}: `{sql}`: {e}", m.label()))
                        })?;
                    }
                    Step::Rust(name) => {
                        let f = self.rust.and_then(|r| r.fns.get(&name)).expect("checked");
                        let mut tx = MigrationTx {
                            conn: &mut *conn,
                            backend,
                        };
                        f(&mut tx).await.map_err(|e| {
                            Error::Migration(format!("{}: data migration `{name}`: {e}", m.label()))
                        })?;
                    }
                }
            }
            if backend == Backend::Sqlite {
                let broken = conn
                    .conn()
                    .fetch_all("PRAGMA foreign_key_check", Vec::new())
                    .await?;
                if !broken.is_empty() {
                    return Err(Error::Migration(format!(
                        "{}: {} rows would break foreign keys",
                        m.label(),
                        broken.len()
                    )));
                }
            }
            if forward {
                rec.record(conn, &m.app, &m.name).await
            } else {
                rec.unrecord(conn, &m.app, &m.name).await
            }
        }
        .await;
        match result {
            Ok(()) => {
                if atomic {
                    conn.conn().execute("COMMIT", Vec::new()).await?;
                }
                Ok(())
            }
            Err(e) => {
                if atomic && conn.conn().execute("ROLLBACK", Vec::new()).await.is_err() {
                    conn.close_on_drop();
                }
                Err(e)
            }
        }
    }
}
