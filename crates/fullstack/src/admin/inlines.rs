//! Inlines: the rows of another model that point at the edited one, edited on its page
//! (Django's `InlineModelAdmin`: a question's choices). Each is an
//! [`InlineFormSet`](crate::forms::InlineFormSet), checked with the parent's form and saved
//! with it in one transaction. The inline's rows answer to their own model's permissions, as
//! in Django: without view (or change) the inline is not on the page and its part of a POST is
//! ignored; without add there are no blank forms, without delete no delete boxes, and a POST
//! that adds, changes or deletes rows beyond the permissions is refused whole (403).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use super::site::{AdminSite, relations_as_admin_shows};
use crate::db::Transaction;
use crate::forms::{BoundFormSet, FormData, InlineChanges, InlineFormSet, ModelFields, ModelForm};
use crate::model::Model;
use crate::{Database, Error};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A submitted inline: checked and waiting for its parent, or its formset with the errors.
pub(crate) type Submitted<P> = Result<Box<dyn PendingInline<P>>, BoundFormSet>;

/// Django's `InlineModelAdmin.extra`.
const EXTRA: usize = 3;

/// What the user may do with an inline's rows: the child model's own permissions (Django's
/// `InlineModelAdmin.has_*_permission`), checked on the server whatever the page showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InlinePerms {
    pub(crate) view: bool,
    pub(crate) add: bool,
    pub(crate) change: bool,
    pub(crate) delete: bool,
}

impl InlinePerms {
    /// Whether the inline is on the page at all: view or change (which implies view).
    pub(crate) fn shown(self) -> bool {
        self.view || self.change
    }
}

/// The permissions of the user on a child model, asked by its metadata.
pub(crate) type PermsOf<'a> = &'a (dyn Fn(&'static crate::model::ModelMeta) -> InlinePerms + Sync);

/// The rows of `C` on the page of the model `C`'s foreign key points at, given to
/// [`ModelAdmin::inline`](super::ModelAdmin::inline).
///
/// ```
/// use fullstack::admin::{Inline, ModelAdmin};
/// use fullstack::{ForeignKey, Model};
///
/// #[derive(Model)]
/// #[model(app = "polls")]
/// struct Question { id: i64, #[field(max_length = 200)] question_text: String }
///
/// #[derive(Model)]
/// #[model(app = "polls")]
/// struct Choice {
///     id: i64,
///     #[field(on_delete = cascade)]
///     question: ForeignKey<Question>,
///     #[field(max_length = 200)]
///     choice_text: String,
///     votes: i32,
/// }
///
/// let admin = ModelAdmin::<Question>::new()
///     .inline(Inline::<Choice>::new("question").fields(&["choice_text", "votes"]).extra(3));
/// # let _ = admin;
/// ```
pub struct Inline<C> {
    pub(crate) fk: &'static str,
    fields: Option<Vec<&'static str>>,
    extra: usize,
    max_num: Option<usize>,
    can_delete: bool,
    tabular: bool,
    autocomplete_fields: Vec<&'static str>,
    _child: PhantomData<fn() -> C>,
}

impl<C: Model> Inline<C> {
    /// The rows of `C` whose foreign key `fk` points at the edited row: every editable field,
    /// three blank forms, each row deletable (Django's defaults).
    ///
    /// # Panics
    /// When `fk` is not a foreign key of `C` (checked again against the parent at
    /// [`ModelAdmin::inline`](super::ModelAdmin::inline)).
    pub fn new(fk: &'static str) -> Self {
        assert!(
            C::META.field(fk).is_some_and(|f| f.relation.is_some()),
            "admin: inline {}: {fk:?} is not one of its foreign keys",
            C::META.name
        );
        Inline {
            fk,
            fields: None,
            extra: EXTRA,
            max_num: None,
            can_delete: true,
            tabular: false,
            autocomplete_fields: Vec::new(),
            _child: PhantomData,
        }
    }

    /// Only these fields, in this order (Django's `fields`).
    ///
    /// # Panics
    /// When a name is not a field of `C`.
    #[must_use]
    pub fn fields(mut self, names: &[&'static str]) -> Self {
        for name in names {
            assert!(
                C::META.field(name).is_some(),
                "admin: inline {}'s fields name {name:?}, which is not one of its fields",
                C::META.name
            );
        }
        self.fields = Some(names.to_vec());
        self
    }

    /// Blank forms shown for new rows (3).
    #[must_use]
    pub fn extra(mut self, n: usize) -> Self {
        self.extra = n;
        self
    }

    /// The most rows the inline holds (Django's `max_num`); more are refused with Django's
    /// message.
    #[must_use]
    pub fn max_num(mut self, n: usize) -> Self {
        self.max_num = Some(n);
        self
    }

    /// Shows the rows as a table, one row per line under the fields' names (Django's
    /// `TabularInline`), instead of one form under the other (`StackedInline`, the default).
    #[must_use]
    pub fn tabular(mut self) -> Self {
        self.tabular = true;
        self
    }

    /// Foreign keys of `C` (not the one to the parent) edited through a search rather than a
    /// select of every row, as [`ModelAdmin::autocomplete_fields`](super::ModelAdmin::autocomplete_fields)
    /// does for the parent's own: an order's lines pick their product among thousands. The
    /// related model's admin must have `search_fields` (checked at start-up).
    ///
    /// # Panics
    /// When a name is not a foreign key of `C`, or is the one to the parent.
    #[must_use]
    pub fn autocomplete_fields(mut self, names: &[&'static str]) -> Self {
        for name in names {
            assert!(
                C::META.field(name).is_some_and(|f| f.relation.is_some()) && *name != self.fk,
                "admin: inline {}'s autocomplete_fields names {name:?}, which is not one of its \
                 foreign keys to another model than the parent",
                C::META.name
            );
            self.autocomplete_fields.push(name);
        }
        self
    }

    /// Whether rows can be deleted from the inline (true).
    #[must_use]
    pub fn can_delete(mut self, yes: bool) -> Self {
        self.can_delete = yes;
        self
    }

    /// The formset as a user with `perms` may use it: no blank forms without the add
    /// permission, no delete boxes without the delete one.
    async fn formset<P: Model>(
        &self,
        site: &AdminSite,
        db: &Database,
        perms: InlinePerms,
    ) -> Result<InlineFormSet<P, C>, Error> {
        // The foreign key to the parent is never a field of the forms (Django's `fk_name` is
        // excluded): the formset sets it to the row being edited.
        let named: Vec<&'static str>;
        let fk = [self.fk];
        let fields = match &self.fields {
            Some(names) => {
                named = names.iter().copied().filter(|n| *n != self.fk).collect();
                ModelFields::Only(&named)
            }
            None => ModelFields::Exclude(&fk),
        };
        let extra = if perms.add { self.extra } else { 0 };
        let (max_num, can_delete) = (self.max_num, self.can_delete && perms.delete);
        let builder = ModelForm::<C>::builder(fields);
        let builder =
            relations_as_admin_shows(site, db, builder, &self.autocomplete_fields).await?;
        InlineFormSet::<P, C>::build_from(db, self.fk, builder, |f| {
            let f = f.extra(extra).can_delete(can_delete);
            match max_num {
                Some(n) => f.max_num(n).validate_max(true),
                None => f,
            }
        })
        .await
    }
}

/// An inline as the parent's admin holds it, its child model erased.
pub(crate) trait ErasedInline<P>: Send + Sync {
    /// The child model, whose permissions apply to the inline's rows.
    fn child(&self) -> &'static crate::model::ModelMeta;
    /// The child model's plural name, for the inline's heading.
    fn title(&self) -> String;
    /// Whether it shows as a table.
    fn tabular(&self) -> bool;
    /// The child's foreign keys edited through a search.
    fn autocomplete_fields(&self) -> &[&'static str];
    /// The formset of `parent`'s rows (none for a new row), as a user with `perms` sees it.
    fn shown<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        parent: Option<&'a P>,
        perms: InlinePerms,
    ) -> BoxFuture<'a, Result<BoundFormSet, Error>>;
    /// Binds and checks the POST's part for this inline; nothing saved. `Ok(None)` when it
    /// adds, changes or deletes rows where `perms` does not allow it.
    fn submit<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        parent: Option<&'a P>,
        data: FormData,
        perms: InlinePerms,
    ) -> BoxFuture<'a, Result<Option<Submitted<P>>, Error>>;
    /// The names the inline's part of a POST starts with (`<prefix>-`).
    fn prefix(&self) -> &'static str;
}

/// A checked inline waiting for its parent to be saved.
pub(crate) trait PendingInline<P>: Send {
    /// The formset as sent, when the page is shown again for another form's errors.
    fn into_formset(self: Box<Self>) -> BoundFormSet;

    /// Saves it in `tx`, pointing at `parent`: what changed, for the history ("Added 2
    /// choices.").
    fn save<'a>(
        self: Box<Self>,
        tx: &'a mut Transaction<'static>,
        parent: &'a P,
    ) -> BoxFuture<'a, Result<Vec<String>, Error>>;
}

impl<P: Model, C: Model> ErasedInline<P> for Inline<C> {
    fn child(&self) -> &'static crate::model::ModelMeta {
        C::META
    }

    fn title(&self) -> String {
        super::changelist::capfirst(&C::META.verbose_name_plural())
    }

    fn prefix(&self) -> &'static str {
        C::META.table
    }

    fn tabular(&self) -> bool {
        self.tabular
    }

    fn autocomplete_fields(&self) -> &[&'static str] {
        &self.autocomplete_fields
    }

    fn shown<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        parent: Option<&'a P>,
        perms: InlinePerms,
    ) -> BoxFuture<'a, Result<BoundFormSet, Error>> {
        Box::pin(async move {
            let formset = self.formset::<P>(site, db, perms).await?;
            match parent {
                Some(parent) => formset.for_parent(db, parent).await,
                None => Ok(formset.unbound()),
            }
        })
    }

    fn submit<'a>(
        &'a self,
        site: &'a AdminSite,
        db: &'a Database,
        parent: Option<&'a P>,
        data: FormData,
        perms: InlinePerms,
    ) -> BoxFuture<'a, Result<Option<Submitted<P>>, Error>> {
        Box::pin(async move {
            // Bound as shown to this user (no delete boxes without the delete permission), so
            // that a page shown again offers no more than the first did; what the POST tries
            // beyond the permissions is judged below, and a delete box the page never had is
            // a forged request.
            if !perms.delete && asks_to_delete(&data) {
                return Ok(None);
            }
            let formset = self.formset::<P>(site, db, perms).await?;
            let submitted = formset.submit(db, parent, data).await?;
            if let Ok(changes) = &submitted {
                let n = changes.counts();
                let refused = (n.added > 0 && !perms.add)
                    || (n.changed > 0 && !perms.change)
                    || (n.deleted > 0 && !perms.delete);
                if refused {
                    return Ok(None);
                }
            }
            Ok(Some(submitted.map(|changes| {
                Box::new(Pending(changes)) as Box<dyn PendingInline<P>>
            })))
        })
    }
}

/// Whether a formset's part of a POST ticks a `DELETE` box.
fn asks_to_delete(data: &FormData) -> bool {
    data.names()
        .any(|name| name.ends_with("-DELETE") && data.get_all(name).any(crate::forms::is_checked))
}

struct Pending<C>(InlineChanges<C>);

impl<P: Model, C: Model> PendingInline<P> for Pending<C> {
    fn into_formset(self: Box<Self>) -> BoundFormSet {
        self.0.formset
    }

    fn save<'a>(
        self: Box<Self>,
        tx: &'a mut Transaction<'static>,
        parent: &'a P,
    ) -> BoxFuture<'a, Result<Vec<String>, Error>> {
        Box::pin(async move {
            let counts = self.0.counts();
            self.0.save(tx, parent).await?;
            let (one, many) = (C::META.verbose_name(), C::META.verbose_name_plural());
            let name = |n: usize| if n == 1 { one.clone() } else { many.clone() };
            let mut done = Vec::new();
            for (n, verb) in [
                (counts.added, "Added"),
                (counts.changed, "Changed"),
                (counts.deleted, "Deleted"),
            ] {
                if n > 0 {
                    done.push(format!("{verb} {n} {}.", name(n)));
                }
            }
            Ok(done)
        })
    }
}
