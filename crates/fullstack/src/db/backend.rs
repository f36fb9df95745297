//! What differs between SQLite, PostgreSQL and MySQL/MariaDB in the SQL the ORM writes.

use std::fmt::Write as _;

/// A database server family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// SQLite: the embedded default, a file created on first use.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

impl Backend {
    /// The backend a `DATABASE_URL` names (`sqlite:`, `postgres://`/`postgresql://`, `mysql://`/`mariadb://`).
    pub fn from_url(url: &str) -> Option<Backend> {
        let scheme = url.split(':').next()?.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            "mysql" | "mariadb" => Some(Backend::MySql),
            _ => None,
        }
    }

    /// The backend's name as people write it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
            Backend::MySql => "mysql",
        }
    }

    /// Appends `ident` quoted as an identifier: `"name"`, or `` `name` `` on MySQL.
    pub fn quote_into(self, out: &mut String, ident: &str) {
        let q = if self == Backend::MySql { '`' } else { '"' };
        out.reserve(ident.len() + 2);
        out.push(q);
        // Identifiers come from the models: a quote inside one is rare, so copy in one go.
        if ident.contains(q) {
            for c in ident.chars() {
                if c == q {
                    out.push(q);
                }
                out.push(c);
            }
        } else {
            out.push_str(ident);
        }
        out.push(q);
    }

    /// `ident` quoted as an identifier.
    pub fn quote(self, ident: &str) -> String {
        let mut out = String::with_capacity(ident.len() + 2);
        self.quote_into(&mut out, ident);
        out
    }

    /// Appends the placeholder for the `n`th bound value (1-based): `$n` on PostgreSQL, `?` elsewhere.
    pub fn placeholder_into(self, out: &mut String, n: usize) {
        match self {
            Backend::Postgres => {
                let _ = write!(out, "${n}");
            }
            _ => out.push('?'),
        }
    }

    /// Whether `INSERT ... RETURNING` gives back generated keys (MySQL has no RETURNING; the ORM
    /// reads `LAST_INSERT_ID()` there).
    pub fn supports_returning(self) -> bool {
        !matches!(self, Backend::MySql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_quoting_and_placeholders() {
        assert_eq!(
            Backend::from_url("sqlite://x.db?mode=rwc"),
            Some(Backend::Sqlite)
        );
        assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::from_url("postgresql://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("mariadb://root@h/db"),
            Some(Backend::MySql)
        );
        assert_eq!(Backend::from_url("oracle://x"), None);
        assert_eq!(Backend::Postgres.quote(r#"we"ird"#), r#""we""ird""#);
        assert_eq!(Backend::MySql.quote("order"), "`order`");
        let mut s = String::new();
        Backend::Postgres.placeholder_into(&mut s, 3);
        Backend::Sqlite.placeholder_into(&mut s, 3);
        assert_eq!(s, "$3?");
    }
}
