//! The cart: product keys and quantities kept in the visitor's session (server-side, so a
//! visitor cannot write into it), read back with the products' current names and prices in one
//! query. Nothing here trusts what the session held: a product gone or taken off the shelf is
//! left out, and quantities are kept within bounds.

use fullstack::query::prelude::*;
use fullstack::sessions::Session;
use fullstack::{Database, Decimal, Error};
use serde::{Deserialize, Serialize};

use super::Product;

/// The most of one product a cart holds: a typo of `1000` is a form error, not an order.
pub const MAX_QUANTITY: i32 = 99;

/// The most lines a cart holds, which bounds the session's size.
pub const MAX_LINES: usize = 50;

/// Where the cart is in the session.
const KEY: &str = "cart";

/// One line of the cart as the session keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartItem {
    /// The product's key.
    pub product: i64,
    /// How many, 1 to [`MAX_QUANTITY`].
    pub quantity: i32,
}

/// The visitor's cart, in the order the products were added.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    items: Vec<CartItem>,
}

/// Why a product could not go into the cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartRefusal {
    /// The line would hold more than [`MAX_QUANTITY`]; how many more it can take.
    TooMany(i32),
    /// The cart has [`MAX_LINES`] lines already.
    Full,
}

impl std::fmt::Display for CartRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CartRefusal::TooMany(0) => write!(
                f,
                "Your cart holds {MAX_QUANTITY} of this already, the most it can."
            ),
            CartRefusal::TooMany(room) => write!(
                f,
                "Your cart can take {room} more of this at most ({MAX_QUANTITY} in all)."
            ),
            CartRefusal::Full => write!(f, "Your cart is full ({MAX_LINES} products)."),
        }
    }
}

impl Cart {
    /// The session's cart; an empty one when there is none or it does not read as a cart.
    pub fn load(session: &Session) -> Cart {
        let mut cart: Cart = session.get(KEY).unwrap_or_default();
        // Whatever wrote it, keep one line per product within bounds.
        let mut seen = std::collections::HashSet::new();
        cart.items.retain(|item| {
            (1..=MAX_QUANTITY).contains(&item.quantity) && seen.insert(item.product)
        });
        cart.items.truncate(MAX_LINES);
        cart
    }

    /// Stores the cart in the session (an empty cart removes the key).
    ///
    /// # Errors
    /// When the session cannot hold it (it always can: the cart is bounded).
    pub fn save(&self, session: &Session) -> Result<(), micro::Error> {
        if self.items.is_empty() {
            session.remove::<Cart>(KEY);
            Ok(())
        } else {
            session.insert(KEY, self)
        }
    }

    /// The lines.
    pub fn items(&self) -> &[CartItem] {
        &self.items
    }

    /// Whether the cart holds nothing.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many of `product` the cart holds (0 when none).
    pub fn quantity_of(&self, product: i64) -> i32 {
        self.items
            .iter()
            .find(|i| i.product == product)
            .map_or(0, |i| i.quantity)
    }

    /// Adds `quantity` (at least 1) of `product`, to its line if it has one.
    ///
    /// # Errors
    /// When the line would hold more than [`MAX_QUANTITY`], or a new line would make the cart
    /// longer than [`MAX_LINES`]; the cart is unchanged then.
    pub fn add(&mut self, product: i64, quantity: i32) -> Result<(), CartRefusal> {
        let quantity = quantity.max(1);
        if let Some(item) = self.items.iter_mut().find(|i| i.product == product) {
            let room = MAX_QUANTITY - item.quantity;
            if quantity > room {
                return Err(CartRefusal::TooMany(room));
            }
            item.quantity += quantity;
            return Ok(());
        }
        if quantity > MAX_QUANTITY {
            return Err(CartRefusal::TooMany(MAX_QUANTITY));
        }
        if self.items.len() >= MAX_LINES {
            return Err(CartRefusal::Full);
        }
        self.items.push(CartItem { product, quantity });
        Ok(())
    }

    /// Sets the quantity of a product the cart holds (1 to [`MAX_QUANTITY`], clamped);
    /// `false` when the cart does not hold it.
    pub fn set(&mut self, product: i64, quantity: i32) -> bool {
        match self.items.iter_mut().find(|i| i.product == product) {
            Some(item) => {
                item.quantity = quantity.clamp(1, MAX_QUANTITY);
                true
            }
            None => false,
        }
    }

    /// Removes a product; `false` when the cart did not hold it.
    pub fn remove(&mut self, product: i64) -> bool {
        let before = self.items.len();
        self.items.retain(|i| i.product != product);
        self.items.len() != before
    }

    /// Keeps only the products in `keep`.
    pub fn retain_products(&mut self, keep: &[i64]) {
        self.items.retain(|i| keep.contains(&i.product));
    }

    /// The lines with their products as they are now: one query for all of them. Products
    /// deleted or taken off the shelf are left out (and [`Priced::missing`] says so).
    ///
    /// # Errors
    /// When the database fails.
    pub async fn priced(&self, db: &Database) -> Result<Priced, Error> {
        if self.items.is_empty() {
            return Ok(Priced::default());
        }
        let ids: Vec<i64> = self.items.iter().map(|i| i.product).collect();
        let products = Product::objects()
            .filter(Product::ID.is_in(ids) & Product::IS_ACTIVE.eq(true))
            .all(db)
            .await?;
        let mut priced = Priced::default();
        for item in &self.items {
            match products.iter().find(|p| p.id == item.product) {
                Some(product) => {
                    let subtotal = product.price * Decimal::from(item.quantity);
                    priced.total += subtotal;
                    priced.lines.push(PricedLine {
                        product: product.clone(),
                        quantity: item.quantity,
                        subtotal,
                    });
                }
                None => priced.missing = true,
            }
        }
        Ok(priced)
    }
}

/// The cart with its products' current prices.
#[derive(Debug, Clone, Default)]
pub struct Priced {
    /// The lines whose product is still for sale.
    pub lines: Vec<PricedLine>,
    /// Their sum.
    pub total: Decimal,
    /// Whether the session held a product that is no longer for sale.
    pub missing: bool,
}

/// A line of the cart, priced.
#[derive(Debug, Clone)]
pub struct PricedLine {
    /// The product, as it is now.
    pub product: Product,
    /// How many.
    pub quantity: i32,
    /// `quantity × price`.
    pub subtotal: Decimal,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_merges_lines_and_keeps_bounds() {
        let mut cart = Cart::default();
        cart.add(1, 2).unwrap();
        cart.add(1, 3).unwrap();
        assert_eq!(cart.quantity_of(1), 5);
        assert_eq!(cart.add(1, 95), Err(CartRefusal::TooMany(94)));
        assert_eq!(cart.quantity_of(1), 5, "unchanged after a refusal");
        assert_eq!(cart.add(2, 100), Err(CartRefusal::TooMany(MAX_QUANTITY)));
        for p in 2..=MAX_LINES as i64 {
            cart.add(p, 1).unwrap();
        }
        assert_eq!(cart.add(999, 1), Err(CartRefusal::Full));
        assert_eq!(cart.items().len(), MAX_LINES);
    }

    #[test]
    fn set_and_remove_only_touch_lines_the_cart_has() {
        let mut cart = Cart::default();
        cart.add(7, 1).unwrap();
        assert!(cart.set(7, 4));
        assert!(!cart.set(8, 4));
        assert!(cart.set(7, 1000));
        assert_eq!(cart.quantity_of(7), MAX_QUANTITY);
        assert!(!cart.remove(8));
        assert!(cart.remove(7));
        assert!(cart.is_empty());
    }
}
