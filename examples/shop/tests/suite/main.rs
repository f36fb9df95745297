//! The shop through its real HTTP stack (the project's web app, every middleware, through
//! micro's test client) on a database of its own: SQLite always, PostgreSQL and MariaDB when
//! `TEST_POSTGRES_URL` / `TEST_MYSQL_URL` name a server (else each test says what was NOT
//! TESTED).
//!
//! - `roles`: who sees what in the admin, and who is refused what, forged POSTs included;
//! - `shop_flow`: the cart, checkout (valid, invalid, short of stock), the thanks page, CSRF,
//!   bad input;
//! - `concurrency`: checkouts racing for the last items never oversell;
//! - `commands`: `migrate`, `seed` and `roles` from the command line, run twice;
//! - `queries`: the pages' query counts do not grow with the number of products.

mod commands;
mod common;
mod concurrency;
mod queries;
mod roles;
mod shop_flow;
