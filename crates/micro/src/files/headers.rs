//! The headers micro adds to what `ServeDir` sends: caching policy, downloads, charsets, and the
//! `If-Range` check that `ServeDir` does not make.

use std::time::Duration;

use http::HeaderValue;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// `Cache-Control` as Werkzeug's `send_file` sets it: `no-cache` without a max age (browsers keep
/// the file but revalidate it, which the ETag makes cheap), else `max-age=N`, with `public` for
/// static folders, whose files are the same for every user.
pub(crate) fn cache_control(max_age: Option<Duration>, public: bool) -> HeaderValue {
    let value = match max_age.map(|age| age.as_secs()) {
        None | Some(0) => return HeaderValue::from_static("no-cache"),
        Some(secs) if public => format!("public, max-age={secs}"),
        Some(secs) => format!("max-age={secs}"),
    };
    // Digits and ASCII words only, so this cannot fail.
    HeaderValue::try_from(value).unwrap_or(HeaderValue::from_static("no-cache"))
}

/// The characters RFC 8187 lets through unescaped in `filename*` (`attr-char`).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `Content-Disposition: attachment` naming the download, per RFC 6266: a quoted ASCII
/// `filename` every client reads, and `filename*` in UTF-8 when the name is not plain ASCII.
/// Separators and control characters become `_`, so the name cannot be a path.
pub(crate) fn content_disposition(name: &str) -> HeaderValue {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_control() || c == '/' || c == '\\' {
                '_'
            } else {
                c
            }
        })
        .collect();
    let fallback: String = name
        .chars()
        .map(|c| if c.is_ascii() && c != '"' { c } else { '_' })
        .collect();
    let value = if fallback == name {
        format!("attachment; filename=\"{fallback}\"")
    } else {
        format!(
            "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
            utf8_percent_encode(&name, ATTR_CHAR)
        )
    };
    // Only visible ASCII is left, so this cannot fail.
    HeaderValue::try_from(value).unwrap_or(HeaderValue::from_static("attachment"))
}

/// The content type with `; charset=utf-8` added where Werkzeug adds it (text, JavaScript and
/// XML types), or `None` when it needs none or already names one.
pub(crate) fn with_charset(content_type: &HeaderValue) -> Option<HeaderValue> {
    let text = content_type.to_str().ok()?;
    if text.contains(';') {
        return None;
    }
    let wants = text.starts_with("text/")
        || text.ends_with("+xml")
        || matches!(text, "application/javascript" | "application/xml");
    wants
        .then(|| HeaderValue::try_from(format!("{text}; charset=utf-8")).ok())
        .flatten()
}

/// Whether a range request may be answered with part of the file, given its `If-Range` (RFC 9110
/// §13.1.5): an entity tag must equal the current one by strong comparison (weak tags never
/// match), a date must equal `Last-Modified`. A client that resumes a download of a file changed
/// since must get the whole new file, not a piece of it spliced onto the old one.
pub(crate) fn if_range_holds(
    if_range: &HeaderValue,
    etag: Option<&HeaderValue>,
    last_modified: Option<&HeaderValue>,
) -> bool {
    let wanted = if_range.as_bytes();
    if wanted.starts_with(b"\"") {
        etag.is_some_and(|etag| etag.as_bytes() == wanted)
    } else if wanted.starts_with(b"W/") {
        false
    } else {
        last_modified.is_some_and(|date| date.as_bytes() == wanted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &'static str) -> HeaderValue {
        HeaderValue::from_static(s)
    }

    #[test]
    fn cache_control_follows_werkzeug() {
        assert_eq!(cache_control(None, true), "no-cache");
        assert_eq!(cache_control(Some(Duration::ZERO), true), "no-cache");
        assert_eq!(
            cache_control(Some(Duration::from_secs(3600)), true),
            "public, max-age=3600"
        );
        assert_eq!(
            cache_control(Some(Duration::from_secs(60)), false),
            "max-age=60"
        );
    }

    #[test]
    fn ascii_names_are_quoted() {
        assert_eq!(
            content_disposition("report.pdf"),
            "attachment; filename=\"report.pdf\""
        );
    }

    #[test]
    fn other_names_get_an_rfc_6266_filename_star() {
        assert_eq!(
            content_disposition("résumé 2024.pdf"),
            "attachment; filename=\"r_sum_ 2024.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%202024.pdf"
        );
        assert_eq!(
            content_disposition("say \"hi\".txt"),
            "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt"
        );
    }

    #[test]
    fn download_names_cannot_be_paths_or_split_headers() {
        assert_eq!(
            content_disposition("../a\\b\r\n.txt"),
            "attachment; filename=\".._a_b__.txt\""
        );
    }

    #[test]
    fn charset_is_added_to_text_types_only() {
        assert_eq!(
            with_charset(&v("text/css")).unwrap(),
            "text/css; charset=utf-8"
        );
        assert_eq!(
            with_charset(&v("image/svg+xml")).unwrap(),
            "image/svg+xml; charset=utf-8"
        );
        assert_eq!(with_charset(&v("text/html; charset=latin1")), None);
        assert_eq!(with_charset(&v("image/png")), None);
        assert_eq!(with_charset(&v("application/json")), None);
    }

    #[test]
    fn if_range_needs_a_strong_matching_validator() {
        let etag = v("\"abc\"");
        let date = v("Tue, 01 Jan 2030 00:00:00 GMT");
        assert!(if_range_holds(&v("\"abc\""), Some(&etag), Some(&date)));
        assert!(!if_range_holds(&v("\"old\""), Some(&etag), Some(&date)));
        assert!(!if_range_holds(&v("W/\"abc\""), Some(&etag), Some(&date)));
        assert!(if_range_holds(&date, Some(&etag), Some(&date)));
        assert!(!if_range_holds(
            &v("Mon, 31 Dec 2029 00:00:00 GMT"),
            Some(&etag),
            Some(&date)
        ));
        assert!(!if_range_holds(&v("\"abc\""), None, None));
    }
}
