//! The customer's side: the cart (add, update, remove), checkout (invalid, valid, short of
//! stock), the thanks page, CSRF on every POST, and bad input answered with a form error or a
//! 4xx, never a 500.

use fullstack::Decimal;
use fullstack::query::prelude::*;
use micro::{TestClient, TestResponse};
use shop::shop::{Order, OrderLine, Product};

use crate::common::{Site, on_every_backend, post, unescape};

/// Adds `quantity` of the product `slug` through its page's form.
async fn add(c: &TestClient, slug: &str, quantity: &str) -> TestResponse {
    post(c, &format!("/product/{slug}/"), &[("quantity", quantity)]).await
}

/// The customer details checkout wants.
const ADA: [(&str, &str); 3] = [
    ("customer_name", "Ada Lovelace"),
    ("email", "ada@example.com"),
    ("address", "12 Tea Street"),
];

async fn counts(site: &Site) -> (u64, u64) {
    (
        Order::objects().count(&*site.db).await.unwrap(),
        OrderLine::objects().count(&*site.db).await.unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cart_adds_updates_and_removes_lines() {
    on_every_backend("the cart", |url| async move {
        let site = Site::new(&url).await;
        let cat = site.catalogue().await;
        let c = site.client();

        let page = c.get("/product/assam/").await;
        assert_eq!(page.status(), 200);
        let text = page.text();
        assert!(text.contains("name=\"csrfmiddlewaretoken\""), "{text}");
        assert!(text.contains("name=\"quantity\" value=\"1\""), "{text}");

        let res = add(&c, "assam", "2").await;
        assert_eq!(res.status(), 303, "{}", res.text());
        assert_eq!(res.header("location"), Some("/cart/"));
        let cart = unescape(&c.get("/cart/").await.text());
        assert!(cart.contains("Added 2 × Assam to your cart."), "{cart}");
        assert!(cart.contains("<td class=\"total\">13.00</td>"), "{cart}");

        // The same product again: one line, the quantities added.
        assert_eq!(add(&c, "assam", "3").await.status(), 303);
        assert_eq!(add(&c, "sencha", "1").await.status(), 303);
        let cart = c.get("/cart/").await.text();
        assert!(cart.contains("value=\"5\""), "{cart}");
        assert!(cart.contains("<td class=\"total\">41.40</td>"), "{cart}");

        let assam = cat.assam.id.to_string();
        let res = post(
            &c,
            "/cart/update/",
            &[("product", &assam), ("quantity", "4")],
        )
        .await;
        assert_eq!(res.status(), 303, "{}", res.text());
        let cart = c.get("/cart/").await.text();
        assert!(cart.contains("<td class=\"total\">34.90</td>"), "{cart}");
        assert!(cart.contains("Total (5 items)"), "{cart}");

        let sencha = cat.sencha.id.to_string();
        let res = post(&c, "/cart/remove/", &[("product", &sencha)]).await;
        assert_eq!(res.status(), 303);
        let cart = c.get("/cart/").await.text();
        assert!(!cart.contains("Sencha"), "{cart}");
        assert!(cart.contains("<td class=\"total\">26.00</td>"), "{cart}");

        // Each visitor has a cart of their own.
        let other = site.client();
        assert!(
            other
                .get("/cart/")
                .await
                .text()
                .contains("Your cart is empty.")
        );
        site.finish().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_quantities_and_products_are_form_errors_or_4xx() {
    on_every_backend("bad cart input", |url| async move {
        let site = Site::new(&url).await;
        let cat = site.catalogue().await;
        let c = site.client();

        for bad in [
            "0",
            "-1",
            "abc",
            "",
            "1.5",
            "100",
            "99999999999",
            "1e3",
            "\u{0}",
        ] {
            let res = add(&c, "assam", bad).await;
            assert_eq!(res.status(), 200, "{bad:?}: {}", res.text());
            let page = res.text();
            assert!(page.contains("class=\"errorlist\""), "{bad:?}: {page}");
            assert!(page.contains("aria-invalid=\"true\""), "{bad:?}: {page}");
        }
        let res = add(&c, "assam", "11").await;
        assert!(
            res.text().contains("Only 10 left in stock."),
            "{}",
            res.text()
        );
        assert!(c.get("/cart/").await.text().contains("Your cart is empty."));

        // No such product, or one off the shelf: 404, for the page and its form.
        for slug in ["nothing", "retired", "assam%2F..", "%3Cscript%3E"] {
            assert_eq!(
                c.get(&format!("/product/{slug}/")).await.status(),
                404,
                "{slug}"
            );
            assert_eq!(add(&c, slug, "1").await.status(), 404, "{slug}");
        }
        assert_eq!(c.get("/category/nothing/").await.status(), 404);

        // The cart's forms: a bad quantity is shown beside its line, nothing changed.
        assert_eq!(add(&c, "assam", "1").await.status(), 303);
        let assam = cat.assam.id.to_string();
        for bad in ["0", "-3", "abc", "1000", ""] {
            let res = post(
                &c,
                "/cart/update/",
                &[("product", &assam), ("quantity", bad)],
            )
            .await;
            assert_eq!(res.status(), 200, "{bad:?}");
            let page = res.text();
            assert!(
                page.contains(&format!("<ul class=\"errorlist\" id=\"error-{assam}\">")),
                "{bad:?}: {page}"
            );
        }
        let res = post(
            &c,
            "/cart/update/",
            &[("product", &assam), ("quantity", "11")],
        )
        .await;
        assert!(
            res.text().contains("Only 10 left in stock."),
            "{}",
            res.text()
        );
        let cart = c.get("/cart/").await.text();
        assert!(
            cart.contains(&format!(
                "id=\"quantity-{assam}\" min=\"1\" max=\"99\" value=\"1\""
            )),
            "{cart}"
        );

        // A product key that is not one is a 400; one the cart does not hold a 404.
        let sencha = cat.sencha.id.to_string();
        for (fields, status) in [
            (vec![("product", "abc"), ("quantity", "1")], 400),
            (vec![("quantity", "1")], 400),
            (
                vec![("product", "99999999999999999999"), ("quantity", "1")],
                400,
            ),
            (vec![("product", sencha.as_str()), ("quantity", "1")], 404),
        ] {
            let res = post(&c, "/cart/update/", &fields).await;
            assert_eq!(res.status(), status, "update {fields:?}");
            let res = post(&c, "/cart/remove/", &fields).await;
            assert_eq!(res.status(), status, "remove {fields:?}");
        }
        // Not a form at all.
        let res = c
            .post("/cart/update/")
            .with_csrf_token()
            .header("content-type", "application/json")
            .body("{\"product\": 1}")
            .await;
        assert!(res.status().is_client_error(), "{}", res.status());
        assert_eq!(c.get("/orders/abc/thanks/").await.status(), 404);
        assert_eq!(c.get("/orders/1/thanks/").await.status(), 404);
        site.finish().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_shop_post_needs_its_csrf_token() {
    on_every_backend("CSRF on the shop's forms", |url| async move {
        let site = Site::new(&url).await;
        let cat = site.catalogue().await;
        let c = site.client();
        assert_eq!(add(&c, "assam", "1").await.status(), 303);
        let assam = cat.assam.id.to_string();
        for (to, fields) in [
            ("/product/assam/", vec![("quantity", "5")]),
            (
                "/cart/update/",
                vec![("product", assam.as_str()), ("quantity", "5")],
            ),
            ("/cart/remove/", vec![("product", assam.as_str())]),
            ("/checkout/", ADA.to_vec()),
        ] {
            let res = c.post(to).form(&fields).await;
            assert_eq!(res.status(), 403, "{to}");
            assert!(res.text().contains("CSRF"), "{to}: {}", res.text());
            let mut wrong = fields.clone();
            wrong.push(("csrfmiddlewaretoken", "not-the-token"));
            assert_eq!(c.post(to).form(&wrong).await.status(), 403, "{to}");
        }
        let cart = c.get("/cart/").await.text();
        assert!(cart.contains("Total (1 items)"), "unchanged: {cart}");
        assert_eq!(counts(&site).await, (0, 0));
        site.finish().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_places_the_order_and_takes_the_stock_exactly() {
    on_every_backend("checkout", |url| async move {
        let site = Site::new(&url).await;
        let cat = site.catalogue().await;
        let c = site.client();

        // An empty cart has nothing to check out.
        let res = c.get("/checkout/").await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.header("location"), Some("/cart/"));
        assert_eq!(post(&c, "/checkout/", &ADA).await.status(), 303);

        assert_eq!(add(&c, "assam", "3").await.status(), 303);
        assert_eq!(add(&c, "sencha", "2").await.status(), 303);
        let page = c.get("/checkout/").await;
        assert_eq!(page.status(), 200);
        let page = page.text();
        assert!(page.contains("<td class=\"total\">37.30</td>"), "{page}");
        assert!(page.contains("name=\"email\""), "{page}");

        // Invalid: the form again (200), the errors beside the fields, what was typed kept
        // (escaped), nothing written.
        let res = post(
            &c,
            "/checkout/",
            &[
                ("customer_name", ""),
                ("email", "not-an-email"),
                ("address", "12 <b>Tea</b> Street"),
            ],
        )
        .await;
        assert_eq!(res.status(), 200);
        let page = res.text();
        assert!(page.contains("This field is required."), "{page}");
        assert!(page.contains("Enter a valid email address."), "{page}");
        assert!(page.contains("value=\"not-an-email\""), "{page}");
        assert!(page.contains("value=\"12 &lt;b&gt;Tea&lt;"), "{page}");
        assert!(!page.contains("<b>Tea</b>"), "{page}");
        assert_eq!(counts(&site).await, (0, 0));
        assert_eq!(site.product(cat.assam.id).await.stock, 10);

        // Valid: placed, 303 to its thanks page.
        let res = post(&c, "/checkout/", &ADA).await;
        assert_eq!(res.status(), 303, "{}", res.text());
        let thanks = res.header("location").unwrap().to_owned();
        let order = Order::objects().get(&*site.db).await.unwrap();
        assert_eq!(thanks, format!("/orders/{}/thanks/", order.id));
        assert_eq!(order.total, Decimal::new(3730, 2));
        assert_eq!(
            (
                order.customer_name.as_str(),
                order.email.as_str(),
                order.status.as_str()
            ),
            ("Ada Lovelace", "ada@example.com", "new")
        );
        let lines = OrderLine::objects()
            .filter(OrderLine::ORDER.eq(order.id))
            .all(&*site.db)
            .await
            .unwrap();
        let got: Vec<(i64, i32, Decimal)> = lines
            .iter()
            .map(|l| (l.product.id(), l.quantity, l.unit_price))
            .collect();
        assert_eq!(
            got,
            [
                (cat.assam.id, 3, Decimal::new(650, 2)),
                (cat.sencha.id, 2, Decimal::new(890, 2)),
            ]
        );
        assert_eq!(site.product(cat.assam.id).await.stock, 7);
        assert_eq!(site.product(cat.sencha.id).await.stock, 3);
        assert_eq!(site.product(cat.retired.id).await.stock, 9);
        assert!(c.get("/cart/").await.text().contains("Your cart is empty."));

        // The thanks page: this session's only.
        let page = c.get(&thanks).await;
        assert_eq!(page.status(), 200);
        let page = page.text();
        assert!(page.contains("Thank you, Ada Lovelace"), "{page}");
        assert!(page.contains("<td class=\"total\">37.30</td>"), "{page}");
        assert!(page.contains("3 × Assam"), "{page}");
        assert_eq!(site.client().get(&thanks).await.status(), 404);
        let other = site.client();
        assert_eq!(
            add(&other, "assam", "1").await.status(),
            303,
            "a session of its own"
        );
        assert_eq!(other.get(&thanks).await.status(), 404);
        let next = format!("/orders/{}/thanks/", order.id + 1);
        assert_eq!(c.get(&next).await.status(), 404);
        site.finish().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_for_more_than_the_stock_is_refused_with_nothing_written() {
    on_every_backend("checkout short of stock", |url| async move {
        let site = Site::new(&url).await;
        let cat = site.catalogue().await;
        let c = site.client();
        assert_eq!(add(&c, "assam", "2").await.status(), 303);
        assert_eq!(add(&c, "sencha", "4").await.status(), 303);
        // Someone else buys two Sencha meanwhile: 3 left, the cart wants 4.
        Product::objects()
            .filter(Product::ID.eq(cat.sencha.id))
            .update(&*site.db, [Product::STOCK.set(3)])
            .await
            .unwrap();

        let res = post(&c, "/checkout/", &ADA).await;
        assert_eq!(res.status(), 409, "{}", res.text());
        let page = unescape(&res.text());
        assert!(page.contains("Only 3 of Sencha left in stock"), "{page}");
        assert!(
            page.contains("value=\"Ada Lovelace\""),
            "what was typed is kept: {page}"
        );
        // Nothing written, and Assam's stock (taken first, in the same transaction) is back.
        assert_eq!(counts(&site).await, (0, 0));
        assert_eq!(site.product(cat.assam.id).await.stock, 10);
        assert_eq!(site.product(cat.sencha.id).await.stock, 3);
        let cart = c.get("/cart/").await.text();
        assert!(cart.contains("Total (6 items)"), "the cart is kept: {cart}");

        // Fixed in the cart, it goes through.
        let sencha = cat.sencha.id.to_string();
        let res = post(
            &c,
            "/cart/update/",
            &[("product", &sencha), ("quantity", "3")],
        )
        .await;
        assert_eq!(res.status(), 303);
        assert_eq!(post(&c, "/checkout/", &ADA).await.status(), 303);
        assert_eq!(counts(&site).await, (1, 2));
        assert_eq!(site.product(cat.sencha.id).await.stock, 0);
        assert_eq!(site.product(cat.assam.id).await.stock, 8);

        // Sold out, and a product taken off the shelf after it was put in the cart.
        let c = site.client();
        assert_eq!(add(&c, "assam", "1").await.status(), 303);
        let res = add(&c, "sencha", "1").await;
        assert!(res.text().contains("Sold out."), "{}", res.text());
        Product::objects()
            .filter(Product::ID.eq(cat.assam.id))
            .update(&*site.db, [Product::IS_ACTIVE.set(false)])
            .await
            .unwrap();
        let res = c.get("/checkout/").await;
        assert_eq!(res.status(), 303, "nothing left to check out");
        assert_eq!(counts(&site).await, (1, 2));
        site.finish().await;
    })
    .await;
}
