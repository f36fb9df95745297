//! Request-local storage, Flask's `g`.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::extract::FromRequest;
use crate::{Error, Request};

/// Storage that lives for one request and is shared by its hooks, handler, after-request hooks
/// and error handlers, like Flask's `g`. Values are stored by type, or by name for the ones
/// templates should see as `{{ g.name }}`.
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
    values: Arc<Mutex<Values>>,
}

#[derive(Default)]
struct Values {
    by_type: HashMap<TypeId, Box<dyn Any + Send>>,
    by_name: HashMap<Box<str>, Box<dyn Named>>,
}

/// A value stored by name: readable as its own type, and serialisable for templates.
trait Named: Send {
    fn as_any(&self) -> &dyn Any;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
    #[cfg(feature = "templates")]
    fn to_template_value(&self) -> minijinja::Value;
}

impl<T: Serialize + Send + 'static> Named for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }

    #[cfg(feature = "templates")]
    fn to_template_value(&self) -> minijinja::Value {
        minijinja::Value::from(minijinja::value::Serde(self))
    }
}

impl G {
    /// Stores `value`, replacing any earlier value of the same type.
    pub fn insert<T: Send + 'static>(&self, value: T) {
        self.lock()
            .by_type
            .insert(TypeId::of::<T>(), Box::new(value));
    }

    /// A clone of the stored value of type `T`.
    pub fn get<T: Clone + Send + 'static>(&self) -> Option<T> {
        self.lock()
            .by_type
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref::<T>())
            .cloned()
    }

    /// Takes the stored value of type `T` out.
    pub fn remove<T: Send + 'static>(&self) -> Option<T> {
        self.lock()
            .by_type
            .remove(&TypeId::of::<T>())
            .and_then(|v| v.downcast::<T>().ok())
            .map(|b| *b)
    }

    /// Whether a value of type `T` is stored.
    pub fn contains<T: Send + 'static>(&self) -> bool {
        self.lock().by_type.contains_key(&TypeId::of::<T>())
    }

    /// Stores `value` under `name`, replacing any earlier value of that name, like Flask's
    /// `g.name = value`. Templates rendered for this request see it as `{{ g.name }}`,
    /// serialised when they render (so a change made before then shows); handlers read it
    /// back with [`get_named`](Self::get_named). Named values are apart from the ones stored
    /// by type.
    ///
    /// ```
    /// use micro::{App, G, Templates};
    ///
    /// #[derive(Clone, serde::Serialize)]
    /// struct User { username: String }
    ///
    /// let mut app = App::new();
    /// app.before_request(|g: G| async move {
    ///     g.insert_named("user", User { username: "ada".into() });
    /// });
    /// app.add_template("nav.html", "{% if g.user %}Hello, {{ g.user.username }}{% endif %}").unwrap();
    /// app.get("/", |t: Templates| async move { t.render("nav.html", ()) });
    /// ```
    pub fn insert_named<T: Serialize + Send + 'static>(&self, name: &str, value: T) {
        self.lock().by_name.insert(name.into(), Box::new(value));
    }

    /// A clone of the value stored under `name`, if there is one of type `T`.
    pub fn get_named<T: Clone + Send + 'static>(&self, name: &str) -> Option<T> {
        self.lock()
            .by_name
            .get(name)
            .and_then(|v| v.as_any().downcast_ref::<T>())
            .cloned()
    }

    /// Takes the value stored under `name` out, if there is one of type `T` (a value of another
    /// type stays).
    pub fn remove_named<T: Send + 'static>(&self, name: &str) -> Option<T> {
        let mut values = self.lock();
        if !values.by_name.get(name)?.as_any().is::<T>() {
            return None;
        }
        let value = values.by_name.remove(name)?;
        value.into_any().downcast::<T>().ok().map(|b| *b)
    }

    /// The named values as templates see them, serialised now.
    #[cfg(feature = "templates")]
    pub(crate) fn template_values(&self) -> Vec<(String, minijinja::Value)> {
        self.lock()
            .by_name
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_template_value()))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Values> {
        // A panicking handler cannot leave the maps half-written (each call is one insert or
        // remove), so a poisoned lock is safe to keep using.
        self.values.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for G {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let values = self.lock();
        f.debug_struct("G")
            .field("values", &values.by_type.len())
            .field("names", &values.by_name.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl FromRequest for G {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        Ok(req.g())
    }
}

#[cfg(test)]
mod tests {
    use super::G;

    #[test]
    fn named_values_are_apart_from_typed_ones() {
        let g = G::default();
        g.insert(1u32);
        g.insert_named("count", 2u32);
        assert_eq!(g.get::<u32>(), Some(1));
        assert_eq!(g.get_named::<u32>("count"), Some(2));
        assert_eq!(g.get_named::<String>("count"), None);
        assert_eq!(g.remove_named::<String>("count"), None, "wrong type");
        assert_eq!(g.remove_named::<u32>("count"), Some(2));
        assert_eq!(g.get_named::<u32>("count"), None);
        assert_eq!(g.get::<u32>(), Some(1));
    }
}
