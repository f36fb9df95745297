//! `ModelAdmin`: how one model shows in the admin (Django's `ModelAdmin` options). Every name
//! is checked against the model's metadata when the model is registered, so a typo stops the
//! program at start-up with the name in the message, never a request.

use std::marker::PhantomData;
use std::sync::Arc;

use super::actions::Action;
use super::inlines::{ErasedInline, Inline};
use crate::model::Model;
use crate::query::FieldPath;

/// Django's default `list_per_page`.
const LIST_PER_PAGE: u64 = 100;
/// Django's default `list_max_show_all`.
const LIST_MAX_SHOW_ALL: u64 = 200;

/// The admin options of model `M`, built like Django's `ModelAdmin` class attributes.
///
/// ```
/// use fullstack::Model;
/// use fullstack::admin::ModelAdmin;
///
/// #[derive(Model)]
/// struct Question {
///     id: i64,
///     #[field(max_length = 200)]
///     question_text: String,
///     is_open: bool,
/// }
///
/// let admin = ModelAdmin::<Question>::new()
///     .list_display(["question_text", "is_open"])
///     .list_filter(["is_open"])
///     .search_fields(["question_text"])
///     .list_per_page(50);
/// # let _ = admin;
/// ```
pub struct ModelAdmin<M> {
    pub(crate) list_display: Vec<FieldPath<M>>,
    pub(crate) list_filter: Vec<FieldPath<M>>,
    pub(crate) search_fields: Vec<FieldPath<M>>,
    pub(crate) ordering: Vec<String>,
    /// The fields of the add and change forms: `Some((names, true))` for only these,
    /// `Some((names, false))` for all but these, `None` for every editable field.
    pub(crate) form_fields: Option<(Vec<&'static str>, bool)>,
    pub(crate) list_per_page: u64,
    pub(crate) list_max_show_all: u64,
    pub(crate) inlines: Vec<Arc<dyn ErasedInline<M>>>,
    /// Columns computed from the row, after the `list_display` ones: (label, how).
    pub(crate) computed: Vec<(String, ComputedColumn<M>)>,
    pub(crate) actions: Vec<Action<M>>,
    pub(crate) readonly_fields: Vec<&'static str>,
    /// The form's fields in titled groups (`None`: untitled).
    pub(crate) fieldsets: Vec<(Option<String>, Vec<&'static str>)>,
    /// How a row is called on the pages (Django's `__str__`); `None`: "Question object (3)".
    pub(crate) label: Option<ComputedColumn<M>>,
    pub(crate) date_hierarchy: Option<FieldPath<M>>,
    pub(crate) list_editable: Vec<&'static str>,
    /// Foreign keys edited through a search of the related model's admin.
    pub(crate) autocomplete_fields: Vec<&'static str>,
    _model: PhantomData<fn() -> M>,
}

/// A change list column computed from the row (Django's `list_display` method).
pub(crate) type ComputedColumn<M> = Arc<dyn Fn(&M) -> String + Send + Sync>;

impl<M: Model> Default for ModelAdmin<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Model> ModelAdmin<M> {
    /// The defaults: every field shown in the list, no filters, no search, 100 rows a page.
    pub fn new() -> Self {
        let list_display = M::META
            .fields
            .iter()
            .filter(|f| shown_by_default(f.ty))
            .map(|f| path::<M>("list_display", f.name))
            .collect();
        ModelAdmin {
            list_display,
            list_filter: Vec::new(),
            search_fields: Vec::new(),
            ordering: Vec::new(),
            form_fields: None,
            list_per_page: LIST_PER_PAGE,
            list_max_show_all: LIST_MAX_SHOW_ALL,
            inlines: Vec::new(),
            computed: Vec::new(),
            actions: Vec::new(),
            readonly_fields: Vec::new(),
            fieldsets: Vec::new(),
            label: None,
            date_hierarchy: None,
            list_editable: Vec::new(),
            autocomplete_fields: Vec::new(),
            _model: PhantomData,
        }
    }

    /// The columns of the change list, by field name; `"question__question_text"` reaches
    /// across a foreign key. The first column links to the change form.
    ///
    /// # Panics
    /// When a name is not a field (path) of the model.
    #[must_use]
    pub fn list_display<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.list_display = names
            .into_iter()
            .map(|n| path::<M>("list_display", n))
            .collect();
        self
    }

    /// How the admin calls a row in its headings, messages, confirmation pages and history
    /// (Django's `__str__`): "The question “What's up?” was changed successfully." instead of
    /// "Question object (3)", the default.
    ///
    /// ```
    /// # use fullstack::Model;
    /// # use fullstack::admin::ModelAdmin;
    /// # #[derive(Model)]
    /// # struct Question { id: i64, #[field(max_length = 200)] question_text: String }
    /// let admin = ModelAdmin::<Question>::new().label(|q: &Question| q.question_text.clone());
    /// # let _ = admin;
    /// ```
    #[must_use]
    pub fn label(mut self, label: impl Fn(&M) -> String + Send + Sync + 'static) -> Self {
        self.label = Some(Arc::new(label));
        self
    }

    /// A column computed from each row, after the `list_display` columns (Django's method in
    /// `list_display` with `@admin.display(description=...)`): what `value` returns, escaped
    /// in the page. It costs no query (the row is read already) and the list cannot be ordered
    /// on it.
    ///
    /// ```
    /// # use fullstack::Model;
    /// # use fullstack::admin::ModelAdmin;
    /// # #[derive(Model)]
    /// # struct Question { id: i64, #[field(max_length = 200)] question_text: String }
    /// let admin = ModelAdmin::<Question>::new()
    ///     .list_display(["question_text"])
    ///     .column("Length", |q: &Question| q.question_text.chars().count().to_string());
    /// # let _ = admin;
    /// ```
    #[must_use]
    pub fn column(
        mut self,
        label: impl Into<String>,
        value: impl Fn(&M) -> String + Send + Sync + 'static,
    ) -> Self {
        self.computed.push((label.into(), Arc::new(value)));
        self
    }

    /// An action of the change list on the selected rows (Django's `actions`): `run` gets the
    /// database and the rows and returns the message the user sees ("3 questions were
    /// published."). It is offered to users with the `permission` of the model (`"view"`,
    /// `"add"`, `"change"` or `"delete"`), which is checked again when the action is posted.
    ///
    /// ```
    /// # use fullstack::Model;
    /// # use fullstack::admin::ModelAdmin;
    /// # use fullstack::query::prelude::*;
    /// # #[derive(Model)]
    /// # struct Question { id: i64, #[field(max_length = 200)] question_text: String, is_open: bool }
    /// let admin = ModelAdmin::<Question>::new().action(
    ///     "close",
    ///     "Close the selected questions",
    ///     "change",
    ///     |db, rows: Vec<Question>| async move {
    ///         let ids: Vec<i64> = rows.iter().map(|q| q.id).collect();
    ///         let n = Question::objects()
    ///             .filter(Question::ID.is_in(ids))
    ///             .update(&db, [Question::IS_OPEN.set(false)])
    ///             .await?;
    ///         Ok(format!("{n} questions were closed."))
    ///     },
    /// );
    /// # let _ = admin;
    /// ```
    ///
    /// # Panics
    /// When `name` is taken (`delete_selected` is) or `permission` is not one of the four.
    #[must_use]
    pub fn action<F, Fut>(
        mut self,
        name: &'static str,
        description: impl Into<String>,
        permission: &'static str,
        run: F,
    ) -> Self
    where
        F: Fn(crate::Database, Vec<M>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<String, crate::Error>> + Send + 'static,
    {
        assert!(
            name != super::delete::DELETE_SELECTED && !self.actions.iter().any(|a| a.name == name),
            "admin: {}'s action {name:?} is defined twice",
            M::META.name
        );
        assert!(
            ["view", "add", "change", "delete"].contains(&permission),
            "admin: {}'s action {name:?} needs {permission:?}, which is not view, add, change or delete",
            M::META.name
        );
        self.actions
            .push(Action::new(name, description.into(), permission, run));
        self
    }

    /// Links above the change list that drill down by this date field: its years, then the
    /// months of the year chosen, then the days (Django's `date_hierarchy`); each level lists
    /// only dates the rows have, in one query.
    ///
    /// # Panics
    /// When the name is not a date or moment field (path) of the model.
    #[must_use]
    pub fn date_hierarchy(mut self, name: &str) -> Self {
        let path = path::<M>("date_hierarchy", name);
        assert!(
            path.year().is_ok(),
            "admin: {}'s date_hierarchy names {name:?}, which is not a date",
            M::META.name
        );
        self.date_hierarchy = Some(path);
        self
    }

    /// Columns of the change list edited in place, saved for every row of the page with one
    /// button (Django's `list_editable`), for users with the change permission. Each must be a
    /// field of `list_display` (set it first), and not the first column, which links to the
    /// row.
    ///
    /// # Panics
    /// When a name is not one of the `list_display` fields, or is the first column.
    #[must_use]
    pub fn list_editable(mut self, names: &[&'static str]) -> Self {
        for name in names {
            let at = self
                .list_display
                .iter()
                .position(|p| p.depth() == 0 && p.name() == *name);
            assert!(
                at.is_some_and(|at| at > 0),
                "admin: {}'s list_editable names {name:?}, which is not a list_display field after the first",
                M::META.name
            );
        }
        self.list_editable = names.to_vec();
        self
    }

    /// The fields the change list can be filtered on, in the side bar: booleans, fields with
    /// `choices`, foreign keys and dates. Only these (and no other field) can be filtered on
    /// through the query string, so a visitor cannot probe fields the admin does not show.
    ///
    /// # Panics
    /// When a name is not a field (path) of the model.
    #[must_use]
    pub fn list_filter<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.list_filter = names
            .into_iter()
            .map(|n| path::<M>("list_filter", n))
            .collect();
        self
    }

    /// The fields the search box looks in, case-insensitively; each word of the search must be
    /// in one of them (Django's `search_fields` with `icontains`).
    ///
    /// # Panics
    /// When a name is not a field (path) of the model.
    #[must_use]
    pub fn search_fields<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.search_fields = names
            .into_iter()
            .map(|n| path::<M>("search_fields", n))
            .collect();
        self
    }

    /// The change list's order when no column was clicked: `"-pub_date"` is descending. By
    /// default the model's ordering, else newest primary key first.
    ///
    /// # Panics
    /// When a name is not a field (path) of the model.
    #[must_use]
    pub fn ordering<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.ordering = names
            .into_iter()
            .map(|n| {
                let bare = n.strip_prefix('-').unwrap_or(n);
                path::<M>("ordering", bare);
                n.to_owned()
            })
            .collect();
        self
    }

    /// The fields of the add and change forms, in this order (Django's `fields`).
    ///
    /// # Panics
    /// When a name is not a field of the model.
    #[must_use]
    pub fn fields(mut self, names: &[&'static str]) -> Self {
        self.form_fields = Some((checked::<M>("fields", names), true));
        self
    }

    /// Foreign keys edited by searching the related model rather than with a select of all
    /// its rows (Django's `autocomplete_fields`), for big tables: the input holds the related
    /// row's key, with its label beside it, and a submitted key costs one query to check.
    /// With JavaScript, a search box beside it asks `/admin/autocomplete/` for the rows whose
    /// [`search_fields`](Self::search_fields) match, 20 at a time, checking that the user may
    /// view the related model; without it, the key is typed in. The related model must be
    /// registered with `search_fields` (checked when the admin app is made).
    ///
    /// ```
    /// use fullstack::admin::ModelAdmin;
    /// use fullstack::{ForeignKey, Model};
    ///
    /// #[derive(Model)]
    /// #[model(app = "shop")]
    /// struct Customer {
    ///     id: i64,
    ///     #[field(max_length = 100)]
    ///     name: String,
    /// }
    ///
    /// #[derive(Model)]
    /// #[model(app = "shop")]
    /// struct Order {
    ///     id: i64,
    ///     #[field(on_delete = cascade)]
    ///     customer: ForeignKey<Customer>,
    /// }
    ///
    /// let customers = ModelAdmin::<Customer>::new().search_fields(["name"]);
    /// let orders = ModelAdmin::<Order>::new().autocomplete_fields(&["customer"]);
    /// # let _ = (customers, orders);
    /// ```
    ///
    /// # Panics
    /// When a name is not a foreign key of the model.
    #[must_use]
    pub fn autocomplete_fields(mut self, names: &[&'static str]) -> Self {
        for name in checked::<M>("autocomplete_fields", names) {
            assert!(
                M::META.field(name).is_some_and(|f| f.relation.is_some()),
                "admin: {}'s autocomplete_fields names {name:?}, which is not a foreign key",
                M::META.name
            );
            self.autocomplete_fields.push(name);
        }
        self
    }

    /// Fields shown on the add and change pages as text, not as inputs (Django's
    /// `readonly_fields`): a POST cannot change them, whatever it carries.
    ///
    /// # Panics
    /// When a name is not a field of the model.
    #[must_use]
    pub fn readonly_fields(mut self, names: &[&'static str]) -> Self {
        self.readonly_fields = checked::<M>("readonly_fields", names);
        self
    }

    /// The add and change forms' fields in groups, each a `<fieldset>` with its title (Django's
    /// `fieldsets`, as in its tutorial part 7); the fields named are the form's fields, in this
    /// order (read-only ones may be among them). Replaces [`fields`](Self::fields).
    ///
    /// ```
    /// # use chrono::{DateTime, Utc};
    /// # use fullstack::Model;
    /// # use fullstack::admin::ModelAdmin;
    /// # #[derive(Model)]
    /// # struct Question { id: i64, #[field(max_length = 200)] question_text: String, pub_date: DateTime<Utc> }
    /// let admin = ModelAdmin::<Question>::new().fieldsets(&[
    ///     (None, &["question_text"]),
    ///     (Some("Date information"), &["pub_date"]),
    /// ]);
    /// # let _ = admin;
    /// ```
    ///
    /// # Panics
    /// When a name is not a field of the model, or is named twice.
    #[must_use]
    pub fn fieldsets(mut self, groups: &[(Option<&str>, &[&'static str])]) -> Self {
        let mut all: Vec<&'static str> = Vec::new();
        for (_, names) in groups {
            for name in checked::<M>("fieldsets", names) {
                assert!(
                    !all.contains(&name),
                    "admin: {}'s fieldsets name {name:?} twice",
                    M::META.name
                );
                all.push(name);
            }
        }
        self.fieldsets = groups
            .iter()
            .map(|(title, names)| (title.map(str::to_owned), names.to_vec()))
            .collect();
        self.form_fields = Some((all, true));
        self
    }

    /// Every editable field in the add and change forms but these (Django's `exclude`).
    ///
    /// # Panics
    /// When a name is not a field of the model.
    #[must_use]
    pub fn exclude(mut self, names: &[&'static str]) -> Self {
        self.form_fields = Some((checked::<M>("exclude", names), false));
        self
    }

    /// Edits the rows of another model that point at this one on this model's page, saved
    /// with it in one transaction (Django's `inlines`): a question's choices.
    ///
    /// # Panics
    /// When the inline's foreign key does not point at `M`.
    #[must_use]
    pub fn inline<C: Model>(mut self, inline: Inline<C>) -> Self {
        let points_here = C::META
            .field(inline.fk)
            .and_then(|f| f.relation)
            .is_some_and(|r| (r.to)().table == M::META.table);
        assert!(
            points_here,
            "admin: {}'s inline {}.{} is not a foreign key to {}",
            M::META.name,
            C::META.name,
            inline.fk,
            M::META.name
        );
        self.inlines.push(Arc::new(inline));
        self
    }

    /// Rows on a page of the change list (100).
    #[must_use]
    pub fn list_per_page(mut self, n: u64) -> Self {
        self.list_per_page = n.max(1);
        self
    }

    /// The most rows the "Show all" link shows on one page (200); above it the link is not
    /// offered and `?all` is ignored.
    #[must_use]
    pub fn list_max_show_all(mut self, n: u64) -> Self {
        self.list_max_show_all = n;
        self
    }
}

fn shown_by_default(ty: crate::db::ColumnType) -> bool {
    !matches!(
        ty,
        crate::db::ColumnType::Json | crate::db::ColumnType::Binary
    )
}

fn path<M: Model>(option: &str, name: &str) -> FieldPath<M> {
    FieldPath::parse(name)
        .unwrap_or_else(|e| panic!("admin: {}'s {option} names {name:?}: {e}", M::META.name))
}

fn checked<M: Model>(option: &str, names: &[&'static str]) -> Vec<&'static str> {
    for name in names {
        assert!(
            M::META.field(name).is_some(),
            "admin: {}'s {option} names {name:?}, which is not one of its fields",
            M::META.name
        );
    }
    names.to_vec()
}
