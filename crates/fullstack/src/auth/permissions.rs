//! Permissions: `has_perm` through a user's own permissions and those of their groups, and the
//! view/add/change/delete permissions made for every model of every installed app after
//! `migrate` (Django's `post_migrate` handler `create_permissions`).

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use super::{Group, Permission, User};
use crate::model::ModelMeta;
use crate::query::Q;
use crate::query::prelude::*;
use crate::{Database, Error, Project};

/// Django's default permissions of a model, in Django's order: `(codename, name)` for add,
/// change, delete and view (`add_question`, `Can add question`).
pub fn default_permissions(meta: &ModelMeta) -> Vec<(String, String)> {
    let model = meta.name.to_lowercase();
    let verbose = meta.verbose_name();
    ["add", "change", "delete", "view"]
        .iter()
        .map(|action| {
            (
                format!("{action}_{model}"),
                format!("Can {action} {verbose}"),
            )
        })
        .collect()
}

/// Makes the permissions of `models` that are missing: two queries per app (read what is
/// there, insert the rest), whatever the number of models. Idempotent, and safe when several
/// processes migrate at once: a row another one inserted meanwhile (a unique violation) makes
/// it read again and insert only what is still missing.
///
/// # Errors
/// When the database fails.
pub async fn create_permissions(
    db: &Database,
    models: &[&'static ModelMeta],
) -> Result<usize, Error> {
    let mut apps: Vec<&str> = models.iter().map(|m| m.app).collect();
    apps.sort_unstable();
    apps.dedup();
    let mut created = 0;
    for app in apps {
        let mut attempts = 0;
        loop {
            let new = missing(db, app, models).await?;
            let n = new.len();
            if new.is_empty() {
                break;
            }
            match Permission::objects().bulk_create(db, new).await {
                Ok(_) => {
                    created += n;
                    break;
                }
                // Another process got there first; what it did not make is made next round.
                Err(_) if attempts < 3 => attempts += 1,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(created)
}

async fn missing(
    db: &Database,
    app: &str,
    models: &[&'static ModelMeta],
) -> Result<Vec<Permission>, Error> {
    let existing: BTreeSet<String> = Permission::objects()
        .filter(Permission::APP_LABEL.eq(app))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.codename)
        .collect();
    let mut new = Vec::new();
    for meta in models.iter().filter(|m| m.app == app) {
        for (codename, name) in default_permissions(meta) {
            if !existing.contains(&codename) {
                new.push(Permission {
                    id: 0,
                    name,
                    app_label: app.to_owned(),
                    model: meta.name.to_lowercase(),
                    codename,
                });
            }
        }
    }
    Ok(new)
}

/// The hook the auth app gives [`AppConfig::post_migrate`](crate::AppConfig::post_migrate):
/// permissions for every model of the project, once the auth tables exist.
pub(super) fn post_migrate<'a>(
    db: &'a Database,
    project: &'a Project,
) -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send + 'a>> {
    Box::pin(async move {
        let set = project.migrations()?;
        let status = crate::migrations::show_migrations(db, &set).await?;
        let auth_ready = status
            .iter()
            .any(|s| s.app == super::LABEL && s.name == "0001_initial" && s.applied);
        if auth_ready {
            create_permissions(db, &project.models()).await?;
        }
        Ok(())
    })
}

/// Permission checks on a [`User`] (Django's `PermissionsMixin`).
pub trait UserPermissions {
    /// Whether the user has `perm`, written `app_label.codename` (`polls.change_question`):
    /// given to the user or to one of their groups. An inactive user has none, a superuser
    /// (active) has every one. One query (none for those two cases).
    fn has_perm(
        &self,
        db: &Database,
        perm: &str,
    ) -> impl Future<Output = Result<bool, Error>> + Send;

    /// Whether the user has any permission of `app_label` (Django's `has_module_perms`).
    fn has_module_perms(
        &self,
        db: &Database,
        app_label: &str,
    ) -> impl Future<Output = Result<bool, Error>> + Send;

    /// Every permission of the user as `app_label.codename`: one query.
    fn all_perms(
        &self,
        db: &Database,
    ) -> impl Future<Output = Result<BTreeSet<String>, Error>> + Send;
}

fn granted(user: &User) -> Q<Permission> {
    User::USER_PERMISSIONS.any_owner(User::PK.eq(user.id))
        | Group::PERMISSIONS.any_owner(User::GROUPS.any_owner(User::PK.eq(user.id)))
}

impl UserPermissions for User {
    async fn has_perm(&self, db: &Database, perm: &str) -> Result<bool, Error> {
        if !self.is_active {
            return Ok(false);
        }
        if self.is_superuser {
            return Ok(true);
        }
        let Some((app, codename)) = perm.split_once('.') else {
            return Ok(false);
        };
        Permission::objects()
            .filter(Permission::APP_LABEL.eq(app) & Permission::CODENAME.eq(codename))
            .filter(granted(self))
            .exists(db)
            .await
    }

    async fn has_module_perms(&self, db: &Database, app_label: &str) -> Result<bool, Error> {
        if !self.is_active {
            return Ok(false);
        }
        if self.is_superuser {
            return Ok(true);
        }
        Permission::objects()
            .filter(Permission::APP_LABEL.eq(app_label))
            .filter(granted(self))
            .exists(db)
            .await
    }

    async fn all_perms(&self, db: &Database) -> Result<BTreeSet<String>, Error> {
        if !self.is_active {
            return Ok(BTreeSet::new());
        }
        let all = Permission::objects();
        let perms = if self.is_superuser {
            all.all(db).await?
        } else {
            all.filter(granted(self)).all(db).await?
        };
        Ok(perms.iter().map(Permission::full_name).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn djangos_default_permissions() {
        assert_eq!(
            default_permissions(<super::super::LoginFailure as crate::Model>::META),
            [
                (
                    "add_loginfailure".to_owned(),
                    "Can add login failure".to_owned()
                ),
                (
                    "change_loginfailure".into(),
                    "Can change login failure".into()
                ),
                (
                    "delete_loginfailure".into(),
                    "Can delete login failure".into()
                ),
                ("view_loginfailure".into(), "Can view login failure".into()),
            ]
        );
    }
}
