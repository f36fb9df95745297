//! Placing an order: in ONE transaction, each line's stock is taken with a conditional
//! `UPDATE ... SET stock = stock - n WHERE id = ? AND stock >= n AND is_active`, then the
//! order and its lines are written. A line whose update changes no row means the stock is
//! short (or the product is gone): the transaction is rolled back, so nothing is written and no
//! other line's stock is taken. The condition is checked by the database on the row it locks,
//! so two checkouts racing for the last item cannot both get it.

use chrono::Utc;
use fullstack::query::prelude::*;
use fullstack::{Database, Decimal, Error, ForeignKey, Transaction};

use super::cart::Cart;
use super::{Order, OrderLine, Product};

/// Who the order is for, from the checkout form.
#[derive(Debug, Clone)]
pub struct Customer {
    /// Their name.
    pub name: String,
    /// Their email address (checked by the form).
    pub email: String,
    /// Where to send the parcel.
    pub address: String,
}

/// Why an order was not placed (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The cart is empty.
    EmptyCart,
    /// A product of the cart is no longer for sale.
    Unavailable(String),
    /// A product has fewer left than the cart asks for: its name and what is left.
    ShortOfStock(String, i32),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::EmptyCart => write!(f, "Your cart is empty."),
            Refused::Unavailable(name) => write!(
                f,
                "{name} is no longer for sale: remove it from your cart to order the rest."
            ),
            Refused::ShortOfStock(name, 0) => write!(
                f,
                "{name} has just sold out: remove it from your cart to order the rest."
            ),
            Refused::ShortOfStock(name, left) => write!(
                f,
                "Only {left} of {name} left in stock: change your cart and order again."
            ),
        }
    }
}

/// Places the order of `cart` for `customer`: the order with its lines at today's prices,
/// the stock taken, all or nothing. `Ok(Err(..))` says why it was refused.
///
/// # Errors
/// When the database fails (nothing is written then either).
pub async fn place_order(
    db: &Database,
    cart: &Cart,
    customer: Customer,
) -> Result<Result<Order, Refused>, Error> {
    if cart.is_empty() {
        return Ok(Err(Refused::EmptyCart));
    }
    let mut tx = db.begin().await?;
    let refused = match take_and_write(&mut tx, cart, customer).await? {
        Ok(order) => {
            tx.commit().await?;
            return Ok(Ok(order));
        }
        Err(refused) => refused,
    };
    tx.rollback().await?;
    Ok(Err(match refused {
        Short::Unavailable(name) => Refused::Unavailable(name),
        // Read after the rollback, not inside the transaction: on MySQL and MariaDB
        // (REPEATABLE READ) a plain SELECT there sees the transaction's first snapshot, not
        // what the concurrent orders that won the race left.
        Short::Stock(id, name) => {
            let left = Product::objects()
                .filter(Product::ID.eq(id))
                .first(db)
                .await?
                .map_or(0, |p| p.stock);
            Refused::ShortOfStock(name, left)
        }
    }))
}

/// Why [`take_and_write`] stopped.
enum Short {
    Unavailable(String),
    /// The product's key and name.
    Stock(i64, String),
}

async fn take_and_write(
    tx: &mut Transaction<'_>,
    cart: &Cart,
    customer: Customer,
) -> Result<Result<Order, Short>, Error> {
    let mut items = cart.items().to_vec();
    // Rows locked in key order: two checkouts of the same products cannot deadlock.
    items.sort_by_key(|i| i.product);
    let ids: Vec<i64> = items.iter().map(|i| i.product).collect();
    let products = Product::objects()
        .filter(Product::ID.is_in(ids))
        .all(&mut *tx)
        .await?;
    let mut lines = Vec::with_capacity(items.len());
    let mut total = Decimal::ZERO;
    for item in &items {
        let Some(product) = products
            .iter()
            .find(|p| p.id == item.product && p.is_active)
        else {
            let name = products
                .iter()
                .find(|p| p.id == item.product)
                .map_or_else(|| "A product".to_owned(), |p| p.name.clone());
            return Ok(Err(Short::Unavailable(name)));
        };
        let taken = Product::objects()
            .filter(
                Product::ID.eq(product.id)
                    & Product::STOCK.gte(item.quantity)
                    & Product::IS_ACTIVE.eq(true),
            )
            .update(
                &mut *tx,
                [Product::STOCK.set(Product::STOCK.f() - item.quantity)],
            )
            .await?;
        if taken == 0 {
            return Ok(Err(Short::Stock(product.id, product.name.clone())));
        }
        total += product.price * Decimal::from(item.quantity);
        lines.push(OrderLine {
            id: 0,
            order: ForeignKey::new(0),
            product: ForeignKey::from(product),
            quantity: item.quantity,
            unit_price: product.price,
        });
    }
    let order = Order::objects()
        .create(
            &mut *tx,
            Order {
                id: 0,
                customer_name: customer.name,
                email: customer.email,
                address: customer.address,
                created: Utc::now(),
                status: "new".to_owned(),
                total,
            },
        )
        .await?;
    for line in &mut lines {
        line.order = ForeignKey::from(&order);
    }
    OrderLine::objects().bulk_create(&mut *tx, lines).await?;
    Ok(Ok(order))
}
