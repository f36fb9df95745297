//! `startapp`: writes an app (module, model, view, template, empty migrations folder, test) into
//! a project's folder, says how to install it, and refuses a bad label or an app that exists
//! without writing anything. That the generated app builds, migrates and passes its test is
//! tested end to end in `crates/fullstack-scaffold/tests/generated_project.rs`.

use std::path::Path;

use fullstack::Project;

/// A project folder with a `Cargo.toml`, as `cargo new` leaves it.
fn project_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"mysite\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    dir
}

async fn startapp(project: &Project, args: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args = ["manage", "startapp"].iter().chain(args).copied();
    let code = project.run_with(args, &mut out, &mut err).await;
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[tokio::test]
async fn startapp_writes_an_app_into_the_project_root_and_says_how_to_install_it() {
    let dir = project_folder();
    let project = Project::new("mysite").root(dir.path());
    let (code, out, err) = startapp(&project, &["blog"]).await;
    assert_eq!(code, 0, "{err}");

    let module = read(dir.path(), "src/blog.rs");
    assert!(module.contains("fullstack::app!(\"blog\")"), "{module}");
    assert!(
        module.contains(".templates(\"blog/templates\")"),
        "{module}"
    );
    assert!(
        module.contains("app.get(\"/blog/\", views::index)"),
        "{module}"
    );
    assert!(module.contains("#[tokio::test]"), "a test: {module}");
    let models = read(dir.path(), "src/blog/models.rs");
    assert!(models.contains("#[model(app = \"blog\""), "{models}");
    let views = read(dir.path(), "src/blog/views.rs");
    assert!(views.contains("\"blog/index.html\""), "{views}");
    let page = read(dir.path(), "blog/templates/blog/index.html");
    assert!(page.contains("The blog app"), "{page}");
    let migrations = dir.path().join("migrations/blog");
    assert!(migrations.is_dir());
    assert_eq!(std::fs::read_dir(&migrations).unwrap().count(), 0, "empty");

    assert!(out.contains("src/blog.rs"), "{out}");
    assert!(
        out.contains("mod blog;") && out.contains(".app(blog::app())"),
        "{out}"
    );
}

#[tokio::test]
async fn startapp_takes_the_folder_from_directory() {
    let dir = project_folder();
    let where_ = dir.path().to_str().unwrap();
    let (code, _, err) = startapp(&Project::new("mysite"), &["shop", "--directory", where_]).await;
    assert_eq!(code, 0, "{err}");
    assert!(dir.path().join("src/shop/models.rs").is_file());
}

#[tokio::test]
async fn startapp_refuses_a_bad_label_an_existing_app_and_a_folder_without_cargo_toml() {
    let dir = project_folder();
    let project = Project::new("mysite").root(dir.path());
    for bad in ["Blog", "blog-posts", "../up", "fn"] {
        let (code, _, err) = startapp(&project, &[bad]).await;
        assert_eq!(code, 1, "{bad}: {err}");
        assert!(err.contains("Error:") && err.contains(bad), "{err}");
    }
    assert_eq!(
        std::fs::read_dir(dir.path().join("src")).unwrap().count(),
        0
    );

    assert_eq!(startapp(&project, &["blog"]).await.0, 0);
    let before = read(dir.path(), "src/blog.rs");
    std::fs::write(dir.path().join("src/blog.rs"), "// mine").unwrap();
    let (code, _, err) = startapp(&project, &["blog"]).await;
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("src/blog.rs") && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(read(dir.path(), "src/blog.rs"), "// mine");
    assert!(before.contains("fullstack::app!"));

    let installed = Project::new("mysite")
        .root(dir.path())
        .app(fullstack::AppConfig::new("polls"));
    let (code, _, err) = startapp(&installed, &["polls"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("installed already"), "{err}");

    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = startapp(&Project::new("x").root(empty.path()), &["blog"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("no Cargo.toml"), "{err}");
}
