//! The hello-fullstack project, driven in memory: its web app through `micro::TestClient` on a
//! temporary SQLite file migrated with the library API, and its commands through `run_with`.

use chrono::{Duration, Utc};
use fullstack::migrations::{self, Target};
use fullstack::query::prelude::*;
use fullstack::{Database, ForeignKey};
use hello_fullstack::polls::{Choice, Question};
use micro::TestClient;

/// What precedes the token in a form's hidden CSRF input.
const NEEDLE: &str = "name=\"csrfmiddlewaretoken\" value=\"";

/// A migrated database in a temporary folder (kept alive by the returned `TempDir`).
async fn database() -> (tempfile::TempDir, String, Database) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("db.sqlite3").display()
    );
    let db = Database::connect(&url).await.unwrap();
    let set = hello_fullstack::project().migrations().unwrap();
    migrations::migrate(&db, &set, &Target::Latest)
        .await
        .unwrap();
    (dir, url, db)
}

async fn question(
    db: &Database,
    text: &str,
    days_ago: i64,
    choices: &[&str],
) -> (Question, Vec<Choice>) {
    let mut q = Question {
        id: 0,
        question_text: text.into(),
        pub_date: Utc::now() - Duration::days(days_ago),
    };
    q.save(db).await.unwrap();
    let choices = choices
        .iter()
        .map(|c| Choice {
            id: 0,
            question: ForeignKey::from(&q),
            choice_text: (*c).into(),
            votes: 0,
        })
        .collect();
    let choices = Choice::objects().bulk_create(db, choices).await.unwrap();
    (q, choices)
}

fn client(db: &Database) -> TestClient {
    TestClient::new(hello_fullstack::project().web_app(db).unwrap())
}

#[tokio::test]
async fn list_shows_newest_first_and_escapes_text() {
    let (_dir, _url, db) = database().await;
    question(&db, "Old <b>question</b>?", 3, &[]).await;
    question(&db, "New question?", 0, &[]).await;
    question(&db, "Middle question?", 1, &[]).await;

    let res = client(&db).get("/").await;
    assert_eq!(res.status(), 200);
    let body = res.text();
    let new = body.find("New question?").expect(&body);
    let middle = body.find("Middle question?").expect(&body);
    let old = body.find("Old &lt;b&gt;question&lt;/b&gt;?").expect(&body);
    assert!(new < middle && middle < old, "{body}");
    assert!(!body.contains("<b>question"), "{body}");
    assert!(
        body.contains("<title>Latest polls · hello-fullstack</title>"),
        "base.html is extended: {body}"
    );
}

#[tokio::test]
async fn list_without_questions_says_how_to_seed() {
    let (_dir, _url, db) = database().await;
    let body = client(&db).get("/").await.text();
    assert!(body.contains("No polls are available"), "{body}");
}

#[tokio::test]
async fn detail_shows_the_choices_and_a_vote_form() {
    let (_dir, _url, db) = database().await;
    let (q, choices) = question(&db, "Tabs or spaces?", 0, &["Tabs", "Spaces"]).await;
    question(&db, "Other?", 0, &["Not mine"]).await;

    let res = client(&db).get(&format!("/questions/{}/", q.id)).await;
    assert_eq!(res.status(), 200);
    let body = res.text();
    assert!(body.contains("<h1>Tabs or spaces?</h1>"), "{body}");
    // A radio button per choice, from the form's widget.
    for (choice, text) in choices.iter().zip(["Tabs", "Spaces"]) {
        let input = format!(
            "<input type=\"radio\" name=\"choice\" value=\"{}\"",
            choice.id
        );
        let at = body
            .find(&input)
            .unwrap_or_else(|| panic!("{input} in {body}"));
        assert!(
            body[at..].split("</label>").next().unwrap().contains(text),
            "{body}"
        );
    }
    assert!(!body.contains("Not mine"), "{body}");
    assert!(
        body.contains(&format!("action=\"/questions/{}/vote\"", q.id)),
        "{body}"
    );
}

#[tokio::test]
async fn missing_question_is_404() {
    let (_dir, _url, db) = database().await;
    let c = client(&db);
    assert_eq!(c.get("/questions/42/").await.status(), 404);
    assert_eq!(c.get("/questions/42/results/").await.status(), 404);
    assert_eq!(c.get("/questions/abc/").await.status(), 404);
}

#[tokio::test]
async fn vote_increments_in_sql_and_redirects_to_results() {
    let (_dir, _url, db) = database().await;
    let (q, choices) = question(&db, "Tabs or spaces?", 0, &["Tabs", "Spaces"]).await;
    let c = client(&db);
    // The vote form carries the token of its page, and a vote without it is refused.
    let page = c.get(&format!("/questions/{}/", q.id)).await.text();
    let at = page
        .find(NEEDLE)
        .unwrap_or_else(|| panic!("a CSRF input in {page}"))
        + NEEDLE.len();
    let token = page[at..at + 64].to_owned();
    let refused = c
        .post(&format!("/questions/{}/vote", q.id))
        .form(&[("choice", choices[1].id.to_string())])
        .await;
    assert_eq!(refused.status(), 403);
    assert!(
        refused.text().contains("CSRF token missing."),
        "{}",
        refused.text()
    );
    let form = [
        ("choice", choices[1].id.to_string()),
        ("csrfmiddlewaretoken", token),
    ];
    for _ in 0..2 {
        let res = c
            .post(&format!("/questions/{}/vote", q.id))
            .form(&form)
            .await;
        assert_eq!(res.status(), 303, "{}", res.text());
        assert_eq!(
            res.header("location"),
            Some(format!("/questions/{}/results/", q.id).as_str())
        );
    }
    let spaces = Choice::objects()
        .filter(Choice::ID.eq(choices[1].id))
        .get(&db)
        .await
        .unwrap();
    assert_eq!(spaces.votes, 2);
    let tabs = Choice::objects()
        .filter(Choice::ID.eq(choices[0].id))
        .get(&db)
        .await
        .unwrap();
    assert_eq!(tabs.votes, 0);

    let body = c.get(&format!("/questions/{}/results/", q.id)).await.text();
    assert!(body.contains("Spaces: 2 votes"), "{body}");
    assert!(body.contains("Tabs: 0 votes"), "{body}");
    // The two votes' messages, once: the next page has none.
    assert_eq!(
        body.matches(r#"<p class="message success">Thanks for voting.</p>"#)
            .count(),
        2,
        "{body}"
    );
    let again = c.get(&format!("/questions/{}/results/", q.id)).await.text();
    assert!(!again.contains("Thanks for voting."), "{again}");
}

#[tokio::test]
async fn no_cross_question_votes() {
    let (_dir, _url, db) = database().await;
    let (q1, _) = question(&db, "First?", 0, &["A"]).await;
    let (_q2, other) = question(&db, "Second?", 0, &["B"]).await;
    let c = client(&db);

    // Another question's choice, not a number, none: the question again with the error beside
    // the field (200, Django's tutorial), nothing counted.
    for (fields, error) in [
        (
            vec![("choice", other[0].id.to_string())],
            format!(
                "Select a valid choice. {} is not one of the available choices.",
                other[0].id
            ),
        ),
        (
            vec![("choice", "x".to_owned())],
            "Select a valid choice. x is not one of the available choices.".to_owned(),
        ),
        (
            vec![("nothing", String::new())],
            "You didn&#x27;t select a choice.".to_owned(),
        ),
    ] {
        let res = c
            .post(&format!("/questions/{}/vote", q1.id))
            .form(&fields)
            .with_csrf_token()
            .await;
        assert_eq!(res.status(), 200, "{fields:?}");
        let body = res.text();
        assert!(body.contains("<h1>First?</h1>"), "{body}");
        assert!(body.contains(&error), "{error} in {body}");
        assert!(body.contains("aria-invalid=\"true\""), "{body}");
    }
    let res = c
        .post("/questions/999/vote")
        .form(&[("choice", "1")])
        .with_csrf_token()
        .await;
    assert_eq!(res.status(), 404);

    let total = Choice::objects()
        .aggregate(&db, Choice::VOTES.sum())
        .await
        .unwrap();
    assert_eq!(total, Some(0));
}

async fn run(args: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut argv = vec!["manage"];
    argv.extend_from_slice(args);
    let code = hello_fullstack::project()
        .run_with(argv, &mut out, &mut err)
        .await;
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[tokio::test]
async fn committed_migrations_match_the_models() {
    assert_eq!(hello_fullstack::project().check(), Vec::<String>::new());
    let (code, out, err) = run(&["check"]).await;
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "System check identified no issues.\n", "")
    );
    // The folder as well as the embedded copy: `makemigrations --check` writes nothing.
    let (code, out, err) = run(&["makemigrations", "--check", "--no-input"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("No changes detected"), "{out}{err}");
}

#[tokio::test]
async fn seed_command_adds_questions() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("db.sqlite3").display()
    );
    let (code, out, err) = run(&["migrate", "--database-url", &url]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Applying polls.0001_initial... OK"), "{out}");

    let (code, out, err) = run(&["seed", "--database-url", &url]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Created question 1: What's your favourite web framework?"),
        "{out}"
    );
    assert!(out.contains("Created question 2: Tabs or spaces?"), "{out}");

    let db = Database::connect(&url).await.unwrap();
    let latest = Question::objects().all(&db).await.unwrap();
    assert_eq!(latest.len(), 2);
    assert_eq!(latest[0].question_text, "Tabs or spaces?", "newest first");
    assert_eq!(Choice::objects().count(&db).await.unwrap(), 5);
    let (code, out, _) = run(&["--help"]).await;
    assert_eq!(code, 0);
    assert!(out.contains("seed"), "{out}");
}

#[tokio::test]
async fn the_auth_app_serves_its_login_page_and_refuses_bad_credentials() {
    let (_dir, _url, db) = database().await;
    let c = client(&db);
    let res = c.get("/accounts/login/").await;
    assert_eq!(res.status(), 200);
    let body = res.text();
    assert!(body.contains("csrfmiddlewaretoken"), "{body}");
    let res = c
        .post("/accounts/login/")
        .form(&[("username", "nobody"), ("password", "wrong")])
        .with_csrf_token()
        .await;
    assert_eq!(res.status(), 200, "the page again, with the error");
    assert!(
        res.text()
            .contains("Please enter a correct username and password"),
        "{}",
        res.text()
    );
}

#[tokio::test]
async fn a_superuser_sees_the_polls_in_the_admin() {
    let (_dir, _url, db) = database().await;
    question(&db, "What's up?", 1, &["Not much", "The sky"]).await;
    let mut boss = fullstack::auth::User::new(
        fullstack::auth::Hashers::default().hash("correct horse battery"),
        "boss".to_owned(),
    );
    boss.is_staff = true;
    boss.is_superuser = true;
    fullstack::auth::User::objects()
        .create(&db, boss)
        .await
        .unwrap();
    let c = client(&db);
    assert_eq!(
        c.get("/admin/").await.status(),
        302,
        "anonymous visitors log in first"
    );
    let res = c
        .post("/admin/login/")
        .form(&[
            ("username", "boss"),
            ("password", "correct horse battery"),
            ("next", "/admin/"),
        ])
        .with_csrf_token()
        .await;
    assert_eq!(res.status(), 302, "{}", res.text());
    let index = c.get("/admin/").await.text();
    assert!(index.contains("Polls administration"), "{index}");
    assert!(index.contains("/admin/polls/question/") && index.contains("/admin/polls/choice/"));
    let choices = c.get("/admin/polls/choice/?q=sky").await.text();
    assert!(
        choices.contains("The sky") && !choices.contains("Not much"),
        "{choices}"
    );
    assert!(
        choices.contains("<td>What&#x27;s up?</td>"),
        "the question, joined: {choices}"
    );
}
