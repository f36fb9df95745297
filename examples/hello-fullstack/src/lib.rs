//! Django's polls tutorial on fullstack: two related models (`Question`, `Choice`), migrations
//! made by `makemigrations` and embedded in the binary, a list page and a detail page rendered
//! from templates with inheritance, a vote form that increments in SQL, and a `seed` command.
//!
//! `main` is `manage.py`: `cargo run -p hello-fullstack` (runserver on 127.0.0.1:8000, with
//! `db.sqlite3` in the working directory, migrated first: the project says `migrate_on_start`,
//! so the README's quick start is one command).

pub mod polls;

use fullstack::Project;

/// The project: Django's sessions, messages (the "Thanks for voting." after a vote), auth
/// (users, `/accounts/login/`, `createsuperuser`) and admin (`/admin/`) apps, and `polls`.
/// `runserver` applies pending migrations before it serves, so a fresh clone runs with one
/// command (Django would ask for `migrate` first).
pub fn project() -> Project {
    fullstack::project!("hello-fullstack")
        .app(fullstack::sessions::app())
        .app(fullstack::messages::app())
        .app(fullstack::auth::app())
        .app(polls::app())
        .app(fullstack::admin::app(admin_site()))
        .migrate_on_start(true)
}

/// The polls models in the admin, as in Django's tutorial (part 7): questions listed with their
/// date, filtered by date, searched by text, the form in two fieldsets, their choices edited on
/// the question's page (three blank ones for new choices); choices also on their own, with their
/// question.
pub fn admin_site() -> fullstack::admin::AdminSite {
    use fullstack::admin::{AdminSite, Inline, ModelAdmin};
    AdminSite::new()
        .site_header("Polls administration")
        .register(
            ModelAdmin::<polls::Question>::new()
                .label(|q: &polls::Question| q.question_text.clone())
                .list_display(["question_text", "pub_date"])
                .list_filter(["pub_date"])
                .search_fields(["question_text"])
                .fieldsets(&[
                    (None, &["question_text"]),
                    (Some("Date information"), &["pub_date"]),
                ])
                .inline(
                    Inline::<polls::Choice>::new("question")
                        .fields(&["choice_text", "votes"])
                        .extra(3)
                        .tabular(),
                ),
        )
        .register(
            ModelAdmin::<polls::Choice>::new()
                .label(|c: &polls::Choice| c.choice_text.clone())
                .list_display(["choice_text", "question__question_text", "votes"])
                .search_fields(["choice_text", "question__question_text"])
                // A question is found by typing part of it, not picked from every question.
                .autocomplete_fields(&["question"]),
        )
}
