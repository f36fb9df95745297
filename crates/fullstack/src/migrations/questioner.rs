//! The questions `makemigrations` cannot answer from the models alone, and who answers them:
//! nobody ([`NonInteractive`], which refuses), flags given up front ([`FlagQuestioner`]), or
//! a person at a terminal ([`Interactive`]).
//!
//! Every question guards data: a rename taken for a removal drops a column's data, and a NOT
//! NULL column added without a value fails only when `migrate` meets a table with rows. So no
//! questioner here guesses: what cannot be answered is [`Unanswered`], and the autodetector
//! reports it with the ways to answer it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

use super::state::{DefaultState, FieldState, ModelState};
use crate::db::ColumnType;
use crate::model::RelationKind;

/// Why a question has no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unanswered {
    /// Nobody to ask (no terminal, or `--no-input`): the autodetector goes on, then reports
    /// every question left this way, with the flags and model changes that answer it, and
    /// nothing is written.
    NoInput,
    /// An answer given up front does not fit (`--fill app.Model.votes=abc` for an integer):
    /// why, reported like [`NoInput`](Self::NoInput).
    Invalid(String),
    /// The person asked chose to stop (or their input ended): nothing is written.
    Quit,
}

/// What a questioner answers: the answer, or why there is none.
pub type Answer<T> = Result<T, Unanswered>;

/// Answers the autodetector's questions. Every method defaults to
/// [`Unanswered::NoInput`], so a questioner that does not know never guesses.
pub trait Questioner {
    /// Was model `old` renamed to `new` (same app, same fields)? `Ok(false)` deletes `old`'s
    /// table and creates `new`'s.
    fn ask_rename_model(&mut self, _old: &ModelState, _new: &ModelState) -> Answer<bool> {
        Err(Unanswered::NoInput)
    }

    /// Was field `old` of `model` renamed to `new` (a field of the same definition)?
    /// `Ok(false)` drops `old`'s column, and its data, and adds `new`'s.
    fn ask_rename_field(
        &mut self,
        _model: &ModelState,
        _old: &FieldState,
        _new: &FieldState,
    ) -> Answer<bool> {
        Err(Unanswered::NoInput)
    }

    /// A NOT NULL field without a default is added to `model`: the value its existing rows
    /// get, once (not kept as a default). `Ok(None)` leaves the migration to fail on a table
    /// that has rows.
    fn ask_not_null_addition(
        &mut self,
        _model: &ModelState,
        _field: &FieldState,
    ) -> Answer<Option<DefaultState>> {
        Err(Unanswered::NoInput)
    }

    /// Field `field` of `model` stops accepting NULL and has no default: the value existing
    /// NULLs get. `Ok(None)` leaves the migration to fail when there are NULLs.
    fn ask_not_null_alteration(
        &mut self,
        _model: &ModelState,
        _field: &FieldState,
    ) -> Answer<Option<DefaultState>> {
        Err(Unanswered::NoInput)
    }
}

/// Answers nothing: every question is [`Unanswered::NoInput`], so `makemigrations` refuses
/// a change it would have to guess and says how to answer. What runs in CI and scripts, and
/// what [`FlagQuestioner`] falls back to.
#[derive(Debug, Clone, Copy, Default)]
pub struct NonInteractive;

impl Questioner for NonInteractive {}

/// Answers from what a command's flags say up front (`--rename`, `--remove`, `--fill`), and
/// asks `Q` the rest ([`NonInteractive`] unless [`or_ask`](Self::or_ask) says otherwise):
///
/// - `polls.Poll=Question` renames a model, `polls.Question.text=question_text` a field (a
///   field of a renamed model is named with the new model name);
/// - `polls.Poll` or `polls.Question.text` was removed: no rename is offered for it, and its
///   table or column goes with its data;
/// - `polls.Question.votes=0` is the one-off value existing rows get for a new NOT NULL
///   field without a default (or one that stops accepting NULL).
#[derive(Debug, Clone, Default)]
pub struct FlagQuestioner<Q = NonInteractive> {
    models: BTreeSet<(String, String)>,
    fields: BTreeSet<(String, String, String)>,
    removed: BTreeSet<String>,
    fills: BTreeMap<(String, String), String>,
    fallback: Q,
}

impl FlagQuestioner {
    /// No flags yet; questions the flags do not answer are refused.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses `--rename` flags: `app.Old=New` (a model) or `app.Model.old=new` (a field).
    ///
    /// # Errors
    /// When a flag has neither form.
    pub fn parse(flags: &[&str]) -> Result<Self, crate::Error> {
        let mut q = Self::new();
        for flag in flags {
            q = q.parse_rename(flag)?;
        }
        Ok(q)
    }
}

impl<Q> FlagQuestioner<Q> {
    /// Asks `fallback` what the flags do not answer (an [`Interactive`] questioner, when
    /// there is a terminal).
    pub fn or_ask<F>(self, fallback: F) -> FlagQuestioner<F> {
        FlagQuestioner {
            models: self.models,
            fields: self.fields,
            removed: self.removed,
            fills: self.fills,
            fallback,
        }
    }

    /// Parses one `--rename` flag into [`rename_model`](Self::rename_model) or
    /// [`rename_field`](Self::rename_field).
    ///
    /// # Errors
    /// When the flag is neither `app.Old=New` nor `app.Model.old=new`.
    pub fn parse_rename(self, flag: &str) -> Result<Self, crate::Error> {
        let bad = || {
            crate::Error::Migration(format!(
                "`--rename {flag}`: write app.OldModel=NewModel or app.Model.old_field=new_field"
            ))
        };
        let (left, new) = flag.split_once('=').ok_or_else(bad)?;
        let parts: Vec<&str> = left.split('.').collect();
        if new.is_empty() || new.contains('.') || parts.iter().any(|p| p.is_empty()) {
            return Err(bad());
        }
        match parts.as_slice() {
            [app, old] => Ok(self.rename_model(&format!("{app}.{old}"), &format!("{app}.{new}"))),
            [app, model, old] => Ok(self.rename_field(&format!("{app}.{model}"), old, new)),
            _ => Err(bad()),
        }
    }

    /// Model `old` (`app.Name`) was renamed to `new` (`app.NewName`).
    #[must_use]
    pub fn rename_model(mut self, old: &str, new: &str) -> Self {
        self.models.insert((old.to_owned(), new.to_owned()));
        self
    }

    /// Field `old` of `model` (`app.Name`) was renamed to `new`.
    #[must_use]
    pub fn rename_field(mut self, model: &str, old: &str, new: &str) -> Self {
        self.fields
            .insert((model.to_owned(), old.to_owned(), new.to_owned()));
        self
    }

    /// Model `app.Name`, or field `app.Name.field`, was removed, not renamed: its table or
    /// column is dropped with its data (a `--remove` flag).
    #[must_use]
    pub fn remove(mut self, what: &str) -> Self {
        self.removed.insert(what.to_owned());
        self
    }

    /// Parses a `--remove app.Model` or `--remove app.Model.field` flag into
    /// [`remove`](Self::remove).
    ///
    /// # Errors
    /// When the flag has neither form.
    pub fn parse_remove(self, flag: &str) -> Result<Self, crate::Error> {
        let parts: Vec<&str> = flag.split('.').collect();
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty()) {
            return Err(crate::Error::Migration(format!(
                "`--remove {flag}`: write app.Model (a deleted model) or app.Model.field (a \
                 removed field)"
            )));
        }
        Ok(self.remove(flag))
    }

    /// The one-off value existing rows get when NOT NULL field `field` of `model` (`app.Name`)
    /// is added or stops accepting NULL without a default (a `--fill app.Model.field=0` flag).
    #[must_use]
    pub fn fill(mut self, model: &str, field: &str, value: &str) -> Self {
        self.fills
            .insert((model.to_owned(), field.to_owned()), value.to_owned());
        self
    }

    /// Parses a `--fill app.Model.field=value` flag into [`fill`](Self::fill).
    ///
    /// # Errors
    /// When the flag is not of that form.
    pub fn parse_fill(self, flag: &str) -> Result<Self, crate::Error> {
        let bad =
            || crate::Error::Migration(format!("`--fill {flag}`: write app.Model.field=value"));
        let (left, value) = flag.split_once('=').ok_or_else(bad)?;
        let (model, field) = left.rsplit_once('.').ok_or_else(bad)?;
        if !model.contains('.') || field.is_empty() {
            return Err(bad());
        }
        Ok(self.fill(model, field, value))
    }

    /// The `--fill` value for `field`, if a flag gives one.
    fn fill_for(
        &self,
        model: &ModelState,
        field: &FieldState,
    ) -> Option<Answer<Option<DefaultState>>> {
        let text = self.fills.get(&(model.label(), field.name.clone()))?;
        Some(match parse_value(field, text) {
            Ok(v) => Ok(Some(v)),
            Err(expected) => Err(Unanswered::Invalid(format!(
                "`--fill {}.{}={text}`: {expected}",
                model.label(),
                field.name
            ))),
        })
    }
}

impl<Q: Questioner> Questioner for FlagQuestioner<Q> {
    fn ask_rename_model(&mut self, old: &ModelState, new: &ModelState) -> Answer<bool> {
        let (old_label, new_label) = (old.label(), new.label());
        if self
            .models
            .contains(&(old_label.clone(), new_label.clone()))
        {
            return Ok(true);
        }
        // Removed, renamed to another model, or another model renamed to this one.
        if self.removed.contains(&old_label)
            || self
                .models
                .iter()
                .any(|(o, n)| *o == old_label || *n == new_label)
        {
            return Ok(false);
        }
        self.fallback.ask_rename_model(old, new)
    }

    fn ask_rename_field(
        &mut self,
        model: &ModelState,
        old: &FieldState,
        new: &FieldState,
    ) -> Answer<bool> {
        let label = model.label();
        let pair = (label.clone(), old.name.clone(), new.name.clone());
        if self.fields.contains(&pair) {
            return Ok(true);
        }
        if self.removed.contains(&format!("{label}.{}", old.name))
            || self
                .fields
                .iter()
                .any(|(m, o, n)| *m == label && (*o == old.name || *n == new.name))
        {
            return Ok(false);
        }
        self.fallback.ask_rename_field(model, old, new)
    }

    fn ask_not_null_addition(
        &mut self,
        model: &ModelState,
        field: &FieldState,
    ) -> Answer<Option<DefaultState>> {
        match self.fill_for(model, field) {
            Some(answer) => answer,
            None => self.fallback.ask_not_null_addition(model, field),
        }
    }

    fn ask_not_null_alteration(
        &mut self,
        model: &ModelState,
        field: &FieldState,
    ) -> Answer<Option<DefaultState>> {
        match self.fill_for(model, field) {
            Some(answer) => answer,
            None => self.fallback.ask_not_null_alteration(model, field),
        }
    }
}

/// Asks a person, Django's way: `[y/N]` for a rename, a menu (a one-off value, or quit) for
/// a NOT NULL field without a default. The end of the input is [`Unanswered::Quit`].
#[derive(Debug)]
pub struct Interactive<R, W> {
    input: R,
    output: W,
}

impl Interactive<std::io::StdinLock<'static>, std::io::Stdout> {
    /// Reads answers from stdin, writes questions to stdout.
    pub fn stdio() -> Self {
        Interactive {
            input: std::io::stdin().lock(),
            output: std::io::stdout(),
        }
    }
}

impl<R: BufRead, W: Write> Interactive<R, W> {
    /// Reads answers from `input`, writes questions to `output`.
    pub fn new(input: R, output: W) -> Self {
        Interactive { input, output }
    }

    fn say(&mut self, text: &str) {
        // The questions are a courtesy: an output that fails still reads the answers.
        let _ = write!(self.output, "{text}");
        let _ = self.output.flush();
    }

    /// The next line without its end, `None` at the end of the input.
    fn line(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_owned()),
        }
    }

    fn yes_no(&mut self, question: &str) -> Answer<bool> {
        self.say(&format!("{question} [y/N] "));
        loop {
            let line = self.line().ok_or(Unanswered::Quit)?;
            match line.trim().to_ascii_lowercase().as_str() {
                "" | "n" | "no" => return Ok(false),
                "y" | "yes" => return Ok(true),
                _ => self.say("Please answer y or n: "),
            }
        }
    }

    fn one_off(&mut self, why: &str, field: &FieldState) -> Answer<Option<DefaultState>> {
        self.say(&format!(
            "{why}\nPlease select a fix:\n \
             1) Give a one-off value now (existing rows get it; it is not kept as the field's \
             default)\n \
             2) Quit, and declare a default (#[field(default = ...)]) or make the field an \
             Option\nSelect an option: "
        ));
        loop {
            match self.line().ok_or(Unanswered::Quit)?.trim() {
                "1" => break,
                "2" | "q" | "quit" => return Err(Unanswered::Quit),
                _ => self.say("Please select 1 or 2: "),
            }
        }
        self.say(&format!(
            "The value for existing rows ({}): ",
            value_hint(field)
        ));
        loop {
            let line = self.line().ok_or(Unanswered::Quit)?;
            if line.trim().is_empty() {
                self.say("Please give a value (\"\" for empty text): ");
                continue;
            }
            match parse_value(field, &line) {
                Ok(v) => return Ok(Some(v)),
                Err(expected) => self.say(&format!("{expected}; try again: ")),
            }
        }
    }
}

impl<R: BufRead, W: Write> Questioner for Interactive<R, W> {
    fn ask_rename_model(&mut self, old: &ModelState, new: &ModelState) -> Answer<bool> {
        self.yes_no(&format!(
            "Was the model {} renamed to {}?",
            old.label(),
            new.name
        ))
    }

    fn ask_rename_field(
        &mut self,
        model: &ModelState,
        old: &FieldState,
        new: &FieldState,
    ) -> Answer<bool> {
        let m = model.label();
        self.yes_no(&format!(
            "Was {m}.{} renamed to {m}.{} ({})?",
            old.name,
            new.name,
            describe(new)
        ))
    }

    fn ask_not_null_addition(
        &mut self,
        model: &ModelState,
        field: &FieldState,
    ) -> Answer<Option<DefaultState>> {
        let why = format!(
            "It is impossible to add the field {}.{} without a value for existing rows: it \
             cannot be NULL and has no default.",
            model.label(),
            field.name
        );
        self.one_off(&why, field)
    }

    fn ask_not_null_alteration(
        &mut self,
        model: &ModelState,
        field: &FieldState,
    ) -> Answer<Option<DefaultState>> {
        let why = format!(
            "The field {}.{} stops accepting NULL and has no default: existing rows that hold \
             NULL need a value.",
            model.label(),
            field.name
        );
        self.one_off(&why, field)
    }
}

/// The field's definition in a few words: `a VarChar(200) field`, `a foreign key to
/// polls.Question`.
pub(crate) fn describe(f: &FieldState) -> String {
    if let Some(r) = &f.relation {
        let kind = match r.kind {
            RelationKind::ForeignKey => "a foreign key",
            RelationKind::OneToOne => "a one-to-one key",
        };
        return format!("{kind} to {}", r.to);
    }
    let ty = match (f.ty, f.max_length, f.max_digits, f.decimal_places) {
        (ColumnType::VarChar, Some(n), ..) => format!("VarChar({n})"),
        (ColumnType::Decimal, _, Some(p), Some(s)) => format!("Decimal({p}, {s})"),
        (ty, ..) => format!("{ty:?}"),
    };
    format!("a {ty} field")
}

/// The Rust type a field of this column type has, for advice (`Option<i32>`).
pub(crate) fn rust_type(f: &FieldState) -> String {
    if let Some(r) = &f.relation {
        let target = r.to.rsplit('.').next().unwrap_or(&r.to);
        return match r.kind {
            RelationKind::ForeignKey => format!("ForeignKey<{target}>"),
            RelationKind::OneToOne => format!("OneToOne<{target}>"),
        };
    }
    match f.ty {
        ColumnType::Bool => "bool",
        ColumnType::SmallInt => "i16",
        ColumnType::Int => "i32",
        ColumnType::BigInt => "i64",
        ColumnType::Float => "f64",
        ColumnType::Real => "f32",
        ColumnType::VarChar | ColumnType::Text => "String",
        ColumnType::DateTime => "DateTime<Utc>",
        ColumnType::Date => "NaiveDate",
        ColumnType::Time => "NaiveTime",
        ColumnType::NaiveDateTime => "NaiveDateTime",
        ColumnType::Decimal => "Decimal",
        ColumnType::Uuid => "Uuid",
        ColumnType::Json => "serde_json::Value",
        ColumnType::Binary => "Vec<u8>",
    }
    .to_owned()
}

/// What a one-off value for `field` is written as.
fn value_hint(f: &FieldState) -> &'static str {
    match f.ty {
        ColumnType::SmallInt | ColumnType::Int | ColumnType::BigInt => "a whole number",
        ColumnType::Float | ColumnType::Real => "a number",
        ColumnType::Decimal => "a decimal number such as 9.99",
        ColumnType::Bool => "true or false",
        ColumnType::DateTime => "now, or a date and time such as 2024-01-31T12:00:00Z",
        ColumnType::NaiveDateTime => "a date and time such as 2024-01-31 12:00:00",
        ColumnType::Date => "a date such as 2024-01-31",
        ColumnType::Time => "a time such as 12:30:00",
        ColumnType::Uuid => "a UUID",
        ColumnType::Json => "JSON",
        ColumnType::VarChar | ColumnType::Text | ColumnType::Binary => "text",
    }
}

/// Reads a one-off value typed for `field` (`0`, `1.5`, `true`, `now`, a date, text; text in
/// double quotes is taken without them, so `""` is the empty string). The error says what was
/// expected.
pub(crate) fn parse_value(field: &FieldState, text: &str) -> Result<DefaultState, String> {
    let t = text.trim();
    let expected = || format!("`{t}` is not {}", value_hint(field));
    let checked = |ok: bool| {
        if ok {
            Ok(DefaultState::Text(t.to_owned()))
        } else {
            Err(expected())
        }
    };
    match field.ty {
        ColumnType::SmallInt | ColumnType::Int | ColumnType::BigInt => {
            t.parse().map(DefaultState::Int).map_err(|_| expected())
        }
        ColumnType::Float | ColumnType::Real => {
            t.parse().map(DefaultState::Float).map_err(|_| expected())
        }
        ColumnType::Bool => match t {
            "true" | "1" => Ok(DefaultState::Bool(true)),
            "false" | "0" => Ok(DefaultState::Bool(false)),
            _ => Err(expected()),
        },
        // Written as a quoted literal, which every backend converts exactly.
        ColumnType::Decimal => t
            .parse::<rust_decimal::Decimal>()
            .map(|d| DefaultState::Text(d.to_string()))
            .map_err(|_| expected()),
        ColumnType::DateTime if t == "now" => Ok(DefaultState::Now),
        // Kept as sqlx writes a `DateTime<Utc>`, in UTC (the schema editor rewrites it for
        // MySQL, whose DATETIME takes no offset).
        ColumnType::DateTime => chrono::DateTime::parse_from_rfc3339(t)
            .map(|d| {
                DefaultState::Text(
                    d.with_timezone(&chrono::Utc)
                        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
                )
            })
            .map_err(|_| expected()),
        ColumnType::NaiveDateTime => checked(
            chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f").is_ok()
                || chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").is_ok(),
        ),
        ColumnType::Date => checked(chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok()),
        ColumnType::Time => checked(chrono::NaiveTime::parse_from_str(t, "%H:%M:%S%.f").is_ok()),
        ColumnType::Uuid => uuid::Uuid::parse_str(t)
            .map(|u| DefaultState::Text(u.to_string()))
            .map_err(|_| expected()),
        ColumnType::Json => checked(serde_json::from_str::<serde_json::Value>(t).is_ok()),
        ColumnType::VarChar | ColumnType::Text | ColumnType::Binary => {
            let unquoted = text
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(text);
            Ok(DefaultState::Text(unquoted.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(ty: ColumnType) -> FieldState {
        FieldState::from_meta(&crate::model::FieldMeta::new("f", "f", ty))
    }

    #[test]
    fn one_off_values_are_checked_against_the_type() {
        let int = field(ColumnType::Int);
        assert_eq!(parse_value(&int, " 42 "), Ok(DefaultState::Int(42)));
        assert_eq!(
            parse_value(&int, "abc"),
            Err("`abc` is not a whole number".into())
        );
        let text = field(ColumnType::Text);
        assert_eq!(
            parse_value(&text, "\"\""),
            Ok(DefaultState::Text(String::new()))
        );
        assert_eq!(
            parse_value(&text, " a "),
            Ok(DefaultState::Text(" a ".into()))
        );
        let at = field(ColumnType::DateTime);
        assert_eq!(parse_value(&at, "now"), Ok(DefaultState::Now));
        assert_eq!(
            parse_value(&at, "2024-01-31T13:00:00+01:00"),
            Ok(DefaultState::Text("2024-01-31T12:00:00+00:00".into()))
        );
        assert!(parse_value(&at, "yesterday").is_err());
        assert!(parse_value(&field(ColumnType::Date), "2024-02-30").is_err());
        assert!(parse_value(&field(ColumnType::Uuid), "not-a-uuid").is_err());
        assert_eq!(
            parse_value(&field(ColumnType::Decimal), "1.50"),
            Ok(DefaultState::Text("1.50".into()))
        );
    }
}
