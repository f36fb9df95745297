use crate::{Database, Project, Settings};

#[derive(Debug)]
struct Disk;

impl std::fmt::Display for Disk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the disk <b>is full</b>")
    }
}

impl std::error::Error for Disk {}

#[derive(Debug)]
struct Upload(Disk);

impl std::fmt::Display for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cannot store the upload")
    }
}

impl std::error::Error for Upload {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

async fn boom() -> Result<&'static str, micro::Error> {
    Err(micro::Error::internal(Upload(Disk)))
}

fn routes(app: &mut micro::App) {
    app.get("/boom/<int:id>", boom);
    app.post("/polls/<int:id>/vote", || async { "voted" });
    app.get("/missing", || async {
        Err::<(), micro::Error>(crate::Error::DoesNotExist { model: "Question" }.into())
    });
}

async fn client(toml: &str, extra: fn(&mut micro::App)) -> micro::TestClient {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let mut settings = Settings::from_toml_str(toml).unwrap();
    settings.web.secret_key = Some(micro::Secret::new("the-secret-key-value"));
    let project = Project::new("site").settings(settings).web(move |app| {
        routes(app);
        extra(app);
    });
    micro::TestClient::new(project.web_app(&db).unwrap())
}

const DEBUG: &str = "DEBUG = true\nDATABASE_URL = \"postgres://app:hunter2@db/site\"\n[APP]\napi_token = \"tok-123\"\nsite = \"Polls\"";

#[tokio::test]
async fn a_debug_500_shows_the_chain_request_handler_and_masked_settings() {
    let c = client(DEBUG, |_| {}).await;
    let res = c
        .get("/boom/7?q=1")
        .header("cookie", "sessionid=abc123secret")
        .header("authorization", "Bearer live-token")
        .header("x-csrftoken", "csrf-value")
        .header("user-agent", "<script>alert(1)</script>")
        .await;
    assert_eq!(res.status(), 500);
    let page = res.text();
    for shown in [
        "Internal Server Error at /boom/7",
        "<li>cannot store the upload</li>",
        "<li>the disk &lt;b&gt;is full&lt;/b&gt;</li>",
        "<tr><th>Method</th><td>GET</td></tr>",
        "<tr><th>Path</th><td>/boom/7?q=1</td></tr>",
        "<tr><th>URL rule</th><td>/boom/&lt;int:id&gt;</td></tr>",
        "<tr><th>Endpoint</th><td>boom</td></tr>",
        "fullstack::debug_page::tests::boom</td>",
        "crates/fullstack/src/debug_page/tests.rs:",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<tr><th>DEBUG</th><td>true</td></tr>",
        "<tr><th>APP.site</th><td>&quot;Polls&quot;</td></tr>",
        "postgres://app:********************@db/site",
    ] {
        assert!(page.contains(shown), "{shown} missing in {page}");
    }
    for hidden in [
        "abc123secret",
        "live-token",
        "csrf-value",
        "the-secret-key-value",
        "hunter2",
        "tok-123",
        "<script>",
        "<b>",
    ] {
        assert!(!page.contains(hidden), "{hidden} shown in {page}");
    }
    assert!(page.contains("<tr><th>cookie</th><td>********************</td></tr>"));
    assert!(page.contains("<tr><th>SECRET_KEY</th><td>********************</td></tr>"));
}

#[tokio::test]
async fn a_debug_404_lists_the_rules_tried_or_names_the_handler() {
    let c = client(DEBUG, |_| {}).await;
    let res = c.get("/nope/%3Cscript%3E").await;
    assert_eq!(res.status(), 404);
    let page = res.text();
    for shown in [
        "Page not found",
        "<li><code>/boom/&lt;int:id&gt;</code> (GET) [name='boom']</li>",
        "<li><code>/polls/&lt;int:id&gt;/vote</code> (POST)</li>",
        "matched none of these",
    ] {
        assert!(page.contains(shown), "{shown} missing in {page}");
    }
    assert!(!page.contains("<script>"), "{page}");

    let page = c.get("/missing").await;
    assert_eq!(page.status(), 404);
    assert!(
        page.text()
            .contains("The URL matched the rule <code>/missing</code>"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("does not exist"), "{}", page.text());
}

#[tokio::test]
async fn json_clients_get_the_facts_as_json() {
    let c = client(DEBUG, |_| {}).await;
    let res = c.get("/boom/1").header("accept", "application/json").await;
    assert_eq!(res.status(), 500);
    let body: serde_json::Value = res.json();
    assert_eq!(body["chain"][0], "cannot store the upload");
    assert_eq!(body["chain"][1], "the disk <b>is full</b>");
    assert_eq!(body["rule"], "/boom/<int:id>");
}

#[tokio::test]
async fn outside_debug_the_page_is_plain() {
    let c = client("[APP]\napi_token = \"tok-123\"", |_| {}).await;
    let res = c
        .get("/boom/1")
        .header("cookie", "sessionid=abc123secret")
        .await;
    assert_eq!(res.status(), 500);
    let page = res.text();
    for hidden in [
        "disk",
        "upload",
        "boom",
        "abc123secret",
        "tok-123",
        "Settings",
    ] {
        assert!(!page.contains(hidden), "{hidden} shown in {page}");
    }
    let res = c.get("/nope").await;
    assert_eq!(res.status(), 404);
    assert!(!res.text().contains("/boom"), "{}", res.text());
}

#[tokio::test]
async fn the_projects_own_error_handler_wins() {
    let c = client(DEBUG, |app| {
        app.error_handler(500, |_err, _req| "our own page");
    })
    .await;
    assert_eq!(c.get("/boom/1").await.text(), "our own page");
}

#[tokio::test]
async fn the_handler_is_named_behind_a_routes_own_layers_too() {
    let c = client(DEBUG, |app| {
        app.route(
            "/layered",
            micro::routing::get(boom).layer(tower::layer::util::Identity::new()),
        );
    })
    .await;
    let page = c.get("/layered").await.text();
    assert!(
        page.contains("<tr><th>Handler</th><td>fullstack::debug_page::tests::boom</td></tr>"),
        "{page}"
    );
    assert!(
        page.contains("<tr><th>Registered at</th><td>crates/fullstack/src/debug_page/tests.rs:"),
        "{page}"
    );
}
