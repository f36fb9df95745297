//! micro's `context!`: minijinja's macro, with every value serialised, so a struct that derives
//! `Serialize` goes in as it is.

/// Builds a template context from names and values, like minijinja's `context!`, except that
/// a value may be anything that implements `Serialize`: your own structs, `Vec`s and
/// `Option`s of them, strings, numbers, maps, and other contexts.
///
/// ```
/// use micro::{Error, Html, Templates, context};
///
/// #[derive(serde::Serialize)]
/// struct Post { title: String, author: String }
///
/// async fn show(t: Templates) -> Result<Html<String>, Error> {
///     let post = Post { title: "Hello".into(), author: "ada".into() };
///     let drafts: Vec<Post> = Vec::new();
///     let pinned: Option<Post> = None;
///     t.render("post.html", context! { post, drafts, pinned, page => 1 })
/// }
/// ```
///
/// `name` alone means `name => name`. Values are borrowed, not moved. `..value` merges the
/// fields of a map or struct into the context; the names given first win over merged ones, and
/// earlier merges over later ones:
///
/// ```
/// # #[derive(serde::Serialize)] struct Post { title: String }
/// let post = Post { title: "Hello".into() };
/// let ctx = micro::context! { title => "Overridden", ..post };
/// assert_eq!(ctx.get_attr("title").unwrap().as_str(), Some("Overridden"));
/// ```
///
/// The result is a [`minijinja::Value`](crate::minijinja::Value).
#[macro_export]
macro_rules! context {
    (
        $($key:ident $(=> $value:expr)?),*
        $(, .. $merged:expr)* $(,)?
    ) => {
        $crate::__context_support::build(
            [$((
                ::core::stringify!($key),
                $crate::__context_support::value(&$crate::__context_value!($key $(=> $value)?)),
            ),)*],
            [$($crate::__context_support::value(&$merged),)*],
        )
    };
    ($(.. $merged:expr),* $(,)?) => {
        $crate::__context_support::build(
            [],
            [$($crate::__context_support::value(&$merged),)*],
        )
    };
}

/// `name` alone stands for `name => name`.
#[doc(hidden)]
#[macro_export]
macro_rules! __context_value {
    ($key:ident) => {
        $key
    };
    ($key:ident => $value:expr) => {
        $value
    };
}

/// What `context!` expands to; not a public API.
#[doc(hidden)]
pub mod support {
    use minijinja::value::{Serde, Value, merge_maps};
    use serde::Serialize;

    /// One value of a context. A `Serialize` bound (not minijinja's `Into<Value>`) is what lets
    /// a derived struct in; serde's own note on the missing trait then names the derive.
    pub fn value<T: Serialize + ?Sized>(value: &T) -> Value {
        Value::from(Serde(value))
    }

    /// The named values (a later duplicate name wins, as in minijinja), over the merged ones,
    /// the earlier over the later. `merge_maps` lets the last value win, hence the order.
    pub fn build<const N: usize, const M: usize>(
        pairs: [(&'static str, Value); N],
        merged: [Value; M],
    ) -> Value {
        let own = Value::from_pairs(pairs);
        if M == 0 {
            own
        } else {
            merge_maps(merged.into_iter().rev().chain(std::iter::once(own)))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    #[derive(Serialize)]
    struct Post {
        title: &'static str,
        tags: Vec<&'static str>,
    }

    fn render(source: &str, ctx: minijinja::Value) -> String {
        minijinja::Environment::new()
            .render_str(source, ctx)
            .unwrap()
    }

    #[test]
    fn serialize_values_go_in_as_they_are() {
        let post = Post {
            title: "Hi",
            tags: vec!["a", "b"],
        };
        let posts = vec![Post {
            title: "One",
            tags: vec![],
        }];
        let none: Option<Post> = None;
        let ctx = crate::context! { post, posts, none, n => 2 + 1 };
        assert_eq!(
            render(
                "{{ post.title }} {{ post.tags|join(',') }} {{ posts[0].title }} {{ none is none }} {{ n }}",
                ctx
            ),
            "Hi a,b One True 3"
        );
        // Still usable: the macro borrowed it.
        assert_eq!(post.title, "Hi");
    }

    #[test]
    fn contexts_nest_and_merge_with_names_first() {
        let base = crate::context! { site => "micro", title => "base" };
        let ctx = crate::context! { title => "page", inner => crate::context! { x => 1 }, ..base };
        assert_eq!(
            render("{{ title }} {{ site }} {{ inner.x }}", ctx),
            "page micro 1"
        );
        let only_merged =
            crate::context! { ..crate::context! { a => 1 }, ..crate::context! { a => 2, b => 3 } };
        assert_eq!(render("{{ a }}{{ b }}", only_merged), "13");
        assert_eq!(render("[{{ x }}]", crate::context! {}), "[]");
        assert_eq!(render("{{ a }}", crate::context! { a => 1, a => 2 }), "2");
    }
}
