//! Times binding and validating a 10-field form against one SQLite query, in the same process
//! (`cargo run --release -p bench-fullstack --bin form-bench`). Not a test: the figure is
//! recorded in docs/benchmarks.md.

use std::time::{Duration, Instant};

use bench_fullstack::{World, prepare_database};
use fullstack::Database;
use fullstack::forms::{Choices, Form, FormData};
use fullstack::query::prelude::*;

#[derive(Debug, Clone, Copy, Choices)]
enum Plan {
    Free,
    Pro,
    Team,
}

#[derive(Form)]
#[allow(dead_code)]
struct Signup {
    #[form(max_length = 150)]
    username: String,
    #[form(kind = "email")]
    email: String,
    #[form(min_length = 8, widget = "password")]
    password: String,
    #[form(min = 13, max = 130)]
    age: i32,
    plan: Plan,
    #[form(kind = "url")]
    website: Option<String>,
    #[form(kind = "slug", max_length = 50)]
    handle: String,
    birthday: Option<chrono::NaiveDate>,
    #[form(max_digits = 6, decimal_places = 2)]
    budget: fullstack::Decimal,
    newsletter: bool,
}

const BODY: &[u8] = b"username=ada&email=ada%40example.com&password=correct+horse&age=36\
&plan=pro&website=example.com&handle=ada-l&birthday=1815-12-10&budget=1234.50&newsletter=on\
&csrfmiddlewaretoken=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn per_op(total: Duration, n: u32) -> f64 {
    total.as_secs_f64() * 1e6 / f64::from(n)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Bind + validate, with the typed conversion: what a POST handler pays.
    let n = 100_000;
    for _ in 0..1000 {
        assert!(Signup::bind(FormData::from_urlencoded(BODY)).is_ok());
    }
    let start = Instant::now();
    for _ in 0..n {
        let bound = Signup::bind(FormData::from_urlencoded(std::hint::black_box(BODY)));
        std::hint::black_box(bound.is_ok());
    }
    let form = per_op(start.elapsed(), n);

    // One primary-key SELECT through the ORM on an in-memory SQLite, as /db does.
    let db = Database::connect("sqlite::memory:").await?;
    prepare_database(&db).await?;
    let q = 20_000;
    let start = Instant::now();
    for i in 0..q {
        let id = (i % 10_000) as i32 + 1;
        let world = World::objects().filter(World::ID.eq(id)).get(&db).await?;
        std::hint::black_box(world);
    }
    let query = per_op(start.elapsed(), q);
    println!("bind+validate a 10-field form: {form:.2} µs");
    println!("one SQLite SELECT by primary key: {query:.2} µs");
    println!(
        "ratio: the form costs {:.0} % of one query",
        form / query * 100.0
    );
    Ok(())
}
