//! [`safe_next`]: where a `?next=` may send a user after logging in (Django's
//! `url_has_allowed_host_and_scheme`), so the login page is no open redirect.

/// `next` when it is safe to redirect to, else `None` (go to the default page instead).
///
/// Safe means a path on this site: it starts with one `/` (not `//`, not `/\`, which
/// browsers read as another host), or it is an `http`/`https` URL whose host is `host` (the
/// request's own). Control characters and spaces (which browsers strip, turning `/\t/evil.com`
/// into `//evil.com`) are refused, and so is any of these hidden behind percent-encodings
/// (`/%2F/evil.com`, `/%5Cevil.com`), decoded up to three times.
///
/// ```
/// use fullstack::auth::safe_next;
/// assert_eq!(safe_next("/polls/?page=2", None), Some("/polls/?page=2"));
/// assert_eq!(safe_next("https://example.com/a", Some("example.com")), Some("https://example.com/a"));
/// for evil in ["//evil.com", "https://evil.com", "/\\evil.com", "javascript:alert(1)", "/%2F/evil.com"] {
///     assert_eq!(safe_next(evil, Some("example.com")), None);
/// }
/// ```
pub fn safe_next<'a>(next: &'a str, host: Option<&str>) -> Option<&'a str> {
    let mut current = next.to_owned();
    for round in 0..4 {
        if !is_safe(&current, host, round == 0) {
            return None;
        }
        let decoded = percent_decode(&current)?;
        if decoded == current {
            return Some(next);
        }
        current = decoded;
    }
    // Still changing after three decodings: nobody writes that by accident.
    None
}

/// The raw `next` may hold no space nor control character; a decoded form (`%20` is a fine
/// space in a query) is checked as a browser that dropped them would read it.
fn is_safe(url: &str, host: Option<&str>, raw: bool) -> bool {
    let blank = |c: char| c.is_control() || c.is_whitespace();
    if url.is_empty() || (raw && url.chars().any(blank)) {
        return false;
    }
    let url: String = url
        .chars()
        .filter(|c| !blank(*c))
        .map(|c| if c == '\\' { '/' } else { c })
        .collect();
    if let Some(rest) = url.strip_prefix('/') {
        return !rest.starts_with('/');
    }
    let Some(host) = host else {
        return false;
    };
    let lower = url.to_ascii_lowercase();
    let after = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let Some(after) = after else {
        return false;
    };
    let authority = after.split(['/', '?', '#']).next().unwrap_or_default();
    // No userinfo (`https://example.com@evil.com`), and the host itself.
    !authority.contains('@') && authority == host.to_ascii_lowercase()
}

/// `%XX` decoded; `None` when the result is not UTF-8 (refused).
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn open_redirects_are_refused() {
        for evil in [
            "//evil.com",
            "///evil.com",
            "https://evil.com",
            "http://evil.com/path",
            "HTTPS://EVIL.COM",
            "/\\evil.com",
            "\\\\evil.com",
            "\\/evil.com",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "/%2Fevil.com",
            "/%2F/evil.com",
            "%2F%2Fevil.com",
            "/%5Cevil.com",
            "%5C%5Cevil.com",
            "javascript%3Aalert(1)",
            "/%252F/evil.com",
            "/%09/evil.com",
            "/\t/evil.com",
            "/\n/evil.com",
            " //evil.com",
            "https://example.com@evil.com/",
            "https://evil.com\\@example.com/",
            "evil.com",
            "",
            "%",
        ] {
            assert_eq!(safe_next(evil, Some("example.com")), None, "{evil:?}");
        }
    }

    #[test]
    fn paths_on_the_site_are_kept() {
        for ok in [
            "/",
            "/polls/",
            "/polls/?page=2&q=a%20b",
            "/search/?q=%2F",
            "/a#frag",
        ] {
            assert_eq!(safe_next(ok, Some("example.com")), Some(ok), "{ok:?}");
        }
        assert_eq!(
            safe_next("https://example.com/x", Some("example.com")),
            Some("https://example.com/x")
        );
        assert_eq!(safe_next("https://example.com/x", None), None);
    }
}
