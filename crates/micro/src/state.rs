//! Shared application state, looked up by type.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::ops::Deref;

use crate::extract::FromRequest;
use crate::{Error, Request};

/// Values registered once on the app and shared by every request, stored by type.
#[derive(Default)]
pub(crate) struct StateMap {
    values: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl StateMap {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.values.insert(TypeId::of::<T>(), Box::new(value));
    }

    pub(crate) fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.values.get(&TypeId::of::<T>())?.downcast_ref()
    }
}

/// Extracts shared state registered with [`App::state`](crate::App::state).
///
/// `T` is cloned for each request, so share heavy things through an `Arc` (database pools are
/// already cheap handles).
///
/// ```
/// use micro::{App, State};
///
/// #[derive(Clone)]
/// struct Config { greeting: &'static str }
///
/// let mut app = App::new();
/// app.state(Config { greeting: "hello" });
/// app.get("/", |State(config): State<Config>| async move { config.greeting });
/// ```
///
/// A handler asking for state that was never registered gets a 500 whose logged cause names the
/// missing type.
#[derive(Debug, Clone, Copy, Default)]
pub struct State<T>(pub T);

impl<T> Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone + Send + Sync + 'static> FromRequest for State<T> {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        match req.state::<T>() {
            Some(value) => Ok(State(value.clone())),
            None => Err(Error::internal(format!(
                "State<{0}> was requested but never registered: call app.state({0} {{ .. }}) before serving",
                std::any::type_name::<T>()
            ))),
        }
    }
}
