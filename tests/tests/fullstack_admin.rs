//! fullstack's admin through the test client, on every backend: who gets in (superuser, staff
//! with the view permission only, staff without permissions, a non-staff user, an anonymous
//! visitor), the index showing only what the user may see, and the change list: columns
//! across a foreign key, search (with SQL and HTML in it), filters, ordering by column,
//! pagination, unknown and forged parameters (ignored or 404, never 500), and a bounded number
//! of queries whatever the page.

mod backends;

use backends::{Isolated, TestDb, migrate, on_every_backend};
use chrono::{DateTime, Duration, TimeZone, Utc};
use fullstack::admin::{self, AdminSite, ModelAdmin};
use fullstack::auth::{self, Group, Hashers, Permission, User};
use fullstack::query::prelude::*;
use fullstack::{AppConfig, Database, ForeignKey, Model, Project, Settings, sessions};
use micro::{TestClient, TestResponse};
use std::future::IntoFuture;

const PASSWORD: &str = "correct horse battery";

#[derive(Model, Debug, Clone)]
#[model(app = "polls", ordering = ["-pub_date"])]
struct Question {
    id: i64,
    #[field(max_length = 200, verbose_name = "question text")]
    question_text: String,
    pub_date: DateTime<Utc>,
    is_open: bool,
    #[field(max_length = 1, choices = [("d", "Draft"), ("p", "Published")], default = "d")]
    status: String,
}

#[derive(Model, Debug, Clone)]
#[model(app = "polls")]
struct Choice {
    id: i64,
    #[field(on_delete = cascade)]
    question: ForeignKey<Question>,
    #[field(max_length = 200)]
    choice_text: String,
    votes: i32,
}

/// A question's pick among the choices of any question: edited on the question's page, its
/// choice found by a search. Not registered in the admin itself.
#[derive(Model, Debug, Clone)]
#[model(app = "polls")]
struct Pick {
    id: i64,
    #[field(on_delete = cascade)]
    question: ForeignKey<Question>,
    #[field(on_delete = cascade)]
    choice: ForeignKey<Choice>,
}

/// Which options the polls admin is made with.
#[derive(Clone, Copy, PartialEq)]
enum Variant {
    Plain,
    /// The question's choices edited on its page, and the other form options.
    Inlines,
    /// A choice's question found by a search (`autocomplete_fields`).
    Autocomplete,
}

/// The polls admin.
fn site(variant: Variant) -> AdminSite {
    let mut questions = ModelAdmin::<Question>::new()
        .list_display(["question_text", "pub_date", "is_open", "status"])
        .list_filter(["is_open", "status", "pub_date"])
        .search_fields(["question_text"])
        .list_per_page(3)
        .date_hierarchy("pub_date")
        .column("Open?", |q: &Question| {
            if q.is_open { "yes" } else { "no" }.to_owned()
        })
        .action(
            "close",
            "Close the selected questions",
            "change",
            |db, rows: Vec<Question>| async move {
                let ids: Vec<i64> = rows.iter().map(|q| q.id).collect();
                let n = Question::objects()
                    .filter(Question::ID.is_in(ids))
                    .update(&db, [Question::IS_OPEN.set(false)])
                    .await?;
                Ok(format!("{n} questions were closed."))
            },
        );
    if variant == Variant::Autocomplete {
        questions = questions
            .label(|q: &Question| q.question_text.clone())
            .inline(admin::Inline::<Pick>::new("question").autocomplete_fields(&["choice"]));
    }
    if variant == Variant::Inlines {
        questions = questions
            .fieldsets(&[
                (None, &["question_text"]),
                (Some("Details"), &["pub_date", "is_open", "status"]),
            ])
            .readonly_fields(&["status"])
            .label(|q: &Question| q.question_text.clone())
            .list_editable(&["pub_date", "is_open"])
            .inline(
                admin::Inline::<Choice>::new("question")
                    .fields(&["choice_text", "votes"])
                    .extra(2)
                    .max_num(4),
            );
    }
    let mut choices = ModelAdmin::<Choice>::new()
        .list_display(["choice_text", "question__question_text", "votes"])
        .list_filter(["question"])
        .search_fields(["choice_text", "question__question_text"]);
    if variant == Variant::Autocomplete {
        choices = choices.autocomplete_fields(&["question"]);
    }
    AdminSite::new()
        .site_header("Polls administration")
        .register(questions)
        .register(choices)
}

fn project(migrations: &std::path::Path, variant: Variant) -> Project {
    let mut settings = Settings::from_toml_str("").unwrap();
    settings.web.secret_key = Some(micro::Secret::new("admin test key"));
    Project::new("site")
        .settings(settings)
        .app(sessions::app())
        .app(auth::app())
        .app(fullstack::messages::app())
        .app(
            AppConfig::new("polls")
                .models(&[Question::META, Choice::META, Pick::META])
                .migrations_dir(migrations.join("polls")),
        )
        .app(admin::app(site(variant)))
}

/// A project on a database of its own, migrated (the polls app's migration made for it).
struct Site {
    isolated: Isolated,
    project: Project,
    _migrations: tempfile::TempDir,
}

impl Site {
    async fn new(t: &TestDb) -> Site {
        Site::with(t, Variant::Plain).await
    }

    async fn with(t: &TestDb, variant: Variant) -> Site {
        let isolated = Isolated::new(t, "adm").await;
        let migrations = tempfile::tempdir().unwrap();
        let project = project(migrations.path(), variant);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let args = ["site", "makemigrations", "--no-input"];
        let code = project.run_with(args, &mut out, &mut err).await;
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
        migrate(&project, &isolated.url).await;
        Site {
            isolated,
            project,
            _migrations: migrations,
        }
    }

    fn db(&self) -> &Database {
        &self.isolated.db
    }

    fn client(&self) -> TestClient {
        TestClient::new(self.project.web_app(self.db()).unwrap())
    }

    async fn user(&self, name: &str, staff: bool, superuser: bool) -> User {
        let mut user = User::new(Hashers::default().hash(PASSWORD), name.to_owned());
        user.is_staff = staff;
        user.is_superuser = superuser;
        User::objects().create(self.db(), user).await.unwrap()
    }

    async fn grant(&self, user: &User, codenames: &[&str]) {
        let perms = Permission::objects()
            .filter(Permission::CODENAME.is_in(codenames.iter().map(|c| c.to_string())))
            .all(self.db())
            .await
            .unwrap();
        assert_eq!(
            perms.len(),
            codenames.len(),
            "permissions made after migrate"
        );
        let mut group = Group::new(format!("group of {}", user.username));
        group.save(self.db()).await.unwrap();
        Group::PERMISSIONS
            .add(self.db(), &group, perms.iter())
            .await
            .unwrap();
        User::GROUPS.add(self.db(), user, [&group]).await.unwrap();
    }

    async fn seed(&self) -> Vec<Question> {
        let base = Utc.with_ymd_and_hms(2021, 9, 1, 12, 0, 0).unwrap();
        let mut out = Vec::new();
        for (i, (text, open, status)) in [
            ("What's new?", true, "p"),
            ("Tabs or spaces?", false, "p"),
            ("50% off_sale?", true, "d"),
            ("<script>alert(1)</script>", false, "d"),
            ("What is up?", true, "p"),
        ]
        .into_iter()
        .enumerate()
        {
            let mut q = Question {
                id: 0,
                question_text: text.to_owned(),
                pub_date: base + Duration::days(i as i64),
                is_open: open,
                status: status.to_owned(),
            };
            q.save(self.db()).await.unwrap();
            Choice {
                id: 0,
                question: ForeignKey::from(&q),
                choice_text: format!("answer to {text}"),
                votes: i as i32,
            }
            .save(self.db())
            .await
            .unwrap();
            out.push(q);
        }
        out
    }

    async fn done(self) {
        self.isolated.done().await;
    }
}

fn token_in(page: &str) -> String {
    let input = page
        .find("name=\"csrfmiddlewaretoken\"")
        .expect("the form carries the CSRF token");
    let at = page[input..].find("value=\"").unwrap() + input + 7;
    let end = page[at..].find('"').unwrap() + at;
    page[at..end].to_owned()
}

async fn log_in(c: &TestClient, username: &str) -> TestResponse {
    let page = c.get("/accounts/login/").await;
    let token = token_in(&page.text());
    let res = c
        .post("/accounts/login/")
        .form(&[
            ("csrfmiddlewaretoken", token.as_str()),
            ("username", username),
            ("password", PASSWORD),
            ("next", "/admin/"),
        ])
        .await;
    assert_eq!(res.status(), 302, "{}", res.text());
    res
}

/// Logs in through the admin's login page.
async fn admin_log_in(c: &TestClient, username: &str, password: &str, next: &str) -> TestResponse {
    let page = c.get("/admin/login/").await;
    let token = token_in(&page.text());
    c.post("/admin/login/")
        .form(&[
            ("csrfmiddlewaretoken", token.as_str()),
            ("username", username),
            ("password", password),
            ("next", next),
        ])
        .await
}

/// The rows of the change list, in order: the text of each row's first cell (unescaped, so a
/// raw `<script>` in the page is checked apart).
fn first_cells(page: &str) -> Vec<String> {
    page.split("<th scope=\"row\"><a href=\"")
        .skip(1)
        .map(|rest| {
            let start = rest.find('>').unwrap() + 1;
            let end = rest.find("</a>").unwrap();
            unescape(&rest[start..end])
        })
        .collect()
}

/// The text of escaped HTML (the entities minijinja writes).
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn who_gets_in_and_what_they_see() {
    on_every_backend("admin_access", |t| async move {
        let site = Site::new(&t).await;
        site.seed().await;
        let boss = site.user("boss", true, true).await;
        let viewer = site.user("viewer", true, false).await;
        site.grant(&viewer, &["view_question"]).await;
        let _bare = site.user("bare", true, false).await;
        let _member = site.user("member", false, false).await;
        let _ = boss;

        // Anonymous: to the login page, with the way back.
        let anonymous = site.client();
        for path in ["/admin/", "/admin/polls/", "/admin/polls/question/"] {
            let res = anonymous.get(path).await;
            assert_eq!(res.status(), 302, "{path}");
            let to = res.header("location").unwrap();
            assert!(to.starts_with("/admin/login/?next="), "{to}");
        }

        // The admin's own login: staff only, one message for every refusal.
        let page = anonymous.get("/admin/login/?next=/admin/polls/").await;
        assert_eq!(page.status(), 200, "{}", page.text());
        let page = page.text();
        assert!(
            page.contains("name=\"next\" value=\"/admin/polls/\""),
            "{page}"
        );
        let member = site.client();
        for (username, password) in [("member", PASSWORD), ("boss", "wrong")] {
            let res = admin_log_in(&member, username, password, "/admin/polls/").await;
            assert_eq!(res.status(), 200, "{username}");
            let text = unescape(&res.text());
            assert!(
                text.contains(
                    "Please enter the correct username and password for a staff account."
                ),
                "{text}"
            );
        }
        let res = admin_log_in(&site.client(), "viewer", PASSWORD, "/admin/polls/").await;
        assert_eq!(res.status(), 302);
        assert_eq!(res.header("location"), Some("/admin/polls/"));
        let res = admin_log_in(&site.client(), "viewer", PASSWORD, "https://evil.com/").await;
        assert_eq!(res.header("location"), Some("/admin/"), "no open redirect");

        // A user who is not staff, logged in elsewhere, is sent to log in again.
        log_in(&member, "member").await;
        assert_eq!(member.get("/admin/").await.status(), 302);
        assert_eq!(member.get("/admin/polls/question/").await.status(), 302);
        let page = member.get("/admin/login/").await.text();
        assert!(page.contains("You are authenticated as member"), "{page}");

        // Staff without permissions: an empty index, 403 on a model, 404 on an app.
        let bare = site.client();
        log_in(&bare, "bare").await;
        let index = bare.get("/admin/").await;
        assert_eq!(index.status(), 200);
        let page = index.text();
        assert!(
            page.contains("You don’t have permission to view or edit anything."),
            "{page}"
        );
        assert!(
            page.contains("name=\"csrfmiddlewaretoken\""),
            "the logout form has a token"
        );
        assert_eq!(bare.get("/admin/polls/question/").await.status(), 403);
        assert_eq!(bare.get("/admin/polls/").await.status(), 404);

        // Staff with the view permission of questions: those, not choices.
        let viewer = site.client();
        log_in(&viewer, "viewer").await;
        let page = viewer.get("/admin/").await.text();
        assert!(page.contains("/admin/polls/question/"), "{page}");
        assert!(!page.contains("/admin/polls/choice/"), "{page}");
        let list = viewer.get("/admin/polls/question/").await;
        assert_eq!(list.status(), 200);
        assert!(
            list.text().contains("Select question to view"),
            "{}",
            list.text()
        );
        assert_eq!(viewer.get("/admin/polls/choice/").await.status(), 403);
        assert_eq!(viewer.get("/admin/polls/nothing/").await.status(), 404);
        assert_eq!(viewer.get("/admin/auth/user/").await.status(), 404);

        // The superuser sees everything registered.
        let boss = site.client();
        log_in(&boss, "boss").await;
        let page = boss.get("/admin/").await.text();
        assert!(page.contains("/admin/polls/question/") && page.contains("/admin/polls/choice/"));
        assert!(page.contains("Polls administration"));
        let list = boss.get("/admin/polls/question/").await.text();
        assert!(list.contains("Select question to change"), "{list}");

        // Logging out is a POST with the CSRF token.
        let token = token_in(&page);
        let out = boss
            .post("/admin/logout/")
            .form(&[("csrfmiddlewaretoken", token.as_str())])
            .await;
        assert_eq!(out.status(), 302);
        assert_eq!(boss.get("/admin/").await.status(), 302);
        site.done().await;
    })
    .await;
}

#[tokio::test]
async fn the_change_list_searches_filters_orders_and_pages() {
    on_every_backend("admin_changelist", |t| async move {
        let site = Site::new(&t).await;
        site.seed().await;
        site.user("boss", true, true).await;
        let c = site.client();
        log_in(&c, "boss").await;

        // Default order: the model's (-pub_date), three to a page.
        let page = c.get("/admin/polls/question/").await.text();
        assert_eq!(
            first_cells(&page),
            ["What is up?", "<script>alert(1)</script>", "50% off_sale?"]
        );
        assert!(!page.contains("<script>alert(1)"), "escaped");
        assert!(page.contains("5 questions"), "{page}");
        assert!(
            page.contains("Published") && page.contains("Draft"),
            "choice labels"
        );
        let second = c.get("/admin/polls/question/?p=2").await.text();
        assert_eq!(first_cells(&second), ["Tabs or spaces?", "What's new?"]);
        let last = c.get("/admin/polls/question/?p=last").await.text();
        assert_eq!(first_cells(&last), ["Tabs or spaces?", "What's new?"]);
        let all = c.get("/admin/polls/question/?all=").await.text();
        assert_eq!(first_cells(&all).len(), 5);

        // Pages that are not pages are 404s, not 500s.
        for p in ["0", "3", "-1", "x", "99999999999999999999999"] {
            let res = c.get(&format!("/admin/polls/question/?p={p}")).await;
            assert_eq!(res.status(), 404, "p={p}");
        }

        // Ordering by a clicked column; unknown indexes and junk are ignored.
        let by_text = c.get("/admin/polls/question/?o=1&all=").await.text();
        assert_eq!(first_cells(&by_text)[0], "50% off_sale?");
        let desc = c.get("/admin/polls/question/?o=-1&all=").await.text();
        assert_eq!(first_cells(&desc)[0], "What's new?");
        for o in ["9", "1;DROP%20TABLE%20polls_question", "-0", "1.1.1", "%27"] {
            let res = c.get(&format!("/admin/polls/question/?o={o}")).await;
            assert_eq!(res.status(), 200, "o={o}");
        }

        // Search: every word somewhere; `%` and `_` literal; SQL and HTML are just text.
        let found = c.get("/admin/polls/question/?q=what").await.text();
        assert_eq!(first_cells(&found), ["What is up?", "What's new?"]);
        assert!(found.contains("2 results"), "{found}");
        let literal = c.get("/admin/polls/question/?q=%25+off_").await.text();
        assert_eq!(first_cells(&literal), ["50% off_sale?"]);
        let sql = c.get("/admin/polls/question/?q=%27%29+OR+1%3D1+--").await;
        assert_eq!(sql.status(), 200);
        assert!(first_cells(&sql.text()).is_empty());
        let html = c
            .get("/admin/polls/question/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            .await
            .text();
        assert_eq!(first_cells(&html).len(), 1);
        assert!(
            !html.contains("value=\"<script>"),
            "the search box escapes it"
        );

        // Filters on list_filter fields; a field not in list_filter cannot be filtered on.
        let open = c
            .get("/admin/polls/question/?is_open__exact=1&all=")
            .await
            .text();
        assert_eq!(first_cells(&open).len(), 3);
        let drafts = c
            .get("/admin/polls/question/?status__exact=d&all=")
            .await
            .text();
        assert_eq!(first_cells(&drafts).len(), 2);
        let both = c
            .get("/admin/polls/question/?status__exact=d&is_open__exact=1")
            .await
            .text();
        assert_eq!(first_cells(&both), ["50% off_sale?"]);
        let dated = c
            .get("/admin/polls/question/?pub_date__gte=2021-09-02&pub_date__lt=2021-09-04&all=")
            .await
            .text();
        assert_eq!(first_cells(&dated).len(), 2);
        for junk in [
            "question_text__exact=Tabs+or+spaces%3F", // not in list_filter
            "is_open__exact=maybe",
            "pub_date__gte=yesterday",
            "id__gt=2",
            "e=1",
        ] {
            let res = c.get(&format!("/admin/polls/question/?{junk}&all=")).await;
            assert_eq!(res.status(), 200, "{junk}");
            assert_eq!(first_cells(&res.text()).len(), 5, "{junk} is ignored");
        }

        // A column across the foreign key, searched and shown without a query per row.
        let choices = c.get("/admin/polls/choice/?q=tabs").await.text();
        assert_eq!(first_cells(&choices), ["answer to Tabs or spaces?"]);
        let (res, queries) =
            fullstack::capture_queries(c.get("/admin/polls/choice/?q=answer").into_future()).await;
        assert_eq!(res.status(), 200);
        let page = res.text();
        assert!(page.contains("<td>Tabs or spaces?</td>"), "{page}");
        let on_choices = queries
            .iter()
            .filter(|q| q.contains("polls_choice"))
            .count();
        assert_eq!(on_choices, 3, "count, full count, one page: {queries:#?}");
        let on_permissions = queries
            .iter()
            .filter(|q| q.contains("auth_permission"))
            .count();
        assert_eq!(
            on_permissions, 1,
            "the user's permissions read once, for the checks and the templates: {queries:#?}"
        );
        site.done().await;
    })
    .await;
}

/// Posts `fields` with the CSRF token of the page at `page`.
async fn post_with_token(
    c: &TestClient,
    page: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
    let token = token_in(&c.get(page).await.text());
    let mut form = vec![("csrfmiddlewaretoken", token.as_str())];
    form.extend_from_slice(fields);
    c.post(to).form(&form).await
}

#[tokio::test]
async fn deleting_one_object_and_a_selection() {
    on_every_backend("admin_delete", |t| async move {
        let site = Site::new(&t).await;
        let qs = site.seed().await;
        site.user("boss", true, true).await;
        let viewer = site.user("viewer", true, false).await;
        site.grant(&viewer, &["view_question"]).await;
        let boss = site.client();
        log_in(&boss, "boss").await;
        let list = "/admin/polls/question/";

        // One object: the confirmation lists what goes with it, and deletes nothing.
        let url = format!("/admin/polls/question/{}/delete/", qs[0].id);
        let page = boss.get(&url).await;
        assert_eq!(page.status(), 200);
        let text = page.text();
        assert!(text.contains("Are you sure?"), "{text}");
        assert!(
            text.contains(&format!("Question object ({})", qs[0].id)),
            "{text}"
        );
        assert!(
            text.contains("Question: 1") && text.contains("Choice: 1"),
            "{text}"
        );
        assert_eq!(Question::objects().count(site.db()).await.unwrap(), 5);

        // Without the delete permission: 403 for the page and for a forged POST.
        let v = site.client();
        log_in(&v, "viewer").await;
        assert_eq!(v.get(&url).await.status(), 403);
        let forged = post_with_token(&v, list, &url, &[("post", "yes")]).await;
        assert_eq!(forged.status(), 403);
        let forged = post_with_token(
            &v,
            list,
            list,
            &[
                ("action", "delete_selected"),
                ("_selected_action", "1"),
                ("post", "yes"),
            ],
        )
        .await;
        assert_eq!(forged.status(), 403);
        let page = v.get(list).await.text();
        assert!(
            !page.contains("delete_selected"),
            "no action offered without the permission"
        );
        assert_eq!(Question::objects().count(site.db()).await.unwrap(), 5);

        // Allowed to delete questions but not choices: the cascade would take a choice, so the
        // page says which kinds of rows stand in the way, and the POST is a 403 (Django's
        // perms_needed), for one object and for a selection alike.
        let half = site.user("half", true, false).await;
        site.grant(&half, &["view_question", "delete_question", "view_choice"])
            .await;
        let h = site.client();
        log_in(&h, "half").await;
        let page = h.get(&url).await;
        assert_eq!(page.status(), 200);
        let text = page.text();
        assert!(text.contains("Cannot delete"), "{text}");
        assert!(
            text.contains("doesn't have permission to delete the following types of objects")
                && text.contains("<ul id=\"perms-needed\"><li>choice</li></ul>"),
            "{text}"
        );
        assert!(!text.contains("name=\"post\" value=\"yes\""), "{text}");
        let forged = post_with_token(&h, list, &url, &[("post", "yes")]).await;
        assert_eq!(forged.status(), 403);
        let one = qs[0].id.to_string();
        let selection = [("action", "delete_selected"), ("_selected_action", &one)];
        let page = post_with_token(&h, list, list, &selection).await.text();
        assert!(page.contains("<li>choice</li>"), "{page}");
        let mut confirmed = selection.to_vec();
        confirmed.push(("post", "yes"));
        let forged = post_with_token(&h, list, list, &confirmed).await;
        assert_eq!(forged.status(), 403);
        assert_eq!(Question::objects().count(site.db()).await.unwrap(), 5);
        assert_eq!(Choice::objects().count(site.db()).await.unwrap(), 5);

        // Confirmed: gone with its choice, and the list says so.
        let res = post_with_token(&boss, &url, &url, &[("post", "yes")]).await;
        assert_eq!(res.status(), 302, "{}", res.text());
        assert_eq!(res.header("location"), Some(list));
        assert_eq!(Question::objects().count(site.db()).await.unwrap(), 4);
        assert_eq!(Choice::objects().count(site.db()).await.unwrap(), 4);
        let page = unescape(&boss.get(list).await.text());
        assert!(page.contains("was deleted successfully."), "{page}");
        assert_eq!(boss.get(&url).await.status(), 404, "deleted already");

        // The history keeps the deletion: who, and what the object was called.
        let history = format!("/admin/polls/question/{}/history/", qs[0].id);
        let text = v.get(&history).await.text();
        assert!(
            text.contains(&format!("Change history: Question object ({})", qs[0].id)),
            "{text}"
        );
        assert!(text.contains("<td>boss</td><td>Deleted.</td>"), "{text}");
        let empty = v
            .get(&format!("/admin/polls/question/{}/history/", qs[4].id))
            .await
            .text();
        assert!(empty.contains("doesn’t have a change history"), "{empty}");
        assert_eq!(v.get("/admin/polls/choice/1/history/").await.status(), 403);
        assert_eq!(
            v.get("/admin/polls/question/x/history/").await.status(),
            404
        );
        for bad in ["x", "1%20OR%201=1", "-"] {
            let res = boss
                .get(&format!("/admin/polls/question/{bad}/delete/"))
                .await;
            assert_eq!(res.status(), 404, "{bad}");
        }

        // The action on a selection: confirmation first, then the delete.
        let (a, b) = (qs[1].id.to_string(), qs[2].id.to_string());
        let selection = [
            ("action", "delete_selected"),
            ("_selected_action", a.as_str()),
            ("_selected_action", b.as_str()),
        ];
        let page = post_with_token(&boss, list, list, &selection).await;
        assert_eq!(page.status(), 200);
        let text = page.text();
        assert!(
            text.contains("Questions: 2") && text.contains("Choices: 2"),
            "{text}"
        );
        assert!(text.contains("name=\"post\" value=\"yes\""), "{text}");
        assert_eq!(Question::objects().count(site.db()).await.unwrap(), 4);
        let mut confirmed = selection.to_vec();
        confirmed.push(("post", "yes"));
        let res = post_with_token(&boss, list, list, &confirmed).await;
        assert_eq!(res.status(), 302);
        assert_eq!(Question::objects().count(site.db()).await.unwrap(), 2);
        let page = boss.get(list).await.text();
        assert!(page.contains("Successfully deleted 2 questions."), "{page}");
        let logged = fullstack::admin::LogEntry::objects()
            .filter(fullstack::admin::LogEntry::ACTION_FLAG.eq(fullstack::admin::DELETION))
            .count(site.db())
            .await
            .unwrap();
        assert_eq!(
            logged, 3,
            "one entry per deleted question, none for the cascade"
        );

        // Forged or empty submissions: 4xx or back to the list, never a 500.
        let left = qs[3].id.to_string();
        let cases: [(&[(&str, &str)], u16); 4] = [
            (
                &[
                    ("action", "drop_table"),
                    ("_selected_action", left.as_str()),
                ],
                400,
            ),
            (
                &[("action", "delete_selected"), ("_selected_action", "x")],
                400,
            ),
            (&[("action", "delete_selected")], 302),
            (&[("_selected_action", left.as_str())], 302),
        ];
        for (fields, status) in cases {
            let res = post_with_token(&boss, list, list, fields).await;
            assert_eq!(res.status(), status, "{fields:?}");
        }
        assert_eq!(Question::objects().count(site.db()).await.unwrap(), 2);
        // Without the token, the CSRF check refuses it.
        let res = boss
            .post(list)
            .form(&[
                ("action", "delete_selected"),
                ("_selected_action", left.as_str()),
                ("post", "yes"),
            ])
            .await;
        assert_eq!(res.status(), 403);
        assert_eq!(Question::objects().count(site.db()).await.unwrap(), 2);
        site.done().await;
    })
    .await;
}

#[tokio::test]
async fn adding_and_changing_through_the_forms() {
    on_every_backend("admin_change", |t| async move {
        let site = Site::new(&t).await;
        let qs = site.seed().await;
        site.user("boss", true, true).await;
        let viewer = site.user("viewer", true, false).await;
        site.grant(&viewer, &["view_question"]).await;
        let boss = site.client();
        log_in(&boss, "boss").await;
        let add = "/admin/polls/question/add/";

        let page = boss.get(add).await;
        assert_eq!(page.status(), 200);
        let text = page.text();
        assert!(
            text.contains("Add question") && text.contains("name=\"question_text\""),
            "{text}"
        );
        assert!(text.contains("name=\"csrfmiddlewaretoken\""));
        assert!(
            boss.get("/admin/polls/question/")
                .await
                .text()
                .contains("href=\"add/\"")
        );

        // Invalid: the page again, the error at the field, the value kept (escaped).
        let res = post_with_token(
            &boss,
            add,
            add,
            &[
                ("question_text", ""),
                ("pub_date", "<b>soon</b>"),
                ("status", "zz"),
                ("_save", ""),
            ],
        )
        .await;
        assert_eq!(res.status(), 200);
        let text = unescape(&res.text());
        assert!(text.contains("Please correct the errors below."), "{text}");
        assert!(text.contains("This field is required."), "{text}");
        assert!(text.contains("Select a valid choice. zz is not one of the available choices."));
        assert!(
            !res.text().contains("<b>soon</b>"),
            "the value kept is escaped"
        );
        assert_eq!(Question::objects().count(site.db()).await.unwrap(), 5);

        // Valid, "Save and continue editing": the change page of the new row.
        let res = post_with_token(
            &boss,
            add,
            add,
            &[
                ("question_text", "Brand new?"),
                ("pub_date", "2022-01-02 03:04:05"),
                ("is_open", "on"),
                ("status", "p"),
                ("_continue", ""),
            ],
        )
        .await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let new = Question::objects()
            .filter(Question::QUESTION_TEXT.eq("Brand new?"))
            .get(site.db())
            .await
            .unwrap();
        assert!(new.is_open && new.status == "p");
        let change = format!("/admin/polls/question/{}/change/", new.id);
        assert_eq!(res.header("location"), Some(change.as_str()));
        let page = unescape(&boss.get(&change).await.text());
        assert!(
            page.contains("was added successfully. You may edit it again below."),
            "{page}"
        );
        assert!(page.contains("value=\"Brand new?\""), "{page}");

        // Changed: back to the list; the history says what changed.
        let res = post_with_token(
            &boss,
            &change,
            &change,
            &[
                ("question_text", "Brand newer?"),
                ("pub_date", "2022-01-02 03:04:05"),
                ("is_open", "on"),
                ("status", "p"),
                ("_save", ""),
            ],
        )
        .await;
        assert_eq!(res.status(), 302);
        assert_eq!(res.header("location"), Some("/admin/polls/question/"));
        let history = boss
            .get(&format!("/admin/polls/question/{}/history/", new.id))
            .await
            .text();
        assert!(history.contains("<td>Added.</td>"), "{history}");
        assert!(
            history.contains("<td>Changed question text.</td>"),
            "{history}"
        );

        // A choice's question is a select of the questions; a forged id is refused.
        let add_choice = "/admin/polls/choice/add/";
        let page = boss.get(add_choice).await.text();
        assert!(page.contains(&format!("value=\"{}\"", qs[0].id)), "{page}");
        let res = post_with_token(
            &boss,
            add_choice,
            add_choice,
            &[("question", "999999"), ("choice_text", "x"), ("votes", "0")],
        )
        .await;
        assert_eq!(res.status(), 200);
        assert!(
            unescape(&res.text()).contains(
                "Select a valid choice. That choice is not one of the available choices."
            )
        );

        // Unknown rows and keys are 404s.
        assert_eq!(
            boss.get("/admin/polls/question/999999/change/")
                .await
                .status(),
            404
        );
        assert_eq!(
            boss.get("/admin/polls/question/x/change/").await.status(),
            404
        );

        // View permission only: the form without buttons; a forged POST is a 403.
        let v = site.client();
        log_in(&v, "viewer").await;
        let page = v.get(&change).await;
        assert_eq!(page.status(), 200);
        let text = page.text();
        assert!(
            text.contains("View question") && !text.contains("name=\"_save\""),
            "{text}"
        );
        assert!(
            !v.get("/admin/polls/question/")
                .await
                .text()
                .contains("href=\"add/\"")
        );
        assert_eq!(v.get(add).await.status(), 403);
        let forged = post_with_token(
            &v,
            &change,
            &change,
            &[
                ("question_text", "hacked"),
                ("pub_date", "2022-01-02 03:04:05"),
                ("status", "p"),
            ],
        )
        .await;
        assert_eq!(forged.status(), 403);
        let forged = post_with_token(&v, &change, add, &[("question_text", "hacked")]).await;
        assert_eq!(forged.status(), 403);
        let unchanged = Question::objects()
            .filter(Question::ID.eq(new.id))
            .get(site.db())
            .await
            .unwrap();
        assert_eq!(unchanged.question_text, "Brand newer?");
        site.done().await;
    })
    .await;
}

#[tokio::test]
async fn a_question_and_its_choices_on_one_page() {
    on_every_backend("admin_inlines", |t| async move {
        let site = Site::with(&t, Variant::Inlines).await;
        site.user("boss", true, true).await;
        let boss = site.client();
        log_in(&boss, "boss").await;
        let add = "/admin/polls/question/add/";
        let page = boss.get(add).await.text();
        assert!(page.contains("<legend>Choices</legend>"), "{page}");
        assert!(
            page.contains("<legend>Details</legend>"),
            "the fieldset's title: {page}"
        );
        let (text, date) = (
            page.find("name=\"question_text\"").unwrap(),
            page.find("name=\"pub_date\"").unwrap(),
        );
        assert!(text < page.find("<legend>Details</legend>").unwrap() && date > text);
        assert!(
            page.contains("name=\"polls_choice-TOTAL_FORMS\" value=\"2\""),
            "{page}"
        );
        assert!(page.contains("name=\"polls_choice-1-choice_text\""));
        let question = [
            ("question_text", "Tabs or spaces?"),
            ("pub_date", "2022-01-02 03:04:05"),
            ("status", "p"),
        ];
        fn with<'a>(
            question: &[(&'a str, &'a str)],
            extra: &[(&'a str, &'a str)],
        ) -> Vec<(&'a str, &'a str)> {
            let mut all = question.to_vec();
            all.extend_from_slice(extra);
            all
        }

        // The question is valid, a choice is not: nothing saved, both shown again as sent.
        let res = post_with_token(
            &boss,
            add,
            add,
            &with(
                &question,
                &[
                    ("polls_choice-TOTAL_FORMS", "2"),
                    ("polls_choice-INITIAL_FORMS", "0"),
                    ("polls_choice-0-choice_text", "Tabs"),
                    ("polls_choice-0-votes", "many"),
                    ("polls_choice-1-choice_text", ""),
                    ("polls_choice-1-votes", "0"),
                    ("_save", ""),
                ],
            ),
        )
        .await;
        assert_eq!(res.status(), 200, "{}", res.text());
        let text = unescape(&res.text());
        assert!(text.contains("Enter a whole number."), "{text}");
        assert!(
            text.contains("value=\"Tabs or spaces?\""),
            "the question as sent: {text}"
        );
        assert!(text.contains("value=\"Tabs\""), "the choice as sent");
        assert_eq!(Question::objects().count(site.db()).await.unwrap(), 0);

        // A tampered management form: the formset's error, never a 500, nothing saved.
        let res = post_with_token(&boss, add, add, &with(&question, &[("_save", "")])).await;
        assert_eq!(res.status(), 200);
        assert!(
            res.text().contains("ManagementForm data is missing"),
            "{}",
            res.text()
        );
        // More than max_num: Django's message.
        let res = post_with_token(
            &boss,
            add,
            add,
            &with(
                &question,
                &[
                    ("polls_choice-TOTAL_FORMS", "5"),
                    ("polls_choice-INITIAL_FORMS", "0"),
                    ("polls_choice-0-choice_text", "a"),
                    ("polls_choice-1-choice_text", "b"),
                    ("polls_choice-2-choice_text", "c"),
                    ("polls_choice-3-choice_text", "d"),
                    ("polls_choice-4-choice_text", "e"),
                    ("_save", ""),
                ],
            ),
        )
        .await;
        assert_eq!(res.status(), 200);
        assert!(
            res.text().contains("Please submit at most 4 forms."),
            "{}",
            res.text()
        );
        assert_eq!(Question::objects().count(site.db()).await.unwrap(), 0);

        // All valid: the question and its two choices (the blank form skipped), one history
        // entry saying so.
        let res = post_with_token(
            &boss,
            add,
            add,
            &with(
                &question,
                &[
                    ("polls_choice-TOTAL_FORMS", "2"),
                    ("polls_choice-INITIAL_FORMS", "0"),
                    ("polls_choice-0-choice_text", "Tabs"),
                    ("polls_choice-0-votes", "3"),
                    ("polls_choice-1-choice_text", "Spaces"),
                    ("polls_choice-1-votes", "0"),
                    ("_continue", ""),
                ],
            ),
        )
        .await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let q = Question::objects().get(site.db()).await.unwrap();
        assert_eq!(
            q.status, "d",
            "a read-only field ignores what the POST says"
        );
        // The admin's label for the row, in the message and the page's heading.
        let change_page = unescape(
            &boss
                .get(&format!("/admin/polls/question/{}/change/", q.id))
                .await
                .text(),
        );
        assert!(
            change_page.contains("The question “Tabs or spaces?” was added successfully."),
            "{change_page}"
        );
        assert!(change_page.contains("<h2>Tabs or spaces?</h2>"));
        // A choice's question select offers the questions by that label.
        let add_choice = boss.get("/admin/polls/choice/add/").await.text();
        assert!(
            unescape(&add_choice).contains(&format!(
                "<option value=\"{}\">Tabs or spaces?</option>",
                q.id
            )),
            "{add_choice}"
        );
        let choices = Choice::objects()
            .filter(Choice::QUESTION.eq(ForeignKey::from(&q)))
            .order_by([Choice::ID.asc()])
            .all(site.db())
            .await
            .unwrap();
        let texts: Vec<(&str, i32)> = choices
            .iter()
            .map(|c| (c.choice_text.as_str(), c.votes))
            .collect();
        assert_eq!(texts, [("Tabs", 3), ("Spaces", 0)], "{}", t.name);

        // The change page shows them with their keys, then two blank forms; one renamed, one
        // deleted, one added in one POST.
        let change = format!("/admin/polls/question/{}/change/", q.id);
        let page = boss.get(&change).await.text();
        assert!(
            page.contains("name=\"polls_choice-TOTAL_FORMS\" value=\"4\""),
            "{page}"
        );
        assert!(page.contains("value=\"Spaces\""));
        assert!(
            page.contains(
                "<span class=\"label\">Status:</span> <div class=\"readonly\">Draft</div>"
            ),
            "{page}"
        );
        assert!(
            !page.contains("name=\"status\""),
            "no input for a read-only field"
        );
        let (tabs, spaces) = (choices[0].id.to_string(), choices[1].id.to_string());
        let res = post_with_token(
            &boss,
            &change,
            &change,
            &with(
                &question,
                &[
                    ("polls_choice-TOTAL_FORMS", "4"),
                    ("polls_choice-INITIAL_FORMS", "2"),
                    ("polls_choice-0-id", &tabs),
                    ("polls_choice-0-choice_text", "Hard tabs"),
                    ("polls_choice-0-votes", "3"),
                    ("polls_choice-1-id", &spaces),
                    ("polls_choice-1-choice_text", "Spaces"),
                    ("polls_choice-1-votes", "0"),
                    ("polls_choice-1-DELETE", "on"),
                    ("polls_choice-2-choice_text", "Both"),
                    ("polls_choice-2-votes", "1"),
                    // Blank as shown (this model's votes have no default): skipped.
                    ("polls_choice-3-choice_text", ""),
                    ("polls_choice-3-votes", ""),
                    ("_save", ""),
                ],
            ),
        )
        .await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let mut texts: Vec<String> = Choice::objects()
            .all(site.db())
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.choice_text)
            .collect();
        texts.sort();
        assert_eq!(texts, ["Both", "Hard tabs"], "{}", t.name);
        // Sent again as shown: nothing changed, and the history says so (rows compared with
        // what they hold, not with blank forms).
        let kept = Choice::objects()
            .order_by([Choice::ID.asc()])
            .all(site.db())
            .await
            .unwrap();
        let (first, second) = (kept[0].id.to_string(), kept[1].id.to_string());
        let res = post_with_token(
            &boss,
            &change,
            &change,
            &with(
                &question,
                &[
                    ("polls_choice-TOTAL_FORMS", "2"),
                    ("polls_choice-INITIAL_FORMS", "2"),
                    ("polls_choice-0-id", &first),
                    ("polls_choice-0-choice_text", &kept[0].choice_text),
                    ("polls_choice-0-votes", &kept[0].votes.to_string()),
                    ("polls_choice-1-id", &second),
                    ("polls_choice-1-choice_text", &kept[1].choice_text),
                    ("polls_choice-1-votes", &kept[1].votes.to_string()),
                    ("_save", ""),
                ],
            ),
        )
        .await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let history = unescape(
            &boss
                .get(&format!("/admin/polls/question/{}/history/", q.id))
                .await
                .text(),
        );
        assert!(history.contains("<td>No fields changed.</td>"), "{history}");
        assert!(
            history.contains("Change history: Tabs or spaces?"),
            "{history}"
        );
        // The delete page lists the row by its label.
        let confirm = unescape(
            &boss
                .get(&format!("/admin/polls/question/{}/delete/", q.id))
                .await
                .text(),
        );
        assert!(confirm.contains("<li>Tabs or spaces?</li>"), "{confirm}");
        assert!(
            history.contains("<td>Added. Added 2 choices.</td>"),
            "{history}"
        );
        assert!(
            history.contains("<td>Added 1 choice. Changed 1 choice. Deleted 1 choice.</td>"),
            "{history}"
        );
        site.done().await;
    })
    .await;
}

#[tokio::test]
async fn a_computed_column_and_a_project_action() {
    on_every_backend("admin_actions", |t| async move {
        let site = Site::new(&t).await;
        let qs = site.seed().await;
        site.user("boss", true, true).await;
        let viewer = site.user("viewer", true, false).await;
        site.grant(&viewer, &["view_question"]).await;
        let boss = site.client();
        log_in(&boss, "boss").await;
        let list = "/admin/polls/question/?all=";

        // The computed column: its header (not a sorting link) and a cell per row.
        let page = boss.get(list).await.text();
        assert!(page.contains("<th scope=\"col\">Open?</th>"), "{page}");
        assert_eq!(page.matches("<td>yes</td>").count(), 3, "{page}");
        assert!(page.contains("<option value=\"close\">Close the selected questions</option>"));

        // The action on two open questions: run, its message shown, the rows changed.
        let (a, b) = (qs[0].id.to_string(), qs[2].id.to_string());
        let res = post_with_token(
            &boss,
            list,
            "/admin/polls/question/",
            &[
                ("action", "close"),
                ("_selected_action", &a),
                ("_selected_action", &b),
            ],
        )
        .await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let page = boss.get(list).await.text();
        assert!(page.contains("2 questions were closed."), "{page}");
        assert_eq!(page.matches("<td>yes</td>").count(), 1, "{page}");
        // No selection: Django's message, nothing run; a forged key: a 400.
        let res = post_with_token(
            &boss,
            list,
            "/admin/polls/question/",
            &[("action", "close")],
        )
        .await;
        assert_eq!(res.status(), 302);
        assert!(
            boss.get(list)
                .await
                .text()
                .contains("Items must be selected")
        );
        let res = post_with_token(
            &boss,
            list,
            "/admin/polls/question/",
            &[("action", "close"), ("_selected_action", "1 OR 1=1")],
        )
        .await;
        assert_eq!(res.status(), 400);

        // A user who may only view: no action offered, and a forged one is a 403.
        let v = site.client();
        log_in(&v, "viewer").await;
        let page = v.get(list).await.text();
        assert!(!page.contains("value=\"close\""), "{page}");
        let c = qs[4].id.to_string();
        let forged = post_with_token(
            &v,
            list,
            "/admin/polls/question/",
            &[("action", "close"), ("_selected_action", &c)],
        )
        .await;
        assert_eq!(forged.status(), 403);
        let still_open = Question::objects()
            .filter(Question::ID.eq(qs[4].id))
            .get(site.db())
            .await
            .unwrap();
        assert!(still_open.is_open, "nothing ran");
        site.done().await;
    })
    .await;
}

#[tokio::test]
async fn the_admins_own_password_change() {
    on_every_backend("admin_password", |t| async move {
        let site = Site::new(&t).await;
        site.user("boss", true, true).await;
        site.user("plain", false, false).await;
        let boss = site.client();
        log_in(&boss, "boss").await;
        let page = "/admin/password_change/";
        let shown = boss.get(page).await;
        assert_eq!(shown.status(), 200);
        assert!(shown.text().contains("Change my password"));
        assert!(
            shown.text().contains("href=\"/admin/password_change/\""),
            "linked in the header"
        );

        // Wrong old password, mismatched new ones: the page again with Django's words.
        let res = post_with_token(
            &boss,
            page,
            page,
            &[
                ("old_password", "wrong"),
                ("new_password1", "a brand new secret"),
                ("new_password2", "another secret"),
            ],
        )
        .await;
        assert_eq!(res.status(), 200);
        let text = unescape(&res.text());
        assert!(
            text.contains("Your old password was entered incorrectly."),
            "{text}"
        );
        assert!(
            text.contains("The two password fields didn’t match."),
            "{text}"
        );

        let res = post_with_token(
            &boss,
            page,
            page,
            &[
                ("old_password", PASSWORD),
                ("new_password1", "a brand new secret"),
                ("new_password2", "a brand new secret"),
            ],
        )
        .await;
        assert_eq!(res.status(), 302, "{}", res.text());
        assert_eq!(res.header("location"), Some("/admin/password_change/done/"));
        assert!(
            boss.get("/admin/password_change/done/")
                .await
                .text()
                .contains("Your password was changed.")
        );
        assert_eq!(
            boss.get("/admin/").await.status(),
            200,
            "this session stays logged in"
        );
        let again = site.client();
        assert_eq!(
            admin_log_in(&again, "boss", "a brand new secret", "/admin/")
                .await
                .status(),
            302
        );

        // Not staff, or nobody: sent to the admin's login, never the form.
        let plain = site.client();
        log_in(&plain, "plain").await;
        for c in [&plain, &site.client()] {
            let res = c.get(page).await;
            assert_eq!(res.status(), 302);
            assert!(
                res.header("location")
                    .unwrap_or("")
                    .starts_with("/admin/login/")
            );
        }
        site.done().await;
    })
    .await;
}

#[tokio::test]
async fn the_date_hierarchy_drills_down_by_year_month_and_day() {
    on_every_backend("admin_dates", |t| async move {
        let site = Site::new(&t).await;
        site.seed().await; // 2021-09-01 to 2021-09-05, at noon UTC
        site.user("boss", true, true).await;
        let boss = site.client();
        log_in(&boss, "boss").await;
        let list = |q: &str| {
            let boss = &boss;
            let path = format!("/admin/polls/question/{q}");
            async move {
                let res = boss.get(&path).await;
                assert_eq!(res.status(), 200, "{path}: {}", res.text());
                unescape(&res.text())
            }
        };
        let top = list("").await;
        assert!(top.contains("<a href=\"?pub_date__year=2021\">2021</a>"), "{top}");
        let year = list("?pub_date__year=2021").await;
        assert!(
            year.contains("<a href=\"?pub_date__year=2021&pub_date__month=9\">September 2021</a>"),
            "{year}"
        );
        assert!(year.contains(">‹ All dates</a>"));
        let month = list("?pub_date__year=2021&pub_date__month=9").await;
        for day in 1..=5 {
            assert!(
                month.contains(&format!(
                    "<a href=\"?pub_date__year=2021&pub_date__month=9&pub_date__day={day}\">September {day}</a>"
                )),
                "{day}: {month}"
            );
        }
        assert!(!month.contains("September 6<"), "only the days the rows have");
        let day = list("?pub_date__year=2021&pub_date__month=9&pub_date__day=3&all=").await;
        assert_eq!(first_cells(&day), ["50% off_sale?"], "{}", t.name);
        assert!(day.contains("<span aria-current=\"true\">September 3</span>"), "{day}");
        // Another year: none; nonsense: ignored, never a 500.
        assert!(first_cells(&list("?pub_date__year=1999").await).is_empty());
        for junk in [
            "?pub_date__year=abc",
            "?pub_date__year=2021&pub_date__month=13",
            "?pub_date__month=9",
            "?pub_date__year=99999999999",
        ] {
            // Ignored: the whole list, its first page of three.
            assert_eq!(first_cells(&list(junk).await).len(), 3, "{junk}");
        }
        site.done().await;
    })
    .await;
}

#[tokio::test]
async fn a_foreign_key_filter_lists_the_related_rows() {
    on_every_backend("admin_fk_filter", |t| async move {
        let site = Site::new(&t).await;
        let qs = site.seed().await;
        site.user("boss", true, true).await;
        let boss = site.client();
        log_in(&boss, "boss").await;
        let page = unescape(&boss.get("/admin/polls/choice/").await.text());
        assert!(page.contains("By question"), "{page}");
        for q in &qs {
            assert!(
                page.contains(&format!(
                    "<a href=\"?question__exact={}\">Question object ({})</a>",
                    q.id, q.id
                )),
                "{page}"
            );
        }
        let narrowed = unescape(
            &boss
                .get(&format!(
                    "/admin/polls/choice/?question__exact={}",
                    qs[1].id
                ))
                .await
                .text(),
        );
        assert_eq!(first_cells(&narrowed).len(), 1, "{narrowed}");
        assert!(narrowed.contains("<td>Tabs or spaces?</td>"), "{narrowed}");
        site.done().await;
    })
    .await;
}

/// The `value` of the input named `name` on `page` (unescaped), if it is there.
fn input_value(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!("name=\"{name}\""))?;
    let tag_start = page[..at].rfind('<')?;
    let tag_end = at + page[at..].find('>')?;
    let tag = &page[tag_start..tag_end];
    let v = tag.find("value=\"")? + 7;
    let end = tag[v..].find('"')? + v;
    Some(unescape(&tag[v..end]))
}

#[tokio::test]
async fn list_editable_saves_the_pages_rows_in_place() {
    on_every_backend("admin_editable", |t| async move {
        let site = Site::with(&t, Variant::Inlines).await;
        let qs = site.seed().await;
        site.user("boss", true, true).await;
        let viewer = site.user("viewer", true, false).await;
        site.grant(&viewer, &["view_question"]).await;
        let boss = site.client();
        log_in(&boss, "boss").await;
        let list = "/admin/polls/question/";
        let page = boss.get(list).await.text();
        assert!(
            page.contains("name=\"form-TOTAL_FORMS\" value=\"3\""),
            "{page}"
        );
        assert!(page.contains("name=\"form-0-is_open\""), "{page}");
        assert!(page.contains("name=\"_save\""));
        // The page's rows, newest first: qs[4], qs[3], qs[2].
        let shown: Vec<&Question> = vec![&qs[4], &qs[3], &qs[2]];
        let mut post: Vec<(String, String)> = vec![
            ("form-TOTAL_FORMS".into(), "3".into()),
            ("form-INITIAL_FORMS".into(), "3".into()),
            ("_save".into(), String::new()),
        ];
        for (i, q) in shown.iter().enumerate() {
            post.push((format!("form-{i}-id"), q.id.to_string()));
            let date = input_value(&page, &format!("form-{i}-pub_date")).expect("the date input");
            post.push((format!("form-{i}-pub_date"), date));
            if q.is_open {
                post.push((format!("form-{i}-is_open"), "on".into()));
            }
        }
        let send = |pairs: Vec<(String, String)>| {
            let boss = &boss;
            async move {
                let token = token_in(&boss.get(list).await.text());
                let mut form: Vec<(&str, &str)> = vec![("csrfmiddlewaretoken", token.as_str())];
                form.extend(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                boss.post(list).form(&form).await
            }
        };

        // An invalid date: the list again with the error at the cell, nothing saved.
        let mut bad = post.clone();
        bad.retain(|(k, _)| k != "form-1-pub_date");
        bad.push(("form-1-pub_date".into(), "<b>soon</b>".into()));
        let res = send(bad).await;
        assert_eq!(res.status(), 200, "{}", res.text());
        let text = unescape(&res.text());
        assert!(text.contains("Enter a valid date/time."), "{text}");
        assert!(!res.text().contains("<b>soon</b>"), "escaped");

        // One row's box unticked (qs[4] is open): saved, the others untouched.
        let mut change = post.clone();
        change.retain(|(k, _)| k != "form-0-is_open");
        let res = send(change).await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let after = boss.get(list).await.text();
        assert!(
            after.contains("1 question was changed successfully."),
            "{after}"
        );
        let q4 = Question::objects()
            .filter(Question::ID.eq(qs[4].id))
            .get(site.db())
            .await
            .unwrap();
        assert!(!q4.is_open, "{}", t.name);
        let q2 = Question::objects()
            .filter(Question::ID.eq(qs[2].id))
            .get(site.db())
            .await
            .unwrap();
        assert!(q2.is_open && q2.pub_date == qs[2].pub_date, "untouched");
        let history = unescape(
            &boss
                .get(&format!("/admin/polls/question/{}/history/", qs[4].id))
                .await
                .text(),
        );
        assert!(history.contains("<td>Changed is open.</td>"), "{history}");

        // A key that is not one of the rows: nothing saved, a warning.
        let mut forged = post.clone();
        forged.retain(|(k, _)| k != "form-2-id");
        forged.push(("form-2-id".into(), "999999".into()));
        let res = send(forged).await;
        assert_eq!(res.status(), 302);
        assert!(boss.get(list).await.text().contains("nothing was saved"));

        // A user who may only view: no inputs, and a forged save is a 403.
        let v = site.client();
        log_in(&v, "viewer").await;
        let page = v.get(list).await.text();
        assert!(!page.contains("name=\"form-0-is_open\""), "{page}");
        let token = token_in(&page);
        let res = v
            .post(list)
            .form(&[
                ("csrfmiddlewaretoken", token.as_str()),
                ("_save", ""),
                ("form-TOTAL_FORMS", "0"),
            ])
            .await;
        assert_eq!(res.status(), 403);
        site.done().await;
    })
    .await;
}

#[tokio::test]
async fn an_inline_foreign_key_found_by_search() {
    on_every_backend("admin_inline_autocomplete", |t| async move {
        let site = Site::with(&t, Variant::Autocomplete).await;
        let qs = site.seed().await;
        let tabs_choice = Choice::objects()
            .filter(Choice::QUESTION.eq(ForeignKey::from(&qs[1])))
            .get(site.db())
            .await
            .unwrap();
        site.user("boss", true, true).await;
        let boss = site.client();
        log_in(&boss, "boss").await;

        // The question's page: the picks' choice is a key input naming the endpoint for the
        // inline's model and field, and no choice is read to list them all.
        let change = format!("/admin/polls/question/{}/change/", qs[0].id);
        let (res, queries) = fullstack::capture_queries(boss.get(&change).into_future()).await;
        assert_eq!(res.status(), 200);
        let page = res.text();
        assert!(
            page.contains(
                "data-autocomplete-url=\"/admin/autocomplete/?app_label=polls&amp;model_name=pick&amp;field_name=choice\""
            ),
            "{page}"
        );
        assert!(page.contains("admin/autocomplete.js"), "{page}");
        assert!(
            !queries.iter().any(|q| q.contains("polls_choice")),
            "the choices are not read for the page: {queries:#?}"
        );
        // The foreign key to the question is not a field: the formset sets it.
        assert!(!page.contains("name=\"polls_pick-0-question\""), "{page}");

        // The endpoint answers for the inline's field, though Pick has no admin of its own;
        // the parent's foreign key is not completed, and a forged field is a 403.
        let url = "/admin/autocomplete/?app_label=polls&model_name=pick&field_name=choice";
        let body: serde_json::Value = boss.get(&format!("{url}&term=tabs")).await.json();
        assert_eq!(
            body["results"],
            serde_json::json!([{
                "id": tabs_choice.id.to_string(),
                "text": format!("Choice object ({})", tabs_choice.id),
            }])
        );
        for forged in ["field_name=question", "field_name=id", "field_name=nope"] {
            let res = boss
                .get(&format!(
                    "/admin/autocomplete/?app_label=polls&model_name=pick&{forged}"
                ))
                .await;
            assert_eq!(res.status(), 403, "{forged}");
        }

        // A pick saved through the page with the key a search found; a key that is no
        // choice is the page again with Django's message, nothing saved.
        let fields = form_data(&page);
        let bogus = with(fields.clone(), "polls_pick-0-choice", "999999");
        let res = boss.post(&change).form(&pairs(&bogus)).await;
        assert_eq!(res.status(), 200, "{}", res.text());
        assert!(
            unescape(&res.text())
                .contains("Select a valid choice. That choice is not one of the available choices."),
            "{}",
            res.text()
        );
        assert_eq!(Pick::objects().count(site.db()).await.unwrap(), 0);
        let picked = with(fields, "polls_pick-0-choice", &tabs_choice.id.to_string());
        let res = boss.post(&change).form(&pairs(&picked)).await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let pick = Pick::objects().get(site.db()).await.unwrap();
        assert_eq!(pick.question.id(), qs[0].id);
        assert_eq!(pick.choice.id(), tabs_choice.id);
        // Shown again, the key input says which choice it holds.
        let page = boss.get(&change).await.text();
        assert!(
            page.contains(&format!("Choice object ({})", tabs_choice.id)),
            "{page}"
        );
        site.done().await;
    })
    .await;
}

/// `fields` as the test client's form takes them.
fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[tokio::test]
async fn a_foreign_key_found_by_search() {
    on_every_backend("admin_autocomplete", |t| async move {
        let site = Site::with(&t, Variant::Autocomplete).await;
        let seeded = site.seed().await;
        let tabs = seeded[1].clone();
        for n in 0..25 {
            let mut q = Question {
                id: 0,
                question_text: format!("Poll number {n:02}"),
                pub_date: Utc.with_ymd_and_hms(2022, 1, 1, 0, 0, 0).unwrap() + Duration::hours(n),
                is_open: true,
                status: "p".to_owned(),
            };
            q.save(site.db()).await.unwrap();
        }
        site.user("boss", true, true).await;
        let clerk = site.user("clerk", true, false).await;
        site.grant(&clerk, &["add_choice", "change_choice", "view_choice"])
            .await;
        let reader = site.user("reader", true, false).await;
        site.grant(&reader, &["add_choice", "view_question"]).await;
        site.user("member", false, false).await;

        let boss = site.client();
        log_in(&boss, "boss").await;

        // The add page: a key input that names the endpoint, and no list of the questions.
        let add = "/admin/polls/choice/add/";
        let (res, queries) = fullstack::capture_queries(boss.get(add).into_future()).await;
        assert_eq!(res.status(), 200);
        let page = res.text();
        assert!(
            page.contains(
                "data-autocomplete-url=\"/admin/autocomplete/?app_label=polls&amp;model_name=choice&amp;field_name=question\""
            ),
            "{page}"
        );
        assert!(page.contains("admin/autocomplete.js"), "{page}");
        assert!(!page.contains("Poll number") && !page.contains("<option"), "{page}");
        assert!(
            !queries.iter().any(|q| q.contains("polls_question")),
            "the questions are not read for the add page: {queries:#?}"
        );

        // The endpoint: 20 a page, in the admin's order, labelled by the question's admin.
        let url = "/admin/autocomplete/?app_label=polls&model_name=choice&field_name=question";
        let res = boss.get(&format!("{url}&term=poll+number")).await;
        assert_eq!(res.status(), 200, "{}", res.text());
        assert!(
            res.header("content-type").unwrap().starts_with("application/json"),
            "{:?}",
            res.header("content-type")
        );
        let body: serde_json::Value = res.json();
        let texts = |body: &serde_json::Value| -> Vec<String> {
            body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["text"].as_str().unwrap().to_owned())
                .collect()
        };
        let first = texts(&body);
        assert_eq!(first.len(), 20);
        assert_eq!(first[0], "Poll number 24", "newest first, the model's ordering");
        assert_eq!(body["pagination"]["more"], true);
        let body: serde_json::Value = boss
            .get(&format!("{url}&term=poll+number&page=2"))
            .await
            .json();
        let second = texts(&body);
        assert_eq!(second.len(), 5);
        assert_eq!(second[4], "Poll number 00");
        assert_eq!(body["pagination"]["more"], false);
        let body: serde_json::Value = boss.get(&format!("{url}&term=TABS")).await.json();
        assert_eq!(
            body["results"],
            serde_json::json!([{"id": tabs.id.to_string(), "text": "Tabs or spaces?"}])
        );
        // No term: every question; SQL and HTML in it are text to look for.
        let body: serde_json::Value = boss.get(url).await.json();
        assert_eq!(texts(&body).len(), 20);
        for (term, raw, expected) in [
            ("%27+OR+1%3D1+--", "' OR 1=1 --", 0),
            ("%25", "%", 1),
            ("_", "_", 1),
        ] {
            let res = boss.get(&format!("{url}&term={term}")).await;
            assert_eq!(res.status(), 200, "{term}");
            let found = texts(&res.json());
            assert_eq!(found.len(), expected, "{raw}: {found:?}");
            assert!(found.iter().all(|t| t.contains(raw)), "{raw}: {found:?}");
        }
        let body: serde_json::Value = boss.get(&format!("{url}&term=script")).await.json();
        assert_eq!(texts(&body), ["<script>alert(1)</script>"], "JSON, not HTML");
        for page in ["0", "x", "-1"] {
            let res = boss.get(&format!("{url}&page={page}")).await;
            assert_eq!(res.status(), 404, "page={page}");
        }

        // Forged parameters: a field the admin does not complete, or no such model: 403.
        for forged in [
            "app_label=polls&model_name=choice&field_name=choice_text",
            "app_label=polls&model_name=choice&field_name=votes",
            "app_label=polls&model_name=question&field_name=question",
            "app_label=polls&model_name=nope&field_name=question",
            "app_label=auth&model_name=choice&field_name=question",
            "",
        ] {
            let res = boss.get(&format!("/admin/autocomplete/?{forged}")).await;
            assert_eq!(res.status(), 403, "{forged}");
        }

        // Who may search: staff who may view the questions, nobody else.
        let anonymous = site.client();
        let res = anonymous.get(url).await;
        assert_eq!(res.status(), 302);
        assert!(res.header("location").unwrap().starts_with("/admin/login/"));
        let member = site.client();
        log_in(&member, "member").await;
        assert_eq!(member.get(url).await.status(), 302);
        let c = site.client();
        log_in(&c, "clerk").await;
        assert_eq!(c.get(url).await.status(), 403, "no view permission on questions");
        let r = site.client();
        log_in(&r, "reader").await;
        assert_eq!(r.get(url).await.status(), 200);

        // Saving: the key is checked with one query, a forged one refused beside the field.
        let (res, queries) = fullstack::capture_queries(
            post_with_token(
                &r,
                add,
                add,
                &[
                    ("question", &tabs.id.to_string()),
                    ("choice_text", "Both"),
                    ("votes", "0"),
                ],
            )
            .into_future(),
        )
        .await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let lookups = queries
            .iter()
            .filter(|q| q.contains("FROM") && q.contains("polls_question"))
            .count();
        assert_eq!(lookups, 1, "one query checks the key: {queries:#?}");
        let saved = Choice::objects()
            .filter(Choice::CHOICE_TEXT.eq("Both"))
            .first(site.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(saved.question.id(), tabs.id);
        for forged in ["999999", "abc", "-1"] {
            let res = post_with_token(
                &r,
                add,
                add,
                &[("question", forged), ("choice_text", "Kept"), ("votes", "0")],
            )
            .await;
            assert_eq!(res.status(), 200, "{forged}");
            let page = unescape(&res.text());
            assert!(
                page.contains(
                    "Select a valid choice. That choice is not one of the available choices."
                ),
                "{forged}: {page}"
            );
            assert!(page.contains("value=\"Kept\""), "nothing typed is lost: {page}");
        }

        // The change page shows the chosen question's label beside its key.
        let page = boss
            .get(&format!("/admin/polls/choice/{}/change/", saved.id))
            .await
            .text();
        assert!(
            page.contains(&format!("name=\"question\" value=\"{}\"", tabs.id)),
            "{page}"
        );
        assert!(
            page.contains("<strong class=\"key-label\" data-for=\"question\">Tabs or spaces?</strong>"),
            "{page}"
        );
        site.done().await;
    })
    .await;
}

/// What a browser would send for the first POST form of `page`: its inputs (checkboxes only
/// when checked, no buttons), textareas and the selected options of its selects, in order,
/// none that is `disabled`.
fn form_data(page: &str) -> Vec<(String, String)> {
    let start = page.find("<form method=\"post\" id=").unwrap_or(0);
    let end = page[start..]
        .find("</form>")
        .map_or(page.len(), |e| e + start);
    let form = &page[start..end];
    let attr = |tag: &str, name: &str| {
        let key = format!(" {name}=\"");
        let at = tag.find(&key)? + key.len();
        let stop = tag[at..].find('"')? + at;
        Some(unescape(&tag[at..stop]))
    };
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(open) = rest.find('<') {
        let after = &rest[open..];
        let Some(close) = after.find('>') else { break };
        let tag = &after[..=close];
        let disabled = tag.contains(" disabled");
        if disabled
            && ["<input", "<textarea", "<select"]
                .iter()
                .any(|t| tag.starts_with(t))
        {
            rest = &after[close + 1..];
            continue;
        }
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_default();
            let checked = tag.contains(" checked");
            if let Some(name) = attr(tag, "name")
                && kind != "submit"
                && (kind != "checkbox" || checked)
            {
                let default = if kind == "checkbox" { "on" } else { "" };
                out.push((
                    name,
                    attr(tag, "value").unwrap_or_else(|| default.to_owned()),
                ));
            }
        } else if tag.starts_with("<textarea") {
            let body = &after[close + 1..];
            let text = &body[..body.find("</textarea>").unwrap_or(0)];
            if let Some(name) = attr(tag, "name") {
                out.push((name, unescape(text.trim_start_matches('\n'))));
            }
        } else if tag.starts_with("<select") {
            let body = &after[close + 1..];
            let options = &body[..body.find("</select>").unwrap_or(0)];
            if let Some(name) = attr(tag, "name") {
                for option in options.split("<option").skip(1) {
                    let head = &option[..option.find('>').unwrap_or(0)];
                    if head.contains(" selected") {
                        let value = attr(&format!("<option{head}>"), "value").unwrap_or_default();
                        out.push((name.clone(), value));
                    }
                }
            }
        }
        rest = &after[close + 1..];
    }
    out
}

/// `fields` with `name` set to `value` (added when missing).
fn with(mut fields: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some(field) => field.1 = value.to_owned(),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
    fields
}

#[tokio::test]
async fn an_inline_answers_to_its_own_models_permissions() {
    on_every_backend("admin_inline_perms", |t| async move {
        let site = Site::with(&t, Variant::Inlines).await;
        let qs = site.seed().await;
        let q = &qs[0];
        let clerk = site.user("clerk", true, false).await;
        site.grant(&clerk, &["view_question", "change_question", "view_choice"])
            .await;
        let blind = site.user("blind", true, false).await;
        site.grant(&blind, &["view_question", "change_question"])
            .await;
        let adder = site.user("adder", true, false).await;
        site.grant(
            &adder,
            &[
                "view_question",
                "change_question",
                "view_choice",
                "add_choice",
            ],
        )
        .await;
        let change = format!("/admin/polls/question/{}/change/", q.id);
        let choices = || async {
            Choice::objects()
                .filter(Choice::QUESTION.eq(ForeignKey::from(q)))
                .order_by([Choice::ID.asc()])
                .all(site.db())
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.choice_text)
                .collect::<Vec<_>>()
        };
        let before = choices().await;
        assert_eq!(before.len(), 1);
        let post = |c: &TestClient, fields: Vec<(String, String)>| {
            let (c, to) = (c.clone(), change.clone());
            async move {
                let pairs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                c.post(&to).form(&pairs).await
            }
        };

        // View only: the rows shown, no blank forms, no delete boxes; a save that leaves
        // them alone goes through, one that touches them is a 403 and changes nothing.
        let c = site.client();
        log_in(&c, "clerk").await;
        let page = c.get(&change).await.text();
        assert!(page.contains("<legend>Choices</legend>"), "{page}");
        assert!(
            page.contains("name=\"polls_choice-TOTAL_FORMS\" value=\"1\""),
            "no blank forms without add_choice: {page}"
        );
        assert!(!page.contains("polls_choice-0-DELETE"), "{page}");
        // The row is shown read-only: its inputs disabled, what they show carried in hidden
        // inputs so that a save posts it back unchanged.
        let tags: Vec<&str> = page
            .split('<')
            .filter(|t| t.contains("name=\"polls_choice-0-choice_text\""))
            .collect();
        assert_eq!(tags.len(), 2, "{tags:?}");
        assert!(
            tags[0].starts_with("input type=\"text\"") && tags[0].contains(" disabled"),
            "{tags:?}"
        );
        assert!(
            tags[1].starts_with("input type=\"hidden\"")
                && unescape(tags[1]).contains("value=\"answer to What's new?\""),
            "{tags:?}"
        );
        let fields = form_data(&page);
        // The page shown again for the question's own error offers no more than the first:
        // the rows still read-only, no delete boxes, no blank forms.
        let again = post(&c, with(fields.clone(), "question_text", "")).await;
        assert_eq!(again.status(), 200);
        let again = again.text();
        assert!(again.contains("This field is required."), "{again}");
        assert!(!again.contains("polls_choice-0-DELETE"), "{again}");
        assert!(!again.contains("name=\"polls_choice-1-"), "{again}");
        assert!(
            again.split('<').any(|t| t
                .starts_with("input type=\"text\" name=\"polls_choice-0-choice_text\"")
                && t.contains(" disabled")),
            "{again}"
        );
        let res = post(
            &c,
            with(fields.clone(), "question_text", "Renamed by the clerk"),
        )
        .await;
        assert_eq!(res.status(), 302, "{}", res.text());
        for (what, forged) in [
            (
                "a changed row",
                with(fields.clone(), "polls_choice-0-choice_text", "hacked"),
            ),
            (
                "an added row",
                with(
                    with(
                        with(fields.clone(), "polls_choice-TOTAL_FORMS", "2"),
                        "polls_choice-1-choice_text",
                        "smuggled",
                    ),
                    "polls_choice-1-votes",
                    "0",
                ),
            ),
            (
                "a deleted row",
                with(fields.clone(), "polls_choice-0-DELETE", "on"),
            ),
        ] {
            let forged = with(forged, "question_text", "Not saved");
            let res = post(&c, forged).await;
            assert_eq!(res.status(), 403, "{what}: {}", res.text());
        }
        assert_eq!(choices().await, before, "the rows are untouched");
        let saved = Question::objects()
            .filter(Question::ID.eq(q.id))
            .get(site.db())
            .await
            .unwrap();
        assert_eq!(
            saved.question_text, "Renamed by the clerk",
            "nothing of a refused save"
        );

        // No permission on choices at all: no inline, and its part of a POST is ignored.
        let b = site.client();
        log_in(&b, "blind").await;
        let page = b.get(&change).await.text();
        assert!(!page.contains("<legend>Choices</legend>"), "{page}");
        assert!(!page.contains("polls_choice-"), "{page}");
        let choice_id = Choice::objects()
            .filter(Choice::QUESTION.eq(ForeignKey::from(q)))
            .get(site.db())
            .await
            .unwrap()
            .id
            .to_string();
        let mut forged = with(form_data(&page), "question_text", "Renamed blind");
        for (k, v) in [
            ("polls_choice-TOTAL_FORMS", "1"),
            ("polls_choice-INITIAL_FORMS", "1"),
            ("polls_choice-0-id", choice_id.as_str()),
            ("polls_choice-0-choice_text", "hacked"),
            ("polls_choice-0-votes", "99"),
        ] {
            forged = with(forged, k, v);
        }
        let res = post(&b, forged).await;
        assert_eq!(res.status(), 302, "{}", res.text());
        assert_eq!(choices().await, before, "an inline not shown is not bound");

        // Add but not change: blank forms to add with, the shown rows still not writable.
        let a = site.client();
        log_in(&a, "adder").await;
        let page = a.get(&change).await.text();
        assert!(
            page.contains("name=\"polls_choice-TOTAL_FORMS\" value=\"3\""),
            "{page}"
        );
        let fields = form_data(&page);
        let added = with(
            with(
                fields.clone(),
                "polls_choice-1-choice_text",
                "Added by the adder",
            ),
            "polls_choice-1-votes",
            "0",
        );
        let res = post(&a, added).await;
        assert_eq!(res.status(), 302, "{}", res.text());
        assert_eq!(choices().await.len(), 2);
        let fields = form_data(&a.get(&change).await.text());
        let res = post(&a, with(fields, "polls_choice-0-choice_text", "hacked")).await;
        assert_eq!(res.status(), 403, "{}", res.text());
        assert!(!choices().await.contains(&"hacked".to_owned()));
        site.done().await;
    })
    .await;
}
