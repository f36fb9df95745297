//! Who is asking, and what every admin page has around its content.

use std::collections::BTreeSet;

use micro::http::{StatusCode, Uri};
use micro::minijinja::Value;
use micro::{IntoResponse, Response, context};

use super::inlines::InlinePerms;
use super::site::{AdminSite, Registered, url_name};
use crate::auth::CurrentUser;
use crate::model::ModelMeta;

/// Where the admin's stylesheet is served.
pub(crate) const STATIC_URL: &str = "/admin/static/";

/// What a staff user may do, read once per request.
pub(crate) struct Access {
    pub(crate) user: CurrentUser,
    perms: BTreeSet<String>,
}

impl Access {
    /// The user's permissions, or the response that sends a visitor who is not active staff
    /// to the login page (with `next` back here).
    pub(crate) async fn check(user: CurrentUser, uri: &Uri) -> Result<Access, Response> {
        if !user.is_staff() {
            let next = uri.path_and_query().map_or("/admin/", |p| p.as_str());
            let to = format!(
                "/admin/login/?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", next)
                    .finish()
            );
            return Err(micro::redirect(to).into_response());
        }
        let perms = user
            .all_perms()
            .await
            .map_err(|e| e.http_error().into_response())?;
        Ok(Access { user, perms })
    }

    pub(crate) fn has(&self, model: &dyn Registered, action: &str) -> bool {
        self.may(model.meta(), action)
    }

    /// Whether the user has the permission `action` on the model `meta`, registered or not
    /// (an inline's model).
    pub(crate) fn may(&self, meta: &ModelMeta, action: &str) -> bool {
        // A superuser has every permission, rows or not (Django's `has_perm`): permissions
        // are made after `migrate`, and a database migrated otherwise has none.
        if self.user.user().is_some_and(|u| u.is_superuser) {
            return true;
        }
        self.perms
            .contains(&format!("{}.{action}_{}", meta.app, url_name(meta)))
    }

    /// What the user may do with an inline's rows: its model's own permissions.
    pub(crate) fn inline_perms(&self, meta: &ModelMeta) -> InlinePerms {
        InlinePerms {
            view: self.may(meta, "view"),
            add: self.may(meta, "add"),
            change: self.may(meta, "change"),
            delete: self.may(meta, "delete"),
        }
    }

    /// Django's `has_view_permission`: view, or change (which implies it).
    pub(crate) fn can_view(&self, model: &dyn Registered) -> bool {
        self.has(model, "view") || self.has(model, "change")
    }

    pub(crate) fn can_see_anything_of(&self, model: &dyn Registered) -> bool {
        ["view", "change", "add", "delete"]
            .iter()
            .any(|a| self.has(model, a))
    }
}

pub(crate) fn forbidden() -> Response {
    micro::Error::new(
        StatusCode::FORBIDDEN,
        "You do not have permission to see this page.",
    )
    .into_response()
}

/// `ctx` with what every admin page has: the site's titles and where its stylesheet is.
pub(crate) fn with_chrome(site: &AdminSite, ctx: Value) -> Value {
    context! {
        site_header => site.site_header.clone(),
        site_title => site.site_title.clone(),
        admin_static => STATIC_URL,
        ..ctx
    }
}
