//! `seed`: a small catalogue with stock, the two staff roles, and two demo staff users,
//! `manager` (a catalogue manager) and `clerk` (an order clerk). Run twice, it adds nothing:
//! rows are found by their slug or username first.

use fullstack::auth::{Group, Hashers, User};
use fullstack::query::prelude::*;
use fullstack::{CommandContext, CommandFuture, Database, Decimal, Error, ForeignKey};

use super::roles::{CATALOGUE_MANAGERS, ORDER_CLERKS, setup_roles};
use super::{Category, Product};

/// The variable that gives the demo users' password.
pub const PASSWORD_VAR: &str = "SHOP_DEMO_PASSWORD";

/// The demo users' password when the variable is not set. DEMO ONLY: it is in this source
/// file, so anyone can read it; set `SHOP_DEMO_PASSWORD` (or change the passwords) for any
/// database that is not on your own machine.
pub const DEMO_PASSWORD: &str = "demo-only-shop-password";

/// `(category name, slug, [(name, slug, description, price in cents, stock)])`.
type Shelf = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, &'static str, i64, i32)],
);

const CATALOGUE: &[Shelf] = &[
    (
        "Tea",
        "tea",
        &[
            (
                "Assam, 250 g",
                "assam",
                "Malty black tea from the Brahmaputra valley.",
                650,
                40,
            ),
            (
                "Sencha, 100 g",
                "sencha",
                "Steamed green tea, grassy and bright.",
                890,
                25,
            ),
            (
                "Rooibos, 200 g",
                "rooibos",
                "Caffeine-free, from the Cederberg.",
                540,
                3,
            ),
        ],
    ),
    (
        "Teaware",
        "teaware",
        &[
            (
                "Glass teapot",
                "glass-teapot",
                "Holds a litre; with a steel strainer.",
                2450,
                8,
            ),
            (
                "Cast-iron kettle",
                "cast-iron-kettle",
                "Tetsubin, 0.8 l, for the stove.",
                7900,
                1,
            ),
        ],
    ),
    (
        "Biscuits",
        "biscuits",
        &[(
            "Shortbread tin",
            "shortbread",
            "Butter shortbread, 300 g.",
            475,
            0,
        )],
    ),
];

/// What [`seed`] made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Categories made now.
    pub categories: usize,
    /// Products made now.
    pub products: usize,
    /// Demo users made now.
    pub users: usize,
}

/// Adds the catalogue, the roles and the demo users `manager` and `clerk` (with `password`)
/// where they are missing.
///
/// # Errors
/// When the database fails.
pub async fn seed(db: &Database, password: &str) -> Result<Seeded, Error> {
    let mut seeded = Seeded::default();
    for (name, slug, products) in CATALOGUE {
        let (category, created) = Category::objects()
            .get_or_create(db, Category::SLUG.eq(*slug), || Category {
                id: 0,
                name: (*name).to_owned(),
                slug: (*slug).to_owned(),
            })
            .await?;
        seeded.categories += usize::from(created);
        for (name, slug, description, cents, stock) in *products {
            let (_, created) = Product::objects()
                .get_or_create(db, Product::SLUG.eq(*slug), || Product {
                    id: 0,
                    category: ForeignKey::from(&category),
                    name: (*name).to_owned(),
                    slug: (*slug).to_owned(),
                    description: (*description).to_owned(),
                    price: Decimal::new(*cents, 2),
                    stock: *stock,
                    is_active: true,
                })
                .await?;
            seeded.products += usize::from(created);
        }
    }
    let roles = setup_roles(db).await?;
    let group = |name: &str| -> Result<Group, Error> {
        roles
            .iter()
            .find(|r| r.group.name == name)
            .map(|r| r.group.clone())
            .ok_or_else(|| Error::Usage(format!("no group {name}")))
    };
    let hashers = Hashers::default();
    for (username, role) in [("manager", CATALOGUE_MANAGERS), ("clerk", ORDER_CLERKS)] {
        let existing = User::objects()
            .filter(User::USERNAME.eq(username))
            .first(db)
            .await?;
        if existing.is_some() {
            continue;
        }
        let mut user = User::new(hashers.hash_async(password).await, username);
        user.is_staff = true;
        let user = User::objects().create(db, user).await?;
        User::GROUPS.add(db, &user, [&group(role)?]).await?;
        seeded.users += 1;
    }
    Ok(seeded)
}

/// The `seed` command.
pub(super) fn command<'a>(ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
    Box::pin(async move {
        let (password, from) = match std::env::var(PASSWORD_VAR) {
            Ok(p) if !p.is_empty() => (p, PASSWORD_VAR),
            _ => (
                DEMO_PASSWORD.to_owned(),
                "the demo password in src/shop/seed.rs",
            ),
        };
        let db = ctx.database().await?;
        let seeded = seed(&db, &password).await?;
        writeln!(
            ctx.out,
            "Added {} categories, {} products and {} staff users; the roles are set up.",
            seeded.categories, seeded.products, seeded.users
        )?;
        if seeded.users > 0 {
            writeln!(
                ctx.out,
                "Log in at /admin/ as `manager` (catalogue) or `clerk` (orders), password from {from}."
            )?;
        }
        Ok(())
    })
}
