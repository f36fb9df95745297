//! Context processors, Flask's `context_processor`: values every template of a request sees.
//!
//! They are async and take extractors, like `before_request` hooks, so they cannot run inside
//! the synchronous `render`. They run when the `Templates` extractor is built, and their values
//! are kept in the request's `g`, so `Templates::for_request` in an error handler sees them too.

use std::marker::PhantomData;
use std::sync::Arc;

use minijinja::value::{Serde, Value};
use serde::Serialize;

use crate::handler::{BoxFuture, Handler};
use crate::response::{IntoResponse, Response};
use crate::{Error, Request};

/// What a context processor may return: a [`context!`](crate::context) (a minijinja `Value`),
/// or `Result<T, E>` with `T` anything `Serialize` (a struct's fields become names) and `E` an
/// error response, which ends the request as an extractor's error does.
///
/// ```
/// use micro::{App, Error, State, context};
///
/// #[derive(Clone, serde::Serialize)]
/// struct Site { name: &'static str, year: u16 }
///
/// let mut app = App::new();
/// app.state(Site { name: "Flaskr", year: 2026 });
/// app.context_processor(|| async { context! { version => "1.0" } });
/// // `site.name` and `site.year` in templates.
/// app.context_processor(|State(site): State<Site>| async move { Ok::<_, Error>(site) });
/// ```
#[diagnostic::on_unimplemented(
    message = "a context processor cannot return `{Self}`",
    label = "not a `context!` or a `Result`",
    note = "return `context! {{ name => value, .. }}`, or `Ok::<_, micro::Error>(value)` for any `Serialize` value"
)]
pub trait ContextOutcome: Send {
    /// The values to merge into the template context, or the response that ends the request.
    // A `Response` is what hooks and extractors fail with everywhere else; the error side is
    // the rare one, so its size does not matter.
    #[allow(clippy::result_large_err)]
    fn into_context(self) -> Result<Value, Response>;
}

impl ContextOutcome for Value {
    fn into_context(self) -> Result<Value, Response> {
        Ok(self)
    }
}

impl<T: Serialize + Send, E: IntoResponse + Send> ContextOutcome for Result<T, E> {
    fn into_context(self) -> Result<Value, Response> {
        match self {
            Ok(values) => Ok(Value::from(Serde(values))),
            Err(err) => Err(err.into_response()),
        }
    }
}

/// A context processor with its argument types erased, as scaffolds store it.
pub(crate) trait ErasedProcessor: Send + Sync {
    fn call<'a>(&'a self, req: &'a mut Request) -> BoxFuture<'a, Result<Value, Response>>;
}

struct Processor<H, Args> {
    handler: H,
    _args: PhantomData<fn() -> Args>,
}

impl<H, Args> ErasedProcessor for Processor<H, Args>
where
    H: Handler<Args>,
    H::Output: ContextOutcome,
    Args: 'static,
{
    fn call<'a>(&'a self, req: &'a mut Request) -> BoxFuture<'a, Result<Value, Response>> {
        Box::pin(async move { self.handler.call(req).await?.into_context() })
    }
}

pub(crate) fn erase_processor<H, Args>(processor: H) -> Arc<dyn ErasedProcessor>
where
    H: Handler<Args>,
    H::Output: ContextOutcome,
    Args: 'static,
{
    Arc::new(Processor {
        handler: processor,
        _args: PhantomData,
    })
}

/// The processors' values, kept in `g` once they ran. `Running` catches a processor that takes
/// `Templates` (which would run the processors again, for ever).
#[derive(Clone)]
enum Run {
    Running,
    /// Each processor's values in registration order; empty when one failed.
    Done(Arc<[Value]>),
}

/// The processors of `req`'s route: the app's (with the blueprints' app-wide ones), then each
/// blueprint's from the outermost in, which is Flask's order; a later one wins a name.
fn in_scope(req: &Request) -> Vec<Arc<dyn ErasedProcessor>> {
    let blueprints = req.matched.as_ref().map_or(&[][..], |m| m.scopes());
    std::iter::once(&req.app.scaffold)
        .chain(blueprints.iter().map(|s| &**s))
        .flat_map(|s| s.context_processors.iter().cloned())
        .collect()
}

/// Runs the processors in scope once per request and returns their values (`None` when there
/// are none). A processor's error response is the request's.
pub(crate) async fn run(req: &mut Request) -> Result<Option<Arc<[Value]>>, Response> {
    let processors = in_scope(req);
    if processors.is_empty() {
        return Ok(None);
    }
    let g = req.g();
    match g.get::<Run>() {
        Some(Run::Done(values)) => return Ok(Some(values)),
        Some(Run::Running) => {
            return Err(Error::internal(
                "a context processor took `Templates` as an argument; processors make values for templates and cannot render them",
            )
            .into_response());
        }
        None => {}
    }
    g.insert(Run::Running);
    // As for before_request hooks: a `Request` a processor takes leaves the body to the handler.
    let in_hook = std::mem::replace(&mut req.in_before_hook, true);
    let mut values = Vec::with_capacity(processors.len());
    let mut failure = None;
    for processor in &processors {
        match processor.call(req).await {
            Ok(value) => values.push(value),
            Err(response) => {
                failure = Some(response);
                break;
            }
        }
    }
    req.in_before_hook = in_hook;
    if let Some(response) = failure {
        g.insert(Run::Done(Arc::from([])));
        return Err(response);
    }
    let values: Arc<[Value]> = values.into();
    g.insert(Run::Done(values.clone()));
    Ok(Some(values))
}

/// The values the processors made for this request, if they ran; for `Templates::for_request`.
pub(crate) fn already_run(req: &Request) -> Option<Arc<[Value]>> {
    match req.g.as_ref()?.get::<Run>()? {
        Run::Done(values) => Some(values),
        Run::Running => None,
    }
}

/// Before an error is rendered: runs the processors that have not run yet, when an error handler
/// in scope may render a template with them (a 404 page that extends the layout). Their failure
/// is logged, not raised: the error being rendered is the one to report.
pub(crate) async fn run_for_error_page(req: &mut Request) {
    if req.g.as_ref().is_some_and(|g| g.contains::<Run>()) {
        return;
    }
    let blueprints = req.matched.as_ref().map_or(&[][..], |m| m.scopes());
    let has_handlers = std::iter::once(&req.app.scaffold)
        .chain(blueprints.iter().map(|s| &**s))
        .any(|s| !s.by_status.is_empty() || !s.by_type.is_empty());
    if !has_handlers {
        return;
    }
    if let Err(response) = run(req).await {
        let status = response.status();
        tracing::warn!(target: "micro::templates", path = req.path(), %status, "a context processor failed while an error page was prepared; the page is rendered without its values");
    }
}
