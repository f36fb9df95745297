//! Hand-written validation of what clients send, reporting every bad field at once.
//!
//! serde stops at the first error; a device owner fixing a payload wants the whole list. So the
//! body is read as a `serde_json::Value` and checked here field by field: a 422 whose `details`
//! is `[{"field": "unit", "message": "..."}, ...]`, with `[2].unit` for the third reading of a
//! batch. Query parameters get the same treatment, as a 400.

use micro::Error;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::timestamp;

/// The units a reading may have.
pub const UNITS: &[&str] = &[
    "C", "F", "K", "%", "hPa", "Pa", "ppm", "lx", "dB", "V", "A", "W", "Wh", "kWh", "m/s",
];
/// The most readings one request may post.
pub const MAX_BATCH: usize = 500;
/// How far in the future a `recorded_at` may be, for devices whose clock runs fast.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;
/// The longest `kind`, in characters.
pub const MAX_KIND_CHARS: usize = 32;
/// The longest `device_id`, in bytes (ASCII only).
pub const MAX_DEVICE_ID_LEN: usize = 64;
/// The page size when the client does not ask for one.
pub const DEFAULT_PER_PAGE: u32 = 20;
/// The largest page size; larger requests are capped to it.
pub const MAX_PER_PAGE: u32 = 100;

const FIELDS: &[&str] = &["device_id", "kind", "value", "unit", "recorded_at"];

/// One field that failed validation, as it appears in `details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field: `unit`, `[2].unit` in a batch, `page` in a query, or `""` for the whole body.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// A reading that passed validation, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReading {
    /// 1 to 64 of `A-Z a-z 0-9 - _ . :`, so it fits in a URL segment.
    pub device_id: String,
    /// What was measured, 1 to 32 characters, surrounding spaces removed.
    pub kind: String,
    /// A finite number.
    pub value: f64,
    /// One of [`UNITS`].
    pub unit: String,
    /// Unix milliseconds; the time it was received when the device did not say.
    pub recorded_at: i64,
}

/// What `POST /readings` carried.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// A single reading object.
    One(NewReading),
    /// An array of them, stored all or none.
    Batch(Vec<NewReading>),
}

impl Payload {
    /// The readings, one or many.
    pub fn readings(&self) -> &[NewReading] {
        match self {
            Payload::One(reading) => std::slice::from_ref(reading),
            Payload::Batch(readings) => readings,
        }
    }
}

/// Checks the body of `POST /readings`: a reading object, or a non-empty array of at most
/// [`MAX_BATCH`] of them. Every bad field of every reading is reported in one 422.
///
/// # Errors
/// A 422 with the bad fields in `details`.
pub fn validate_payload(body: &Value, now_ms: i64) -> Result<Payload, Error> {
    let Value::Array(items) = body else {
        return validate(body, "", now_ms)
            .map(Payload::One)
            .map_err(invalid);
    };
    if items.is_empty() {
        return Err(invalid(vec![error(
            "",
            "a batch needs at least one reading",
        )]));
    }
    if items.len() > MAX_BATCH {
        return Err(invalid(vec![error(
            "",
            format!(
                "a batch holds at most {MAX_BATCH} readings, this one has {}",
                items.len()
            ),
        )]));
    }
    let mut readings = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match validate(item, &format!("[{i}]"), now_ms) {
            Ok(reading) => readings.push(reading),
            Err(mut bad) => errors.append(&mut bad),
        }
    }
    if errors.is_empty() {
        Ok(Payload::Batch(readings))
    } else {
        Err(invalid(errors))
    }
}

/// Checks one reading object and returns every bad field, each named with `prefix` in front
/// (`[2]` gives `[2].unit`).
///
/// # Errors
/// The list of bad fields, never empty.
pub fn validate(item: &Value, prefix: &str, now_ms: i64) -> Result<NewReading, Vec<FieldError>> {
    let mut errors = Errors {
        prefix,
        list: Vec::new(),
    };
    let Some(object) = item.as_object() else {
        errors.push("", "must be a JSON object with the fields of a reading");
        return Err(errors.list);
    };

    let device_id = errors.check(
        "device_id",
        required_str(object, "device_id").and_then(check_device_id),
    );
    let kind = errors.check("kind", required_str(object, "kind").and_then(check_kind));
    let value = errors.check("value", required(object, "value").and_then(number));
    let unit = errors.check("unit", required_str(object, "unit").and_then(check_unit));
    let recorded_at = errors.check(
        "recorded_at",
        match object.get("recorded_at") {
            None | Some(Value::Null) => Ok(now_ms),
            Some(value) => string(value).and_then(|text| check_recorded_at(text, now_ms)),
        },
    );
    for key in object.keys() {
        if !FIELDS.contains(&key.as_str()) {
            errors.push(key, "is not a field of a reading");
        }
    }

    match (device_id, kind, value, unit, recorded_at) {
        (Some(device_id), Some(kind), Some(value), Some(unit), Some(recorded_at))
            if errors.list.is_empty() =>
        {
            Ok(NewReading {
                device_id,
                kind,
                value,
                unit,
                recorded_at,
            })
        }
        _ => Err(errors.list),
    }
}

type Check<T> = Result<T, String>;

fn required<'a>(object: &'a Map<String, Value>, name: &str) -> Check<&'a Value> {
    match object.get(name) {
        None | Some(Value::Null) => Err("is required".into()),
        Some(value) => Ok(value),
    }
}

fn required_str<'a>(object: &'a Map<String, Value>, name: &str) -> Check<&'a str> {
    required(object, name).and_then(string)
}

fn string(value: &Value) -> Check<&str> {
    value.as_str().ok_or_else(|| "must be a string".into())
}

fn check_device_id(text: &str) -> Check<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
    if text.is_empty() || text.len() > MAX_DEVICE_ID_LEN || !text.chars().all(allowed) {
        return Err(format!(
            "must be 1 to {MAX_DEVICE_ID_LEN} characters among letters, digits, '-', '_', '.' and ':'"
        ));
    }
    Ok(text.to_owned())
}

fn check_kind(text: &str) -> Check<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > MAX_KIND_CHARS {
        return Err(format!("must be at most {MAX_KIND_CHARS} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(text.to_owned())
}

fn number(value: &Value) -> Check<f64> {
    value
        .as_f64()
        .ok_or_else(|| "must be a number".to_owned())
        .and_then(finite)
}

/// JSON has no NaN or infinity, and serde_json refuses numbers beyond `f64` (`1e999` is a 400),
/// so this is a second line of defence: a non-finite value would poison every aggregate.
pub fn finite(value: f64) -> Result<f64, String> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err("must be a finite number".into())
    }
}

fn check_unit(text: &str) -> Check<String> {
    if UNITS.contains(&text) {
        Ok(text.to_owned())
    } else {
        Err(format!("must be one of {}", UNITS.join(", ")))
    }
}

fn check_recorded_at(text: &str, now_ms: i64) -> Check<i64> {
    let at = timestamp::parse_rfc3339(text)
        .ok_or("must be an RFC 3339 date-time, for example 2024-05-01T12:00:00Z")?;
    if at > now_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
        return Err("must not be more than 5 minutes in the future".into());
    }
    Ok(at)
}

struct Errors<'p> {
    prefix: &'p str,
    list: Vec<FieldError>,
}

impl Errors<'_> {
    fn push(&mut self, field: &str, message: impl Into<String>) {
        let field = match (self.prefix, field) {
            (prefix, "") => prefix.to_owned(),
            ("", field) => field.to_owned(),
            (prefix, field) => format!("{prefix}.{field}"),
        };
        self.list.push(FieldError {
            field,
            message: message.into(),
        });
    }

    fn check<T>(&mut self, field: &str, result: Check<T>) -> Option<T> {
        result.map_err(|message| self.push(field, message)).ok()
    }
}

fn error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn details(errors: &[FieldError]) -> Value {
    errors
        .iter()
        .map(|e| json!({"field": e.field, "message": e.message}))
        .collect()
}

fn invalid(errors: Vec<FieldError>) -> Error {
    let message = match errors.as_slice() {
        [one] if one.field.is_empty() => format!("Invalid body: {}.", one.message),
        [one] => format!("Invalid field `{}`: {}.", one.field, one.message),
        many => format!("{} invalid fields; see `details`.", many.len()),
    };
    Error::unprocessable(message).with_details(details(&errors))
}

/// The query string of `GET /readings`, as received: everything is text until checked.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    /// Only this device's readings.
    pub device: Option<String>,
    /// Only readings of this kind.
    pub kind: Option<String>,
    /// Recorded at or after this RFC 3339 time.
    pub since: Option<String>,
    /// Recorded before this RFC 3339 time.
    pub until: Option<String>,
    /// The page, from 1.
    pub page: Option<String>,
    /// Readings per page, capped to [`MAX_PER_PAGE`].
    pub per_page: Option<String>,
}

/// The checked filters and page of `GET /readings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    /// Only this device's readings.
    pub device: Option<String>,
    /// Only readings of this kind.
    pub kind: Option<String>,
    /// Inclusive lower bound on `recorded_at`, Unix milliseconds.
    pub since: Option<i64>,
    /// Exclusive upper bound on `recorded_at`, Unix milliseconds.
    pub until: Option<i64>,
    /// The page, from 1.
    pub page: u32,
    /// Readings per page, 1 to [`MAX_PER_PAGE`].
    pub per_page: u32,
}

impl ListParams {
    /// How many rows come before this page.
    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }
}

/// Checks the query of `GET /readings`. Empty values count as absent (`?device=` is no filter),
/// a `per_page` above [`MAX_PER_PAGE`] is capped, and every bad parameter is reported.
///
/// # Errors
/// A 400 with the bad parameters in `details`.
pub fn list_params(query: ListQuery) -> Result<ListParams, Error> {
    let mut errors = Errors {
        prefix: "",
        list: Vec::new(),
    };
    let given = |value: Option<String>| value.filter(|v| !v.is_empty());
    let time = |value: Option<String>| -> Check<Option<i64>> {
        given(value)
            .map(|text| {
                timestamp::parse_rfc3339(&text).ok_or_else(|| {
                    "must be an RFC 3339 date-time, for example 2024-05-01T12:00:00Z (write + as %2B)"
                        .to_owned()
                })
            })
            .transpose()
    };
    let positive = |value: Option<String>, default: u32| -> Check<u32> {
        match given(value) {
            None => Ok(default),
            Some(text) => match text.parse::<u32>() {
                Ok(n) if n >= 1 => Ok(n),
                _ => Err(format!("must be a whole number from 1, got `{text}`")),
            },
        }
    };

    let since = errors.check("since", time(query.since)).flatten();
    let until = errors.check("until", time(query.until)).flatten();
    if let (Some(since), Some(until)) = (since, until)
        && until < since
    {
        errors.push("until", "must not be before `since`");
    }
    let page = errors.check("page", positive(query.page, 1));
    let per_page = errors.check("per_page", positive(query.per_page, DEFAULT_PER_PAGE));

    match (page, per_page) {
        (Some(page), Some(per_page)) if errors.list.is_empty() => Ok(ListParams {
            device: given(query.device),
            kind: given(query.kind),
            since,
            until,
            page,
            per_page: per_page.min(MAX_PER_PAGE),
        }),
        _ => {
            let message = match errors.list.as_slice() {
                [one] => format!("Invalid query parameter `{}`: {}.", one.field, one.message),
                many => format!("{} invalid query parameters; see `details`.", many.len()),
            };
            Err(Error::bad_request(message).with_details(details(&errors.list)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_values_are_refused() {
        // Unreachable through JSON, checked anyway.
        assert!(finite(f64::INFINITY).is_err());
        assert!(finite(f64::NEG_INFINITY).is_err());
        assert!(finite(f64::NAN).is_err());
        assert_eq!(finite(-0.5), Ok(-0.5));
    }

    #[test]
    fn batch_fields_are_named_by_index() {
        let body = json!([
            {"device_id": "d1", "kind": "t", "value": 1, "unit": "C"},
            {"device_id": "d1", "kind": "t", "value": 1, "unit": "miles"},
            7,
        ]);
        let err = validate_payload(&body, 0).unwrap_err();
        assert_eq!(err.status(), 422);
        let fields: Vec<_> = err
            .details()
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(fields, ["[1].unit", "[2]"]);
    }

    #[test]
    fn per_page_is_capped_and_offsets_follow() {
        let params = list_params(ListQuery {
            page: Some("3".into()),
            per_page: Some("1000".into()),
            ..ListQuery::default()
        })
        .unwrap();
        assert_eq!(
            (params.page, params.per_page, params.offset()),
            (3, 100, 200)
        );
    }
}
