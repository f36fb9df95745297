//! The management commands as `cargo run -p shop -- ...` runs them, on a SQLite file: `migrate`,
//! then `seed` and `roles`, each twice (the second run adds nothing), and the demo users they
//! make logging in to their part of the admin.

use fullstack::Database;
use fullstack::auth::{Group, Hashers, User};
use fullstack::query::prelude::*;
use shop::shop::{
    CATALOGUE_MANAGERS, Category, DEMO_PASSWORD, ORDER_CLERKS, PASSWORD_VAR, Product,
};

async fn run(url: &str, command: &str) -> String {
    let project = shop::project().unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let args = ["shop", "--database-url", url, command];
    let code = project.run_with(args, &mut out, &mut err).await;
    assert_eq!(code, 0, "{command}: {}", String::from_utf8_lossy(&err));
    String::from_utf8(out).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_and_roles_run_twice_and_add_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("shop.sqlite3").display()
    );
    run(&url, "migrate").await;
    let first = run(&url, "seed").await;
    assert!(
        first.contains("Added 3 categories, 6 products and 2 staff users"),
        "{first}"
    );
    let second = run(&url, "seed").await;
    assert!(
        second.contains("Added 0 categories, 0 products and 0 staff users"),
        "{second}"
    );
    let roles = run(&url, "roles").await;
    assert!(
        roles.contains(
            "Checked the group \"Order clerks\": change_order, view_order, view_orderline"
        ),
        "{roles}"
    );

    let db = Database::connect(&url).await.unwrap();
    assert_eq!(Category::objects().count(&db).await.unwrap(), 3);
    assert_eq!(Product::objects().count(&db).await.unwrap(), 6);
    assert_eq!(Group::objects().count(&db).await.unwrap(), 2);
    let password = std::env::var(PASSWORD_VAR)
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| DEMO_PASSWORD.to_owned());
    for (username, group) in [("manager", CATALOGUE_MANAGERS), ("clerk", ORDER_CLERKS)] {
        let user = User::objects()
            .filter(User::USERNAME.eq(username))
            .get(&db)
            .await
            .unwrap();
        assert!(user.is_staff && !user.is_superuser, "{username}");
        assert!(
            Hashers::default().verify(&password, &user.password).ok,
            "{username}"
        );
        let groups: Vec<String> = User::GROUPS
            .of(&user)
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|g| g.name)
            .collect();
        assert_eq!(groups, [group], "{username}");
    }
    db.close().await;
}
