//! The DEBUG error pages, Django's technical 500 and 404: in `DEBUG` a server error shows its
//! error chain, the request (secret headers masked), the route and handler, and the settings
//! (secrets masked); a 404 lists the URL rules the app tried. Outside `DEBUG` nothing is
//! installed: micro's plain page answers, and the detail goes to the log only.
//!
//! A project's own `error_handler(500, ..)` or `(404, ..)` wins: these are registered before
//! the apps' routes and the project's `web` setup.

mod html;
mod report;

use std::sync::Arc;

use crate::Settings;

/// Registers the pages on `app` when `settings` say `DEBUG`.
pub(crate) fn install(app: &mut micro::App, settings: &Settings) {
    if !settings.web.debug {
        return;
    }
    // The settings do not change while the app runs: masked once.
    let safe: Arc<[(String, String)]> = settings.safe_settings().into();
    app.error_handler(500, move |err, req| {
        let report = report::Report::new(err, req);
        respond(req, report.to_json(), || html::server_error(&report, &safe))
    });
    app.error_handler(404, |err, req| {
        let report = report::Report::new(err, req);
        respond(req, report.to_json(), || html::not_found(&report))
    });
}

/// The page, or its facts as JSON for a client that asked for JSON.
fn respond(
    req: &micro::Request,
    json: serde_json::Value,
    page: impl FnOnce() -> String,
) -> micro::Response {
    use micro::IntoResponse as _;
    if req.wants_json() {
        micro::Json(json).into_response()
    } else {
        micro::Html(page()).into_response()
    }
}

#[cfg(test)]
mod tests;
