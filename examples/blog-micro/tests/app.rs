//! blog-micro driven in memory with micro's `TestClient`, each test on its own seeded SQLite
//! file. `suite.rs` runs the shared suite over a socket; these are the details behind it.

use blog_micro::Db;
use micro::{Config, Secret, TestClient};
use serde_json::Value;

/// A client of the app on a fresh database seeded with the suite's fixture; keep the folder
/// alive as long as the client.
async fn client() -> (TestClient, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("blog.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.create_schema().await.unwrap();
    blog_micro::seed(&db, blog_suite::fixture()).await.unwrap();
    let mut config = Config::default();
    config.secret_key = Some(Secret::new("test key"));
    config.testing = true;
    (TestClient::new(blog_micro::app(config, db).unwrap()), dir)
}

fn log_in(c: &TestClient, username: &str) {
    c.session(|s| s.insert("username", username)).unwrap();
}

/// The id of the post whose slug is `slug`.
async fn id_of(c: &TestClient, slug: &str) -> i64 {
    c.state::<Db>()
        .post_by_slug(slug)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test]
async fn the_front_page_paginates_published_posts() {
    let (c, _dir) = client().await;
    let res = c.get("/").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("x-frame-options"), Some("DENY"));
    let page = res.text();
    assert!(
        page.contains(r#"<a class="login" href="/accounts/login/">"#),
        "{page}"
    );
    assert!(page.contains(r#"<a rel="next" href="?page=2">"#), "{page}");
    assert!(!page.contains(r#"rel="prev""#), "{page}");
    assert!(page.contains(
        r#"<a class="post-link" href="/posts/2022/07/01/summer-break/">Summer break</a>"#
    ));
    assert_eq!(page.matches("class=\"post-link\"").count(), 5);
    assert!(!page.contains("Scheduled for the future"), "{page}");

    let last = c.get("/?page=last").await.text();
    assert!(last.contains(r#"<a rel="prev" href="?page=2">"#), "{last}");
    assert!(
        last.contains("Hello, blog") && !last.contains(r#"rel="next""#),
        "{last}"
    );
    for bad in [
        "/?page=0",
        "/?page=x",
        "/?page=-1",
        "/?page=4",
        "/?page=99999999999999999999",
    ] {
        assert_eq!(c.get(bad).await.status(), 404, "{bad}");
    }
}

#[tokio::test]
async fn archives_list_a_period_or_404() {
    let (c, _dir) = client().await;
    let day = c.get("/posts/2021/09/01/").await.text();
    let same_day = day.find("Same day, second post").unwrap();
    assert!(
        same_day < day.find("Hello, blog").unwrap(),
        "newest first: {day}"
    );
    assert_eq!(
        c.get("/posts/2021/")
            .await
            .text()
            .matches("post-link")
            .count(),
        6
    );
    assert_eq!(
        c.get("/posts/2021/09/")
            .await
            .text()
            .matches("post-link")
            .count(),
        3
    );
    for bad in [
        "/posts/2020/",
        "/posts/2999/",
        "/posts/2021/13/",
        "/posts/2021/00/",
        "/posts/2021/9/",
        "/posts/2021/02/30/",
        "/posts/2021/08/",
        "/posts/year/",
        "/posts/99999/",
    ] {
        assert_eq!(c.get(bad).await.status(), 404, "{bad}");
    }
}

#[tokio::test]
async fn a_post_page_escapes_and_shows_comments() {
    let (c, _dir) = client().await;
    let res = c.get("/posts/2021/09/01/hello-blog/").await;
    assert_eq!(res.status(), 200);
    let page = res.text();
    assert!(
        page.contains(r#"<h1 class="post-title">Hello, blog</h1>"#),
        "{page}"
    );
    assert!(page.contains(r#"<span class="post-author">alice</span>"#));
    assert!(page.contains(r#"<a class="tag" href="/tags/rust/">Rust</a>"#));
    assert!(page.contains(
        "<p>It has two paragraphs, and a &lt;b&gt;tag&lt;/b&gt; that must show as text.</p>"
    ));
    let carol = page.find("Carol").unwrap();
    assert!(carol < page.find("Dave").unwrap(), "oldest first");
    assert!(
        page.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>"));
    assert!(
        !page.contains("/posts/edit/"),
        "only the author sees the edit link"
    );

    let escaped = c.get("/posts/2021/11/20/escaping-html/").await.text();
    assert!(escaped.contains("Escaping &lt;b&gt;HTML&lt;/b&gt; &amp; friends"));
    // The right slug on another day, an unknown slug, a slug that is not one.
    for bad in [
        "/posts/2021/09/02/hello-blog/",
        "/posts/2021/09/01/nope/",
        "/posts/2021/09/01/h%C3%A9llo/",
        "/posts/2999/01/01/from-the-future/",
    ] {
        assert_eq!(c.get(bad).await.status(), 404, "{bad}");
    }
}

#[tokio::test]
async fn comments_are_validated_and_need_a_token() {
    let (c, _dir) = client().await;
    let url = "/posts/2022/07/01/summer-break/";
    let res = c
        .post(url)
        .with_csrf_token()
        .form(&[("name", ""), ("body", "kept <b>text</b>")])
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text();
    assert!(page.contains("This field is required."), "{page}");
    assert!(
        page.contains(">kept &lt;b&gt;text&lt;/b&gt;</textarea>"),
        "{page}"
    );

    let long = "é".repeat(81);
    let res = c
        .post(url)
        .with_csrf_token()
        .form(&[("name", long.as_str()), ("body", "x")])
        .await;
    assert!(
        res.text()
            .contains("Ensure this value has at most 80 characters (it has 81).")
    );

    let res = c
        .post(url)
        .form(&[("name", "Mallory"), ("body", "no token")])
        .await;
    assert_eq!(res.status(), 403);

    let res = c
        .post(url)
        .with_csrf_token()
        .form(&[("name", "Eve"), ("body", "Hi")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.header("location"), Some(url));
    let page = c.get(url).await.text();
    assert!(
        page.contains(r#"<strong class="comment-name">Eve</strong>"#),
        "{page}"
    );
    assert!(!page.contains("Mallory"));
    let future = "/posts/2999/01/01/from-the-future/";
    let res = c
        .post(future)
        .with_csrf_token()
        .form(&[("name", "E"), ("body", "x")])
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn logging_in_checks_the_password_and_next() {
    let (c, _dir) = client().await;
    let page = c.get("/accounts/login/?next=/posts/new/").await.text();
    assert!(
        page.contains(r#"name="next" value="/posts/new/""#),
        "{page}"
    );
    let form = |password: &'static str, next: &'static str| {
        [
            ("username", "alice"),
            ("password", password),
            ("next", next),
        ]
    };
    let res = c
        .post("/accounts/login/")
        .with_csrf_token()
        .form(&form("wrong", "/"))
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text();
    assert!(page.contains(
        "Please enter a correct username and password. Note that both fields may be case-sensitive."
    ));
    assert!(page.contains(r#"name="username" value="alice""#), "{page}");
    let res = c
        .post("/accounts/login/")
        .with_csrf_token()
        .form(&[("username", "nobody"), ("password", "x")])
        .await;
    assert!(res.text().contains("Please enter a correct username"));

    for evil in [
        "//evil.com",
        "https://evil.com",
        "/\\evil.com",
        "javascript:alert(1)",
        "/%2F/evil.com",
    ] {
        let res = c
            .post("/accounts/login/")
            .with_csrf_token()
            .form(&form("alice-password-2021", evil))
            .await;
        assert_eq!(res.status(), 303, "{evil}");
        assert_eq!(res.header("location"), Some("/"), "{evil}");
    }
    let res = c
        .post("/accounts/login/?next=/posts/new/")
        .with_csrf_token()
        .form(&[("username", "alice"), ("password", "alice-password-2021")])
        .await;
    assert_eq!(res.header("location"), Some("/posts/new/"));
    assert_eq!(
        c.session(|s| s.get::<String>("username")).as_deref(),
        Some("alice")
    );
    let page = c.get("/").await.text();
    assert!(page.contains(r#"<span class="user">alice</span>"#));
    assert!(page.contains(r#"<form method="post" action="/accounts/logout/">"#));

    let res = c.post("/accounts/logout/").with_csrf_token().await;
    assert_eq!(res.header("location"), Some("/"));
    assert!(c.get("/").await.text().contains(r#"class="login""#));
}

#[tokio::test]
async fn editing_is_for_the_author_only() {
    let (c, _dir) = client().await;
    let id = id_of(&c, "hello-blog").await;
    for path in [
        "/posts/new/".to_owned(),
        format!("/posts/edit/{id}/"),
        format!("/posts/delete/{id}/"),
    ] {
        let res = c.get(&path).await;
        assert_eq!(res.status(), 302, "{path}");
        let location = res.header("location").unwrap();
        assert_eq!(
            location,
            format!("/accounts/login/?next={}", path.replace('/', "%2F"))
        );
    }
    log_in(&c, "bob");
    for path in [format!("/posts/edit/{id}/"), format!("/posts/delete/{id}/")] {
        assert_eq!(c.get(&path).await.status(), 403, "{path}");
        let res = c
            .post(&path)
            .with_csrf_token()
            .form(&[("title", "Mine now")])
            .await;
        assert_eq!(res.status(), 403, "{path}");
    }
    for bad in ["/posts/edit/999999/", "/posts/delete/999999/"] {
        assert_eq!(c.get(bad).await.status(), 404, "{bad}");
    }
    assert_eq!(c.get("/posts/edit/abc/").await.status(), 404);
    assert!(c.get("/posts/2021/09/01/hello-blog/").await.status() == 200);

    log_in(&c, "alice");
    let page = c.get(&format!("/posts/edit/{id}/")).await.text();
    assert!(
        page.contains(r#"name="published" value="2021-09-01T09:00""#),
        "{page}"
    );
    assert!(page.contains(r#"selected>Rust</option>"#), "{page}");
    let res = c
        .post(&format!("/posts/edit/{id}/"))
        .with_csrf_token()
        .form(&[
            ("title", "Hello again"),
            ("slug", "hello-again"),
            ("body", "New text."),
            ("published", "2021-09-02T10:00"),
            ("tags", "1"),
            ("tags", "3"),
        ])
        .await;
    assert_eq!(res.status(), 303, "{}", res.text());
    assert_eq!(
        res.header("location"),
        Some("/posts/2021/09/02/hello-again/")
    );
    let tags: Vec<String> = c
        .state::<Db>()
        .tags_of(id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.slug)
        .collect();
    assert_eq!(tags, ["databases", "rust"]);
}

#[tokio::test]
async fn an_invalid_post_comes_back_with_djangos_errors() {
    let (c, _dir) = client().await;
    log_in(&c, "alice");
    let long = "t".repeat(201);
    let res = c
        .post("/posts/new/")
        .with_csrf_token()
        .form(&[
            ("title", long.as_str()),
            ("slug", "same-day"),
            ("body", ""),
            ("published", "not a date"),
            ("tags", "2"),
        ])
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text();
    for message in [
        "Ensure this value has at most 200 characters (it has 201).",
        "Post with this Slug already exists.",
        "This field is required.",
        "Enter a valid date/time.",
    ] {
        assert!(page.contains(message), "{message}: {page}");
    }
    assert!(page.contains(r#"value="same-day""#) && page.contains(r#"value="not a date""#));
    assert!(
        page.contains(r#"<option value="2" selected>Web</option>"#),
        "{page}"
    );
    let res = c
        .post("/posts/new/")
        .with_csrf_token()
        .form(&[
            ("title", "T"),
            ("slug", "not a slug"),
            ("body", "b"),
            ("published", "2022-01-01T00:00"),
        ])
        .await;
    assert!(
        res.text().contains(
            "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."
        )
    );

    let res = c
        .post("/posts/new/")
        .with_csrf_token()
        .form(&[
            ("title", "Fresh"),
            ("slug", "fresh"),
            ("body", "b"),
            ("published", "2022-08-01T08:30"),
        ])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.header("location"), Some("/posts/2022/08/01/fresh/"));
    let page = c.get("/").await.text();
    assert!(
        page.contains(r#"href="/posts/2022/08/01/fresh/">Fresh</a>"#),
        "{page}"
    );
}

#[tokio::test]
async fn deleting_a_post_takes_its_comments() {
    let (c, _dir) = client().await;
    let id = id_of(&c, "hello-blog").await;
    log_in(&c, "alice");
    assert!(
        c.get(&format!("/posts/delete/{id}/"))
            .await
            .text()
            .contains("Delete “Hello, blog”?")
    );
    let res = c
        .post(&format!("/posts/delete/{id}/"))
        .with_csrf_token()
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.header("location"), Some("/"));
    assert!(c.state::<Db>().post(id).await.unwrap().is_none());
    assert!(c.state::<Db>().comments(id).await.unwrap().is_empty());
    assert_eq!(c.get("/posts/2021/09/01/hello-blog/").await.status(), 404);
}

#[tokio::test]
async fn a_future_post_is_only_on_its_authors_edit_page() {
    let (c, _dir) = client().await;
    let id = id_of(&c, "from-the-future").await;
    for path in [
        "/",
        "/tags/rust/",
        "/feeds/rss/",
        "/feeds/atom/",
        "/sitemap.xml",
        "/api/posts",
    ] {
        assert!(
            !c.get(path).await.text().contains("from-the-future"),
            "{path}"
        );
    }
    assert_eq!(c.get(&format!("/api/posts/{id}")).await.status(), 404);
    log_in(&c, "alice");
    assert_eq!(
        c.get("/posts/2999/01/01/from-the-future/").await.status(),
        404
    );
    let page = c.get(&format!("/posts/edit/{id}/")).await.text();
    assert!(page.contains("Scheduled for the future"), "{page}");
}

#[tokio::test]
async fn the_api_answers_json() {
    let (c, _dir) = client().await;
    let res = c.get("/api/posts").await;
    assert_eq!(res.header("content-type"), Some("application/json"));
    let list: Value = res.json();
    assert_eq!(
        (
            list["count"].as_i64(),
            list["page"].as_i64(),
            list["num_pages"].as_i64()
        ),
        (Some(12), Some(1), Some(2))
    );
    assert_eq!(list["results"].as_array().unwrap().len(), 10);
    assert!(list["results"][0].get("body").is_none());
    let id = id_of(&c, "hello-blog").await;
    let post: Value = c.get(&format!("/api/posts/{id}")).await.json();
    assert_eq!(
        post,
        serde_json::json!({
            "id": id, "title": "Hello, blog", "slug": "hello-blog", "author": "alice",
            "published": "2021-09-01T09:00:00Z", "url": "/posts/2021/09/01/hello-blog/",
            "tags": ["rust", "web"],
            "body": "This is the first post of the blog.\n\nIt has two paragraphs, and a <b>tag</b> that must show as text.",
        })
    );
    for bad in [
        "/api/posts?page=0",
        "/api/posts?page=3",
        "/api/posts/abc",
        "/api/posts/999999",
        "/api/nothing",
    ] {
        let res = c.get(bad).await;
        assert_eq!(res.status(), 404, "{bad}");
        assert!(res.json::<Value>()["error"].is_string(), "{bad}");
    }
}

#[tokio::test]
async fn feeds_and_sitemap_are_absolute_and_escaped() {
    let (c, _dir) = client().await;
    let rss = c.get("/feeds/rss/").await;
    assert_eq!(
        rss.header("content-type"),
        Some("application/rss+xml; charset=utf-8")
    );
    let text = rss.text();
    assert_eq!(text.matches("<item>").count(), 10);
    assert!(
        text.contains("<link>http://testserver/posts/2022/07/01/summer-break/</link>"),
        "{text}"
    );
    assert!(
        text.contains("Escaping &lt;b&gt;HTML&lt;/b&gt; &amp; friends"),
        "{text}"
    );
    let atom = c.get("/feeds/atom/").await;
    assert_eq!(
        atom.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    assert_eq!(atom.text().matches("<entry>").count(), 10);
    // The links are built from the host, so a host the blog does not answer to never gets
    // that far: a 400 (TRUSTED_HOSTS), whether a name or something that is no host at all.
    for host in ["evil.example", "a&b.example"] {
        let res = c.get("/sitemap.xml").header("host", host).await;
        assert_eq!(res.status(), 400, "{host}");
    }
    let sitemap = c.get("/sitemap.xml").header("host", "localhost:5000").await;
    assert_eq!(
        sitemap.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    let text = sitemap.text();
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(text.contains("<loc>http://localhost:5000/</loc>"), "{text}");
    assert!(text.contains("<loc>http://localhost:5000/posts/2021/09/01/hello-blog/</loc><lastmod>2021-09-01</lastmod>"), "{text}");
}

#[tokio::test]
async fn the_seed_command_loads_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("blog.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.create_schema().await.unwrap();
    db.create_schema().await.unwrap(); // twice: IF NOT EXISTS
    let mut config = Config::default();
    config.secret_key = Some(Secret::new("test key"));
    let c = TestClient::new(blog_micro::app(config, db).unwrap());
    let file = dir.path().join("fixture.json");
    std::fs::write(&file, blog_suite::fixture()).unwrap();
    c.run_command(["seed", file.to_str().unwrap()])
        .await
        .unwrap();
    assert!(c.get("/").await.text().contains("Summer break"));
    assert!(c.run_command(["seed"]).await.is_err());
}

/// The slugs of every tag, by name.
async fn tag_slugs(c: &TestClient) -> Vec<String> {
    let tags = c.state::<Db>().tags().await.unwrap();
    tags.into_iter().map(|t| t.slug).collect()
}

/// The id of the tag whose slug is `slug`.
async fn tag_id(c: &TestClient, slug: &str) -> i64 {
    c.state::<Db>().tag(slug).await.unwrap().unwrap().id
}

#[tokio::test]
async fn managing_tags_needs_a_login_and_a_token() {
    let (c, _dir) = client().await;
    let id = tag_id(&c, "rust").await;
    let paths = [
        "/manage/tags/".to_owned(),
        "/manage/tags/new/".to_owned(),
        format!("/manage/tags/edit/{id}/"),
        format!("/manage/tags/delete/{id}/"),
    ];
    for path in &paths {
        let res = c.get(path).await;
        assert_eq!(res.status(), 302, "{path}");
        assert_eq!(
            res.header("location").unwrap(),
            format!("/accounts/login/?next={}", path.replace('/', "%2F"))
        );
    }
    for path in &paths[1..] {
        let res = c
            .post(path)
            .with_csrf_token()
            .form(&[("name", "Mine"), ("slug", "mine")])
            .await;
        assert_eq!(res.status(), 302, "{path}");
    }
    assert!(!c.get("/").await.text().contains("/manage/tags/"));

    log_in(&c, "bob");
    assert!(
        c.get("/")
            .await
            .text()
            .contains(r#"<a href="/manage/tags/">Tags</a>"#)
    );
    for path in &paths[1..] {
        let res = c
            .post(path)
            .form(&[("name", "Mine"), ("slug", "mine")])
            .await;
        assert_eq!(res.status(), 403, "{path}");
    }
    assert_eq!(tag_slugs(&c).await, ["databases", "rust", "web"]);
}

#[tokio::test]
async fn tags_are_added_edited_and_deleted_through_the_forms() {
    let (c, _dir) = client().await;
    log_in(&c, "bob");
    let rust = tag_id(&c, "rust").await;
    let page = c.get("/manage/tags/").await.text();
    assert!(
        page.contains(r#"<a class="add" href="/manage/tags/new/">"#),
        "{page}"
    );
    assert!(page.contains(r#"<td class="tag-name">Rust</td>"#), "{page}");
    assert!(page.contains(&format!(r#"href="/manage/tags/edit/{rust}/">Edit</a>"#)));
    assert!(page.contains(&format!(r#"href="/manage/tags/delete/{rust}/">Delete</a>"#)));

    assert!(
        c.get("/manage/tags/new/")
            .await
            .text()
            .contains(r#"name="csrf"#)
    );
    let res = c
        .post("/manage/tags/new/")
        .with_csrf_token()
        .form(&[("name", " Testing "), ("slug", "testing")])
        .await;
    assert_eq!(res.status(), 303, "{}", res.text());
    assert_eq!(res.header("location"), Some("/manage/tags/"));
    let page = c.get("/manage/tags/").await.text();
    assert!(page.contains("The tag was saved."), "{page}");
    assert!(
        page.contains(r#"<td class="tag-name">Testing</td>"#),
        "{page}"
    );
    let testing = tag_id(&c, "testing").await;

    let page = c.get(&format!("/manage/tags/edit/{testing}/")).await.text();
    assert!(
        page.contains(r#"name="name" value="Testing""#) && page.contains(r#"value="testing""#),
        "{page}"
    );
    let res = c
        .post(&format!("/manage/tags/edit/{testing}/"))
        .with_csrf_token()
        .form(&[("name", "Tests & <more>"), ("slug", "tests")])
        .await;
    assert_eq!(res.status(), 303, "{}", res.text());
    assert_eq!(res.header("location"), Some("/manage/tags/"));
    let tag = c.state::<Db>().tag_by_id(testing).await.unwrap().unwrap();
    assert_eq!(
        (tag.name.as_str(), tag.slug.as_str()),
        ("Tests & <more>", "tests")
    );
    assert!(
        c.get("/manage/tags/")
            .await
            .text()
            .contains("Tests &amp; &lt;more&gt;")
    );
    // Its own name and slug are not taken.
    let res = c
        .post(&format!("/manage/tags/edit/{rust}/"))
        .with_csrf_token()
        .form(&[("name", "Rust"), ("slug", "rust")])
        .await;
    assert_eq!(res.status(), 303, "{}", res.text());

    // Deleting a tag takes its links to posts, not the posts.
    let hello = id_of(&c, "hello-blog").await;
    let page = c.get(&format!("/manage/tags/delete/{rust}/")).await.text();
    assert!(page.contains("Delete the tag “Rust”?"), "{page}");
    let res = c
        .post(&format!("/manage/tags/delete/{rust}/"))
        .with_csrf_token()
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.header("location"), Some("/manage/tags/"));
    assert!(
        c.get("/manage/tags/")
            .await
            .text()
            .contains("The tag was deleted.")
    );
    assert_eq!(tag_slugs(&c).await, ["databases", "tests", "web"]);
    let tags: Vec<String> = c
        .state::<Db>()
        .tags_of(hello)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.slug)
        .collect();
    assert_eq!(tags, ["web"]);
    assert_eq!(c.get("/posts/2021/09/01/hello-blog/").await.status(), 200);
    assert_eq!(
        c.get("/posts/2022/01/03/new-year-crates/").await.status(),
        200
    );
    assert_eq!(c.get("/tags/rust/").await.status(), 404);
    assert_eq!(
        c.get(&format!("/manage/tags/edit/{rust}/")).await.status(),
        404
    );
}

#[tokio::test]
async fn an_invalid_tag_comes_back_with_djangos_errors() {
    let (c, _dir) = client().await;
    log_in(&c, "alice");
    let post = |path: String, name: String, slug: &'static str| {
        let c = &c;
        async move {
            let res = c
                .post(&path)
                .with_csrf_token()
                .form(&[("name", name.as_str()), ("slug", slug)])
                .await;
            assert_eq!(res.status(), 200, "{path} {name} {slug}");
            res.text()
        }
    };
    let new = || "/manage/tags/new/".to_owned();
    let page = post(new(), " ".into(), "").await;
    assert_eq!(page.matches("This field is required.").count(), 2, "{page}");

    let page = post(new(), "é".repeat(51), "not a slug").await;
    for message in [
        "Ensure this value has at most 50 characters (it has 51).",
        "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
    ] {
        assert!(page.contains(message), "{message}: {page}");
    }
    assert!(page.contains(r#"value="not a slug""#), "{page}");
    let long = post(new(), "Long".into(), "s".repeat(51).leak()).await;
    assert!(long.contains("Ensure this value has at most 50 characters (it has 51)."));
    let nul = post(new(), "a\0b".into(), "nul").await;
    assert!(nul.contains("Null characters are not allowed."), "{nul}");

    let page = post(new(), "Rust".into(), "web").await;
    assert!(
        page.contains("Tag with this Name already exists."),
        "{page}"
    );
    assert!(
        page.contains("Tag with this Slug already exists."),
        "{page}"
    );
    assert!(
        page.contains(r#"name="name" value="Rust""#) && page.contains(r#"value="web""#),
        "{page}"
    );
    let page = post(new(), "<b>Fresh</b>".into(), "rust").await;
    assert!(
        page.contains(r#"value="&lt;b&gt;Fresh&lt;/b&gt;""#),
        "{page}"
    );
    assert!(!page.contains("Tag with this Name"), "{page}");
    assert!(
        page.contains("Tag with this Slug already exists."),
        "{page}"
    );

    let web = tag_id(&c, "web").await;
    let page = post(format!("/manage/tags/edit/{web}/"), "Rust".into(), "web").await;
    assert!(
        page.contains("Tag with this Name already exists."),
        "{page}"
    );
    assert!(!page.contains("Tag with this Slug"), "{page}");
    assert!(page.contains("Edit the tag “Web”"), "{page}");
    assert_eq!(tag_slugs(&c).await, ["databases", "rust", "web"]);
}

#[tokio::test]
async fn unknown_tags_are_404s() {
    let (c, _dir) = client().await;
    log_in(&c, "alice");
    for path in [
        "/manage/tags/edit/999999/",
        "/manage/tags/delete/999999/",
        "/manage/tags/edit/abc/",
        "/manage/tags/delete/abc/",
        "/manage/tags/edit/-1/",
        "/manage/tags/edit/1.5/",
        "/manage/tags/delete/99999999999999999999/",
        "/manage/tags/nothing/",
    ] {
        assert_eq!(c.get(path).await.status(), 404, "{path}");
        let res = c
            .post(path)
            .with_csrf_token()
            .form(&[("name", "X"), ("slug", "x")])
            .await;
        assert_eq!(res.status(), 404, "{path}");
    }
    assert_eq!(tag_slugs(&c).await, ["databases", "rust", "web"]);
}
