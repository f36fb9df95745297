//! Django's generic display views, each a builder whose [`as_view`](ListView::as_view) is a
//! micro route (`app.route("/posts/", ListView::new(Post::objects()).paginate_by(10).as_view())`):
//!
//! - [`ListView`]: a (paginated) list, template `<app>/<model>_list.html`;
//! - [`DetailView`]: one object by `<pk>` or `<slug>`, template `<app>/<model>_detail.html`;
//! - the date-based archives on a date or datetime field: [`YearArchiveView`],
//!   [`MonthArchiveView`], [`DayArchiveView`] and [`DateDetailView`];
//! - the editing views on a [`ModelForm`](crate::forms::ModelForm): [`CreateView`],
//!   [`UpdateView`] (template `<app>/<model>_form.html`) and [`DeleteView`]
//!   (`<app>/<model>_confirm_delete.html`);
//! - [`FormView`]: a form that is no model's, handed to your code when valid.
//!
//! Each view's `context` method gives the template context it renders, so a handler of your
//! own can reuse it; or write the handler from scratch with [`crate::pagination`] (guide:
//! `docs/fullstack/views.md`). A missing object, a page or a date that does not exist is a 404,
//! never a 500; invalid data on an editing view is its form again (200).

mod context;
mod dates;
mod detail;
mod edit;
mod form;
mod list;
mod url_variables;

pub use context::Context;
pub use dates::{
    ArchiveIndexView, DateDetailView, DateField, DayArchiveView, MonthArchiveView, YearArchiveView,
};
pub use detail::DetailView;
pub use edit::{CreateView, DeleteView, UpdateView};
pub use form::FormView;
pub use list::ListView;
pub use url_variables::UrlVariables;
