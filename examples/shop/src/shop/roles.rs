//! The staff roles, as Django does them: a group per role holding the model permissions the
//! role needs, and staff users put in a group. The admin reads nothing else: what a role sees
//! and may do there follows from these rows alone.
//!
//! - **Catalogue managers** add, change, delete and view categories and products; they see no
//!   orders.
//! - **Order clerks** view and change orders (move their status along) and view their lines;
//!   they add and delete nothing, and see no catalogue.

use fullstack::auth::{Group, Permission, create_permissions};
use fullstack::query::prelude::*;
use fullstack::{CommandContext, CommandFuture, Database, Error, Model};

use super::{Category, Order, OrderLine, Product};

/// The catalogue managers' group.
pub const CATALOGUE_MANAGERS: &str = "Catalogue managers";

/// The order clerks' group.
pub const ORDER_CLERKS: &str = "Order clerks";

/// Each role's permissions, by codename (all of the `shop` app).
pub const ROLES: &[(&str, &[&str])] = &[
    (
        CATALOGUE_MANAGERS,
        &[
            "add_category",
            "change_category",
            "delete_category",
            "view_category",
            "add_product",
            "change_product",
            "delete_product",
            "view_product",
        ],
    ),
    (
        ORDER_CLERKS,
        &["view_order", "change_order", "view_orderline"],
    ),
];

/// A role as [`setup_roles`] left it.
#[derive(Debug, Clone)]
pub struct Role {
    /// The group.
    pub group: Group,
    /// Whether the group was made now.
    pub created: bool,
    /// Its permissions' codenames.
    pub permissions: Vec<String>,
}

/// Makes the two groups with exactly their permissions; run again, it changes nothing, and
/// puts back a permission someone removed (or takes away one someone added).
///
/// The model permissions themselves are made first if they are missing: `migrate` makes them
/// (the auth app's `post_migrate`), but a database migrated otherwise (a test's
/// `TestDatabase`) has none yet.
///
/// # Errors
/// When the database fails.
pub async fn setup_roles(db: &Database) -> Result<Vec<Role>, Error> {
    create_permissions(
        db,
        &[Category::META, Product::META, Order::META, OrderLine::META],
    )
    .await?;
    let mut roles = Vec::with_capacity(ROLES.len());
    for (name, codenames) in ROLES {
        let perms = Permission::objects()
            .filter(
                Permission::APP_LABEL.eq("shop")
                    & Permission::CODENAME.is_in(codenames.iter().map(|c| (*c).to_owned())),
            )
            .all(db)
            .await?;
        if perms.len() != codenames.len() {
            return Err(Error::Usage(format!(
                "{name}: {} of its {} permissions exist",
                perms.len(),
                codenames.len()
            )));
        }
        let (group, created) = Group::objects()
            .get_or_create(db, Group::NAME.eq(*name), || Group::new(*name))
            .await?;
        Group::PERMISSIONS.set(db, &group, perms.iter()).await?;
        roles.push(Role {
            group,
            created,
            permissions: perms.into_iter().map(|p| p.codename).collect(),
        });
    }
    Ok(roles)
}

/// `roles`: [`setup_roles`], saying what it did.
pub(super) fn command<'a>(ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
    Box::pin(async move {
        let db = ctx.database().await?;
        for role in setup_roles(&db).await? {
            let verb = if role.created { "Created" } else { "Checked" };
            writeln!(
                ctx.out,
                "{verb} the group {:?}: {}",
                role.group.name,
                role.permissions.join(", ")
            )?;
        }
        Ok(())
    })
}
