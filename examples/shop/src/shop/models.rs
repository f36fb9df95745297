//! The shop's data: a catalogue (categories, products with a price and a stock) and the orders
//! placed at checkout, each with its lines. Prices are exact `Decimal`s, never floats.

use chrono::{DateTime, Utc};
use fullstack::{Decimal, ForeignKey, Model};
use serde::Serialize;

/// A shelf of the catalogue.
#[derive(Model, Debug, Clone, Serialize)]
#[model(app = "shop", ordering = ["name"], verbose_name_plural = "categories")]
pub struct Category {
    /// The key.
    pub id: i64,
    /// As shown.
    #[field(max_length = 100, unique)]
    pub name: String,
    /// Its page's URL, `/category/<slug>/`.
    #[field(max_length = 100, unique, slug)]
    pub slug: String,
}

/// Something for sale. Only active products are shown and sold; `stock` is what is left, and
/// checkout takes from it in SQL, never below zero.
#[derive(Model, Debug, Clone, Serialize)]
#[model(app = "shop", ordering = ["name"])]
pub struct Product {
    /// The key.
    pub id: i64,
    /// Its shelf. `protect`: a category still holding products cannot be deleted (the manager
    /// moves or deletes them first), so no product disappears with its shelf.
    #[field(on_delete = protect, related_name = "products")]
    pub category: ForeignKey<Category>,
    /// As shown.
    #[field(max_length = 200)]
    pub name: String,
    /// Its page's URL, `/product/<slug>/`.
    #[field(max_length = 200, unique, slug)]
    pub slug: String,
    /// What the product page says about it.
    #[field(default = "")]
    pub description: String,
    /// The price of one, in the shop's currency.
    #[field(max_digits = 10, decimal_places = 2)]
    pub price: Decimal,
    /// How many are left to sell.
    #[field(default = 0)]
    pub stock: i32,
    /// Shown and sold; a product taken off the shelf keeps its orders.
    #[field(default = true, verbose_name = "active")]
    pub is_active: bool,
}

/// An order placed at checkout: who, where to, and what it cost then.
#[derive(Model, Debug, Clone, Serialize)]
#[model(app = "shop", ordering = ["-created", "-id"])]
pub struct Order {
    /// The key.
    pub id: i64,
    /// Who ordered.
    #[field(max_length = 100, verbose_name = "name")]
    pub customer_name: String,
    /// Where the confirmation goes.
    #[field(max_length = 254, email)]
    pub email: String,
    /// Where the parcel goes.
    #[field(max_length = 500)]
    pub address: String,
    /// When it was placed (UTC).
    #[field(default = now)]
    pub created: DateTime<Utc>,
    /// Where it is in its life; order clerks move it along.
    #[field(
        max_length = 10,
        default = "new",
        choices = [("new", "New"), ("paid", "Paid"), ("shipped", "Shipped"), ("cancelled", "Cancelled")]
    )]
    pub status: String,
    /// The sum of its lines, computed at checkout.
    #[field(max_digits = 10, decimal_places = 2)]
    pub total: Decimal,
}

/// One product of an order, at the price it was sold for.
#[derive(Model, Debug, Clone, Serialize)]
#[model(app = "shop", ordering = ["id"])]
pub struct OrderLine {
    /// The key.
    pub id: i64,
    /// The order; deleting an order deletes its lines.
    #[field(on_delete = cascade, related_name = "lines")]
    pub order: ForeignKey<Order>,
    /// What was sold. `protect`: a product that was ever sold cannot be deleted (deactivate
    /// it instead), so no order loses a line.
    #[field(on_delete = protect, related_name = "order_lines")]
    pub product: ForeignKey<Product>,
    /// How many.
    pub quantity: i32,
    /// The price of one when the order was placed (the product's price may change later).
    #[field(max_digits = 10, decimal_places = 2)]
    pub unit_price: Decimal,
}

impl Order {
    /// The status as people read it ("Paid"), from the field's `choices`.
    pub fn status_label(&self) -> &'static str {
        let choices = Order::META.field("status").map_or(&[][..], |f| f.choices);
        choices
            .iter()
            .find(|(value, _)| *value == self.status)
            .map_or("Unknown", |(_, label)| label)
    }
}

impl OrderLine {
    /// `quantity × unit_price`.
    pub fn subtotal(&self) -> Decimal {
        Decimal::from(self.quantity) * self.unit_price
    }
}
