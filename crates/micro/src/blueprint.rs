//! Blueprints: groups of rules, hooks and error handlers under a name and a URL prefix.

use std::sync::Arc;

use http::StatusCode;

use crate::app::{App, RouteError};
use crate::handler::{Handler, HookOutcome, erase_hook};
use crate::response::{IntoResponse, Response};
use crate::routing::MethodRouter;
use crate::scaffold::{Scaffold, registration_methods};
use crate::{Error, Request};

/// A part of an app, like Flask's `Blueprint`: rules, hooks and error handlers registered under a
/// name and a URL prefix, added to the app (or to another blueprint) in one call.
///
/// A blueprint records what is registered on it and replays it when it is registered, so it can
/// be built in its own module without the app. Its endpoints are named `blueprint.function`
/// (`admin.users.edit` when nested), its hooks run only for its own routes (after the app's
/// before-hooks, before the app's after-hooks) except the `*_app_request` ones, which run for the
/// whole app, and its error handlers are tried before the app's for errors raised in its routes.
///
/// ```
/// use micro::{App, Blueprint, Request, Error};
///
/// async fn list_users() -> &'static str { "users" }
/// async fn edit_user(req: Request) -> Result<String, Error> {
///     // `.list_users` is relative to this request's blueprint.
///     Ok(format!("edit, then back to {}", req.url_for(".list_users", ())?))
/// }
///
/// let mut users = Blueprint::new("users", "/users");
/// users.get("/", list_users);
/// users.get("/<int:id>/edit", edit_user);
///
/// let mut admin = Blueprint::new("admin", "/admin");
/// admin.before_request(|| async { /* check the user is staff */ });
/// admin.register_blueprint(users);
///
/// let mut app = App::new();
/// app.register_blueprint(admin);
/// assert_eq!(app.url_for("admin.users.list_users", ()).unwrap(), "/admin/users/");
/// assert_eq!(app.url_for("admin.users.edit_user", [("id", 3)]).unwrap(), "/admin/users/3/edit");
/// ```
pub struct Blueprint {
    name: String,
    url_prefix: String,
    routes: Vec<(String, MethodRouter)>,
    scaffold: Scaffold,
    /// Hooks for every request of the app (`before_app_request`, ...), added to the app's.
    app_hooks: Scaffold,
    children: Vec<Blueprint>,
    pub(crate) commands: Vec<(String, crate::commands::Command)>,
    cross_origin_exempt: bool,
    csrf_exempt: bool,
    #[cfg(feature = "static-files")]
    static_config: crate::files::StaticConfig,
    #[cfg(feature = "templates")]
    templates_folder: Option<crate::app::Folder>,
    /// Context processors for every route of the app, added to the app's when registered.
    #[cfg(feature = "templates")]
    app_context_processors: Vec<Arc<dyn crate::templates::ErasedProcessor>>,
}

impl std::fmt::Debug for Blueprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blueprint")
            .field("name", &self.name)
            .field("url_prefix", &self.url_prefix)
            .field(
                "rules",
                &self.routes.iter().map(|(r, _)| r).collect::<Vec<_>>(),
            )
            .field("children", &self.children)
            .finish_non_exhaustive()
    }
}

impl Blueprint {
    /// A blueprint named `name` (used in endpoint names; no dots) whose rules live under
    /// `url_prefix` (`""` for none).
    ///
    /// # Panics
    /// When the name is empty or contains a dot.
    #[track_caller]
    pub fn new(name: &str, url_prefix: &str) -> Self {
        assert!(
            !name.is_empty() && !name.contains('.'),
            "micro: a blueprint name must be non-empty and without dots, got `{name}`"
        );
        Blueprint {
            name: name.to_owned(),
            url_prefix: url_prefix.to_owned(),
            routes: Vec::new(),
            scaffold: Scaffold::default(),
            app_hooks: Scaffold::default(),
            children: Vec::new(),
            commands: Vec::new(),
            cross_origin_exempt: false,
            csrf_exempt: false,
            #[cfg(feature = "static-files")]
            static_config: Default::default(),
            #[cfg(feature = "templates")]
            templates_folder: None,
            #[cfg(feature = "templates")]
            app_context_processors: Vec::new(),
        }
    }

    /// The blueprint's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    registration_methods!();

    fn add_route(&mut self, rule: &str, methods: MethodRouter) {
        self.routes.push((rule.to_owned(), methods));
    }

    fn scaffold_mut(&mut self) -> &mut Scaffold {
        &mut self.scaffold
    }

    /// Serves the files in `folder` under this blueprint's prefix, at `/<folder name>` (see
    /// [`static_url_path`](Self::static_url_path)), as the endpoint `name.static`, like a Flask
    /// blueprint's `static_folder`. A blueprint has none by default. Files are served exactly as
    /// the app's static folder ([`App::static_folder`]), and this blueprint's hooks and error
    /// handlers apply to them.
    ///
    /// ```
    /// use micro::{App, Blueprint};
    ///
    /// let mut admin = Blueprint::new("admin", "/admin");
    /// admin.static_folder("admin/static");
    ///
    /// let mut app = App::new();
    /// app.register_blueprint(admin);
    /// assert_eq!(
    ///     app.url_for("admin.static", [("filename", "admin.css")]).unwrap(),
    ///     "/admin/static/admin.css"
    /// );
    /// ```
    ///
    /// A blueprint without a URL prefix needs its own
    /// [`static_url_path`](Self::static_url_path): `/static` is the app's.
    ///
    /// A relative folder is under the app's [root](App::root), like the app's own folders, and it
    /// must exist when the app starts serving.
    #[cfg(feature = "static-files")]
    pub fn static_folder(&mut self, folder: impl Into<std::path::PathBuf>) -> &mut Self {
        let by = format!("Blueprint::static_folder of `{}`", self.name);
        self.static_config.folder = Some(crate::app::Folder::named(folder, by));
        self
    }

    /// The URL path of the static folder, under the blueprint's prefix (default: `/` and the
    /// folder's name). Nothing is served without a [`static_folder`](Self::static_folder).
    #[cfg(feature = "static-files")]
    pub fn static_url_path(&mut self, url_path: &str) -> &mut Self {
        self.static_config.url_path = Some(url_path.to_owned());
        self
    }

    /// How long clients may cache the static files without asking again (default: `no-cache`).
    /// Nothing is served without a [`static_folder`](Self::static_folder).
    #[cfg(feature = "static-files")]
    pub fn static_max_age(&mut self, max_age: std::time::Duration) -> &mut Self {
        self.static_config.max_age = Some(max_age);
        self
    }

    /// Lets cross-site browsers send unsafe requests to every route of this blueprint and of the
    /// blueprints nested in it, as
    /// [`MethodRouter::cross_origin_exempt`](crate::routing::MethodRouter::cross_origin_exempt)
    /// does for one route: for an API authenticated by tokens rather than cookies, called from
    /// pages on other origins.
    ///
    /// ```
    /// let mut api = micro::Blueprint::new("api", "/api");
    /// api.cross_origin_exempt();
    /// ```
    pub fn cross_origin_exempt(&mut self) -> &mut Self {
        self.cross_origin_exempt = true;
        self
    }

    /// Skips the CSRF token check for every route of this blueprint and of the blueprints
    /// nested in it, as [`MethodRouter::csrf_exempt`](crate::routing::MethodRouter::csrf_exempt)
    /// does for one route: for an API authenticated by bearer tokens.
    ///
    /// ```
    /// let mut api = micro::Blueprint::new("api", "/api");
    /// api.csrf_exempt();
    /// ```
    pub fn csrf_exempt(&mut self) -> &mut Self {
        self.csrf_exempt = true;
        self
    }

    /// Runs before every request of the app, not only this blueprint's, like Flask's
    /// `before_app_request`: the place for an auth blueprint to load the user into `g` for every
    /// page. It takes extractors and may answer early, as [`before_request`](Self::before_request).
    ///
    /// It joins the app's own `before_request` hooks when the blueprint is registered, so it runs
    /// after the app hooks registered before that and before those registered after it, ahead of
    /// any blueprint's `before_request` hooks; it runs for 404s too.
    ///
    /// ```
    /// use micro::{App, Blueprint, Cookies, G};
    ///
    /// #[derive(Clone)]
    /// struct User(String);
    ///
    /// let mut auth = Blueprint::new("auth", "/auth");
    /// auth.before_app_request(|g: G, cookies: Cookies| async move {
    ///     if let Some(name) = cookies.get("user") {
    ///         g.insert(User(name.to_owned()));
    ///     }
    /// });
    ///
    /// let mut app = App::new();
    /// app.register_blueprint(auth);
    /// // Every handler of the app can now read `g.get::<User>()`.
    /// app.get("/", |g: G| async move { g.get::<User>().map_or("anonymous".into(), |u| u.0) });
    /// ```
    pub fn before_app_request<H, Args>(&mut self, hook: H) -> &mut Self
    where
        H: Handler<Args>,
        H::Output: HookOutcome,
        Args: 'static,
    {
        crate::handler::refuse_two_body_readers!(H, Args);
        self.app_hooks.before.push(erase_hook(hook));
        self
    }

    /// Runs after every response of the app, like Flask's `after_app_request`. It joins the app's
    /// `after_request` hooks when the blueprint is registered; they run in reverse registration
    /// order, after every blueprint's own `after_request` hooks.
    pub fn after_app_request(
        &mut self,
        hook: impl Fn(&Request, &mut Response) + Send + Sync + 'static,
    ) -> &mut Self {
        self.app_hooks.after.push(Arc::new(hook));
        self
    }

    /// Runs last for every request of the app, like Flask's `teardown_app_request`. It joins the
    /// app's `teardown_request` hooks when the blueprint is registered.
    pub fn teardown_app_request(
        &mut self,
        hook: impl Fn(&Request, Option<&Error>) + Send + Sync + 'static,
    ) -> &mut Self {
        self.app_hooks.teardown.push(Arc::new(hook));
        self
    }

    /// Nests `child` under this blueprint: its prefix follows this one's, its endpoints are named
    /// `this.child.function`, and this blueprint's hooks and error handlers apply to it too.
    pub fn register_blueprint(&mut self, child: Blueprint) -> &mut Self {
        self.children.push(child);
        self
    }

    /// A folder of templates this blueprint brings, like Flask's `template_folder`. It is searched
    /// after the app's folder (so an app can override a blueprint's template by name) and after
    /// blueprints registered earlier; name templates `admin/page.html` to avoid clashes.
    ///
    /// ```
    /// let mut admin = micro::Blueprint::new("admin", "/admin");
    /// admin.templates_folder("admin/templates");
    /// ```
    ///
    /// A relative folder is under the app's [root](App::root), and it must exist when the app
    /// starts serving.
    #[cfg(feature = "templates")]
    pub fn templates_folder(&mut self, folder: impl Into<std::path::PathBuf>) -> &mut Self {
        let by = format!("Blueprint::templates_folder of `{}`", self.name);
        self.templates_folder = Some(crate::app::Folder::named(folder, by));
        self
    }

    /// Adds a context processor that runs for every route of the app, not only this blueprint's,
    /// like Flask's `Blueprint.app_context_processor`: for a blueprint that brings the layout's
    /// values (the logged-in user) to every page. It runs with the app's own processors, in the
    /// order they were registered (this one when the blueprint is). See
    /// [`context_processor`](Self::context_processor).
    ///
    /// ```
    /// use micro::{Blueprint, G, context};
    ///
    /// #[derive(Clone, serde::Serialize)]
    /// struct User { username: String }
    ///
    /// let mut auth = Blueprint::new("auth", "/auth");
    /// auth.app_context_processor(|g: G| async move {
    ///     context! { current_user => g.get::<User>() }
    /// });
    /// ```
    #[cfg(feature = "templates")]
    pub fn app_context_processor<H, Args>(&mut self, processor: H) -> &mut Self
    where
        H: Handler<Args>,
        H::Output: crate::ContextOutcome,
        Args: 'static,
    {
        self.app_context_processors
            .push(crate::templates::erase_processor(processor));
        self
    }

    /// Replays the recorded setup on `app`, under the parent's prefix and name.
    pub(crate) fn register_into(
        self,
        app: &mut App,
        parent_prefix: &str,
        parent_name: Option<&str>,
        parent_scopes: &[Arc<Scaffold>],
    ) -> Result<(), RouteError> {
        let name = match parent_name {
            Some(parent) => format!("{parent}.{}", self.name),
            None => self.name.clone(),
        };
        let prefix = join(parent_prefix, &self.url_prefix);
        if !app.claim_blueprint_name(&name) {
            return Err(RouteError {
                rule: prefix,
                reason: format!("a blueprint named `{name}` is already registered"),
            });
        }
        #[cfg(feature = "templates")]
        {
            if let Some(folder) = self.templates_folder {
                app.add_template_folder(folder);
            }
            app.scaffold_mut()
                .context_processors
                .extend(self.app_context_processors);
        }
        app.scaffold_mut().append_hooks(self.app_hooks);
        let mut scopes = parent_scopes.to_vec();
        scopes.push(Arc::new(self.scaffold));
        let shared_scopes: crate::routing::Scopes = scopes.clone().into();
        for (rule, methods) in self.routes {
            let full = join(&prefix, &rule);
            let mut methods = methods.prefix_names(&name);
            methods.cross_origin_exempt |= self.cross_origin_exempt;
            methods.csrf_exempt |= self.csrf_exempt;
            app.insert_route(&full, methods, Some(shared_scopes.clone()))
                .map_err(|e| RouteError {
                    reason: format!("{} (in blueprint `{name}`)", e.reason),
                    ..e
                })?;
        }
        #[cfg(feature = "static-files")]
        if let Some(files) = self.static_config.mount(
            &join(&prefix, &self.static_config.url_path()),
            app.folder_root(),
        ) {
            let rule = format!("{}/<path:filename>", files.url_path());
            let endpoint = format!("{name}.static");
            app.insert_route(
                &rule,
                files.method_router(&endpoint).prefix_names(&name),
                Some(shared_scopes.clone()),
            )
            .map_err(|e| RouteError {
                reason: format!("{} (the static folder of blueprint `{name}`)", e.reason),
                ..e
            })?;
            app.add_static_files(endpoint, files);
        }
        // Its commands form a group named after it: `users create`, `admin users create`.
        for (command_name, command) in self.commands {
            let mut path: Vec<String> = name.split('.').map(str::to_owned).collect();
            path.push(command_name);
            app.commands
                .insert(path, command)
                .map_err(|why| RouteError {
                    rule: prefix.clone(),
                    reason: format!("a command of blueprint `{name}`: {why}"),
                })?;
        }
        for mut child in self.children {
            child.cross_origin_exempt |= self.cross_origin_exempt;
            child.csrf_exempt |= self.csrf_exempt;
            child.register_into(app, &prefix, Some(&name), &scopes)?;
        }
        Ok(())
    }
}

/// Flask's joining: the prefix without its trailing slash, then the rule with its leading slash.
fn join(prefix: &str, rule: &str) -> String {
    if rule.is_empty() {
        return prefix.to_owned();
    }
    format!(
        "{}/{}",
        prefix.trim_end_matches('/'),
        rule.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins_like_flask() {
        assert_eq!(join("/admin", "/users"), "/admin/users");
        assert_eq!(join("/admin/", "/"), "/admin/");
        assert_eq!(join("", "/x"), "/x");
        assert_eq!(join("/admin", ""), "/admin");
    }
}
