//! The pages' HTML: every value from the request, the error or the settings is escaped.

use std::fmt::Write as _;

use micro::escape;
use micro::routing::UrlRule;

use super::report::Report;

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}\
header{background:#ffc;padding:1em 2em;border-bottom:1px solid #ddd}\
section{padding:.5em 2em}h1{margin:0 0 .3em}h2{font-size:1.1em;margin:1em 0 .3em}\
table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;\
padding:2px 8px;border-bottom:1px solid #eee;font-family:monospace}th{width:25%}\
ol.chain li{font-family:monospace;white-space:pre-wrap}footer{padding:1em 2em;color:#666}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"robots\" content=\"noindex,nofollow\">\
         <title>{}</title><style>{STYLE}</style></head>\n<body>\n{body}\
         <footer>You are seeing this page because <code>DEBUG = true</code> is in your settings. \
         Set it to <code>false</code> in production: the page shows how the site is built.</footer>\n\
         </body>\n</html>\n",
        escape(title)
    )
}

fn rows(out: &mut String, pairs: impl IntoIterator<Item = (String, String)>) {
    out.push_str("<table>\n");
    for (name, value) in pairs {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(&name),
            escape(&value)
        );
    }
    out.push_str("</table>\n");
}

fn full_path(report: &Report) -> String {
    match &report.query {
        Some(q) => format!("{}?{q}", report.path),
        None => report.path.clone(),
    }
}

fn request_section(out: &mut String, report: &Report) {
    out.push_str("<section id=\"request\"><h2>Request</h2>\n");
    let mut facts = vec![
        ("Method".to_owned(), report.method.clone()),
        ("Path".to_owned(), full_path(report)),
    ];
    let none = || "(none)".to_owned();
    facts.push(("URL rule".into(), report.rule.clone().unwrap_or_else(none)));
    facts.push((
        "Endpoint".into(),
        report.endpoint.clone().unwrap_or_else(none),
    ));
    facts.push((
        "Handler".into(),
        report.handler.clone().unwrap_or_else(none),
    ));
    facts.push((
        "Registered at".into(),
        report.location.clone().unwrap_or_else(none),
    ));
    rows(out, facts);
    out.push_str("<h2>Headers</h2>\n");
    rows(out, report.headers.iter().cloned());
    out.push_str("</section>\n");
}

/// Django's technical 500: what failed, for which request, under which settings.
pub(super) fn server_error(report: &Report, settings: &[(String, String)]) -> String {
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<header><h1>{} at {}</h1><p>{}</p></header>",
        escape(report.title),
        escape(&report.path),
        escape(report.chain.first().map_or("", String::as_str)),
    );
    body.push_str("<section id=\"chain\"><h2>Error chain</h2>\n<ol class=\"chain\">\n");
    for cause in &report.chain {
        let _ = writeln!(body, "<li>{}</li>", escape(cause));
    }
    body.push_str("</ol></section>\n");
    request_section(&mut body, report);
    body.push_str("<section id=\"settings\"><h2>Settings</h2>\n");
    rows(&mut body, settings.iter().cloned());
    body.push_str("</section>\n");
    page(&format!("{} at {}", report.title, report.path), &body)
}

fn methods(rule: &UrlRule) -> String {
    if rule.methods.is_empty() {
        return "any".to_owned();
    }
    rule.methods
        .iter()
        .map(micro::Method::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Django's technical 404: the rules tried, or the handler that said "not found".
pub(super) fn not_found(report: &Report) -> String {
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<header><h1>Page not found <span>(404)</span></h1><p>{} {}</p></header>",
        escape(&report.method),
        escape(&full_path(report)),
    );
    body.push_str("<section id=\"rules\">\n");
    match (&report.rule, &report.handler) {
        (Some(rule), handler) => {
            let _ = writeln!(
                body,
                "<p>The URL matched the rule <code>{}</code>, and its handler <code>{}</code> \
                 answered 404: {}</p>",
                escape(rule),
                escape(handler.as_deref().unwrap_or("(unknown)")),
                escape(report.chain.first().map_or("", String::as_str)),
            );
        }
        (None, _) => {
            let _ = write!(
                body,
                "<p>Using the URL rules of this app, micro tried these, in this order:</p>\n<ol>\n"
            );
            for rule in &report.rules {
                let endpoint = rule
                    .endpoint
                    .as_deref()
                    .map(|e| format!(" [name='{}']", escape(e)))
                    .unwrap_or_default();
                let _ = writeln!(
                    body,
                    "<li><code>{}</code> ({}){endpoint}</li>",
                    escape(&rule.rule),
                    escape(&methods(rule)),
                );
            }
            let _ = write!(
                body,
                "</ol>\n<p>The current path, <code>{}</code>, matched none of these.</p>\n",
                escape(&report.path)
            );
        }
    }
    body.push_str("</section>\n");
    request_section(&mut body, report);
    page("Page not found", &body)
}
