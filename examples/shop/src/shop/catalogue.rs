//! The catalogue's pages: the front page (categories and every active product), a category's
//! products, and a product's page with its "add to cart" form. Each list is one query for the
//! products, their categories joined: never a query per product.

use fullstack::Database;
use fullstack::forms::{Form, FormResult};
use fullstack::messages::Messages;
use fullstack::query::prelude::*;
use fullstack::sessions::Session;
use micro::{Html, IntoResponse, Path, Redirect, Response, State, Templates, context};

use super::cart::{Cart, MAX_QUANTITY};
use super::display::ProductCard;
use super::{Category, Product};

/// Active products, with their categories joined in the same query.
async fn active_products(
    db: &Database,
    only: Option<&Category>,
) -> Result<Vec<ProductCard>, fullstack::Error> {
    let mut products = Product::objects().filter(Product::IS_ACTIVE.eq(true));
    if let Some(category) = only {
        products = products.filter(Product::CATEGORY.eq(category.id));
    }
    let rows = products
        .select_related::<Category, _>(Product::CATEGORY)
        .all(db)
        .await?;
    Ok(rows
        .iter()
        .map(|(p, c)| ProductCard::new(p, c.as_ref()))
        .collect())
}

/// `/`: the categories and every active product (two queries).
pub(super) async fn index(
    t: Templates,
    State(db): State<Database>,
) -> Result<Html<String>, micro::Error> {
    let categories = Category::objects().all(&db).await?;
    let products = active_products(&db, None).await?;
    t.render("shop/index.html", context! { categories, products })
}

/// `/category/<slug>/`: its active products; an unknown slug is a 404.
pub(super) async fn category(
    t: Templates,
    State(db): State<Database>,
    Path(slug): Path<String>,
) -> Result<Html<String>, micro::Error> {
    let category = Category::objects()
        .filter(Category::SLUG.eq(slug))
        .get(&db)
        .await?;
    let products = active_products(&db, Some(&category)).await?;
    let categories = Category::objects().all(&db).await?;
    t.render(
        "shop/category.html",
        context! { category, categories, products },
    )
}

/// The "add to cart" form: how many, 1 to [`MAX_QUANTITY`]; anything else (0, -1, `abc`,
/// `99999999999`) is an error beside the field, in Django's words.
#[derive(Form)]
pub(super) struct AddToCart {
    #[form(min = 1, max = MAX_QUANTITY, initial = "1")]
    quantity: i32,
}

/// `/product/<slug>/`: the product and its form (GET); the form's POST adds to the cart and
/// goes to it (303), or shows the page again with the error (200). An unknown or inactive
/// product is a 404.
pub(super) async fn product(
    t: Templates,
    State(db): State<Database>,
    session: Session,
    messages: Messages,
    Path(slug): Path<String>,
    form: FormResult<AddToCart>,
) -> Result<Response, micro::Error> {
    let product = Product::objects()
        .filter(Product::SLUG.eq(slug) & Product::IS_ACTIVE.eq(true))
        .get(&db)
        .await?;
    let form = match form {
        FormResult::Valid(add, mut form) => {
            let mut cart = Cart::load(&session);
            let in_cart = cart.quantity_of(product.id);
            // A first check for the visitor's sake; checkout checks again, in SQL.
            if in_cart + add.quantity > product.stock {
                form.add_error("quantity", short_of_stock(product.stock, in_cart));
                form
            } else {
                match cart.add(product.id, add.quantity) {
                    Ok(()) => {
                        cart.save(&session)?;
                        messages.success(format!(
                            "Added {} × {} to your cart.",
                            add.quantity, product.name
                        ));
                        return Ok(Redirect::see_other("/cart/").into_response());
                    }
                    Err(refused) => {
                        form.add_error("quantity", refused.to_string());
                        form
                    }
                }
            }
        }
        FormResult::Unbound(form) | FormResult::Invalid(form) => form,
    };
    let category = product.category.get(&db).await?;
    let card = ProductCard::new(&product, Some(&category));
    let page = t.render("shop/product.html", context! { product => card, form })?;
    Ok(page.into_response())
}

/// What the product page says when the cart would ask for more than is left.
pub(super) fn short_of_stock(stock: i32, in_cart: i32) -> String {
    match (stock, in_cart) {
        (0, _) => "Sold out.".to_owned(),
        (_, 0) => format!("Only {stock} left in stock."),
        _ => format!("Only {stock} left in stock, and your cart holds {in_cart} already."),
    }
}
