//! Checkouts racing for the last items: the conditional `UPDATE` lets exactly as many through
//! as there is stock, on every backend, and the refused ones leave nothing behind.

use fullstack::query::prelude::*;
use shop::shop::{Cart, Customer, Order, OrderLine, Refused, place_order};

use crate::common::{Site, on_every_backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_checkouts_never_oversell() {
    on_every_backend("racing checkouts", |url| async move {
        let site = Site::new(&url).await;
        let cat = site.catalogue().await;
        // Sencha: 5 left. Ten carts want 1 Sencha and 1 Assam each; half put Assam first,
        // so the two rows are asked for in both orders (checkout locks them in key order).
        let mut tasks = Vec::new();
        for i in 0..10 {
            let db = site.db.database().clone();
            let mut cart = Cart::default();
            if i % 2 == 0 {
                cart.add(cat.assam.id, 1).unwrap();
                cart.add(cat.sencha.id, 1).unwrap();
            } else {
                cart.add(cat.sencha.id, 1).unwrap();
                cart.add(cat.assam.id, 1).unwrap();
            }
            let customer = Customer {
                name: format!("Customer {i}"),
                email: format!("c{i}@example.com"),
                address: "Somewhere".into(),
            };
            tasks.push(tokio::spawn(async move {
                place_order(&db, &cart, customer).await
            }));
        }
        let mut placed = 0;
        let mut short = 0;
        for task in tasks {
            match task.await.unwrap().expect("no database error, no deadlock") {
                Ok(_) => placed += 1,
                Err(Refused::ShortOfStock(name, 0)) if name == "Sencha" => short += 1,
                Err(other) => panic!("unexpected refusal: {other}"),
            }
        }
        assert_eq!((placed, short), (5, 5));
        assert_eq!(site.product(cat.sencha.id).await.stock, 0);
        assert_eq!(site.product(cat.assam.id).await.stock, 5);
        assert_eq!(Order::objects().count(&*site.db).await.unwrap(), 5);
        assert_eq!(OrderLine::objects().count(&*site.db).await.unwrap(), 10);
        site.finish().await;
    })
    .await;
}
