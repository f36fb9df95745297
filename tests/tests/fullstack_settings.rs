//! A project's settings: one file and the environment configure micro and fullstack; handlers
//! read them from state, templates see only `[APP.public]`, commands read them from their
//! context, and `DATABASE_URL` in them is the database the commands use.

use fullstack::{AppConfig, CommandContext, CommandFuture, Database, Project, Settings};
use micro::{State, Templates, TestClient};

const SETTINGS: &str = r#"
SECRET_KEY = "a test key"
ALLOWED_HOSTS = ["example.com"]
LOGIN_URL = "/login/"
DATABASE_URL = "sqlite::memory:"

[APP]
api_token = "s3cret-token"

[APP.public]
site_name = "Polls"
"#;

fn project() -> Project {
    let settings = Settings::from_toml_str(SETTINGS).unwrap();
    Project::new("configured")
        .settings(settings)
        .app(AppConfig::new("site").command_fn(clap::Command::new("show-login"), show_login))
        .web(|app| {
            app.get("/login-url", |State(settings): State<Settings>| async move {
                settings.login_url.clone()
            });
            app.add_template(
                "page.html",
                "{{ config.APP.public.site_name }}|{{ config.APP.api_token }}|{{ config.APP.public.api_token }}",
            )
            .unwrap();
            app.get("/page", |t: Templates| async move { t.render("page.html", ()) });
        })
}

fn show_login<'a>(ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
    Box::pin(async move {
        let url = ctx.settings().login_url.clone();
        writeln!(ctx.out, "{url}")?;
        Ok(())
    })
}

async fn client() -> TestClient {
    let project = project();
    let db = Database::connect(&project.resolved_database_url())
        .await
        .unwrap();
    TestClient::new(project.web_app(&db).unwrap())
}

#[tokio::test]
async fn handlers_read_the_settings_from_state() {
    let res = client()
        .await
        .get("/login-url")
        .header("host", "example.com")
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(res.text(), "/login/");
}

#[tokio::test]
async fn templates_see_only_the_public_app_settings() {
    let res = client()
        .await
        .get("/page")
        .header("host", "example.com")
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(res.text(), "Polls||");
    assert!(!res.text().contains("s3cret"));
}

#[tokio::test]
async fn commands_read_the_settings_and_their_database_url() {
    let project = project();
    assert_eq!(project.resolved_database_url(), "sqlite::memory:");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = project
        .run_with(["configured", "show-login"], &mut out, &mut err)
        .await;
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    assert_eq!(String::from_utf8_lossy(&out).trim(), "/login/");
}

#[tokio::test]
async fn the_settings_file_is_found_in_the_crate_root() {
    let dir = std::env::temp_dir().join(format!("fullstack-settings-root-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("settings.toml"), SETTINGS).unwrap();
    std::fs::write(
        dir.join("templates/hello.html"),
        "hello from the crate root",
    )
    .unwrap();
    let settings = Settings::load_from(&dir).unwrap();
    assert_eq!(settings.allowed_hosts, ["example.com"]);
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let project = Project::new("rooted").settings(settings).web(|app| {
        app.get(
            "/",
            |t: Templates| async move { t.render("hello.html", ()) },
        );
    });
    let client = TestClient::new(project.web_app(&db).unwrap());
    let res = client.get("/").header("host", "example.com").await;
    assert_eq!(res.text(), "hello from the crate root");
}
