//! Handlers: async functions whose arguments are extractors.
//!
//! Any `async fn` (or closure returning a future) that takes up to twelve arguments implementing
//! [`FromRequest`] is a [`Handler`]. Arguments are extracted in three passes, each in argument
//! order: those that leave the body alone, then the one that reads it, then `Request` (see
//! [`BodyUse`]). The first that fails ends the request with its error (a 4xx), and the function is
//! not called.

use std::any::TypeId;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use crate::Request;
use crate::extract::{BodyUse, FromRequest};
use crate::response::{IntoResponse, Response};

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An async function that can handle a request (or run as a `before_request` hook).
///
/// Implemented for every `Fn(T1, ..., Tn) -> impl Future` whose arguments implement
/// [`FromRequest`]; you rarely name this trait yourself.
///
/// ```
/// use micro::{App, Json, Path, Query};
///
/// #[derive(serde::Deserialize)]
/// struct Page { page: Option<u32> }
///
/// async fn list(Path(user): Path<String>, Query(q): Query<Page>) -> String {
///     format!("{user}, page {}", q.page.unwrap_or(1))
/// }
///
/// let mut app = App::new();
/// app.get("/users/<user>/posts", list);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a micro handler",
    label = "not an async fn whose arguments all implement `FromRequest`",
    note = "a handler is an `async fn` taking up to 12 extractors (Path, Query, Json, Form, State, G, Request, ...) and returning something that implements `IntoResponse`"
)]
pub trait Handler<Args>: Clone + Send + Sync + 'static {
    /// What the function returns.
    type Output: Send;

    /// How many arguments read the request body ([`BodyUse::Reads`]). Evaluating it for a
    /// function with two fails the build, naming the function's argument types: the registration
    /// methods (`get`, `route`, `before_request`, ...) evaluate it, so a handler that reads the
    /// body twice is a compile error at the line that registers it. (`cargo check` does not
    /// evaluate constants of generic code; `cargo build` and `cargo test` do.)
    const BODY_READERS: usize = 0;

    /// Extracts the arguments from `req` and calls the function; an extractor that fails gives
    /// its error response instead.
    fn call<'a>(
        &'a self,
        req: &'a mut Request,
    ) -> impl Future<Output = Result<Self::Output, Response>> + Send + 'a;
}

/// Extracts one argument, or returns its rejection from the enclosing `call`.
macro_rules! extract_arg {
    ($req:ident, $ty:ident) => {{
        let reads_body = matches!(<$ty as FromRequest>::BODY, BodyUse::Reads);
        let had_body = reads_body && $req.body_taker().is_none();
        let extracted = <$ty as FromRequest>::from_request($req).await;
        if had_body {
            // A later read (the handler's, after a hook's) names the type in this signature, not
            // one it called (`String` in a `Csv`).
            $req.name_body_taker(std::any::type_name::<$ty>());
        }
        extracted.map_err(IntoResponse::into_response)?
    }};
}

macro_rules! impl_handler {
    ($($ty:ident),*) => {
        #[allow(non_snake_case, unused_variables, unused_mut)]
        impl<F, Fut, $($ty,)*> Handler<($($ty,)*)> for F
        where
            F: Fn($($ty,)*) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future + Send + 'static,
            Fut::Output: Send,
            $($ty: FromRequest + 'static,)*
        {
            type Output = Fut::Output;

            const BODY_READERS: usize = {
                let readers = 0 $(+ matches!(<$ty as FromRequest>::BODY, BodyUse::Reads) as usize)*;
                assert!(
                    readers <= 1,
                    "this handler or hook has two arguments that read the request body (their types are in the notes below); a body can be read once, so keep one of Json, Form, Bytes, String, Body, Multipart, MultipartForm (`Request` may stay: it runs last and gets what is left)"
                );
                readers
            };

            async fn call<'a>(&'a self, req: &'a mut Request) -> Result<Self::Output, Response> {
                // Head extractors (guards among them) first, then the body reader, then
                // `Request`, whatever their positions: an anonymous POST gets the guard's answer,
                // not the body extractor's. One await per argument, in a loop over the passes the
                // arguments need (one for the common handler that reads no body).
                $(let mut $ty: Option<$ty> = None;)*
                let (mut pass, last) = const { passes(&[$(<$ty as FromRequest>::BODY),*]) };
                loop {
                    $(
                        if <$ty as FromRequest>::BODY as u8 == pass {
                            $ty = Some(extract_arg!(req, $ty));
                        }
                    )*
                    if pass >= last {
                        break;
                    }
                    pass += 1;
                }
                Ok((self)($(filled($ty),)*).await)
            }
        }
    };
}

/// The first and last passes that some argument needs (`BodyUse` as a number).
const fn passes(uses: &[BodyUse]) -> (u8, u8) {
    let (mut first, mut last) = (u8::MAX, 0);
    let mut i = 0;
    while i < uses.len() {
        let pass = uses[i] as u8;
        if pass < first {
            first = pass;
        }
        if pass > last {
            last = pass;
        }
        i += 1;
    }
    if first > last { (0, 0) } else { (first, last) }
}

/// Makes the compiler evaluate [`Handler::BODY_READERS`] in the registration method it is written
/// in, so a handler that reads the body twice fails the build with a note at the user's line that
/// called that method (a helper function would put the note at micro's own call of it).
macro_rules! refuse_two_body_readers {
    ($handler:ty, $args:ty) => {
        let _ = <$handler as $crate::Handler<$args>>::BODY_READERS;
    };
}

pub(crate) use refuse_two_body_readers;

/// The value of an argument slot, which the passes above always fill.
#[inline(always)]
fn filled<T>(slot: Option<T>) -> T {
    match slot {
        Some(value) => value,
        None => unreachable!("every argument is extracted in one of the three passes"),
    }
}

impl_handler!();
impl_handler!(T1);
impl_handler!(T1, T2);
impl_handler!(T1, T2, T3);
impl_handler!(T1, T2, T3, T4);
impl_handler!(T1, T2, T3, T4, T5);
impl_handler!(T1, T2, T3, T4, T5, T6);
impl_handler!(T1, T2, T3, T4, T5, T6, T7);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12);

/// A handler with its argument types erased, as the router stores it.
pub(crate) trait ErasedHandler: Send + Sync {
    fn call<'a>(&'a self, req: &'a mut Request) -> BoxFuture<'a, Response>;

    /// The handler's name and where it was registered.
    fn info(&self) -> crate::routing::HandlerInfo;
}

pub(crate) struct Erased<H, Args> {
    handler: H,
    location: &'static std::panic::Location<'static>,
    _args: PhantomData<fn() -> Args>,
}

impl<H, Args> ErasedHandler for Erased<H, Args>
where
    H: Handler<Args>,
    H::Output: IntoResponse,
    Args: 'static,
{
    fn call<'a>(&'a self, req: &'a mut Request) -> BoxFuture<'a, Response> {
        Box::pin(async move {
            match self.handler.call(req).await {
                Ok(output) => output.into_response(),
                Err(rejection) => rejection,
            }
        })
    }

    fn info(&self) -> crate::routing::HandlerInfo {
        crate::routing::HandlerInfo {
            name: std::any::type_name::<H>(),
            location: self.location,
        }
    }
}

pub(crate) fn erase<H, Args>(
    handler: H,
    location: &'static std::panic::Location<'static>,
) -> std::sync::Arc<dyn ErasedHandler>
where
    H: Handler<Args>,
    H::Output: IntoResponse,
    Args: 'static,
{
    std::sync::Arc::new(Erased {
        handler,
        location,
        _args: PhantomData,
    })
}

/// The endpoint name Flask would give a view: the function's name. Closures have none.
pub(crate) fn default_name<H: 'static>() -> Option<(String, TypeId)> {
    let full = std::any::type_name::<H>();
    let last = full.rsplit("::").next()?;
    if full.contains("{{closure}}") || last.contains('{') || last.contains('<') {
        return None;
    }
    Some((last.to_owned(), TypeId::of::<H>()))
}

/// What a `before_request` hook may return: nothing (carry on), or a response that answers the
/// request instead of the view.
///
/// ```
/// use micro::{App, Request, Error, abort};
/// use http::HeaderMap;
///
/// let mut app = App::new();
/// app.before_request(|headers: HeaderMap| async move {
///     if headers.contains_key("x-blocked") {
///         return Err(abort(403));
///     }
///     Ok(())
/// });
/// ```
pub trait HookOutcome: Send {
    /// `None` to carry on, `Some(response)` to answer now.
    fn into_outcome(self) -> Option<Response>;
}

impl HookOutcome for () {
    fn into_outcome(self) -> Option<Response> {
        None
    }
}

impl<T: IntoResponse + Send> HookOutcome for Option<T> {
    fn into_outcome(self) -> Option<Response> {
        self.map(IntoResponse::into_response)
    }
}

impl<E: IntoResponse + Send> HookOutcome for Result<(), E> {
    fn into_outcome(self) -> Option<Response> {
        self.err().map(IntoResponse::into_response)
    }
}

/// A `before_request` hook with its argument types erased.
pub(crate) trait ErasedHook: Send + Sync {
    fn call<'a>(&'a self, req: &'a mut Request) -> BoxFuture<'a, Option<Response>>;
}

impl<H, Args> ErasedHook for Erased<H, Args>
where
    H: Handler<Args>,
    H::Output: HookOutcome,
    Args: 'static,
{
    fn call<'a>(&'a self, req: &'a mut Request) -> BoxFuture<'a, Option<Response>> {
        Box::pin(async move {
            match self.handler.call(req).await {
                Ok(outcome) => outcome.into_outcome(),
                Err(rejection) => Some(rejection),
            }
        })
    }
}

pub(crate) fn erase_hook<H, Args>(hook: H) -> std::sync::Arc<dyn ErasedHook>
where
    H: Handler<Args>,
    H::Output: HookOutcome,
    Args: 'static,
{
    std::sync::Arc::new(Erased {
        handler: hook,
        location: std::panic::Location::caller(),
        _args: PhantomData,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn index() -> &'static str {
        "x"
    }

    #[test]
    fn passes_span_the_arguments_body_uses() {
        use BodyUse::{Ignores, Reads, TakesRest};
        assert_eq!(passes(&[]), (0, 0));
        assert_eq!(passes(&[Ignores, Ignores]), (0, 0));
        assert_eq!(passes(&[Reads, Ignores]), (0, 1));
        assert_eq!(passes(&[TakesRest]), (2, 2));
        assert_eq!(passes(&[TakesRest, Ignores, Reads]), (0, 2));
    }

    #[test]
    fn default_name_is_the_function_name() {
        fn name_of<H: 'static>(_: &H) -> Option<String> {
            default_name::<H>().map(|(n, _)| n)
        }
        assert_eq!(name_of(&index).as_deref(), Some("index"));
        assert_eq!(name_of(&|| async { "y" }), None);
    }
}
