//! The pages' queries: a fixed number whatever the number of products (the products' categories
//! are joined, the cart's products read in one query), counted through the whole web app.

use fullstack::query::prelude::*;
use fullstack::{Decimal, ForeignKey};
use micro::TestClient;
use shop::shop::Product;

use crate::common::{Catalogue, Site, on_every_backend, post};

/// The statements a GET of `url` runs.
async fn queries_of(c: &TestClient, url: &str) -> Vec<String> {
    let (res, queries) = fullstack::capture_queries(c.get(url).send()).await;
    assert_eq!(res.status(), 200, "{url}");
    queries
}

async fn more_products(site: &Site, cat: &Catalogue, n: usize) -> Vec<Product> {
    let products = (0..n)
        .map(|i| Product {
            id: 0,
            category: ForeignKey::from(&cat.tea),
            name: format!("Blend {i}"),
            slug: format!("blend-{i}"),
            description: String::new(),
            price: Decimal::new(100 + i as i64, 2),
            stock: 10,
            is_active: true,
        })
        .collect();
    Product::objects()
        .bulk_create(&*site.db, products)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_the_cart_cost_the_same_queries_for_more_products() {
    on_every_backend("query counts", |url| async move {
        let site = Site::new(&url).await;
        let cat = site.catalogue().await;
        let c = site.client();

        // An anonymous visitor without cookies: no session to read. The front page is the
        // categories and the products with their categories joined.
        let index = queries_of(&c, "/").await;
        assert_eq!(index.len(), 2, "{index:#?}");
        assert!(index[1].contains("JOIN"), "{index:#?}");
        let category = queries_of(&c, "/category/tea/").await;

        let added = more_products(&site, &cat, 12).await;
        let page = c.get("/").await.text();
        assert!(page.contains("Blend 11"), "{page}");
        assert_eq!(queries_of(&c, "/").await.len(), index.len());
        assert_eq!(queries_of(&c, "/category/tea/").await.len(), category.len());

        // The cart: one query for its products, however many lines.
        assert_eq!(
            post(&c, "/product/assam/", &[("quantity", "1")])
                .await
                .status(),
            303
        );
        let one = queries_of(&c, "/cart/").await;
        for product in &added {
            let res = post(
                &c,
                &format!("/product/{}/", product.slug),
                &[("quantity", "1")],
            )
            .await;
            assert_eq!(res.status(), 303);
        }
        let many = queries_of(&c, "/cart/").await;
        assert_eq!(many.len(), one.len(), "{many:#?}");
        let page = c.get("/cart/").await.text();
        assert!(page.contains("Total (13 items)"), "{page}");
        site.finish().await;
    })
    .await;
}
