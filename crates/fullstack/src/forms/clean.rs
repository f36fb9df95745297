//! Cleaning one field: from the submitted text (or file) to its [`FormValue`], or Django's
//! error message. Every input gives one or the other; nothing here panics.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use validator::{ValidateEmail, ValidateUrl};

use super::messages::{message, plural};
use super::{Field, FieldKind, FormData, FormValue};

/// The cleaned value of `field` in `data`, or the message of the first check it fails.
pub(crate) fn clean(field: &Field, data: &mut FormData) -> Result<FormValue, String> {
    if field.is_file() {
        return clean_file(field, data);
    }
    if data.is_invalid_utf8(&field.name) {
        return Err(message(field, "invalid_utf8", &[]));
    }
    match field.kind {
        FieldKind::Boolean => clean_bool(field, data.get(&field.name)),
        FieldKind::MultipleChoice => {
            let values: Vec<String> = data
                .get_all(&field.name)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect();
            clean_multiple(field, values)
        }
        _ => {
            let raw = data.get(&field.name).unwrap_or("");
            let value = if field.strip || field.kind != FieldKind::Text {
                raw.trim()
            } else {
                raw
            };
            if value.is_empty() {
                return if field.required {
                    Err(message(field, "required", &[]))
                } else {
                    Ok(FormValue::Empty)
                };
            }
            if value.contains('\0') {
                return Err(message(field, "null_characters_not_allowed", &[]));
            }
            clean_text_kind(field, value)
        }
    }
}

fn clean_text_kind(field: &Field, value: &str) -> Result<FormValue, String> {
    let invalid = |code: &str| Err(message(field, code, &[]));
    match field.kind {
        FieldKind::Text => check_length(field, value).map(|()| FormValue::Text(value.to_owned())),
        FieldKind::Email => {
            check_length(field, value)?;
            if value.validate_email() {
                Ok(FormValue::Text(value.to_owned()))
            } else {
                invalid("invalid_email")
            }
        }
        FieldKind::Url => {
            // As Django 6 does, a URL typed without a scheme is taken to be https.
            let url = if value.contains("://") {
                value.to_owned()
            } else {
                format!("https://{value}")
            };
            check_length(field, &url)?;
            let lower = url.to_ascii_lowercase();
            let scheme_ok = ["http://", "https://", "ftp://", "ftps://"]
                .iter()
                .any(|s| lower.starts_with(s));
            if scheme_ok && url.validate_url() && !url.chars().any(char::is_whitespace) {
                Ok(FormValue::Text(url))
            } else {
                invalid("invalid_url")
            }
        }
        FieldKind::Slug => {
            check_length(field, value)?;
            if value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                Ok(FormValue::Text(value.to_owned()))
            } else {
                invalid("invalid_slug")
            }
        }
        FieldKind::Integer => clean_integer(field, value),
        FieldKind::Decimal => clean_decimal(field, value),
        FieldKind::Float => match value.parse::<f64>() {
            Ok(n) if n.is_finite() => check_range(field, n).map(|()| FormValue::Float(n)),
            _ => invalid("invalid_number"),
        },
        FieldKind::Date => parse_date(value)
            .map(FormValue::Date)
            .ok_or_else(|| message(field, "invalid_date", &[])),
        FieldKind::DateTime => parse_datetime(value)
            .map(FormValue::DateTime)
            .ok_or_else(|| message(field, "invalid_datetime", &[])),
        FieldKind::Time => parse_time(value)
            .map(FormValue::Time)
            .ok_or_else(|| message(field, "invalid_time", &[])),
        FieldKind::Uuid => uuid::Uuid::parse_str(value)
            .map(FormValue::Uuid)
            .or_else(|_| invalid("invalid_uuid")),
        FieldKind::Choice => {
            if field.choices.iter().any(|(v, _)| v == value) {
                Ok(FormValue::Text(value.to_owned()))
            } else {
                Err(message(
                    field,
                    "invalid_choice",
                    &[("value", value.to_owned())],
                ))
            }
        }
        // Handled before; kept total so a new kind cannot fall through silently.
        FieldKind::Boolean | FieldKind::MultipleChoice | FieldKind::File | FieldKind::Image => {
            invalid("invalid")
        }
    }
}

/// Django's length checks, in characters (code points), as Python's `len`.
fn check_length(field: &Field, value: &str) -> Result<(), String> {
    let len = value.chars().count();
    let params = |limit: usize| {
        [
            ("limit_value", limit.to_string()),
            ("show_value", len.to_string()),
        ]
    };
    if let Some(max) = field.max_length.filter(|&max| len > max) {
        return Err(message(field, "max_length", &params(max)));
    }
    if let Some(min) = field.min_length.filter(|&min| len < min) {
        return Err(message(field, "min_length", &params(min)));
    }
    Ok(())
}

/// A bound as Django prints it: `10`, not `10.0`.
fn show_bound(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e16 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

fn check_range(field: &Field, n: f64) -> Result<(), String> {
    if let Some(max) = field.max_value.filter(|&max| n > max) {
        return Err(message(
            field,
            "max_value",
            &[("limit_value", show_bound(max))],
        ));
    }
    if let Some(min) = field.min_value.filter(|&min| n < min) {
        return Err(message(
            field,
            "min_value",
            &[("limit_value", show_bound(min))],
        ));
    }
    Ok(())
}

fn clean_integer(field: &Field, value: &str) -> Result<FormValue, String> {
    // Wider than i64, so a number too large is "at most ..." rather than "not a number".
    let Ok(wide) = value.parse::<i128>() else {
        return Err(message(field, "invalid_integer", &[]));
    };
    check_range(field, wide as f64)?;
    match i64::try_from(wide) {
        Ok(n) => Ok(FormValue::Integer(n)),
        Err(_) if wide > 0 => Err(message(
            field,
            "max_value",
            &[("limit_value", i64::MAX.to_string())],
        )),
        Err(_) => Err(message(
            field,
            "min_value",
            &[("limit_value", i64::MIN.to_string())],
        )),
    }
}

fn clean_decimal(field: &Field, value: &str) -> Result<FormValue, String> {
    let parsed = Decimal::from_str(value).or_else(|_| Decimal::from_scientific(value));
    let Ok(n) = parsed else {
        return Err(message(field, "invalid_number", &[]));
    };
    // Django's DecimalValidator: digits as typed ("1.50" has three), at least the decimals.
    let decimals = n.scale();
    let mantissa = n.mantissa().unsigned_abs();
    let counted = if mantissa == 0 {
        1
    } else {
        mantissa.ilog10() + 1
    };
    let digits = counted.max(decimals);
    let whole = digits - decimals;
    if let Some(max) = field.max_digits.filter(|&max| digits > max) {
        let params = [
            ("max", max.to_string()),
            ("digits", plural(max, "digit", "digits")),
        ];
        return Err(message(field, "max_digits", &params));
    }
    if let Some(places) = field.decimal_places.filter(|&places| decimals > places) {
        let params = [
            ("max", places.to_string()),
            ("places", plural(places, "place", "places")),
        ];
        return Err(message(field, "max_decimal_places", &params));
    }
    if let (Some(max), Some(places)) = (field.max_digits, field.decimal_places) {
        let allowed = max.saturating_sub(places);
        if whole > allowed {
            let params = [
                ("max", allowed.to_string()),
                ("digits", plural(allowed, "digit", "digits")),
            ];
            return Err(message(field, "max_whole_digits", &params));
        }
    }
    let as_float = f64::try_from(n).unwrap_or(0.0);
    check_range(field, as_float)?;
    Ok(FormValue::Decimal(n))
}

/// A checkbox sends its value (`on` by default) when checked and nothing when not; as Django,
/// `false` and `0` are false too.
fn clean_bool(field: &Field, raw: Option<&str>) -> Result<FormValue, String> {
    let checked = raw.is_some_and(super::is_checked);
    if !checked && field.required {
        return Err(message(field, "required", &[]));
    }
    Ok(FormValue::Bool(checked))
}

fn clean_multiple(field: &Field, values: Vec<String>) -> Result<FormValue, String> {
    if values.is_empty() {
        return if field.required {
            Err(message(field, "required", &[]))
        } else {
            Ok(FormValue::List(values))
        };
    }
    if let Some(bad) = values
        .iter()
        .find(|v| !field.choices.iter().any(|(c, _)| c == *v))
    {
        return Err(message(field, "invalid_choice", &[("value", bad.clone())]));
    }
    Ok(FormValue::List(values))
}

fn clean_file(field: &Field, data: &mut FormData) -> Result<FormValue, String> {
    let Some(file) = data.take_file(&field.name) else {
        // A text value under a file's name: the form was sent urlencoded, not multipart.
        if data.get(&field.name).is_some_and(|v| !v.is_empty()) {
            return Err(message(field, "invalid_file", &[]));
        }
        return if field.required {
            Err(message(field, "required", &[]))
        } else {
            Ok(FormValue::Empty)
        };
    };
    if file.is_empty() {
        return Err(message(field, "empty", &[]));
    }
    if let Some(max) = field.max_size.filter(|&max| file.len() > max) {
        let params = [
            ("limit_value", max.to_string()),
            ("show_value", file.len().to_string()),
        ];
        return Err(message(field, "max_size", &params));
    }
    let media = file
        .content_type()
        .unwrap_or("application/octet-stream")
        .to_ascii_lowercase();
    let media = media.split(';').next().unwrap_or("").trim().to_owned();
    if !field.content_types.is_empty()
        && !field.content_types.iter().any(|t| media_matches(t, &media))
    {
        return Err(message(field, "content_type", &[("value", media)]));
    }
    if field.kind == FieldKind::Image && !looks_like_image(&file) {
        return Err(message(field, "invalid_image", &[]));
    }
    Ok(FormValue::File(file))
}

fn media_matches(allowed: &str, media: &str) -> bool {
    match allowed.strip_suffix("/*") {
        Some(top) => media.split('/').next() == Some(top),
        None => allowed.eq_ignore_ascii_case(media),
    }
}

/// Whether the file starts as a PNG, JPEG, GIF or WebP does: the browser's content type is
/// the client's word, the first bytes are the file's.
fn looks_like_image(file: &micro::UploadedFile) -> bool {
    let mut head = [0u8; 12];
    let read = if let Some(bytes) = file.in_memory() {
        let n = bytes.len().min(12);
        head[..n].copy_from_slice(&bytes[..n]);
        n
    } else if let Some(path) = file.path() {
        // Twelve bytes of a local temporary file: not worth a blocking-pool round trip.
        use std::io::Read;
        std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .unwrap_or(0)
    } else {
        0
    };
    let head = &head[..read];
    head.starts_with(b"\x89PNG\r\n\x1a\n")
        || head.starts_with(&[0xFF, 0xD8, 0xFF])
        || head.starts_with(b"GIF87a")
        || head.starts_with(b"GIF89a")
        || (head.len() == 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP")
}

fn parse_date(value: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(value, f).ok())
}

fn parse_datetime(value: &str) -> Option<NaiveDateTime> {
    let formats = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ];
    formats
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
        // As Django's DateTimeField, a date alone is its midnight.
        .or_else(|| parse_date(value).and_then(|d| d.and_hms_opt(0, 0, 0)))
}

fn parse_time(value: &str) -> Option<NaiveTime> {
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(value, f).ok())
}

#[cfg(test)]
mod tests;
