//! The cart's page and its two POST forms, one pair per line: change the quantity, remove the
//! product. A quantity that is not 1 to 99 shows the cart again with the error beside its line
//! (nothing changed); a product the cart does not hold is a 404, a key that is not one a 400.

use fullstack::Database;
use fullstack::forms::{Form, FormData};
use fullstack::messages::Messages;
use fullstack::query::prelude::*;
use fullstack::sessions::Session;
use micro::http::StatusCode;
use micro::{Html, IntoResponse, Redirect, Response, State, Templates, context};

use super::Product;
use super::cart::{Cart, MAX_QUANTITY};
use super::catalogue::short_of_stock;
use super::display::CartView;

/// The cart page, with an error beside one line when `error` names it.
async fn render(
    t: &Templates,
    db: &Database,
    session: &Session,
    error: Option<(i64, String)>,
) -> Result<Html<String>, micro::Error> {
    let mut cart = Cart::load(session);
    let priced = cart.priced(db).await?;
    if priced.missing {
        // Forget what is no longer for sale, so checkout is not refused for it.
        let kept: Vec<i64> = priced.lines.iter().map(|l| l.product.id).collect();
        cart.retain_products(&kept);
        cart.save(session)?;
    }
    let (error_for, error) = error.unzip();
    t.render(
        "shop/cart.html",
        context! {
            cart => CartView::from(&priced),
            missing => priced.missing,
            error_for,
            error,
            max_quantity => MAX_QUANTITY,
        },
    )
}

/// `GET /cart/`.
pub(super) async fn page(
    t: Templates,
    State(db): State<Database>,
    session: Session,
) -> Result<Html<String>, micro::Error> {
    render(&t, &db, &session, None).await
}

/// The line form's product key: a 400 when it is not a key, a 404 when the cart lacks it.
fn product_in(cart: &Cart, data: &FormData) -> Result<i64, micro::Error> {
    let product = data
        .get("product")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .ok_or_else(|| micro::Error::bad_request("The form names no product."))?;
    if cart.quantity_of(product) == 0 {
        return Err(micro::Error::new(
            StatusCode::NOT_FOUND,
            "That product is not in your cart.",
        ));
    }
    Ok(product)
}

/// A line's new quantity.
#[derive(Form)]
struct NewQuantity {
    #[form(min = 1, max = MAX_QUANTITY)]
    quantity: i32,
}

/// `POST /cart/update/`: `product` and its new `quantity`.
pub(super) async fn update(
    t: Templates,
    State(db): State<Database>,
    session: Session,
    messages: Messages,
    data: FormData,
) -> Result<Response, micro::Error> {
    let mut cart = Cart::load(&session);
    let product = product_in(&cart, &data)?;
    let quantity = match NewQuantity::bind(data) {
        Ok((valid, _)) => valid.quantity,
        Err(form) => {
            let message = form
                .errors()
                .field("quantity")
                .first()
                .cloned()
                .unwrap_or_else(|| "Enter a quantity.".to_owned());
            let page = render(&t, &db, &session, Some((product, message))).await?;
            return Ok(page.into_response());
        }
    };
    let stock = Product::objects()
        .filter(Product::ID.eq(product))
        .first(&db)
        .await?
        .map_or(0, |p| p.stock);
    if quantity > stock {
        let page = render(&t, &db, &session, Some((product, short_of_stock(stock, 0)))).await?;
        return Ok(page.into_response());
    }
    cart.set(product, quantity);
    cart.save(&session)?;
    messages.success("Your cart was updated.");
    Ok(Redirect::see_other("/cart/").into_response())
}

/// `POST /cart/remove/`: `product`.
pub(super) async fn remove(
    session: Session,
    messages: Messages,
    data: FormData,
) -> Result<Redirect, micro::Error> {
    let mut cart = Cart::load(&session);
    let product = product_in(&cart, &data)?;
    cart.remove(product);
    cart.save(&session)?;
    messages.success("The product was removed from your cart.");
    Ok(Redirect::see_other("/cart/"))
}
