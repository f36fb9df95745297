//! The staff roles in the admin, through the whole web app: what each kind of visitor sees on
//! the index, what each may open, and that forged POSTs (with a valid CSRF token) to another
//! role's add, change, delete and `delete_selected` URLs are refused and change nothing.

use fullstack::auth::{Group, Permission};
use fullstack::query::prelude::*;
use micro::TestClient;
use shop::shop::{
    CATALOGUE_MANAGERS, Category, ORDER_CLERKS, Order, OrderLine, Product, ROLES, setup_roles,
};

use crate::common::{Fields, Site, form_fields, on_every_backend, post, submit, unescape, with};

/// The shop's models as the admin's URLs name them.
const MODELS: [&str; 4] = ["category", "product", "order", "orderline"];

/// A visitor of the admin, and what they may do to each model (`None`: not active staff,
/// sent to the login page).
struct Actor {
    name: &'static str,
    client: TestClient,
    may: Option<fn(&str, &str) -> bool>,
}

fn superuser(_: &str, _: &str) -> bool {
    true
}

/// The roles' permissions, as `shop::roles` grants them.
fn manager(model: &str, _: &str) -> bool {
    matches!(model, "category" | "product")
}

fn clerk(model: &str, action: &str) -> bool {
    matches!(
        (model, action),
        ("order", "view" | "change") | ("orderline", "view")
    )
}

fn nothing(_: &str, _: &str) -> bool {
    false
}

async fn actors(site: &Site) -> Vec<Actor> {
    site.user("boss", true, true, None).await;
    site.user("manager", true, false, Some(CATALOGUE_MANAGERS))
        .await;
    site.user("clerk", true, false, Some(ORDER_CLERKS)).await;
    site.user("bare", true, false, None).await;
    site.user("customer", false, false, None).await;
    let mut actors = Vec::new();
    for (name, may) in [
        ("boss", Some(superuser as fn(&str, &str) -> bool)),
        ("manager", Some(manager)),
        ("clerk", Some(clerk)),
        ("bare", Some(nothing)),
        ("customer", None),
    ] {
        actors.push(Actor {
            name,
            client: site.logged_in(name).await,
            may,
        });
    }
    actors.push(Actor {
        name: "anonymous",
        client: site.client(),
        may: None,
    });
    actors
}

/// Each model's row the pages are about.
struct Rows {
    category: i64,
    product: i64,
    order: i64,
    line: i64,
}

impl Rows {
    fn pk(&self, model: &str) -> i64 {
        match model {
            "category" => self.category,
            "product" => self.product,
            "order" => self.order,
            _ => self.line,
        }
    }
}

async fn rows(site: &Site) -> Rows {
    let catalogue = site.catalogue().await;
    let order = site.order(&catalogue).await;
    let line = OrderLine::objects()
        .filter(OrderLine::ORDER.eq(order.id))
        .first(&*site.db)
        .await
        .unwrap()
        .unwrap();
    Rows {
        category: catalogue.tea.id,
        product: catalogue.assam.id,
        order: order.id,
        line: line.id,
    }
}

fn assert_sent_to_login(res: &micro::TestResponse, what: &str) {
    assert_eq!(res.status(), 302, "{what}: {}", res.text());
    let to = res.header("location").unwrap_or_default();
    assert!(to.starts_with("/admin/login/?next="), "{what}: to {to}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_sees_and_opens_only_its_part_of_the_admin() {
    on_every_backend("the admin's pages per role", |url| async move {
        let site = Site::new(&url).await;
        let rows = rows(&site).await;
        for actor in actors(&site).await {
            let c = &actor.client;
            let index = c.get("/admin/").await;
            let Some(may) = actor.may else {
                assert_sent_to_login(&index, actor.name);
                for model in MODELS {
                    let pk = rows.pk(model);
                    for url in [
                        format!("/admin/shop/{model}/"),
                        format!("/admin/shop/{model}/add/"),
                        format!("/admin/shop/{model}/{pk}/change/"),
                        format!("/admin/shop/{model}/{pk}/delete/"),
                    ] {
                        let res = c.get(&url).await;
                        assert_sent_to_login(&res, &format!("{} GET {url}", actor.name));
                    }
                }
                continue;
            };
            assert_eq!(index.status(), 200, "{}", actor.name);
            let page = index.text();
            for model in MODELS {
                let listed = page.contains(&format!("href=\"/admin/shop/{model}/\""));
                let any = ["view", "add", "change", "delete"]
                    .iter()
                    .any(|a| may(model, a));
                assert_eq!(
                    listed, any,
                    "{} sees {model} on the index: {page}",
                    actor.name
                );
            }
            if actor.name == "bare" {
                assert!(
                    page.contains("You don’t have permission to view or edit anything."),
                    "{page}"
                );
            }
            for model in MODELS {
                let pk = rows.pk(model);
                let viewable = may(model, "view") || may(model, "change");
                for (url, allowed) in [
                    (format!("/admin/shop/{model}/"), viewable),
                    (format!("/admin/shop/{model}/add/"), may(model, "add")),
                    (format!("/admin/shop/{model}/{pk}/change/"), viewable),
                    (format!("/admin/shop/{model}/{pk}/history/"), viewable),
                    (
                        format!("/admin/shop/{model}/{pk}/delete/"),
                        may(model, "delete"),
                    ),
                ] {
                    let res = c.get(&url).await;
                    let expected = if allowed { 200 } else { 403 };
                    assert_eq!(res.status(), expected, "{} GET {url}", actor.name);
                }
            }
        }
        site.finish().await;
    })
    .await;
}

/// What the database holds that a forged POST could change.
#[derive(Debug, PartialEq)]
struct Snapshot {
    categories: Vec<(i64, String, String)>,
    products: Vec<(i64, String, String, i32, bool)>,
    orders: Vec<(i64, String, String)>,
    lines: Vec<(i64, i32, String)>,
}

async fn snapshot(site: &Site) -> Snapshot {
    let db = &*site.db;
    Snapshot {
        categories: Category::objects()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.name, c.slug))
            .collect(),
        products: Product::objects()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|p| {
                (
                    p.id,
                    p.name,
                    shop::shop::money(p.price),
                    p.stock,
                    p.is_active,
                )
            })
            .collect(),
        orders: Order::objects()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.id, o.customer_name, o.status))
            .collect(),
        lines: OrderLine::objects()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.id, l.quantity, shop::shop::money(l.unit_price)))
            .collect(),
    }
}

/// A plausible body for adding or changing a row of `model`.
fn body_for(model: &str, rows: &Rows) -> Fields {
    let (category, product, order) = (
        rows.category.to_string(),
        rows.product.to_string(),
        rows.order.to_string(),
    );
    let pairs: Vec<(&str, &str)> = match model {
        "category" => vec![("name", "Hacked"), ("slug", "hacked")],
        "product" => vec![
            ("category", &category),
            ("name", "Hacked"),
            ("slug", "hacked"),
            ("description", "x"),
            ("price", "0.01"),
            ("stock", "1000"),
            ("is_active", "on"),
        ],
        "order" => vec![
            ("customer_name", "Mallory"),
            ("email", "mallory@example.com"),
            ("address", "Elsewhere"),
            ("status", "cancelled"),
            ("shop_order_line-TOTAL_FORMS", "0"),
            ("shop_order_line-INITIAL_FORMS", "0"),
        ],
        _ => vec![
            ("order", &order),
            ("product", &product),
            ("quantity", "99"),
            ("unit_price", "0.01"),
        ],
    };
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_posts_to_another_roles_pages_are_refused_and_change_nothing() {
    on_every_backend("forged admin POSTs per role", |url| async move {
        let site = Site::new(&url).await;
        let rows = rows(&site).await;
        let before = snapshot(&site).await;
        let mut refused = 0;
        for actor in actors(&site).await {
            if actor.name == "boss" {
                continue;
            }
            let c = &actor.client;
            for model in MODELS {
                let pk = rows.pk(model);
                let may = |action: &str| actor.may.is_some_and(|may| may(model, action));
                let token = ("csrfmiddlewaretoken".to_owned(), c.csrf_token());
                let mut attempts: Vec<(String, Fields, &str)> = Vec::new();
                let mut fields = body_for(model, &rows);
                fields.push(token.clone());
                attempts.push((format!("/admin/shop/{model}/add/"), fields.clone(), "add"));
                attempts.push((
                    format!("/admin/shop/{model}/{pk}/change/"),
                    fields,
                    "change",
                ));
                let confirm = vec![token.clone(), ("post".to_owned(), "yes".to_owned())];
                attempts.push((
                    format!("/admin/shop/{model}/{pk}/delete/"),
                    confirm,
                    "delete",
                ));
                let action = vec![
                    token,
                    ("action".to_owned(), "delete_selected".to_owned()),
                    ("_selected_action".to_owned(), pk.to_string()),
                    ("post".to_owned(), "yes".to_owned()),
                ];
                attempts.push((format!("/admin/shop/{model}/"), action, "delete"));
                for (url, fields, needs) in attempts {
                    if may(needs) {
                        continue; // their own pages: the other tests
                    }
                    let res = submit(c, &url, &fields).await;
                    let what = format!("{} POST {url}", actor.name);
                    match actor.may {
                        Some(_) => assert_eq!(res.status(), 403, "{what}: {}", res.text()),
                        None => assert_sent_to_login(&res, &what),
                    }
                    refused += 1;
                }
            }
        }
        // The manager: 4 on orders, 4 on lines. The clerk: 8 on the catalogue, 3 on orders
        // (add, delete, delete_selected), 4 on lines. The others: all 16.
        assert_eq!(refused, 8 + 15 + 16 * 3);
        assert_eq!(snapshot(&site).await, before, "nothing changed");
        site.finish().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clerk_moves_an_order_along_but_cannot_touch_its_lines() {
    on_every_backend("the order clerk's work", |url| async move {
        let site = Site::new(&url).await;
        let rows = rows(&site).await;
        site.user("clerk", true, false, Some(ORDER_CLERKS)).await;
        let clerk = site.logged_in("clerk").await;
        let change = format!("/admin/shop/order/{}/change/", rows.order);

        // The change page: the order's fields, its lines inline, the total read-only.
        let page = clerk.get(&change).await;
        assert_eq!(page.status(), 200);
        let page = page.text();
        assert!(page.contains("Change order"), "{page}");
        assert!(page.contains("shop_order_line-0-quantity"), "{page}");
        // 2 × 6.50 + 8.90, as read back: `21.90`, or `21.9` on SQLite (see the README).
        assert!(page.contains("<div class=\"readonly\">21.9"), "{page}");
        assert!(!page.contains("/delete/\" class=\"deletelink\""), "no delete link: {page}");
        let shown = form_fields(&page, "order_form");

        // Forged lines: another quantity, a new line, a deleted line; each a 403.
        let before = snapshot(&site).await;
        let product = rows.product.to_string();
        let forgeries = [
            with(shown.clone(), "shop_order_line-0-quantity", "50"),
            with(shown.clone(), "shop_order_line-0-unit_price", "0.01"),
            with(shown.clone(), "shop_order_line-0-DELETE", "on"),
            with(
                with(
                    with(
                        with(shown.clone(), "shop_order_line-TOTAL_FORMS", "3"),
                        "shop_order_line-2-product",
                        &product,
                    ),
                    "shop_order_line-2-quantity",
                    "5",
                ),
                "shop_order_line-2-unit_price",
                "0.01",
            ),
        ];
        for forged in &forgeries {
            let forged = with(forged.clone(), "status", "paid");
            let res = submit(&clerk, &change, &forged).await;
            assert_eq!(res.status(), 403, "{forged:?}: {}", res.text());
        }
        // A line that is not the order's own: the formset refuses it as a tampered form (the
        // page again with the error), before any permission is in question.
        let forged = with(with(shown.clone(), "shop_order_line-0-id", "999999"), "status", "paid");
        let res = submit(&clerk, &change, &forged).await;
        assert!(matches!(res.status().as_u16(), 200 | 403), "{}", res.status());
        assert!(!res.text().contains("was changed successfully"), "{}", res.text());
        // Another spelling of the same URL is routed to the same page, and guarded the same.
        for spelled in [
            format!("/admin/shop/%6Frder/{}/change/", rows.order),
            format!("/admin/%73hop/order/{}/change/", rows.order),
            format!("/admin/shop/order/%2B{}/change/", rows.order),
        ] {
            let forged = with(forgeries[0].clone(), "status", "paid");
            let res = submit(&clerk, &spelled, &forged).await;
            assert!(
                matches!(res.status().as_u16(), 403 | 404),
                "{spelled}: {}",
                res.status()
            );
        }
        // A multipart body without the order's fields or the lines' management form: the form
        // is shown again (or refused), nothing is saved.
        let token = clerk.csrf_token();
        let multipart = format!(
            "--X\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n--X--\r\n"
        );
        let res = clerk
            .post(&change)
            .header("content-type", "multipart/form-data; boundary=X")
            .body(multipart)
            .await;
        assert!(matches!(res.status().as_u16(), 200 | 400 | 403), "{}", res.status());
        assert!(!res.text().contains("was changed successfully"));
        assert_eq!(snapshot(&site).await, before, "nothing changed");

        // The page sent back as shown, with a new status: saved, the lines untouched.
        let res = submit(&clerk, &change, &with(shown, "status", "shipped")).await;
        assert_eq!(res.status(), 302, "{}", res.text());
        assert_eq!(res.header("location"), Some("/admin/shop/order/"));
        let order = Order::objects()
            .filter(Order::ID.eq(rows.order))
            .get(&*site.db)
            .await
            .unwrap();
        assert_eq!(order.status, "shipped");
        assert_eq!(snapshot(&site).await.lines, before.lines);
        let list = unescape(&clerk.get("/admin/shop/order/?status__exact=shipped").await.text());
        assert!(list.contains("was changed successfully"), "{list}");
        assert!(list.contains("Order #"), "{list}");

        // A line's own page is view-only: no Save button, and its POST is a 403.
        let line = format!("/admin/shop/orderline/{}/change/", rows.line);
        let page = clerk.get(&line).await.text();
        assert!(page.contains("View order line"), "{page}");
        assert!(!page.contains("name=\"_save\""), "{page}");
        let res = post(&clerk, &line, &[("quantity", "1")]).await;
        assert_eq!(res.status(), 403);
        // Its product is a key input completed by a search of products, which clerks may not
        // view: the search answers them 403.
        let search = "/admin/autocomplete/?app_label=shop&model_name=orderline&field_name=product&term=a";
        assert_eq!(clerk.get(search).await.status(), 403);
        site.finish().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_runs_the_catalogue() {
    on_every_backend("the catalogue manager's work", |url| async move {
        let site = Site::new(&url).await;
        let rows = rows(&site).await;
        site.user("manager", true, false, Some(CATALOGUE_MANAGERS))
            .await;
        let manager = site.logged_in("manager").await;

        // A new product through the add form.
        let page = manager.get("/admin/shop/product/add/").await;
        assert_eq!(page.status(), 200);
        let fields = form_fields(&page.text(), "product_form");
        let mut fields = with(fields, "category", &rows.category.to_string());
        for (name, value) in [
            ("name", "Darjeeling, 100 g"),
            ("slug", "darjeeling"),
            ("description", "First flush."),
            ("price", "12.40"),
            ("stock", "7"),
        ] {
            fields = with(fields, name, value);
        }
        let res = submit(&manager, "/admin/shop/product/add/", &fields).await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let added = Product::objects()
            .filter(Product::SLUG.eq("darjeeling"))
            .get(&*site.db)
            .await
            .unwrap();
        assert_eq!(
            (added.stock, shop::shop::money(added.price), added.is_active),
            (7, "12.40".to_owned(), true)
        );

        // A slug that is not one, or taken: errors beside the fields, nothing added.
        for (slug, error) in [
            ("not a slug!", "Enter a valid “slug”"),
            ("assam", "Product with this Slug already exists."),
        ] {
            let res = submit(
                &manager,
                "/admin/shop/product/add/",
                &with(fields.clone(), "slug", slug),
            )
            .await;
            assert_eq!(res.status(), 200);
            assert!(
                unescape(&res.text()).contains(error),
                "{slug}: {}",
                res.text()
            );
        }
        assert_eq!(Product::objects().count(&*site.db).await.unwrap(), 4);

        // A product that was sold cannot be deleted (its order lines protect it); a new one can.
        let sold = format!("/admin/shop/product/{}/delete/", rows.product);
        let page = unescape(&manager.get(&sold).await.text());
        assert!(page.contains("protected"), "{page}");
        let res = post(&manager, &sold, &[("post", "yes")]).await;
        assert_ne!(res.status(), 302, "{}", res.text());
        assert!(
            Product::objects()
                .filter(Product::ID.eq(rows.product))
                .exists(&*site.db)
                .await
                .unwrap()
        );
        let fresh = format!("/admin/shop/product/{}/delete/", added.id);
        let res = post(&manager, &fresh, &[("post", "yes")]).await;
        assert_eq!(res.status(), 302, "{}", res.text());
        assert!(
            !Product::objects()
                .filter(Product::ID.eq(added.id))
                .exists(&*site.db)
                .await
                .unwrap()
        );

        // Orders are not theirs, however they ask.
        assert_eq!(manager.get("/admin/shop/order/").await.status(), 403);
        site.finish().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_superuser_may_edit_an_orders_lines() {
    on_every_backend("the superuser and order lines", |url| async move {
        let site = Site::new(&url).await;
        let rows = rows(&site).await;
        site.user("boss", true, true, None).await;
        let boss = site.logged_in("boss").await;
        let change = format!("/admin/shop/order/{}/change/", rows.order);
        let shown = form_fields(&boss.get(&change).await.text(), "order_form");
        let res = submit(
            &boss,
            &change,
            &with(shown, "shop_order_line-0-quantity", "3"),
        )
        .await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let line = OrderLine::objects()
            .filter(OrderLine::ID.eq(rows.line))
            .get(&*site.db)
            .await
            .unwrap();
        assert_eq!(line.quantity, 3);
        site.finish().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setting_up_the_roles_twice_changes_nothing_and_repairs_drift() {
    on_every_backend("setup_roles", |url| async move {
        let site = Site::new(&url).await; // set up once already
        let db = &*site.db;
        let perms_of = |name: &'static str| async move {
            let group = Group::objects()
                .filter(Group::NAME.eq(name))
                .get(db)
                .await
                .unwrap();
            let mut codenames: Vec<String> = Group::PERMISSIONS
                .of(&group)
                .all(db)
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.codename)
                .collect();
            codenames.sort();
            codenames
        };
        let again = setup_roles(db).await.unwrap();
        assert!(again.iter().all(|r| !r.created));
        assert_eq!(Group::objects().count(db).await.unwrap(), 2);
        for (name, codenames) in ROLES {
            let mut expected: Vec<String> = codenames.iter().map(|c| (*c).to_owned()).collect();
            expected.sort();
            assert_eq!(perms_of(name).await, expected, "{name}");
        }
        // Someone gave the clerks the delete permission and took view_orderline away.
        let clerks = Group::objects()
            .filter(Group::NAME.eq(ORDER_CLERKS))
            .get(db)
            .await
            .unwrap();
        let delete = Permission::objects()
            .filter(Permission::CODENAME.eq("delete_order"))
            .get(db)
            .await
            .unwrap();
        let view_line = Permission::objects()
            .filter(Permission::CODENAME.eq("view_orderline"))
            .get(db)
            .await
            .unwrap();
        Group::PERMISSIONS
            .add(db, &clerks, [&delete])
            .await
            .unwrap();
        Group::PERMISSIONS
            .remove(db, &clerks, [&view_line])
            .await
            .unwrap();
        setup_roles(db).await.unwrap();
        assert_eq!(
            perms_of(ORDER_CLERKS).await,
            ["change_order", "view_order", "view_orderline"]
        );
        site.finish().await;
    })
    .await;
}
