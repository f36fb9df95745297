//! The admin at `/admin/`: the four models registered, each page guarded by the admin's own
//! permission checks, so a staff user sees and does what their groups allow (see
//! `shop::roles`): catalogue managers the categories and products, order clerks the orders and
//! their lines.

use fullstack::admin::{AdminSite, Inline, ModelAdmin};

use crate::shop::{Category, Order, OrderLine, Product, money};

/// The shop's admin site.
pub fn site() -> AdminSite {
    AdminSite::new()
        .site_header("Tea shop administration")
        .site_title("Tea shop admin")
        .register(
            ModelAdmin::<Category>::new()
                .label(|c: &Category| c.name.clone())
                .list_display(["name", "slug"])
                .search_fields(["name"]),
        )
        .register(
            ModelAdmin::<Product>::new()
                .label(|p: &Product| p.name.clone())
                .list_display(["name", "category__name", "price", "stock", "is_active"])
                .list_filter(["category", "is_active"])
                // Searched by the order lines' autocomplete (on their own page and the order's).
                .search_fields(["name", "slug"]),
        )
        .register(
            ModelAdmin::<Order>::new()
                .label(|o: &Order| format!("Order #{} ({})", o.id, o.customer_name))
                .list_display(["id", "customer_name", "email", "status", "total", "created"])
                .list_filter(["status"])
                .date_hierarchy("created")
                .search_fields(["customer_name", "email"])
                // What checkout computed stays as it was.
                .readonly_fields(&["total", "created"])
                // The lines answer to their own model's permissions: a clerk, who may only
                // view them, sees them and cannot change them, whatever the POST says.
                .inline(
                    Inline::<OrderLine>::new("order")
                        .fields(&["product", "quantity", "unit_price"])
                        .extra(0)
                        .tabular()
                        .autocomplete_fields(&["product"]),
                ),
        )
        .register(
            ModelAdmin::<OrderLine>::new()
                .label(|l: &OrderLine| format!("{} × product {}", l.quantity, l.product.id()))
                .list_display(["order", "product__name", "quantity", "unit_price"])
                .column("Subtotal", |l: &OrderLine| money(l.subtotal()))
                .list_filter(["order"])
                // A shop has more products than a select should list.
                .autocomplete_fields(&["product"]),
        )
}
