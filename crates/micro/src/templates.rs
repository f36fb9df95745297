//! Jinja templates with minijinja, wired the way Flask wires Jinja: a `templates/` folder,
//! autoescape for HTML-like files, the globals `url_for`, `static`, `request`, `session`, `g`,
//! `config`, `get_flashed_messages`, `csrf_token` and `csrf_input`, and context processors.

pub(crate) mod context;
mod processors;

use std::sync::{Arc, Mutex};

use minijinja::value::{Kwargs, Object, Serde, Value};
use minijinja::{AutoEscape, Environment, State};
use serde::Serialize;

pub use processors::ContextOutcome;
pub(crate) use processors::{ErasedProcessor, erase_processor, run_for_error_page};

use crate::app::{Folder, Root, Shared};
use crate::extract::{FromRequest, ReadForm};
use crate::response::{IntoResponse, Response};
use crate::test_client::{RenderRecorder, Rendered};
use crate::{Error, G, Html, Request, Session};

/// Renders templates for one request; take it as a handler argument. Flask's
/// `render_template`, as a method.
///
/// ```
/// use micro::{App, Error, Html, Templates, context};
///
/// async fn hello(t: Templates, micro::Path(name): micro::Path<String>) -> Result<Html<String>, Error> {
///     t.render("hello.html", context! { name })
/// }
///
/// let mut app = App::new();
/// app.add_template("hello.html", "<p>Hello, {{ name }}!</p>").unwrap();
/// app.get("/hello/<name>", hello);
/// ```
///
/// Templates named `*.html`, `*.htm`, `*.xml`, `*.xhtml` and `*.svg` escape what they print
/// (Flask's set); `{{ value|safe }}` opts out. A missing template or an error in one is a 500:
/// the log names the template, line and reason (for a missing one, the folders searched), and in
/// debug mode so does the page.
///
/// Building it runs the [context processors](crate::App::context_processor) of the request's
/// route (once per request): an error in one is the request's error, and the handler is not
/// called.
pub struct Templates {
    shared: Arc<Shared>,
    context: Arc<RenderContext>,
    /// The context processors' values, in registration order.
    processed: Option<Arc<[Value]>>,
    /// Where renders are noted when a [`TestClient`](crate::TestClient) sent the request.
    recorder: Option<RenderRecorder>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").finish_non_exhaustive()
    }
}

/// What the global functions need from the request being rendered for.
#[derive(Debug)]
struct RenderContext {
    shared: Arc<Shared>,
    endpoint: Option<String>,
    request: Value,
    session: Option<Session>,
    /// The request's `g`: its named values, and the form a `Form` extractor read.
    g: Option<G>,
    /// Flask caches the flashes per request, so two calls in one page agree.
    flashes: Mutex<Option<Vec<crate::Flash>>>,
    /// For `csrf_token()`; `None` when the app does not check tokens.
    csrf: Option<crate::csrf::LazyToken>,
}

impl Object for RenderContext {}

/// The name under which the request's render context travels through the template context.
const CONTEXT_KEY: &str = "__micro";

/// The `request` object templates see.
#[derive(Serialize)]
struct RequestInfo {
    method: String,
    path: String,
    full_path: String,
    /// The query string as a map (see [`first_values`]).
    args: serde_json::Map<String, serde_json::Value>,
    /// Always empty here: the form a handler read is merged in when rendering.
    form: serde_json::Map<String, serde_json::Value>,
    endpoint: Option<String>,
    rule: Option<String>,
}

impl Templates {
    /// Renders the template `name` with `context` (anything `Serialize`, usually
    /// [`context!`](crate::context)) into an HTML response.
    ///
    /// # Errors
    /// When the template is missing or fails; a 500 whose cause names the template and line.
    pub fn render(&self, name: &str, context: impl Serialize) -> Result<Html<String>, Error> {
        self.render_string(name, context).map(Html)
    }

    /// Renders to a `String`, for templates that are not HTML pages (emails, text).
    ///
    /// # Errors
    /// As [`render`](Self::render).
    pub fn render_string(&self, name: &str, context: impl Serialize) -> Result<String, Error> {
        let env = &self.shared.templates;
        let template = env.get_template(name).map_err(|e| self.error(e))?;
        // `merge_maps` lets the last layer win a name: the globals, then the context processors'
        // values in registration order, the caller's, and micro's hidden context. As in Flask,
        // the handler wins over the processors, and either can shadow `request` or `config`.
        let processed = self.processed.as_deref().unwrap_or_default();
        if let Some(recorder) = &self.recorder {
            self.record(recorder, name, processed, &context);
        }
        let layers = std::iter::once(self.globals())
            .chain(processed.iter().cloned())
            .chain([
                Value::from(Serde(context)),
                minijinja::context! { __micro => Value::from_dyn_object(self.context.clone()) },
            ]);
        template
            .render(minijinja::value::merge_maps(layers))
            .map_err(|e| self.error(e))
    }

    /// Notes a render for the test client: the context processors' values overlaid with the
    /// caller's context, as JSON (micro's globals `request`, `session`, `g` and `config` are
    /// left out: a test reads those from the request it sent).
    fn record(
        &self,
        recorder: &RenderRecorder,
        name: &str,
        processed: &[Value],
        context: &impl Serialize,
    ) {
        let merged = minijinja::value::merge_maps(
            processed
                .iter()
                .cloned()
                .chain([Value::from(Serde(context))]),
        );
        let context = serde_json::to_value(&merged).unwrap_or(serde_json::Value::Null);
        recorder
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Rendered {
                name: name.to_owned(),
                context,
            });
    }

    /// Read when rendering, not when the extractor was built: the handler may have read the form
    /// or set `g` values since.
    fn globals(&self) -> Value {
        let session = self.context.session.as_ref().map(Session::to_json);
        let g = self.context.g.as_ref();
        // The request's value has an empty `form` for the common case, a read form covers it.
        let request = match g.and_then(G::get::<ReadForm>) {
            Some(form) => minijinja::value::merge_maps([
                self.context.request.clone(),
                minijinja::context! { form => Value::from(Serde(first_values(&form.0))) },
            ]),
            None => self.context.request.clone(),
        };
        let g_values = g.map(G::template_values).unwrap_or_default();
        minijinja::context! {
            request => request,
            session => Value::from(Serde(session.unwrap_or_default())),
            // Always a map, so `{% if g.user %}` works when nothing was set.
            g => Value::from_pairs(g_values),
            config => minijinja::context! {
                DEBUG => self.shared.config.debug,
                TESTING => self.shared.config.testing,
                // Only `[APP.public]`: the rest of `[APP]` can hold tokens and passwords.
                APP => minijinja::context! { public => Value::from(Serde(self.shared.config.public_app())) },
            },
        }
    }

    fn error(&self, err: minijinja::Error) -> Error {
        if self.shared.config.debug || self.shared.config.testing {
            // `{:#}` adds the template source around the failing line.
            Error::new(500, format!("Template error: {err:#}")).with_source(err)
        } else {
            Error::internal(err)
        }
    }
}

/// Fails when a context processor fails (with its error), or when the session cookie cannot be
/// read for lack of a secret key.
impl FromRequest for Templates {
    type Rejection = Response;

    async fn from_request(req: &mut Request) -> Result<Self, Response> {
        let session = if req.app.session_keys.is_some() {
            Some(crate::session::load(req).map_err(IntoResponse::into_response)?)
        } else {
            None
        };
        let processed = processors::run(req).await?;
        let g = req.g();
        Ok(Templates::build(req, session, Some(g), processed))
    }
}

impl Templates {
    /// Templates for a request seen by reference, for error handlers and after-request hooks,
    /// which take no extractors. The session is the request's if a handler loaded it; otherwise
    /// it is read from the cookie for display only (flashes shown here are not marked as read).
    /// The context processors' values are there when the processors ran for this request:
    /// they run when the handler's `Templates` was built, or else before an error handler is
    /// called (their failure then is logged and the page rendered without them). An after-request
    /// hook does not run them.
    ///
    /// ```
    /// use micro::{App, Templates};
    ///
    /// let mut app = App::new();
    /// app.add_template("404.html", "<h1>Nothing at {{ request.path }}</h1>").unwrap();
    /// app.error_handler(404, |_err, req| Templates::for_request(req)?.render("404.html", ()));
    /// ```
    ///
    /// # Errors
    /// Never today; the `Result` leaves room for templates that need more of the request.
    pub fn for_request(req: &Request) -> Result<Templates, Error> {
        let session = req.session.clone().or_else(|| crate::session::peek(req));
        let processed = processors::already_run(req);
        Ok(Templates::build(req, session, req.g.clone(), processed))
    }

    fn build(
        req: &Request,
        session: Option<Session>,
        g: Option<G>,
        processed: Option<Arc<[Value]>>,
    ) -> Templates {
        let csrf = crate::csrf::LazyToken::new(req, g.clone());
        let info = RequestInfo {
            method: req.method().to_string(),
            path: req.path().to_owned(),
            full_path: req
                .uri()
                .path_and_query()
                .map_or_else(|| req.path().to_owned(), |pq| pq.to_string()),
            args: first_values(req.query_string().unwrap_or("").as_bytes()),
            form: serde_json::Map::new(),
            endpoint: req.endpoint().map(str::to_owned),
            rule: req.rule().map(str::to_owned),
        };
        let context = Arc::new(RenderContext {
            shared: req.app.clone(),
            endpoint: info.endpoint.clone(),
            request: Value::from(Serde(&info)),
            session,
            g,
            flashes: Mutex::new(None),
            csrf,
        });
        Templates {
            shared: req.app.clone(),
            context,
            processed,
            recorder: req.extensions().get::<RenderRecorder>().cloned(),
        }
    }
}

/// An urlencoded string as a map; a repeated name keeps its first value, like Flask's
/// `request.args[name]` and `request.form[name]`.
fn first_values(encoded: &[u8]) -> serde_json::Map<String, serde_json::Value> {
    let mut values = serde_json::Map::new();
    for (k, v) in form_urlencoded::parse(encoded) {
        values
            .entry(k.into_owned())
            .or_insert(v.into_owned().into());
    }
    values
}

/// Builds the environment: Flask's autoescape set, Python-style escaping and the global
/// functions; templates reload on change when `auto_reload`. [`set_folders`] gives it its files.
pub(crate) fn environment(auto_reload: bool, debug: bool) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_reload(auto_reload);
    env.set_debug(debug);
    env.set_auto_escape_callback(|name| {
        let html_like = [".html", ".htm", ".xml", ".xhtml", ".svg"]
            .iter()
            .any(|ext| name.ends_with(ext));
        if html_like {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // Escape as micro::escape (and Python's html.escape) does: five characters, `/` left alone.
    env.set_formatter(|out, state, value| {
        if let Some(html) = html_of(state, value)? {
            return out.write_str(&html).map_err(minijinja::Error::from);
        }
        if *state.auto_escape() == AutoEscape::Html && !value.is_safe() {
            if value.is_undefined() || value.is_none() {
                return Ok(());
            }
            let written = match value.as_str() {
                Some(s) => crate::response::escape_to(out, s),
                None => crate::response::escape_to(out, &value.to_string()),
            };
            written.map_err(minijinja::Error::from)
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env.add_function("url_for", url_for);
    env.add_function("static", static_url);
    env.add_function("get_flashed_messages", get_flashed_messages);
    env.add_function("csrf_token", csrf_token);
    env.add_function("csrf_input", csrf_input);
    env
}

/// The HTML of an object that renders itself (fullstack's forms), already escaped: an object
/// that has an `__html__` attribute is asked for it with the method of that name, the protocol of
/// Python's markupsafe that Django's forms use. The method gets the render state, so the object can
/// render its own templates through the same environment (and the project's overrides).
fn html_of(state: &mut State, value: &Value) -> Result<Option<String>, minijinja::Error> {
    let Some(object) = value.as_object() else {
        return Ok(None);
    };
    if object.get_value(&Value::from("__html__")).is_none() {
        return Ok(None);
    }
    let html = value.call_method(state, "__html__", &[])?;
    Ok(Some(html.as_str().unwrap_or_default().to_owned()))
}

/// Loads templates from `folders` under `root`, the first that has the name winning: the app's
/// folder, then each blueprint's in registration order, as Flask searches them. A name none has
/// is an error that lists the folders searched and says where the root came from, since a
/// template "not found" is most often a folder looked for in the wrong place.
pub(crate) fn set_folders(env: &mut Environment<'static>, root: &Root, folders: &[Folder]) {
    let resolved: Vec<_> = folders.iter().map(|f| root.resolve(&f.path)).collect();
    let loaders: Vec<_> = resolved.iter().map(minijinja::path_loader).collect();
    let root = root.describe();
    env.set_loader(move |name| {
        for load in &loaders {
            if let Some(source) = load(name)? {
                return Ok(Some(source));
            }
        }
        let searched = resolved
            .iter()
            .map(|path| {
                let missing = if path.is_dir() { "" } else { " (missing)" };
                format!("{}{missing}", path.display())
            })
            .collect::<Vec<_>>()
            .join(", ");
        Err(minijinja::Error::new(
            minijinja::ErrorKind::TemplateNotFound,
            format!(
                "template {name:?} does not exist: searched {searched}; relative folders are \
                 resolved against the app's root {root}"
            ),
        ))
    });
}

fn render_context(state: &State) -> Result<Arc<RenderContext>, minijinja::Error> {
    state
        .lookup(CONTEXT_KEY)
        .and_then(|v| v.downcast_object::<RenderContext>())
        .ok_or_else(|| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                "micro's template globals need a template rendered by micro::Templates",
            )
        })
}

/// `url_for("endpoint", name=value, ...)`: relative names (`.list`) resolve in the current
/// blueprint, as in Flask.
fn url_for(state: &State, endpoint: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let ctx = render_context(state)?;
    let mut params = serde_json::Map::new();
    for key in kwargs.args() {
        let value: Value = kwargs.get(key)?;
        params.insert(
            key.to_owned(),
            serde_json::to_value(&value).unwrap_or_default(),
        );
    }
    kwargs.assert_all_used()?;
    let endpoint = match (endpoint.strip_prefix('.'), &ctx.endpoint) {
        (Some(relative), Some(current)) => match current.rsplit_once('.') {
            Some((blueprint, _)) => format!("{blueprint}.{relative}"),
            None => relative.to_owned(),
        },
        (Some(relative), None) => relative.to_owned(),
        (None, _) => endpoint.to_owned(),
    };
    ctx.shared
        .router
        .url_for(&endpoint, serde_json::Value::Object(params))
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
}

/// `static("css/site.css")`: the URL of a static file with a content hash for cache busting
/// (`/static/css/site.css?v=1a2b3c4d5e6f`), or `url_for("static", filename=...)` when static
/// files are off.
fn static_url(state: &State, filename: &str) -> Result<String, minijinja::Error> {
    let ctx = render_context(state)?;
    #[cfg(feature = "static-files")]
    if let Some(files) = ctx.shared.statics.get("static") {
        return Ok(files.versioned_url(filename));
    }
    ctx.shared
        .router
        .url_for("static", [("filename", filename)])
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
}

/// `get_flashed_messages(with_categories=false, category_filter=[])`, as in Flask: the
/// messages are taken from the session once per request.
fn get_flashed_messages(state: &State, kwargs: Kwargs) -> Result<Value, minijinja::Error> {
    let ctx = render_context(state)?;
    let with_categories: Option<bool> = kwargs.get("with_categories")?;
    let filter: Option<Vec<String>> = kwargs.get("category_filter")?;
    kwargs.assert_all_used()?;
    let mut cache = ctx.flashes.lock().unwrap_or_else(|e| e.into_inner());
    let flashes = cache.get_or_insert_with(|| {
        ctx.session
            .as_ref()
            .map(Session::take_flashes)
            .unwrap_or_default()
    });
    let selected = flashes.iter().filter(|f| {
        filter
            .as_ref()
            .is_none_or(|cats| cats.contains(&f.category))
    });
    Ok(if with_categories.unwrap_or(false) {
        Value::from(Serde(
            selected
                .map(|f| (f.category.clone(), f.message.clone()))
                .collect::<Vec<_>>(),
        ))
    } else {
        Value::from(Serde(
            selected.map(|f| f.message.clone()).collect::<Vec<_>>(),
        ))
    })
}

/// `csrf_token()`: this request's CSRF token, masked afresh at each call (see
/// [`CsrfToken`](crate::CsrfToken)); empty when the app does not check tokens, as Django's tag.
fn csrf_token(state: &State) -> Result<String, minijinja::Error> {
    let ctx = render_context(state)?;
    Ok(ctx
        .csrf
        .as_ref()
        .map(crate::csrf::LazyToken::token)
        .unwrap_or_default())
}

/// `csrf_input()`: the hidden input carrying the token, already safe HTML; empty when the app
/// does not check tokens.
fn csrf_input(state: &State) -> Result<Value, minijinja::Error> {
    let ctx = render_context(state)?;
    let (Some(lazy), Some(csrf)) = (&ctx.csrf, &ctx.shared.csrf) else {
        return Ok(Value::from_safe_string(String::new()));
    };
    Ok(Value::from_safe_string(crate::csrf::input(
        csrf,
        &lazy.token(),
    )))
}
