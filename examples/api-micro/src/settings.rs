//! What the service reads from its environment.

use micro::{Config, ConfigError, Secret};
use serde::Deserialize;
use serde_json::Value;

use crate::Tokens;

/// Where the database is when `DATABASE_URL` and `[APP] database_url` are not set: a file in the
/// working directory, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://api-micro.db?mode=rwc";
/// The shortest token accepted, so that a placeholder like `changeme` cannot go to production.
pub const MIN_TOKEN_LEN: usize = 16;

/// The service's settings.
///
/// | setting | from | default |
/// |---|---|---|
/// | database URL | `DATABASE_URL`, else `[APP] database_url` (`MICRO_APP_DATABASE_URL`) | [`DEFAULT_DATABASE_URL`] |
/// | API tokens | `[APP] tokens` in `micro.toml`, or `MICRO_APP_TOKENS` | none: required |
/// | body limit | `MAX_CONTENT_LENGTH` (`MICRO_MAX_CONTENT_LENGTH`) | 2 MiB |
///
/// `MICRO_APP_TOKENS` takes a TOML list (`'["a...", "b..."]'`) or comma-separated text
/// (`a...,b...`). Each token must be at least [`MIN_TOKEN_LEN`] visible ASCII characters.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The sqlx SQLite URL.
    pub database_url: String,
    /// Who may write.
    pub tokens: Tokens,
    /// The most bytes a request body may have (413 beyond).
    pub body_limit: usize,
}

impl Settings {
    /// Reads `micro.toml` (or the file in `MICRO_CONFIG`), the `MICRO_*` variables and
    /// `DATABASE_URL`.
    ///
    /// # Errors
    /// When a setting is missing or malformed; the error names it.
    pub fn load() -> Result<Settings, ConfigError> {
        let mut settings = Settings::from_config(&Config::load()?)?;
        if let Some(url) = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
            settings.database_url = url;
        }
        Ok(settings)
    }

    /// The settings in `config` alone (no `DATABASE_URL`).
    ///
    /// # Errors
    /// When the `[APP]` table has an unknown key, no tokens, or a token that is too short.
    pub fn from_config(config: &Config) -> Result<Settings, ConfigError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct AppTable {
            tokens: Option<Value>,
            database_url: Option<String>,
        }
        let app: AppTable = config.app()?;
        Ok(Settings {
            database_url: app
                .database_url
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            tokens: Tokens::new(parse_tokens(app.tokens)?),
            body_limit: config.max_content_length,
        })
    }
}

fn parse_tokens(raw: Option<Value>) -> Result<Vec<Secret>, ConfigError> {
    let fail = |message: String| ConfigError {
        key: "APP.tokens".into(),
        message,
    };
    let raw = match raw {
        // Environment values are text, so a list from `MICRO_APP_TOKENS` arrives as a string.
        Some(Value::String(text)) if text.trim_start().starts_with('[') => {
            Some(serde_json::from_str(&text).map_err(|e| {
                fail(format!(
                    "is not a list of double-quoted tokens (`[\"a...\", \"b...\"]`): {e}"
                ))
            })?)
        }
        other => other,
    };
    let tokens: Vec<String> = match raw {
        None => Vec::new(),
        Some(Value::String(text)) => text.split(',').map(str::to_owned).collect(),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(token) => Ok(token),
                other => Err(fail(format!("every token must be a string, got `{other}`"))),
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(fail(format!(
                "must be a list of strings or comma-separated text, got `{other}` (quote a token made only of digits)"
            )));
        }
    };
    let tokens: Vec<String> = tokens
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    if tokens.is_empty() {
        return Err(fail(
            "no API token is configured, so nothing could ever be written: set `tokens = [\"...\"]` under [APP] in micro.toml, or MICRO_APP_TOKENS (generate one with `openssl rand -hex 32`)".into(),
        ));
    }
    for (i, token) in tokens.iter().enumerate() {
        if token.len() < MIN_TOKEN_LEN || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(fail(format!(
                "token #{} must be at least {MIN_TOKEN_LEN} visible ASCII characters without spaces (generate one with `openssl rand -hex 32`)",
                i + 1
            )));
        }
    }
    Ok(tokens.into_iter().map(Secret::new).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(toml: &str) -> Result<Settings, ConfigError> {
        Settings::from_config(&Config::from_toml_str(toml).unwrap())
    }

    #[test]
    fn tokens_as_a_list_or_comma_separated_text() {
        let s = settings("[APP]\ntokens = [\"0123456789abcdef\", \"fedcba9876543210\"]").unwrap();
        assert_eq!(s.tokens.len(), 2);
        assert!(s.tokens.verify("fedcba9876543210"));
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);

        // A list written as text, as `MICRO_APP_TOKENS='["...", "..."]'` gives it.
        let s = settings("[APP]\ntokens = '[\"0123456789abcdef\", \"fedcba9876543210\"]'").unwrap();
        assert_eq!(s.tokens.len(), 2);
        assert!(s.tokens.verify("fedcba9876543210"));

        let s = settings("[APP]\ntokens = \"0123456789abcdef, fedcba9876543210,\"\ndatabase_url = \"sqlite://x.db\"").unwrap();
        assert_eq!(s.tokens.len(), 2);
        assert!(s.tokens.verify("0123456789abcdef"));
        assert_eq!(s.database_url, "sqlite://x.db");
    }

    #[test]
    fn mistakes_name_the_key() {
        for toml in [
            "",
            "[APP]\ntokens = []",
            "[APP]\ntokens = \"short\"",
            "[APP]\ntokens = [1234567890123456]",
            "[APP]\ntokens = 1234567890123456",
            "[APP]\ntokens = \"has a space in it!\"",
        ] {
            let err = settings(toml).unwrap_err();
            assert_eq!(err.key, "APP.tokens", "{toml}: {err}");
        }
        let err = settings("[APP]\ntoken = \"0123456789abcdef\"").unwrap_err();
        assert!(err.to_string().contains("token"), "{err}");
        assert!(
            !settings("[APP]\ntokens = \"0123456789abcdef\"")
                .unwrap()
                .tokens
                .verify("short")
        );
    }
}
