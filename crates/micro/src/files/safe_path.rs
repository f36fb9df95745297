//! Checking a file name that came from a URL before it gets near the file system.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// `filename` when it is a plain relative path that stays inside its folder, else `None`.
///
/// Refused, whatever the operating system: an empty name or segment (`a//b`, a leading `/`,
/// which would make the path absolute), `.` and `..` segments, backslashes (a separator on
/// Windows, and never needed in a URL), NUL, and on Windows a colon (drive letters and alternate
/// streams). This is stricter than Werkzeug's `safe_join`, which normalises `a/../b` to `b`: a
/// link never needs those forms, so refusing them costs nothing and leaves nothing to get wrong.
pub(crate) fn safe_relative(filename: &str) -> Option<&str> {
    if filename.is_empty() || filename.contains(['\\', '\0']) {
        return None;
    }
    if cfg!(windows) && filename.contains(':') {
        return None;
    }
    filename
        .split('/')
        .all(|segment| !matches!(segment, "" | "." | ".."))
        .then_some(filename)
}

/// Everything but unreserved characters and `/` is escaped, so the path reads back unchanged.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The URI path that tower-http's `ServeDir` turns back into `relative`. ServeDir percent-decodes
/// the path it is given, and micro has already decoded it once, so it is encoded again: a file
/// named `100%.txt` stays reachable and `%2e%2e` cannot become `..` on a second decoding.
pub(crate) fn to_uri_path(relative: &str) -> String {
    format!("/{}", utf8_percent_encode(relative, SEGMENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_paths_pass() {
        for ok in [
            "site.css",
            "css/site.css",
            "a/b/c.min.js",
            "ünï cödé.txt",
            "..hidden",
            "a..b",
        ] {
            assert_eq!(safe_relative(ok), Some(ok), "{ok}");
        }
    }

    #[test]
    fn anything_that_could_leave_the_folder_is_refused() {
        for bad in [
            "",
            "..",
            "../secret",
            "a/../../secret",
            "a/..",
            "./a",
            "a/./b",
            "/etc/passwd",
            "a//b",
            "a/",
            "a\\..\\..\\secret",
            "..\\secret",
            "a\0b",
        ] {
            assert_eq!(safe_relative(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn uri_path_round_trips_through_a_second_decoding() {
        assert_eq!(to_uri_path("css/site.css"), "/css/site.css");
        assert_eq!(to_uri_path("100%.txt"), "/100%25.txt");
        assert_eq!(to_uri_path("a b/ü.txt"), "/a%20b/%C3%BC.txt");
        let encoded = to_uri_path("%2e%2e/x");
        let decoded = percent_encoding::percent_decode_str(&encoded)
            .decode_utf8()
            .unwrap();
        assert_eq!(decoded, "/%2e%2e/x");
    }
}
