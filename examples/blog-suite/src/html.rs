//! Reading what the suite needs out of a page, by the markup hooks SPEC.md names: no HTML
//! parser, since the hooks are fixed strings and the point is to check them.

/// The text of escaped HTML: the entities template engines write.
pub fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&amp;", "&")
}

/// The opening tags in `page` that carry `class="CLASS"` (among other classes or not), each
/// with the text up to its closing tag.
fn with_class<'a>(page: &'a str, class: &str) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(open) = rest.find('<') {
        let after = &rest[open..];
        let Some(end) = after.find('>') else { break };
        let tag = &after[..=end];
        let classes = attr(tag, "class").unwrap_or_default();
        if classes.split_whitespace().any(|c| c == class) {
            let name: String = tag[1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            let inner_start = &after[end + 1..];
            let close = format!("</{name}>");
            let inner = inner_start
                .find(&close)
                .map_or(inner_start, |i| &inner_start[..i]);
            out.push((tag, inner));
        }
        rest = &after[end + 1..];
    }
    out
}

/// The value of attribute `name` of one opening `tag`, unescaped.
pub fn attr(tag: &str, name: &str) -> Option<String> {
    let mut search = tag;
    loop {
        let at = search.find(&format!("{name}=\""))?;
        let before = search[..at].chars().last();
        let start = at + name.len() + 2;
        if before.is_some_and(|c| c.is_whitespace()) {
            let end = search[start..].find('"')? + start;
            return Some(unescape(&search[start..end]));
        }
        search = &search[start..];
    }
}

/// The inner HTML, as sent, of each element with `class`.
pub fn inner(page: &str, class: &str) -> Vec<String> {
    with_class(page, class)
        .into_iter()
        .map(|(_, inner)| inner.to_owned())
        .collect()
}

/// The text (tags dropped, unescaped, trimmed) of each element with `class`.
pub fn texts(page: &str, class: &str) -> Vec<String> {
    with_class(page, class)
        .into_iter()
        .map(|(_, inner)| unescape(strip_tags(inner).trim()))
        .collect()
}

/// The `(href, text)` of each post link of a list page, in order.
pub fn post_links(page: &str) -> Vec<(String, String)> {
    with_class(page, "post-link")
        .into_iter()
        .map(|(tag, inner)| {
            (
                attr(tag, "href").unwrap_or_default(),
                unescape(strip_tags(inner).trim()),
            )
        })
        .collect()
}

/// The `href` of the first `<a rel="REL">`.
pub fn rel_link(page: &str, rel: &str) -> Option<String> {
    let mut rest = page;
    while let Some(at) = rest.find("<a ") {
        let tag = &rest[at..rest[at..].find('>')? + at + 1];
        if attr(tag, "rel").as_deref() == Some(rel) {
            return attr(tag, "href");
        }
        rest = &rest[at + 3..];
    }
    None
}

/// The value of the input named `name` (the first one), if it has one.
pub fn input_value(page: &str, name: &str) -> Option<String> {
    let mut rest = page;
    while let Some(at) = rest.find("<input") {
        let tag = &rest[at..rest[at..].find('>')? + at + 1];
        if attr(tag, "name").as_deref() == Some(name) {
            return attr(tag, "value");
        }
        rest = &rest[at + 6..];
    }
    None
}

/// The text of the textarea named `name`, unescaped.
pub fn textarea(page: &str, name: &str) -> Option<String> {
    let mut rest = page;
    while let Some(at) = rest.find("<textarea") {
        let end = rest[at..].find('>')? + at + 1;
        let tag = &rest[at..end];
        let close = rest[end..].find("</textarea>")? + end;
        if attr(tag, "name").as_deref() == Some(name) {
            // A newline right after the tag is not part of the value (HTML drops it).
            let text = &rest[end..close];
            return Some(unescape(text.strip_prefix('\n').unwrap_or(text)));
        }
        rest = &rest[close..];
    }
    None
}

/// The value a form shows in the field `name`: an input's value or a textarea's text.
pub fn field_value(page: &str, name: &str) -> Option<String> {
    input_value(page, name).or_else(|| textarea(page, name))
}

/// The text of each `<p>` in `html`, tags dropped, unescaped, trimmed.
pub fn paragraphs(html: &str) -> Vec<String> {
    html.split("<p")
        .skip(1)
        .filter(|chunk| chunk.starts_with('>') || chunk.starts_with(' '))
        .map(|chunk| {
            let inner = chunk.split_once('>').map_or("", |(_, rest)| rest);
            let inner = inner.split("</p>").next().unwrap_or("");
            unescape(strip_tags(inner).trim())
        })
        .collect()
}

/// The CSRF token of the first form on the page.
pub fn csrf_token(page: &str) -> Option<String> {
    input_value(page, "csrfmiddlewaretoken")
}

/// For each form on the page that posts (`method="post"`, any case), its `action` (empty when
/// it has none) and whether it carries a `csrfmiddlewaretoken` input.
pub fn post_forms(page: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find("<form") {
        let after = &rest[at..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..=tag_end];
        let close = after.find("</form>").unwrap_or(after.len());
        if attr(tag, "method").is_some_and(|m| m.eq_ignore_ascii_case("post")) {
            let body = &after[tag_end..close];
            let has_token = body.split("<input").skip(1).any(|input| {
                let input = &input[..input.find('>').unwrap_or(input.len())];
                attr(&format!("<input{input}"), "name").as_deref() == Some("csrfmiddlewaretoken")
            });
            out.push((attr(tag, "action").unwrap_or_default(), has_token));
        }
        rest = &after[close.max(tag_end)..];
    }
    out
}

/// The `(value, label)` options of the select named `name`.
pub fn options(page: &str, name: &str) -> Vec<(String, String)> {
    let mut rest = page;
    while let Some(at) = rest.find("<select") {
        let Some(end) = rest[at..].find('>').map(|e| e + at + 1) else {
            break;
        };
        let tag = &rest[at..end];
        let Some(close) = rest[end..].find("</select>").map(|c| c + end) else {
            break;
        };
        if attr(tag, "name").as_deref() == Some(name) {
            return rest[end..close]
                .split("<option")
                .skip(1)
                .filter_map(|o| {
                    let tag_end = o.find('>')?;
                    let value = attr(&format!("<option{}", &o[..=tag_end]), "value")?;
                    let label_end = o.find("</option>").unwrap_or(o.len());
                    Some((value, unescape(o[tag_end + 1..label_end].trim())))
                })
                .collect();
        }
        rest = &rest[close..];
    }
    Vec::new()
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_hooks() {
        let page = r#"<ul><li><a class="post-link" href="/posts/2021/09/01/a/">A &amp; &lt;b&gt;</a> by x</li>
            <li><a href="/x" class="big post-link">B</a></li></ul>
            <a rel="next" href="?page=2">next</a>
            <input type="hidden" name="csrfmiddlewaretoken" value="tok">
            <input name="title" value="T &quot;q&quot;">
            <textarea name="body">
line</textarea>
            <select name="tags" multiple><option value="1">Rust</option><option value="2" selected>Web</option></select>
            <p class="comment-body">hi <em>there</em></p>"#;
        assert_eq!(
            post_links(page),
            [
                ("/posts/2021/09/01/a/".to_owned(), "A & <b>".to_owned()),
                ("/x".to_owned(), "B".to_owned())
            ]
        );
        assert_eq!(rel_link(page, "next").as_deref(), Some("?page=2"));
        assert_eq!(csrf_token(page).as_deref(), Some("tok"));
        assert_eq!(input_value(page, "title").as_deref(), Some("T \"q\""));
        assert_eq!(textarea(page, "body").as_deref(), Some("line"));
        assert_eq!(
            options(page, "tags"),
            [
                ("1".to_owned(), "Rust".to_owned()),
                ("2".to_owned(), "Web".to_owned())
            ]
        );
        assert_eq!(texts(page, "comment-body"), ["hi there"]);
    }

    #[test]
    fn finds_the_post_forms_and_their_tokens() {
        let page = r#"<form method="get" action="/search"><input name="q"></form>
            <form method="POST" action="/a"><input type="hidden" name="csrfmiddlewaretoken" value="t"></form>
            <form method="post" action="/b"><input name="csrfmiddlewaretoken_x"><button>Go</button></form>
            <form method="post"><input name="x"></form>"#;
        assert_eq!(
            post_forms(page),
            [
                ("/a".to_owned(), true),
                ("/b".to_owned(), false),
                (String::new(), false)
            ]
        );
    }
}
