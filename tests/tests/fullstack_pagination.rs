//! `fullstack::pagination` over querysets on every backend: one `COUNT(*)` and one page query,
//! pages taken inside the queryset's own slice, unordered querysets paged by primary key, and
//! bad page numbers answered 404 with Django's words through the test client.

mod backends;

use backends::{TestDb, on_every_backend};
use fullstack::migrations::{NonInteractive, ProjectState, diff};
use fullstack::pagination::{InvalidPage, Page, PageError, PageNumber, Paginator, paginate};
use fullstack::query::prelude::*;
use fullstack::test::assert_num_queries;
use fullstack::{Database, Model, ModelMeta};
use micro::{App, State, TestClient};

#[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
#[model(app = "pgn", table = "pgn_entry")]
struct Entry {
    id: i64,
    #[field(max_length = 50)]
    title: String,
    rank: i32,
}

async fn create_tables(t: &TestDb) {
    let b = t.db.backend();
    let sql = format!("DROP TABLE IF EXISTS {}", b.quote("pgn_entry"));
    t.db.execute(&sql, vec![]).await.unwrap();
    let models: [&'static ModelMeta; 1] = [Entry::META];
    let mut state = ProjectState::default();
    let to = ProjectState::from_models(&models);
    for op in diff(&state.clone(), &to, &mut NonInteractive).unwrap() {
        for sql in op.forward_sql(b, &state).unwrap() {
            t.db.execute(&sql, vec![]).await.unwrap();
        }
        op.apply_state(&mut state).unwrap();
    }
}

/// Entries e1..=e23, inserted in reverse so that primary-key order and `rank` order differ.
async fn seed(db: &Database) {
    let entries = (1..=23)
        .rev()
        .map(|n| Entry::new(format!("e{n}"), n))
        .collect();
    Entry::objects().bulk_create(db, entries).await.unwrap();
}

fn titles(page: &Page<Entry>) -> Vec<&str> {
    page.object_list.iter().map(|e| e.title.as_str()).collect()
}

async fn list(State(db): State<Database>, page: PageNumber) -> Result<String, micro::Error> {
    let ranked = Entry::objects().order_by([Entry::RANK.asc()]);
    let page = paginate(&ranked, &db, 10, &page).await?;
    Ok(format!(
        "{}/{}: {}",
        page.number(),
        page.paginator().num_pages(),
        titles(&page).join(",")
    ))
}

#[tokio::test]
async fn pages_of_querysets_on_every_backend() {
    on_every_backend("pagination", |t| async move {
        create_tables(&t).await;
        let db = &t.db;
        seed(db).await;
        let ranked = Entry::objects().order_by([Entry::RANK.asc()]);

        // Django's Paginator over a queryset: a COUNT, then the page's rows only.
        let page = assert_num_queries(2, paginate(&ranked, db, 10, &PageNumber::from("2")))
            .await
            .unwrap();
        assert_eq!(page.object_list.len(), 10, "{}", t.name);
        assert_eq!(titles(&page)[0], "e11", "{}", t.name);
        assert_eq!((page.start_index(), page.end_index()), (11, 20));
        assert_eq!(page.paginator().count(), 23);

        // Orphans: the last 3 join page 2, and page 3 does not exist.
        let paginator = Paginator::for_queryset(&ranked, db, 10)
            .await
            .unwrap()
            .orphans(3);
        let last = paginator.page_of_queryset(&ranked, db, 2).await.unwrap();
        assert_eq!(titles(&last).len(), 13, "{}", t.name);
        assert_eq!(*titles(&last).last().unwrap(), "e23");
        assert!(matches!(
            paginator.page_of_queryset(&ranked, db, 3).await,
            Err(PageError::Invalid(InvalidPage::NoResults))
        ));

        // A queryset's own slice bounds the pages: rows 5..17 of the ranking, 5 to a page.
        let sliced = ranked.clone().slice(5..17);
        let paginator = Paginator::for_queryset(&sliced, db, 5).await.unwrap();
        assert_eq!(paginator.count(), 12, "{}", t.name);
        let page3 = paginator.page_of_queryset(&sliced, db, 3).await.unwrap();
        assert_eq!(titles(&page3), ["e16", "e17"], "{}", t.name);

        // No order: pages follow the primary key, so together they hold each row once.
        let unordered = Entry::objects();
        let paginator = Paginator::for_queryset(&unordered, db, 7).await.unwrap();
        let mut seen = Vec::new();
        for n in paginator.page_range() {
            let page = paginator.page_of_queryset(&unordered, db, n).await.unwrap();
            seen.extend(page.object_list.into_iter().map(|e| e.id));
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(seen, sorted, "in key order, no repeats: {}", t.name);
        assert_eq!(seen.len(), 23);

        // An empty queryset: one empty page 1, read without a page query.
        let none = Entry::objects().filter(Entry::RANK.gt(100));
        let page = assert_num_queries(1, paginate(&none, db, 10, &PageNumber::default()))
            .await
            .unwrap();
        assert!(page.object_list.is_empty() && !page.has_other_pages());

        // Through the web: ?page= read from the request, bad numbers are 404s.
        let mut app = App::new();
        app.state(db.clone());
        app.route("/entries/", micro::routing::get(list));
        let client = TestClient::new(app);
        let res = client.get("/entries/").send().await;
        assert_eq!(res.status(), 200);
        assert!(res.text().starts_with("1/3: e1,e2,"), "{}", res.text());
        let res = client.get("/entries/?page=last").send().await;
        assert_eq!(res.text(), "3/3: e21,e22,e23", "{}", t.name);
        for (query, message) in [
            ("?page=4", "That page contains no results"),
            ("?page=0", "That page number is less than 1"),
            ("?page=two", "That page number is not an integer"),
        ] {
            let res = client.get(&format!("/entries/{query}")).send().await;
            assert_eq!(res.status(), 404, "{query} on {}", t.name);
            assert!(res.text().contains(message), "{query}: {}", res.text());
        }
    })
    .await;
}
