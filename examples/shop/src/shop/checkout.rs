//! `/checkout/`: the customer's details on the order model's own form (its `max_length` and
//! `email` checks), then the order placed in one transaction (see `orders`), the cart
//! emptied, and a 303 to the order's thanks page, which only the session that placed the order
//! may see (its key is kept in that session; anyone else gets a 404).

use std::sync::{Arc, LazyLock};

use fullstack::forms::{BoundForm, FormData, FormSpec, ModelFields, NON_FIELD_ERRORS, model_form};
use fullstack::messages::Messages;
use fullstack::query::prelude::*;
use fullstack::sessions::Session;
use fullstack::{Database, Model};
use micro::http::{Method, StatusCode};
use micro::{IntoResponse, Path, Redirect, Response, State, Templates, context};
use serde::Serialize;

use super::cart::Cart;
use super::display::{CartView, LineView, money};
use super::orders::{Customer, Refused, place_order};
use super::{Order, OrderLine, Product};

/// The session key of the orders this session placed.
const PLACED: &str = "placed_orders";

/// How many of them the session remembers.
const PLACED_KEPT: usize = 20;

/// The order model's form for the fields a customer fills in. `model_form` needs no
/// database, so it is built once. (Not `ModelForm`: its valid result does not hand the bound
/// form back, which the page needs to show again, values kept, when the stock is short.)
static FORM: LazyLock<Arc<FormSpec>> = LazyLock::new(|| {
    model_form(
        Order::META,
        ModelFields::Only(&["customer_name", "email", "address"]),
    )
    .expect("the checkout fields are fields of Order")
});

fn render(
    t: &Templates,
    form: BoundForm,
    cart: CartView,
    status: StatusCode,
) -> Result<Response, micro::Error> {
    let page = t.render("shop/checkout.html", context! { form, cart })?;
    Ok((status, page).into_response())
}

/// `GET`/`POST /checkout/`.
pub(super) async fn checkout(
    t: Templates,
    State(db): State<Database>,
    session: Session,
    messages: Messages,
    method: Method,
    data: Option<FormData>,
) -> Result<Response, micro::Error> {
    let cart = Cart::load(&session);
    let priced = cart.priced(&db).await?;
    if priced.lines.is_empty() {
        messages.info("Your cart is empty: add something first.");
        return Ok(Redirect::see_other("/cart/").into_response());
    }
    let Some(data) = data.filter(|_| method == Method::POST) else {
        return render(&t, FORM.unbound(), CartView::from(&priced), StatusCode::OK);
    };
    let mut form = FORM.bind(data);
    if !form.is_valid() {
        // Django's way: the page again, status 200, the errors beside the values sent.
        return render(&t, form, CartView::from(&priced), StatusCode::OK);
    }
    let cleaned = form.cleaned_data();
    let text = |name: &str| cleaned.text(name).unwrap_or_default().to_owned();
    let customer = Customer {
        name: text("customer_name"),
        email: text("email"),
        address: text("address"),
    };
    match place_order(&db, &cart, customer).await? {
        Ok(order) => {
            Cart::default().save(&session)?;
            let mut placed: Vec<i64> = session.get(PLACED).unwrap_or_default();
            placed.push(order.id);
            let skip = placed.len().saturating_sub(PLACED_KEPT);
            session.insert(PLACED, &placed[skip..])?;
            Ok(Redirect::see_other(format!("/orders/{}/thanks/", order.id)).into_response())
        }
        Err(Refused::EmptyCart) => Ok(Redirect::see_other("/cart/").into_response()),
        Err(refused) => {
            // Nothing was written and the cart is as it was: say why, keep what was typed.
            form.add_error(NON_FIELD_ERRORS, refused.to_string());
            let priced = cart.priced(&db).await?;
            render(&t, form, CartView::from(&priced), StatusCode::CONFLICT)
        }
    }
}

/// The thanks page's order.
#[derive(Serialize)]
struct OrderView {
    id: i64,
    customer_name: String,
    email: String,
    address: String,
    status: &'static str,
    total: String,
    lines: Vec<LineView>,
}

/// `GET /orders/<id>/thanks/`: the order, for the session that placed it only.
pub(super) async fn thanks(
    t: Templates,
    State(db): State<Database>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, micro::Error> {
    let placed: Vec<i64> = session.get(PLACED).unwrap_or_default();
    if !placed.contains(&id) {
        // The same answer as for an order that does not exist: nothing to learn by trying.
        return Err(micro::Error::not_found());
    }
    let order = Order::objects().filter(Order::ID.eq(id)).get(&db).await?;
    let lines = OrderLine::objects()
        .filter(OrderLine::ORDER.eq(order.id))
        .select_related::<Product, _>(OrderLine::PRODUCT)
        .all(&db)
        .await?;
    let view = OrderView {
        id: order.id,
        customer_name: order.customer_name.clone(),
        email: order.email.clone(),
        address: order.address.clone(),
        status: order.status_label(),
        total: money(order.total),
        lines: lines
            .iter()
            .map(|(line, product)| LineView {
                product_id: line.product.id(),
                name: product
                    .as_ref()
                    .map_or_else(String::new, |p| p.name.clone()),
                slug: product
                    .as_ref()
                    .map_or_else(String::new, |p| p.slug.clone()),
                quantity: line.quantity,
                unit_price: money(line.unit_price),
                subtotal: money(line.subtotal()),
                stock: 0,
            })
            .collect(),
    };
    let page = t.render("shop/thanks.html", context! { order => view })?;
    Ok(page.into_response())
}
