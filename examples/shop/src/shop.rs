//! The `shop` app: its models, its public pages (catalogue, cart, checkout, thanks), the
//! staff roles and the `roles` and `seed` commands.

mod cart;
mod cart_pages;
mod catalogue;
mod checkout;
mod display;
mod models;
mod orders;
mod roles;
mod seed;

pub use cart::{Cart, CartItem, CartRefusal, MAX_LINES, MAX_QUANTITY, Priced, PricedLine};
pub use display::money;
pub use models::{Category, Order, OrderLine, Product};
pub use orders::{Customer, Refused, place_order};
pub use roles::{CATALOGUE_MANAGERS, ORDER_CLERKS, ROLES, Role, setup_roles};
pub use seed::{DEMO_PASSWORD, PASSWORD_VAR, Seeded, seed};

use fullstack::{AppConfig, Model};
use micro::routing::{get, post};

/// The app: models, migrations (made by `makemigrations`, embedded in the binary), routes,
/// templates and commands.
pub fn app() -> AppConfig {
    fullstack::app!("shop")
        .models(&[Category::META, Product::META, Order::META, OrderLine::META])
        .embedded_migrations(include!("../migrations/shop/embedded.rs"))
        .templates("templates")
        .routes(|app| {
            app.route("/", get(catalogue::index));
            app.route("/category/<slug>/", get(catalogue::category));
            app.route(
                "/product/<slug>/",
                get(catalogue::product).post(catalogue::product),
            );
            app.route("/cart/", get(cart_pages::page));
            app.route("/cart/update/", post(cart_pages::update));
            app.route("/cart/remove/", post(cart_pages::remove));
            app.route(
                "/checkout/",
                get(checkout::checkout).post(checkout::checkout),
            );
            app.route("/orders/<int:id>/thanks/", get(checkout::thanks));
        })
        .command_fn(
            clap::Command::new("roles").about(
                "Makes the staff groups (Catalogue managers, Order clerks) with their permissions",
            ),
            roles::command,
        )
        .command_fn(
            clap::Command::new("seed").about(
                "Adds a sample catalogue, the staff roles and the demo users manager and clerk",
            ),
            seed::command,
        )
}
