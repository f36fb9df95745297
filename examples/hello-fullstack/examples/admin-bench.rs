//! Times the admin's change list over 100,000 questions (and 100,000 choices, each listed with
//! its question joined), in process through the test client, and counts each page's queries:
//! `cargo run --release -p hello-fullstack --example admin-bench` (SQLite in a temporary file),
//! or with `BENCH_DATABASE_URL=postgres://...` (a database of its own: the polls tables are
//! made and filled there once). Not a test: the figures are recorded in docs/benchmarks.md.

use std::time::{Duration, Instant};

use chrono::Utc;
use fullstack::auth::{Hashers, User};
use fullstack::migrations::{self, Target};
use fullstack::query::prelude::*;
use fullstack::{Database, ForeignKey};
use hello_fullstack::polls::{Choice, Question};
use micro::TestClient;

const ROWS: usize = 100_000;
const ROUNDS: usize = 30;

async fn seed(db: &Database) {
    let have = Question::objects().count(db).await.unwrap();
    if have >= ROWS as u64 {
        return;
    }
    let start = Utc::now();
    for chunk in 0..ROWS / 1000 {
        let questions: Vec<Question> = (0..1000)
            .map(|i| {
                let n = chunk * 1000 + i;
                Question {
                    id: 0,
                    question_text: format!("Question number {n}?"),
                    pub_date: start - chrono::Duration::minutes(n as i64),
                }
            })
            .collect();
        let questions = Question::objects()
            .bulk_create(db, questions)
            .await
            .unwrap();
        let choices = questions
            .iter()
            .map(|q| Choice {
                id: 0,
                question: ForeignKey::from(q),
                choice_text: format!("Answer to {}", q.question_text),
                votes: 0,
            })
            .collect();
        Choice::objects().bulk_create(db, choices).await.unwrap();
    }
    let mut boss = User::new(Hashers::default().hash("bench password"), "boss".to_owned());
    boss.is_staff = true;
    boss.is_superuser = true;
    User::objects().create(db, boss).await.unwrap();
}

fn median_and_p90(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[times.len() / 2]), ms(times[times.len() * 9 / 10]))
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| {
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.sqlite3").display()
        )
    });
    let db = Database::connect(&url).await.unwrap();
    let project = hello_fullstack::project();
    migrations::migrate(&db, &project.migrations().unwrap(), &Target::Latest)
        .await
        .unwrap();
    let seeding = Instant::now();
    seed(&db).await;
    eprintln!("seeded in {:.1} s", seeding.elapsed().as_secs_f64());

    let c = TestClient::new(project.web_app(&db).unwrap());
    let res = c
        .post("/admin/login/")
        .form(&[
            ("username", "boss"),
            ("password", "bench password"),
            ("next", "/admin/"),
        ])
        .with_csrf_token()
        .await;
    assert_eq!(res.status(), 302, "{}", res.text());

    println!(
        "backend: {:?}, {ROWS} questions and {ROWS} choices",
        db.backend()
    );
    println!("| page | median | p90 | queries |");
    println!("|---|---:|---:|---:|");
    for (what, path) in [
        ("questions, first page", "/admin/polls/question/"),
        ("questions, page 500", "/admin/polls/question/?p=500"),
        ("questions, ordered by text", "/admin/polls/question/?o=1"),
        (
            "questions, searched",
            "/admin/polls/question/?q=number+4242",
        ),
        (
            "questions, a date filter",
            "/admin/polls/question/?pub_date__gte=2000-01-01",
        ),
        ("choices, question joined", "/admin/polls/choice/"),
        (
            "choices, searched across the join",
            "/admin/polls/choice/?q=number+4242",
        ),
    ] {
        for _ in 0..3 {
            assert_eq!(c.get(path).await.status(), 200, "{path}");
        }
        let (_, queries) = fullstack::capture_queries(c.get(path).send()).await;
        let mut times = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let t = Instant::now();
            let res = c.get(path).await;
            times.push(t.elapsed());
            assert_eq!(res.status(), 200);
        }
        let (median, p90) = median_and_p90(times);
        println!(
            "| {what} (`{path}`) | {median:.1} ms | {p90:.1} ms | {} |",
            queries.len()
        );
    }
}
