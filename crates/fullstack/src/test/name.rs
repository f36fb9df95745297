//! Names of test databases, and the URL that points at one.

/// `test_<project>_<16 random hex digits>`: the project's name kept to lowercase letters,
/// digits and underscores (24 at most) so the name needs no quoting anywhere and stays under
/// MySQL's 64 characters.
pub(super) fn unique(project: &str) -> String {
    let project: String = project
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(24)
        .collect();
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("test_{project}_{}", &random[..16])
}

/// `url` with its database (the path after the host) replaced by `database`; the query
/// (`?sslmode=...`) is kept.
pub(super) fn url_with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let path = base[authority..]
        .find('/')
        .map_or(base.len(), |i| i + authority);
    match query {
        Some(query) => format!("{}/{database}?{query}", &base[..path]),
        None => format!("{}/{database}", &base[..path]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_plain() {
        let a = unique("My Site-2");
        let b = unique("My Site-2");
        assert_ne!(a, b);
        assert!(a.starts_with("test_my_site_2_"), "{a}");
        assert_eq!(a.len(), "test_my_site_2_".len() + 16);
        assert!(unique(&"x".repeat(200)).len() <= 64);
    }

    #[test]
    fn the_database_in_a_url_is_replaced() {
        assert_eq!(
            url_with_database("postgres://u:p@h:5432/test", "test_x"),
            "postgres://u:p@h:5432/test_x"
        );
        assert_eq!(
            url_with_database("mysql://root@127.0.0.1:3306/test?ssl-mode=disabled", "t"),
            "mysql://root@127.0.0.1:3306/t?ssl-mode=disabled"
        );
        assert_eq!(url_with_database("postgres://h", "t"), "postgres://h/t");
    }
}
