//! Request-local storage, Flask's `g`.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::extract::FromRequest;
use crate::{Error, Request};

/// Storage that lives for one request and is shared by its hooks, handler, after-request hooks
/// and error handlers, like Flask's `g`. Values are stored by type.
///
/// ```
/// use micro::{App, G};
///
/// #[derive(Clone)]
/// struct User(String);
///
/// let mut app = App::new();
/// app.before_request(|g: G| async move {
///     g.insert(User("ada".into()));
/// });
/// app.get("/me", |g: G| async move {
///     g.get::<User>().map(|u| u.0).unwrap_or_default()
/// });
/// ```
#[derive(Clone, Default)]
pub struct G {
    values: Arc<Mutex<HashMap<TypeId, Box<dyn Any + Send>>>>,
}

impl G {
    /// Stores `value`, replacing any earlier value of the same type.
    pub fn insert<T: Send + 'static>(&self, value: T) {
        self.lock().insert(TypeId::of::<T>(), Box::new(value));
    }

    /// A clone of the stored value of type `T`.
    pub fn get<T: Clone + Send + 'static>(&self) -> Option<T> {
        self.lock()
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref::<T>())
            .cloned()
    }

    /// Takes the stored value of type `T` out.
    pub fn remove<T: Send + 'static>(&self) -> Option<T> {
        self.lock()
            .remove(&TypeId::of::<T>())
            .and_then(|v| v.downcast::<T>().ok())
            .map(|b| *b)
    }

    /// Whether a value of type `T` is stored.
    pub fn contains<T: Send + 'static>(&self) -> bool {
        self.lock().contains_key(&TypeId::of::<T>())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TypeId, Box<dyn Any + Send>>> {
        // A panicking handler cannot leave the map half-written (each call is one insert or
        // remove), so a poisoned lock is safe to keep using.
        self.values.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for G {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("G")
            .field("values", &self.lock().len())
            .finish()
    }
}

impl FromRequest for G {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        Ok(req.g())
    }
}
