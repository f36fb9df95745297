//! Django's generic views through the test client on every backend: ListView with
//! pagination, DetailView by key and by slug, and the date archives, every bad URL a 404; the
//! editing views (create, update, delete) and FormView with invalid data shown again and 303s
//! after.

mod backends;

use backends::{TestDb, on_every_backend};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use fullstack::forms::Form;
use fullstack::migrations::{NonInteractive, ProjectState, diff};
use fullstack::query::prelude::*;
use fullstack::test::assert_num_queries;
use fullstack::views::generic::{
    ArchiveIndexView, CreateView, DateDetailView, DayArchiveView, DeleteView, DetailView, FormView,
    ListView, MonthArchiveView, UpdateView, YearArchiveView,
};
use fullstack::{Model, ModelMeta};
use micro::{App, TestClient};
use std::sync::{Arc, Mutex};

#[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
#[model(app = "gv", table = "gv_post")]
struct Post {
    id: i64,
    #[field(max_length = 50)]
    title: String,
    #[field(max_length = 50, unique)]
    slug: String,
    pub_date: DateTime<Utc>,
    /// The same day as `pub_date`, as a date field, for the archives by date.
    day: NaiveDate,
}

async fn create_tables(t: &TestDb) {
    create_tables_on(&t.db).await;
}

async fn create_tables_on(db: &fullstack::Database) {
    let b = db.backend();
    let sql = format!("DROP TABLE IF EXISTS {}", b.quote("gv_post"));
    db.execute(&sql, vec![]).await.unwrap();
    let models: [&'static ModelMeta; 1] = [Post::META];
    let mut state = ProjectState::default();
    let to = ProjectState::from_models(&models);
    for op in diff(&state.clone(), &to, &mut NonInteractive).unwrap() {
        for sql in op.forward_sql(b, &state).unwrap() {
            db.execute(&sql, vec![]).await.unwrap();
        }
        op.apply_state(&mut state).unwrap();
    }
}

/// A year far in the future: past 2038 too, where MySQL's `TIMESTAMP` ends (moments are
/// bound as the `DATETIME` they are stored in).
fn future_year() -> i32 {
    2999
}

async fn seed(db: &fullstack::Database) {
    for (title, (y, m, d, h)) in [
        ("first", (2021, 9, 1, 10)),
        ("second", (2021, 9, 1, 18)),
        ("third", (2021, 9, 15, 12)),
        ("fourth", (2021, 11, 2, 8)),
        ("future", (future_year(), 1, 1, 0)),
    ] {
        let at = Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap();
        let mut post = Post::new(title, title, at, at.date_naive());
        post.save(db).await.unwrap();
    }
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "gv/post_list.html",
        "{% for p in object_list %}{{ p.title }},{% endfor %}|{{ page_obj.number }}/{{ paginator.num_pages }}|{{ is_paginated }}|{{ post_list|length }}",
    ),
    ("gv/post_detail.html", "{{ object.title }}={{ post.slug }}"),
    (
        "gv/post_archive_year.html",
        "{{ year }}:{% for d in date_list %}{{ d }},{% endfor %}|{{ object_list|length }}",
    ),
    (
        "gv/post_archive_month.html",
        "{{ year }}-{{ month }}:{% for p in object_list %}{{ p.title }},{% endfor %}|{% for d in date_list %}{{ d }},{% endfor %}",
    ),
    (
        "gv/post_archive_day.html",
        "{{ date }}:{{ object_list|length }} {{ post_list|length }}",
    ),
    (
        "gv/post_archive.html",
        "{% for p in latest %}{{ p.title }},{% endfor %}|{% for d in date_list %}{{ d }},{% endfor %}|{{ page_obj.number }}/{{ paginator.num_pages }}",
    ),
    (
        "all.html",
        "{% for p in object_list %}{{ p.title }},{% endfor %}|{{ is_paginated }}",
    ),
];

fn app(db: &fullstack::Database) -> App {
    let mut app = App::new();
    app.state(db.clone());
    for (name, source) in TEMPLATES {
        app.add_template(*name, *source).unwrap();
    }
    let by_id = Post::objects().order_by([Post::ID.asc()]);
    app.route(
        "/posts/",
        ListView::new(by_id.clone()).paginate_by(2).as_view(),
    );
    app.route(
        "/all/",
        ListView::new(by_id.clone())
            .template_name("all.html")
            .as_view(),
    );
    app.route(
        "/none/",
        ListView::new(by_id.clone().filter(Post::TITLE.eq("nothing")))
            .allow_empty(false)
            .as_view(),
    );
    app.route(
        "/latest/",
        ArchiveIndexView::new(Post::objects(), Post::PUB_DATE)
            .paginate_by(3)
            .as_view(),
    );
    app.route(
        "/latest-all/",
        ArchiveIndexView::new(Post::objects(), Post::PUB_DATE)
            .allow_future(true)
            .as_view(),
    );
    app.route(
        "/latest-none/",
        ArchiveIndexView::new(
            Post::objects().filter(Post::TITLE.eq("nothing")),
            Post::PUB_DATE,
        )
        .as_view(),
    );
    app.route("/posts/<pk>/", DetailView::new(Post::objects()).as_view());
    app.route(
        "/p/<slug>/",
        DetailView::new(Post::objects())
            .slug_field(Post::SLUG)
            .as_view(),
    );
    app.route(
        "/archive/<year>/",
        YearArchiveView::new(Post::objects(), Post::PUB_DATE).as_view(),
    );
    app.route(
        "/archive/<year>/<month>/",
        MonthArchiveView::new(Post::objects(), Post::PUB_DATE).as_view(),
    );
    app.route(
        "/archive/<year>/<month>/<day>/",
        DayArchiveView::new(Post::objects(), Post::DAY).as_view(),
    );
    app.route(
        "/archive/<year>/<month>/<day>/<slug>/",
        DateDetailView::new(Post::objects(), Post::PUB_DATE)
            .slug_field(Post::SLUG)
            .as_view(),
    );
    app.route(
        "/all-dates/<year>/",
        YearArchiveView::new(Post::objects(), Post::PUB_DATE)
            .allow_future(true)
            .make_object_list(true)
            .as_view(),
    );
    app
}

#[tokio::test]
async fn generic_views_on_every_backend() {
    on_every_backend("generic_views", |t| async move {
        create_tables(&t).await;
        seed(&t.db).await;
        let client = TestClient::new(app(&t.db));
        let get = |path: &str| {
            let (client, path) = (&client, path.to_owned());
            async move {
                let res = client.get(&path).send().await;
                (res.status().as_u16(), res.text())
            }
        };
        let backend = t.name;

        // ListView, paginated: a COUNT and the page's rows.
        let (status, body) = assert_num_queries(2, get("/posts/")).await;
        assert_eq!(
            (status, body.as_str()),
            (200, "first,second,|1/3|True|2"),
            "{backend}"
        );
        let (_, body) = get("/posts/?page=2").await;
        assert_eq!(body, "third,fourth,|2/3|True|2", "{backend}");
        let (_, body) = get("/posts/?page=last").await;
        assert!(body.starts_with("future,|3/3"), "{backend}: {body}");
        for bad in ["/posts/?page=4", "/posts/?page=0", "/posts/?page=x"] {
            assert_eq!(get(bad).await.0, 404, "{bad} on {backend}");
        }
        // Unpaginated: one query, every row.
        let (status, body) = assert_num_queries(1, get("/all/")).await;
        assert_eq!(status, 200);
        assert_eq!(body, "first,second,third,fourth,future,|False", "{backend}");
        let (status, body) = get("/none/").await;
        assert_eq!(status, 404, "allow_empty(false) on {backend}");
        assert!(body.contains("allow_empty"), "{body}");

        // ArchiveIndexView: newest first, the future left out at each request, the years with
        // rows; three queries (the years, a COUNT and the page).
        let (status, body) = assert_num_queries(3, get("/latest/")).await;
        assert_eq!(
            (status, body.as_str()),
            (200, "fourth,third,second,|2021-01-01,|1/2"),
            "{backend}"
        );
        assert_eq!(get("/latest/?page=last").await.1, "first,|2021-01-01,|2/2");
        assert_eq!(get("/latest/?page=3").await.0, 404, "{backend}");
        let (_, body) = get("/latest-all/").await;
        let next = future_year();
        assert_eq!(
            body,
            format!("future,fourth,third,second,first,|{next}-01-01,2021-01-01,|/"),
            "{backend}"
        );
        let (status, body) = get("/latest-none/").await;
        assert_eq!(status, 404, "{backend}");
        assert!(body.contains("No posts available"), "{body}");

        // DetailView by key and by slug; missing rows and keys that are not keys are 404s.
        let second = Post::objects()
            .filter(Post::SLUG.eq("second"))
            .get(&t.db)
            .await
            .unwrap();
        let path = format!("/posts/{}/", second.id);
        assert_eq!(
            get(&path).await,
            (200, "second=second".to_owned()),
            "{backend}"
        );
        assert_eq!(get("/p/third/").await, (200, "third=third".to_owned()));
        for missing in ["/posts/999999/", "/posts/abc/", "/posts/-1/", "/p/nothing/"] {
            let (status, body) = get(missing).await;
            assert_eq!(status, 404, "{missing} on {backend}");
            assert!(
                body.contains("No post found matching the query"),
                "{missing}: {body}"
            );
        }

        // Year archive: the months with posts; a year without any, or only future ones, is a 404.
        let (status, body) = get("/archive/2021/").await;
        assert_eq!(
            (status, body.as_str()),
            (200, "2021:2021-09-01,2021-11-01,|0"),
            "{backend}"
        );
        assert_eq!(get("/archive/2020/").await.0, 404, "{backend}");
        let next = future_year();
        assert_eq!(
            get(&format!("/archive/{next}/")).await.0,
            404,
            "future on {backend}"
        );
        let (status, body) = get(&format!("/all-dates/{next}/")).await;
        assert_eq!(
            (status, body),
            (200, format!("{next}:{next}-01-01,|1")),
            "{backend}"
        );

        // Month archive: the month's posts, latest first, and its days.
        let (status, body) = get("/archive/2021/09/").await;
        assert_eq!(
            (status, body.as_str()),
            (200, "2021-9:third,second,first,|2021-09-01,2021-09-15,"),
            "{backend}"
        );
        assert_eq!(
            get("/archive/2021/10/").await.0,
            404,
            "empty month on {backend}"
        );
        let (status, body) = get("/archive/2021/13/").await;
        assert_eq!(status, 404, "{backend}");
        assert!(body.contains("Invalid date string"), "{body}");

        // Day archive on a date field (the day's two posts tie on it: their order is the
        // database's).
        let (status, body) = get("/archive/2021/9/1/").await;
        assert_eq!(
            (status, body.as_str()),
            (200, "2021-09-01:2 2"),
            "{backend}"
        );
        assert_eq!(get("/archive/2021/02/30/").await.0, 404, "{backend}");

        // Date detail: the post of that day only, never a future one.
        assert_eq!(
            get("/archive/2021/09/15/third/").await,
            (200, "third=third".to_owned()),
            "{backend}"
        );
        assert_eq!(get("/archive/2021/09/01/third/").await.0, 404, "{backend}");
        let future = format!("/archive/{next}/01/01/future/");
        assert_eq!(get(&future).await.0, 404, "{backend}");
        assert_eq!(get("/archive/2021/02/30/third/").await.0, 404, "{backend}");
    })
    .await;
}

#[tokio::test]
async fn the_editing_views_create_update_and_delete() {
    on_every_backend("generic_edit", |t| async move {
        // A database of its own: the display views' test makes the same table at once.
        let isolated = backends::Isolated::new(&t, "gve").await;
        let db = &isolated.db;
        create_tables_on(db).await;
        seed(db).await;
        fullstack::query::registry::install([Post::META]);
        let mut app = App::new();
        app.state(db.clone());
        app.add_template(
            "gv/post_form.html",
            "{{ form }}|{% if object is defined %}{{ object.title }}{% endif %}",
        )
        .unwrap();
        app.add_template("gv/post_confirm_delete.html", "Delete {{ object.title }}?")
            .unwrap();
        app.route(
            "/posts/new/",
            CreateView::<Post>::new(&["title", "slug", "pub_date", "day"])
                .success_url("/posts/{pk}/")
                .as_view(),
        );
        app.route(
            "/posts/<pk>/edit/",
            UpdateView::new(Post::objects(), &["title"])
                .success_url("/posts/{pk}/")
                .as_view(),
        );
        app.route(
            "/posts/<pk>/delete/",
            DeleteView::new(Post::objects())
                .success_url("/posts/")
                .as_view(),
        );
        let c = TestClient::new(app);

        let page = c.get("/posts/new/").await;
        assert_eq!(page.status(), 200, "{}", page.text());
        assert!(page.text().contains("name=\"title\""), "{}", page.text());
        // Invalid: the form again (200) with Django's messages, nothing saved.
        let res = c
            .post("/posts/new/")
            .form(&[
                ("title", ""),
                ("slug", "first"),
                ("pub_date", "2022-01-02 03:04:05"),
                ("day", "2022-01-02"),
            ])
            .await;
        assert_eq!(res.status(), 200);
        assert!(
            res.text().contains("This field is required."),
            "{}",
            res.text()
        );
        // Every error at once, as Django shows them: the slug taken, beside the empty title.
        assert!(
            res.text().contains("Post with this Slug already exists."),
            "{}",
            res.text()
        );
        let res = c
            .post("/posts/new/")
            .form(&[
                ("title", "Again"),
                ("slug", "first"),
                ("pub_date", "2022-01-02 03:04:05"),
                ("day", "2022-01-02"),
            ])
            .await;
        assert_eq!(res.status(), 200);
        assert!(
            res.text().contains("Post with this Slug already exists."),
            "{}",
            res.text()
        );
        assert_eq!(Post::objects().count(db).await.unwrap(), 5);
        // Valid: saved, then a 303 to the new row's page.
        let res = c
            .post("/posts/new/")
            .form(&[
                ("title", "Fresh"),
                ("slug", "fresh"),
                ("pub_date", "2022-01-02 03:04:05"),
                ("day", "2022-01-02"),
            ])
            .await;
        assert_eq!(res.status(), 303, "{}", res.text());
        let fresh = Post::objects()
            .filter(Post::SLUG.eq("fresh"))
            .get(db)
            .await
            .unwrap();
        assert_eq!(
            res.header("location"),
            Some(format!("/posts/{}/", fresh.id).as_str())
        );

        // Update: the row's values in the form, then saved.
        let edit = format!("/posts/{}/edit/", fresh.id);
        let page = c.get(&edit).await.text();
        assert!(
            page.contains("value=\"Fresh\"") && page.ends_with("|Fresh"),
            "{page}"
        );
        let res = c.post(&edit).form(&[("title", "Renamed")]).await;
        assert_eq!(res.status(), 303);
        let renamed = Post::objects()
            .filter(Post::ID.eq(fresh.id))
            .get(db)
            .await
            .unwrap();
        assert_eq!(
            (renamed.title.as_str(), renamed.slug.as_str()),
            ("Renamed", "fresh")
        );
        let res = c.post(&edit).form(&[("title", "")]).await;
        assert_eq!(res.status(), 200, "invalid: the form again");
        for missing in [
            "/posts/abc/edit/",
            "/posts/999999/edit/",
            "/posts/999999/delete/",
        ] {
            assert_eq!(c.get(missing).await.status(), 404, "{missing}");
        }

        // Delete: a question first, then the POST; the row is gone and a second POST is a 404.
        let delete = format!("/posts/{}/delete/", fresh.id);
        assert_eq!(c.get(&delete).await.text(), "Delete Renamed?");
        let res = c.post(&delete).send().await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.header("location"), Some("/posts/"));
        assert_eq!(Post::objects().count(db).await.unwrap(), 5, "{}", t.name);
        assert_eq!(c.post(&delete).send().await.status(), 404);
        isolated.done().await;
    })
    .await;
}

#[tokio::test]
async fn feeds_and_the_sitemap_parse_with_a_real_feed_parser() {
    use fullstack::sitemaps::Sitemap;
    use fullstack::syndication::Feed;
    on_every_backend("feeds", |t| async move {
        let isolated = backends::Isolated::new(&t, "gvf").await;
        let db = &isolated.db;
        create_tables_on(db).await;
        seed(db).await;
        // A title a feed must escape.
        let at = Utc.with_ymd_and_hms(2021, 12, 24, 9, 0, 0).unwrap();
        Post::new(
            "<script>alert(1)</script> & more",
            "tricky",
            at,
            at.date_naive(),
        )
        .save(db)
        .await
        .unwrap();
        let newest = Post::objects()
            .filter(Post::PUB_DATE.lt(Utc.with_ymd_and_hms(2022, 1, 1, 0, 0, 0).unwrap()))
            .order_by([Post::PUB_DATE.desc()]);
        let feed = Feed::new("The blog", "/", "Posts & news", newest)
            .limit(3)
            .item_title(|p: &Post| p.title.clone())
            .item_link(|p: &Post| format!("/p/{}/", p.slug))
            .item_description(|p: &Post| format!("About {}", p.title))
            .item_pubdate(|p: &Post| p.pub_date);
        let mut app = App::new();
        app.state(db.clone());
        // Behind a proxy that says which requests came over HTTPS, the links say `https://`.
        app.state(
            fullstack::Settings::from_toml_str(
                r#"SECURE_PROXY_SSL_HEADER = "X-Forwarded-Proto: https""#,
            )
            .unwrap(),
        );
        app.route("/feed/rss/", feed.clone().rss_view());
        app.route("/feed/atom/", feed.atom_view());
        app.route(
            "/sitemap.xml",
            Sitemap::new()
                .pages(["/", "/about/"])
                .rows(
                    Post::objects().order_by([Post::ID.asc()]),
                    |p: &Post| format!("/p/{}/", p.slug),
                    Some(|p: &Post| p.pub_date),
                )
                .as_view(),
        );
        let c = TestClient::new(app);

        for (path, kind) in [
            ("/feed/rss/", "application/rss+xml"),
            ("/feed/atom/", "application/atom+xml"),
        ] {
            let res = c.get(path).header("host", "blog.example").send().await;
            assert_eq!(res.status(), 200, "{path}");
            assert!(res.header("content-type").unwrap_or("").starts_with(kind));
            assert!(!res.text().contains("<script>"), "escaped: {}", res.text());
            let parsed = feed_rs::parser::parse(res.text().as_bytes())
                .unwrap_or_else(|e| panic!("{path} is not a valid feed: {e}\n{}", res.text()));
            assert_eq!(parsed.title.unwrap().content, "The blog");
            let titles: Vec<String> = parsed
                .entries
                .iter()
                .map(|e| e.title.clone().unwrap().content)
                .collect();
            assert_eq!(
                titles,
                ["<script>alert(1)</script> & more", "fourth", "third"],
                "{path} on {}",
                t.name
            );
            let first = &parsed.entries[0];
            assert_eq!(first.links[0].href, "http://blog.example/p/tricky/");
            assert_eq!(first.published.unwrap(), at, "{path}");
        }

        let res = c
            .get("/sitemap.xml")
            .header("host", "blog.example")
            .send()
            .await;
        assert_eq!(res.status(), 200);
        let xml = res.text();
        assert!(
            xml.contains("<url><loc>http://blog.example/</loc></url>"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<url><loc>http://blog.example/p/tricky/</loc><lastmod>2021-12-24</lastmod></url>"
            ),
            "{xml}"
        );
        assert_eq!(xml.matches("<url>").count(), 2 + 6);
        for path in ["/feed/rss/", "/sitemap.xml"] {
            let res = c
                .get(path)
                .header("host", "blog.example")
                .header("x-forwarded-proto", "https")
                .send()
                .await;
            let text = res.text();
            assert!(
                text.contains("https://blog.example/p/tricky/"),
                "{path}: {text}"
            );
            assert!(!text.contains("http://blog.example/"), "{path}: {text}");
        }
        isolated.done().await;
    })
    .await;
}

#[derive(Debug, Form)]
struct Contact {
    #[form(max_length = 30)]
    email: String,
    #[form(widget = "textarea", min_length = 5)]
    message: String,
}

#[tokio::test]
async fn a_form_view_shows_checks_and_hands_over_its_form() {
    let db = fullstack::Database::connect("sqlite::memory:")
        .await
        .unwrap();
    let received: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = received.clone();
    let mut app = App::new();
    app.state(db);
    app.add_template("contact.html", "{{ title }}|{{ form }}")
        .unwrap();
    app.route(
        "/contact/",
        FormView::new(
            "contact.html",
            move |db: fullstack::Database, c: Contact| {
                let store = store.clone();
                async move {
                    // The database is the app's.
                    db.execute("SELECT 1", vec![]).await?;
                    store
                        .lock()
                        .unwrap()
                        .push(format!("{}: {}", c.email, c.message));
                    Ok(())
                }
            },
        )
        .success_url("/thanks/")
        .extra_context("title", "Write to us")
        .as_view(),
    );
    let c = TestClient::new(app);

    let page = c.get("/contact/").await;
    assert_eq!(page.status(), 200);
    let text = page.text();
    assert!(text.starts_with("Write to us|"), "{text}");
    assert!(
        text.contains("name=\"email\"") && text.contains("<textarea"),
        "{text}"
    );

    // Invalid: the form again with its errors and what was typed; nothing handed over.
    let res = c
        .post("/contact/")
        .form(&[("email", "ada@example.com"), ("message", "hi")])
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text();
    assert!(
        text.contains("Ensure this value has at least 5 characters (it has 2)."),
        "{text}"
    );
    assert!(text.contains("value=\"ada@example.com\""), "{text}");
    assert!(received.lock().unwrap().is_empty());

    // Valid: handed over once, then a 303 to the success URL.
    let res = c
        .post("/contact/")
        .form(&[("email", "ada@example.com"), ("message", "Hello there")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.header("location"), Some("/thanks/"));
    assert_eq!(*received.lock().unwrap(), ["ada@example.com: Hello there"]);
}
