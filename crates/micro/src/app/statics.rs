//! The app's static folder: where it is, the URL it is served under, and how long it is cached.
//!
//! Like Flask, an app serves `static/` under `/static` from the start, as the endpoint `static`.
//! The route is in the routing table from `App::new`, so a rule that clashes with it fails at the
//! line that adds it, and `url_for("static", ..)` works before the app is frozen. Changing the
//! folder or the URL moves the route.

use std::path::PathBuf;
use std::time::Duration;

use super::{App, Folder};
use crate::StaticFiles;

impl App {
    /// Serves the files in `folder` (a relative folder is under the app's [root](Self::root)) at
    /// `/<folder name>/<path:filename>`, as the endpoint `static`: `app.static_folder("assets")`
    /// serves `assets/app.js` at `/assets/app.js`, like Flask. The default is `static`, at
    /// `/static`.
    ///
    /// Files get a content type from their extension, `ETag` and `Last-Modified` with 304
    /// answers, range requests, HEAD, and `Cache-Control: no-cache` unless
    /// [`static_max_age`](Self::static_max_age) is set. A missing file, a directory, or a path that
    /// would leave the folder (`..`, a backslash, a symlink pointing outside) is a 404 rendered by
    /// the app's error handlers. See the [static files chapter](crate::guide::static_files).
    ///
    /// ```
    /// use micro::App;
    ///
    /// let mut app = App::new();
    /// assert_eq!(app.url_for("static", [("filename", "css/site.css")]).unwrap(), "/static/css/site.css");
    ///
    /// app.static_folder("web/assets");
    /// assert_eq!(app.url_for("static", [("filename", "app.js")]).unwrap(), "/assets/app.js");
    /// ```
    ///
    /// The folder must exist when the app starts serving ([`check_folders`](Self::check_folders)).
    ///
    /// # Panics
    /// When a rule already registered clashes with the static route or its name.
    #[track_caller]
    pub fn static_folder(&mut self, folder: impl Into<PathBuf>) -> &mut Self {
        self.set_static_folder(Folder::named(folder, "App::static_folder"));
        self
    }

    #[track_caller]
    pub(super) fn set_static_folder(&mut self, folder: Folder) {
        self.static_config.folder = Some(folder);
        self.remount_static();
    }

    /// Serves the static folder under `url_path` instead of `/<folder name>` (`"/"` or `""`
    /// serves it at the root, behind the app's other rules).
    ///
    /// ```
    /// let mut app = micro::App::new();
    /// app.static_url_path("/assets");
    /// assert_eq!(app.url_for("static", [("filename", "logo.png")]).unwrap(), "/assets/logo.png");
    /// ```
    ///
    /// # Panics
    /// When a rule already registered clashes with the static route.
    #[track_caller]
    pub fn static_url_path(&mut self, url_path: &str) -> &mut Self {
        self.static_config.url_path = Some(url_path.to_owned());
        self.remount_static();
        self
    }

    /// Lets clients cache static files for `max_age` without asking again (`Cache-Control:
    /// public, max-age=N`), like Flask's `SEND_FILE_MAX_AGE_DEFAULT`. The default is none:
    /// `no-cache`, so browsers revalidate with the ETag and get a cheap 304. Long ages are safe
    /// with [versioned URLs](StaticFiles::versioned_url).
    ///
    /// ```
    /// let mut app = micro::App::new();
    /// app.static_max_age(std::time::Duration::from_secs(365 * 24 * 3600));
    /// ```
    #[track_caller]
    pub fn static_max_age(&mut self, max_age: Duration) -> &mut Self {
        self.static_config.max_age = Some(max_age);
        self.remount_static();
        self
    }

    /// Stops serving the app's static folder, freeing `/static` and the endpoint name `static`
    /// (Flask's `static_folder=None`). Blueprints' static folders are not affected;
    /// [`static_folder`](Self::static_folder) turns it back on.
    ///
    /// ```
    /// let mut app = micro::App::new();
    /// app.disable_static_files();
    /// app.get("/static/<path:name>", |micro::Path(name): micro::Path<String>| async move { name });
    /// ```
    pub fn disable_static_files(&mut self) -> &mut Self {
        self.static_config.folder = None;
        self.remount_static();
        self
    }

    /// A mounted static folder by endpoint name: `static` for the app's, `name.static` for a
    /// blueprint's. Use it to build [versioned URLs](StaticFiles::versioned_url).
    ///
    /// ```
    /// let app = micro::App::new();
    /// assert_eq!(app.static_files("static").unwrap().url("app.js"), "/static/app.js");
    /// assert!(app.static_files("admin.static").is_none());
    /// ```
    pub fn static_files(&self, endpoint: &str) -> Option<&StaticFiles> {
        self.statics.get(endpoint)
    }

    /// Takes the static route out of the table and puts it back as configured now.
    #[track_caller]
    pub(super) fn remount_static(&mut self) {
        if self.statics.remove("static").is_some() {
            self.router.remove_endpoint("static");
        }
        let mount = self.static_config.url_path();
        let Some(files) = self.static_config.mount(&mount, &self.root) else {
            return;
        };
        let rule = format!("{}/<path:filename>", files.url_path());
        if let Err(err) = self.insert_route(&rule, files.method_router("static"), None) {
            panic!(
                "micro: cannot serve the static folder at `{rule}`: {}; move it with `static_url_path`, or call `disable_static_files` before adding that rule",
                err.reason
            );
        }
        self.statics.insert("static".to_owned(), files);
    }

    /// Records a blueprint's static folder under its endpoint name.
    pub(crate) fn add_static_files(&mut self, endpoint: String, files: StaticFiles) {
        self.statics.insert(endpoint, files);
    }
}
