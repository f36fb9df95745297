//! What the templates get: rows turned into plain values (prices as text with two decimals),
//! so a template never formats money itself.

use fullstack::Decimal;
use serde::Serialize;

use super::cart::Priced;
use super::{Category, Product};

/// A price as the pages show it: two decimals, always (`4.50`, not `4.5` as SQLite gives it
/// back).
pub fn money(amount: Decimal) -> String {
    format!("{:.2}", amount.round_dp(2))
}

/// A product on a list or its own page.
#[derive(Debug, Serialize)]
pub(crate) struct ProductCard {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) slug: String,
    pub(crate) description: String,
    pub(crate) price: String,
    pub(crate) stock: i32,
    /// Its category's name and slug, when the page shows it.
    pub(crate) category: Option<(String, String)>,
}

impl ProductCard {
    pub(crate) fn new(product: &Product, category: Option<&Category>) -> ProductCard {
        ProductCard {
            id: product.id,
            name: product.name.clone(),
            slug: product.slug.clone(),
            description: product.description.clone(),
            price: money(product.price),
            stock: product.stock,
            category: category.map(|c| (c.name.clone(), c.slug.clone())),
        }
    }
}

/// A line of the cart or of a placed order.
#[derive(Debug, Serialize)]
pub(crate) struct LineView {
    pub(crate) product_id: i64,
    pub(crate) name: String,
    pub(crate) slug: String,
    pub(crate) quantity: i32,
    pub(crate) unit_price: String,
    pub(crate) subtotal: String,
    /// How many are left (the cart says when the cart asks for more).
    pub(crate) stock: i32,
}

/// The cart as its page shows it.
#[derive(Debug, Serialize)]
pub(crate) struct CartView {
    pub(crate) lines: Vec<LineView>,
    pub(crate) total: String,
    pub(crate) count: i32,
}

impl From<&Priced> for CartView {
    fn from(priced: &Priced) -> CartView {
        CartView {
            lines: priced
                .lines
                .iter()
                .map(|l| LineView {
                    product_id: l.product.id,
                    name: l.product.name.clone(),
                    slug: l.product.slug.clone(),
                    quantity: l.quantity,
                    unit_price: money(l.product.price),
                    subtotal: money(l.subtotal),
                    stock: l.product.stock,
                })
                .collect(),
            total: money(priced.total),
            count: priced.lines.iter().map(|l| l.quantity).sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_two_decimals() {
        assert_eq!(money(Decimal::new(45, 1)), "4.50");
        assert_eq!(money(Decimal::new(12, 0)), "12.00");
        assert_eq!(money(Decimal::new(1999, 2)), "19.99");
    }
}
