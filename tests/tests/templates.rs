//! Templates: a folder with inheritance, autoescape, the Flask globals, errors, reload.

use std::path::PathBuf;

use micro::routing::get;
use micro::{App, Config, Error, Html, Session, Templates, TestClient, context};

/// A fresh folder of templates for one test.
fn folder(files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "micro-templates-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn app_in(dir: &std::path::Path, extra: &str) -> App {
    let config = Config::from_toml_str(&format!(
        "SECRET_KEY = \"k\"\nTEMPLATES_FOLDER = {:?}\n{extra}",
        dir.display().to_string()
    ))
    .unwrap();
    let mut app = App::from_config(config).unwrap();
    app.route(
        "/page/<name>",
        get(
            |t: Templates, micro::Path(name): micro::Path<String>| async move {
                t.render(
                    &name,
                    context! { user => "<b>ada</b>", quote => "it's \"here\" & there/now" },
                )
            },
        ),
    );
    app
}

#[tokio::test]
async fn inheritance_and_flask_autoescaping() {
    let dir = folder(&[
        (
            "base.html",
            "<title>{% block title %}{% endblock %}</title><main>{% block body %}{% endblock %}</main>",
        ),
        (
            "child.html",
            "{% extends 'base.html' %}{% block title %}Hi {{ user }}{% endblock %}{% block body %}{{ quote }}{% endblock %}",
        ),
        ("image.svg", "<svg>{{ user }}</svg>"),
        ("page.xhtml", "<p>{{ user }}</p>"),
        ("note.txt", "{{ user }}"),
        ("raw.html", "{{ user|safe }}"),
    ]);
    let client = TestClient::new(app_in(&dir, ""));
    let res = client.get("/page/child.html").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(
        res.text(),
        "<title>Hi &lt;b&gt;ada&lt;/b&gt;</title><main>it&#x27;s &quot;here&quot; &amp; there/now</main>"
    );
    assert_eq!(
        client.get("/page/image.svg").await.text(),
        "<svg>&lt;b&gt;ada&lt;/b&gt;</svg>"
    );
    assert_eq!(
        client.get("/page/page.xhtml").await.text(),
        "<p>&lt;b&gt;ada&lt;/b&gt;</p>"
    );
    assert_eq!(client.get("/page/note.txt").await.text(), "<b>ada</b>");
    assert_eq!(client.get("/page/raw.html").await.text(), "<b>ada</b>");
}

#[tokio::test]
async fn flask_globals_are_available() {
    let dir = folder(&[
        ("static/css/site.css", "body { color: red }"),
        (
            "globals.html",
            "{{ url_for('show', id=3, tab='x') }}|{{ static('css/site.css') }}|{{ request.path }}|{{ request.args.q }}|{{ request.endpoint }}|{{ session.user }}|{{ config.DEBUG }}|{{ config.APP.public.site }}{{ config.APP.token }}|{% for c, m in get_flashed_messages(with_categories=true) %}{{ c }}:{{ m }};{% endfor %}|{{ get_flashed_messages()|length }}",
        ),
    ]);
    let mut app = app_in(
        &dir,
        &format!(
            "STATIC_FOLDER = {:?}\n[APP]\ntoken = \"hidden\"\n[APP.public]\nsite = \"demo\"",
            dir.join("static").display().to_string()
        ),
    );
    app.route("/show/<int:id>", get(|| async { "" }).name("show"));
    app.post("/prepare", |s: Session| async move {
        s.insert("user", "ada")?;
        s.flash_with("error", "bad <thing>");
        Ok::<_, Error>("")
    });
    app.route(
        "/globals",
        get(|t: Templates| async move { t.render("globals.html", ()) }).name("globals"),
    );
    let client = TestClient::new(app);
    client.post("/prepare").await;
    let res = client.get("/globals?q=rust").await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(
        res.text(),
        "/show/3?tab=x|/static/css/site.css?v=925e8741be69|/globals|rust|globals|ada|False|demo|error:bad &lt;thing&gt;;|1"
    );
    // Flashes were taken: the next page has none.
    let res = client.get("/globals").await;
    assert!(res.text().ends_with("||0"), "{}", res.text());
}

#[tokio::test]
async fn template_errors_are_500s_readable_in_debug() {
    let dir = folder(&[("broken.html", "line one\n{% if %}\n")]);
    let client = TestClient::new(app_in(&dir, ""));
    for page in ["broken.html", "missing.html"] {
        let res = client.get(&format!("/page/{page}")).await;
        assert_eq!(res.status(), 500, "{page}");
        let body = res.text();
        assert!(!body.contains(page), "release hides the details: {body}");
    }

    let client = TestClient::new(app_in(&dir, "DEBUG = true"));
    let res = client.get("/page/broken.html").await;
    assert_eq!(res.status(), 500);
    let body = res.text();
    assert!(body.contains("broken.html"), "{body}");
    assert!(body.contains("broken.html:2"), "{body}");
    let res = client.get("/page/missing.html").await;
    assert_eq!(res.status(), 500);
    assert!(res.text().contains("missing.html"), "{}", res.text());
}

#[tokio::test]
async fn templates_reload_in_debug_only() {
    let dir = folder(&[("live.html", "one")]);
    let debug = TestClient::new(app_in(&dir, "DEBUG = true"));
    let release = TestClient::new(app_in(&dir, ""));
    assert_eq!(debug.get("/page/live.html").await.text(), "one");
    assert_eq!(release.get("/page/live.html").await.text(), "one");
    std::fs::write(dir.join("live.html"), "two, longer").unwrap();
    assert_eq!(debug.get("/page/live.html").await.text(), "two, longer");
    assert_eq!(release.get("/page/live.html").await.text(), "one");
}

#[tokio::test]
async fn embedded_templates_filters_and_globals() {
    let mut app = App::new();
    app.add_template("hello.html", "{{ name|shout }} from {{ site }}")
        .unwrap();
    app.templates_mut()
        .add_filter("shout", |s: String| s.to_uppercase());
    app.templates_mut().add_global("site", "micro");
    app.get("/", |t: Templates| async move {
        t.render("hello.html", context! { name => "ada" })
    });
    let client = TestClient::new(app);
    assert_eq!(client.get("/").await.text(), "ADA from micro");

    let mut app = App::new();
    assert!(app.add_template("bad.html", "{% for %}").is_err());
    let _: Option<Html<String>> = None;
}

#[tokio::test]
async fn blueprints_bring_template_folders_the_app_can_override() {
    let app_dir = folder(&[("shared.html", "app's {{ 1 + 1 }}")]);
    let bp_dir = folder(&[
        ("admin/index.html", "admin says {% include 'shared.html' %}"),
        ("shared.html", "blueprint's"),
    ]);
    let mut app = app_in(&app_dir, "");
    let mut admin = micro::Blueprint::new("admin", "/admin");
    admin.templates_folder(&bp_dir);
    admin.get("/", |t: Templates| async move {
        t.render("admin/index.html", ())
    });
    app.register_blueprint(admin);
    let res = TestClient::new(app).get("/admin/").await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(res.text(), "admin says app's 2");
}
