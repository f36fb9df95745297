//! fullstack's messages app (Django's contrib.messages) through its public API: a message added
//! by a handler is shown once by the next page that calls `get_messages()`, kept until a page
//! reads it; levels, `MESSAGE_LEVEL`, tags and `MESSAGE_TAGS`; escaping; the three storages
//! (the session on every database backend, a signed cookie, the fallback from one to the
//! other), and tampered cookies.

mod backends;

use backends::migrate;

use backends::{TestDb, on_every_backend};
use fullstack::messages::{Level, Messages};
use fullstack::sessions::{self, DatabaseStore, SessionStore};
use fullstack::test::TestDatabase;
use fullstack::{Database, Project, Settings, capture_queries};
use micro::{Redirect, Templates, TestClient};

const PAGE: &str = "{% for m in get_messages() %}<p class=\"{{ m.tags }}\" data-level=\"{{ m.level }}\">{{ m }}</p>\n{% endfor %}";

#[derive(serde::Deserialize)]
struct Add {
    level: i32,
    text: String,
    #[serde(default)]
    tags: String,
}

fn routes(app: &mut micro::App) {
    app.add_template("page.html", PAGE).unwrap();
    app.add_template("plain.html", "<p>no messages read here</p>")
        .unwrap();
    app.post("/vote", |messages: Messages| async move {
        messages.success("Thanks for voting.");
        Redirect::see_other("/results")
    });
    app.post(
        "/add",
        |messages: Messages, micro::Form(add): micro::Form<Add>| async move {
            let added = messages.add(Level::new(add.level), add.text);
            if !add.tags.is_empty() {
                let _ = added.with_tags(&add.tags);
            }
            "added"
        },
    );
    app.post("/many", |messages: Messages| async move {
        for i in 0..60 {
            messages.info(format!(
                "message number {i:02}, long enough to fill a cookie"
            ));
        }
        "added"
    });
    app.post("/debug-level", |messages: Messages| async move {
        messages.set_level(Level::DEBUG);
        messages.debug("a debug message");
        "added"
    });
    app.get("/results", |t: Templates| async move {
        t.render("page.html", ())
    });
    app.get("/plain", |t: Templates| async move {
        t.render("plain.html", ())
    });
    app.get("/nothing", || async { "no templates, no messages" });
    app.get(
        "/add-and-show",
        |messages: Messages, t: Templates| async move {
            messages.warning("shown at once");
            t.render("page.html", ())
        },
    );
}

fn settings(toml: &str) -> Settings {
    let mut settings = Settings::from_toml_str(toml).unwrap();
    settings.web.secret_key = Some(micro::Secret::new("messages test key"));
    settings
}

fn project(toml: &str, with_sessions: bool) -> Project {
    let mut project = Project::new("site").settings(settings(toml));
    if with_sessions {
        project = project.app(sessions::app());
    }
    project.app(fullstack::messages::app()).web(routes)
}

async fn client_on(t: &TestDb, toml: &str) -> TestClient {
    let project = project(toml, true);
    migrate(&project, &t.url).await;
    TestClient::new(project.web_app(&t.db).unwrap())
}

/// A client on a fresh, migrated SQLite database, the sessions app installed.
async fn sqlite_client(toml: &str) -> (TestClient, TestDatabase) {
    let project = project(toml, true);
    let db = TestDatabase::with_url(&project, "sqlite::memory:")
        .await
        .unwrap();
    (db.client(&project).unwrap(), db)
}

/// The `<p>` lines of a page: one per message shown.
fn shown(res: &micro::TestResponse) -> Vec<String> {
    assert_eq!(res.status(), 200, "{}", res.text());
    res.text()
        .lines()
        .filter(|l| l.starts_with("<p class"))
        .map(str::to_owned)
        .collect()
}

async fn add(client: &TestClient, level: i32, text: &str, tags: &str) {
    let res = client
        .post("/add")
        .form(&[
            ("level", level.to_string().as_str()),
            ("text", text),
            ("tags", tags),
        ])
        .with_csrf_token()
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
}

#[tokio::test]
async fn session_storage_shows_a_message_once_on_every_backend() {
    on_every_backend("msg_session", |t| async move {
        let client = client_on(&t, "MESSAGE_STORAGE = \"session\"").await;
        let res = client.post("/vote").with_csrf_token().await;
        assert_eq!(res.status(), 303);
        assert!(
            client.cookie("messages").is_none(),
            "{}: session storage sets no messages cookie",
            t.name
        );
        let key = client.cookie("sessionid").expect("the session holds it");
        let record = DatabaseStore::new(t.db.clone())
            .load(&key)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            record.data["_messages"],
            serde_json::json!([[25, "Thanks for voting.", ""]]),
            "{}",
            t.name
        );

        let page = client.get("/results").await;
        assert_eq!(
            shown(&page),
            [r#"<p class="success" data-level="25">Thanks for voting.</p>"#],
            "{}",
            t.name
        );
        assert!(shown(&client.get("/results").await).is_empty(), "read once");
        let record = DatabaseStore::new(t.db.clone()).load(&key).await.unwrap();
        assert!(
            record.is_none_or(|r| !r.data.contains_key("_messages")),
            "{}: the read messages left the session",
            t.name
        );
    })
    .await;
}

#[tokio::test]
async fn messages_not_read_wait_for_the_page_that_reads_them() {
    on_every_backend("msg_wait", |t| async move {
        let client = client_on(&t, "MESSAGE_STORAGE = \"session\"").await;
        add(&client, 20, "first", "").await;
        assert_eq!(client.get("/plain").await.status(), 200);
        assert_eq!(client.get("/nothing").await.status(), 200);
        add(&client, 40, "second", "").await;
        let lines = shown(&client.get("/results").await);
        assert_eq!(lines.len(), 2, "{}: {lines:?}", t.name);
        assert!(lines[0].contains(">first<") && lines[1].contains(">second<"));
        assert!(shown(&client.get("/results").await).is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_page_that_does_not_read_them_costs_no_write() {
    on_every_backend("msg_queries", |t| async move {
        let client = client_on(&t, "MESSAGE_STORAGE = \"session\"").await;
        add(&client, 20, "kept", "").await;
        let (res, queries) = capture_queries(client.get("/plain").send()).await;
        assert_eq!(res.status(), 200);
        assert_eq!(queries.len(), 1, "one session read, no write: {queries:?}");
        let (_, queries) = capture_queries(client.get("/nothing").send()).await;
        assert!(queries.is_empty(), "{queries:?}");
    })
    .await;
}

#[tokio::test]
async fn below_message_level_is_dropped() {
    let (client, _db) = sqlite_client("").await;
    add(&client, 10, "debug is below INFO", "").await;
    add(&client, 19, "just below", "").await;
    add(&client, 20, "info", "").await;
    assert_eq!(
        shown(&client.get("/results").await),
        [r#"<p class="info" data-level="20">info</p>"#]
    );

    let (client, _db) = sqlite_client("MESSAGE_LEVEL = \"debug\"").await;
    add(&client, 10, "now kept", "").await;
    assert_eq!(
        shown(&client.get("/results").await),
        [r#"<p class="debug" data-level="10">now kept</p>"#]
    );

    let (client, _db) = sqlite_client("MESSAGE_LEVEL = 30").await;
    add(&client, 25, "a success", "").await;
    let res = client.post("/debug-level").with_csrf_token().await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        shown(&client.get("/results").await),
        [r#"<p class="debug" data-level="10">a debug message</p>"#],
        "set_level lowers the level for one request"
    );
}

#[tokio::test]
async fn tags_are_the_extra_tags_then_the_levels() {
    let (client, _db) =
        sqlite_client("MESSAGE_TAGS = { error = \"danger\", 50 = \"critical\" }").await;
    add(&client, 40, "failed", "form wide").await;
    add(&client, 50, "on fire", "").await;
    add(&client, 35, "custom, no tag", "").await;
    add(&client, 30, "careful", "").await;
    assert_eq!(
        shown(&client.get("/results").await),
        [
            r#"<p class="form wide danger" data-level="40">failed</p>"#,
            r#"<p class="critical" data-level="50">on fire</p>"#,
            r#"<p class="" data-level="35">custom, no tag</p>"#,
            r#"<p class="warning" data-level="30">careful</p>"#,
        ]
    );
}

#[tokio::test]
async fn message_text_and_tags_are_escaped() {
    for storage in ["session", "cookie", "fallback"] {
        let (client, _db) = sqlite_client(&format!("MESSAGE_STORAGE = \"{storage}\"")).await;
        add(
            &client,
            20,
            "<script>alert('x')</script> & co",
            "\"><img src=x>",
        )
        .await;
        let page = client.get("/results").await;
        let lines = shown(&page);
        assert_eq!(
            lines,
            [
                "<p class=\"&quot;&gt;&lt;img src=x&gt; info\" data-level=\"20\">&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co</p>"
            ],
            "{storage}"
        );
        assert!(!page.text().contains("<script>"), "{storage}");
    }
}

#[tokio::test]
async fn a_message_read_in_its_own_request_is_not_stored() {
    for storage in ["session", "cookie", "fallback"] {
        let (client, _db) = sqlite_client(&format!("MESSAGE_STORAGE = \"{storage}\"")).await;
        let page = client.get("/add-and-show").await;
        assert_eq!(
            shown(&page),
            [r#"<p class="warning" data-level="30">shown at once</p>"#],
            "{storage}"
        );
        assert!(
            page.header("set-cookie")
                .is_none_or(|c| !c.starts_with("messages="))
        );
        assert!(shown(&client.get("/results").await).is_empty(), "{storage}");
    }
}

#[tokio::test]
async fn cookie_storage_needs_no_session_and_signs_its_cookie() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let project = project("MESSAGE_STORAGE = \"cookie\"", false);
    let client = TestClient::new(project.web_app(&db).unwrap());
    let res = client.post("/vote").with_csrf_token().await;
    assert_eq!(res.status(), 303);
    let set = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("messages="))
        .expect("a messages cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(flag), "{flag}: {set}");
    }
    assert!(!set.contains("Max-Age"), "a browser-session cookie: {set}");
    let value = client.cookie("messages").unwrap();
    assert!(
        !value.contains("Thanks"),
        "the text is encoded, not plain: {value}"
    );
    let signer = micro::Signer::new(["messages test key"], "fullstack.messages");
    let payload = signer.verify(&value).expect("signed by SECRET_KEY").payload;
    assert_eq!(
        String::from_utf8(payload).unwrap(),
        r#"{"m":[[25,"Thanks for voting.",""]]}"#
    );

    let page = client.get("/results").await;
    assert_eq!(shown(&page).len(), 1);
    let deleted = page.header("set-cookie").unwrap();
    assert!(
        deleted.starts_with("messages=;") && deleted.contains("Max-Age=0"),
        "{deleted}"
    );
    assert!(shown(&client.get("/results").await).is_empty());
}

#[tokio::test]
async fn a_tampered_or_forged_cookie_is_no_messages_never_an_error() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let client = TestClient::new(
        project("MESSAGE_STORAGE = \"cookie\"", false)
            .web_app(&db)
            .unwrap(),
    );
    client.post("/vote").with_csrf_token().await;
    let good = client.cookie("messages").unwrap();
    let mut tampered = good.clone();
    let flip = if tampered.starts_with('W') { "X" } else { "W" };
    tampered.replace_range(0..1, flip);
    let other_key = micro::Signer::new(["another key"], "fullstack.messages")
        .sign(br#"{"m":[[40,"You won a prize!",""]]}"#);
    let other_use = micro::Signer::new(["messages test key"], "micro.session")
        .sign(br#"{"m":[[40,"You won a prize!",""]]}"#);
    for bad in [
        tampered.as_str(),
        other_key.as_str(),
        other_use.as_str(),
        "not-signed",
        "",
        "%00%ff",
    ] {
        let fresh = TestClient::new(
            project("MESSAGE_STORAGE = \"cookie\"", false)
                .web_app(&db)
                .unwrap(),
        );
        let page = fresh
            .get("/results")
            .header("cookie", format!("messages={bad}"))
            .await;
        assert!(shown(&page).is_empty(), "{bad}: {}", page.text());
    }
    // The real one still works.
    assert_eq!(shown(&client.get("/results").await).len(), 1);
}

#[tokio::test]
async fn fallback_keeps_small_messages_in_the_cookie_without_a_query() {
    on_every_backend("msg_fallback", |t| async move {
        let client = client_on(&t, "").await; // fallback is the default
        let (res, queries) = capture_queries(client.post("/vote").with_csrf_token().send()).await;
        assert_eq!(res.status(), 303);
        assert!(queries.is_empty(), "{}: {queries:?}", t.name);
        assert!(client.cookie("messages").is_some());
        assert!(
            client.cookie("sessionid").is_none(),
            "nothing in the session"
        );
        let (page, queries) = capture_queries(client.get("/results").send()).await;
        assert_eq!(shown(&page).len(), 1);
        assert!(queries.is_empty(), "{}: {queries:?}", t.name);
    })
    .await;
}

#[tokio::test]
async fn fallback_puts_what_does_not_fit_in_the_session() {
    on_every_backend("msg_overflow", |t| async move {
        let client = client_on(&t, "").await;
        let res = client.post("/many").with_csrf_token().await;
        assert_eq!(res.status(), 200);
        let cookie = client.cookie("messages").unwrap();
        assert!(cookie.len() <= 2048, "{}", cookie.len());
        let key = client
            .cookie("sessionid")
            .expect("the rest went to the session");
        let record = DatabaseStore::new(t.db.clone())
            .load(&key)
            .await
            .unwrap()
            .unwrap();
        let in_session = record.data["_messages"].as_array().unwrap().len();
        assert!(in_session > 0 && in_session < 60, "{in_session}");

        let lines = shown(&client.get("/results").await);
        assert_eq!(lines.len(), 60, "{}: all, in order", t.name);
        for (i, line) in lines.iter().enumerate() {
            assert!(
                line.contains(&format!("message number {i:02},")),
                "{i}: {line}"
            );
        }
        assert!(shown(&client.get("/results").await).is_empty());
        let record = DatabaseStore::new(t.db.clone()).load(&key).await.unwrap();
        assert!(record.is_none_or(|r| !r.data.contains_key("_messages")));
    })
    .await;
}

#[tokio::test]
async fn session_storage_without_the_sessions_app_says_what_to_add() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let client = TestClient::new(
        project("DEBUG = true\nMESSAGE_STORAGE = \"session\"", false)
            .web_app(&db)
            .unwrap(),
    );
    let res = client.post("/vote").with_csrf_token().await;
    assert_eq!(res.status(), 500);
    assert!(
        res.text()
            .contains("add `.app(fullstack::sessions::app())`"),
        "{}",
        res.text()
    );
}

#[tokio::test]
async fn without_the_messages_app_the_extractor_is_a_500_not_a_panic() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let project = Project::new("site")
        .settings(settings("DEBUG = true"))
        .web(routes);
    let client = TestClient::new(project.web_app(&db).unwrap());
    let res = client.post("/vote").with_csrf_token().await;
    assert_eq!(res.status(), 500);
    assert!(
        res.text()
            .contains("add `.app(fullstack::messages::app())`"),
        "{}",
        res.text()
    );
}

#[tokio::test]
async fn default_message_levels_are_in_templates() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let project = project("MESSAGE_STORAGE = \"cookie\"", false).web(|app| {
        app.add_template(
            "levels.html",
            "{% for m in get_messages() %}{% if m.level == DEFAULT_MESSAGE_LEVELS.ERROR %}error:{% endif %}{{ m.message }};{% endfor %}",
        )
        .unwrap();
        app.get("/levels", |t: Templates| async move {
            t.render("levels.html", ())
        });
    });
    let client = TestClient::new(project.web_app(&db).unwrap());
    add(&client, 40, "bad", "").await;
    add(&client, 20, "fine", "").await;
    assert_eq!(client.get("/levels").await.text(), "error:bad;fine;");
}

#[tokio::test]
async fn without_a_secret_key_the_fallback_keeps_all_in_the_session() {
    let project = Project::new("site")
        .app(sessions::app())
        .app(fullstack::messages::app())
        .web(routes); // not DEBUG, no SECRET_KEY: nothing can be signed
    let db = TestDatabase::with_url(&project, "sqlite::memory:")
        .await
        .unwrap();
    let client = db.client(&project).unwrap();
    assert_eq!(client.post("/vote").with_csrf_token().await.status(), 303);
    assert!(client.cookie("messages").is_none());
    assert!(client.cookie("sessionid").is_some());
    assert_eq!(shown(&client.get("/results").await).len(), 1);
    assert!(shown(&client.get("/results").await).is_empty());
}
