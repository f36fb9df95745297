//! `Vary`, added to without repeating itself.

use http::HeaderMap;
use http::header::VARY;

/// Adds `field` to the response's `Vary` unless it is there already (in any case, in any of
/// its `Vary` headers, or as `*`): Django's `patch_vary_headers`. The session and the CSRF
/// cookie both make a response per visitor, and a response that sets both says so once.
///
/// ```
/// use micro::http::HeaderMap;
/// use micro::response::add_vary;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("vary", "Accept-Encoding".parse().unwrap());
/// add_vary(&mut headers, "Cookie");
/// add_vary(&mut headers, "cookie");
/// let vary: Vec<_> = headers.get_all("vary").iter().collect();
/// assert_eq!(vary, ["Accept-Encoding", "Cookie"]);
/// ```
pub fn add_vary(headers: &mut HeaderMap, field: &'static str) {
    let present = headers.get_all(VARY).iter().any(|value| {
        value.to_str().is_ok_and(|text| {
            text.split(',')
                .map(str::trim)
                .any(|f| f == "*" || f.eq_ignore_ascii_case(field))
        })
    });
    if !present {
        headers.append(VARY, http::HeaderValue::from_static(field));
    }
}
