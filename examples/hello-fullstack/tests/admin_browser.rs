//! The admin in a real browser: the site served on a real socket, Debian's Chromium driven by
//! `tests/browser/admin.mjs` (playwright-core) through logging in, adding a question with three
//! choices inline, editing it, its history, filtering and searching, a view-only user seeing
//! less, and deleting it, with its screenshots kept in the target folder. Without Chromium,
//! Node.js or the script's packages (`.ci/run` installs them) it says the admin was NOT TESTED in
//! a browser and passes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fullstack::Database;
use fullstack::Model;
use fullstack::auth::{Group, Hashers, Permission, User};
use fullstack::migrations::{self, Target};
use fullstack::query::prelude::*;
use hello_fullstack::polls::{Choice, Question};

const PASSWORD: &str = "correct horse battery";

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser")
}

/// Why the browser test cannot run here, if it cannot.
fn missing_tool() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!(
            "no Chromium at {chromium} (apt-get install chromium)"
        ));
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("no node on the PATH".into());
    }
    if !scripts().join("node_modules/playwright-core").exists() {
        return Some("tests/browser has no node_modules (npm ci --prefix tests/browser)".into());
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_works_in_chromium() {
    if let Some(why) = missing_tool() {
        // Straight to stderr: the harness hides a passing test's own output.
        let _ = writeln!(
            std::io::stderr(),
            "note: the admin in a browser NOT TESTED: {why}"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("db.sqlite3").display()
    );
    let db = Database::connect(&url).await.unwrap();
    let project = hello_fullstack::project();
    let set = project.migrations().unwrap();
    migrations::migrate(&db, &set, &Target::Latest)
        .await
        .unwrap();
    let mut boss = User::new(Hashers::default().hash(PASSWORD), "boss".to_owned());
    boss.is_staff = true;
    boss.is_superuser = true;
    User::objects().create(&db, boss).await.unwrap();
    // A staff user whose group may only look at the polls.
    fullstack::auth::create_permissions(&db, &[Question::META, Choice::META])
        .await
        .unwrap();
    let views = Permission::objects()
        .filter(Permission::CODENAME.is_in(["view_question".to_owned(), "view_choice".to_owned()]))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(views.len(), 2);
    let mut readers = Group::new("Poll readers".to_owned());
    readers.save(&db).await.unwrap();
    Group::PERMISSIONS
        .add(&db, &readers, views.iter())
        .await
        .unwrap();
    let mut reader = User::new(Hashers::default().hash(PASSWORD), "reader".to_owned());
    reader.is_staff = true;
    let reader = User::objects().create(&db, reader).await.unwrap();
    User::GROUPS.add(&db, &reader, [&readers]).await.unwrap();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = project.web_app(&db).unwrap();
    tokio::spawn(std::future::IntoFuture::into_future(micro::serve(
        listener,
        app.into_service(),
    )));

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("admin-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let run = tokio::process::Command::new("node")
        .arg(scripts().join("admin.mjs"))
        .arg(format!("http://{addr}"))
        .arg("boss")
        .arg(PASSWORD)
        .arg("reader")
        .arg(&shots)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .expect("the browser run finished within three minutes")
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success(),
        "the browser checks failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all browser checks passed"), "{stdout}");
    assert!(shots.join("admin-change-list.png").exists());
}
