//! The search behind a foreign key in
//! [`autocomplete_fields`](super::ModelAdmin::autocomplete_fields) (Django's
//! `AutocompleteJsonView`): `/admin/autocomplete/?app_label=&model_name=&field_name=&term=&page=`
//! answers the related model's rows whose `search_fields` match `term`, 20 a page, as
//! `{"results": [{"id", "text"}], "pagination": {"more"}}`. Only active staff get in; the field
//! must be one the admin of `app_label.model_name` completes, and the user must be allowed to
//! view the related model: a forged parameter is a 403, as in Django, and nothing is searched.

use micro::http::{StatusCode, Uri};
use micro::{IntoResponse, Json, Response, State};
use serde::Serialize;

use super::ModelAdmin;
use super::access::{Access, forbidden};
use super::changelist::{Params, default_order, search_condition};
use super::site::{AdminSite, url_name};
use crate::auth::CurrentUser;
use crate::db::Value;
use crate::model::Model;
use crate::query::{FieldPath, ModelExt};
use crate::{Database, Error};

/// Rows a page of results (Django's `AutocompleteJsonView.paginate_by`).
const PAGE_SIZE: u64 = 20;

/// Where the endpoint is served.
pub(crate) const URL: &str = "/admin/autocomplete/";

const SCRIPT: &str = include_str!("static/autocomplete.js");

/// One page of results.
#[derive(Serialize)]
pub(crate) struct Results {
    results: Vec<Row>,
    pagination: Pagination,
}

#[derive(Serialize)]
struct Row {
    id: String,
    text: String,
}

#[derive(Serialize)]
struct Pagination {
    more: bool,
}

/// The attributes of a completed foreign key's input: where its script asks for rows.
pub(crate) fn input_attrs(meta: &crate::model::ModelMeta, field: &str) -> Vec<(String, String)> {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("app_label", meta.app)
        .append_pair("model_name", &url_name(meta))
        .append_pair("field_name", field)
        .finish();
    vec![("data-autocomplete-url".to_owned(), format!("{URL}?{query}"))]
}

impl<M: Model> ModelAdmin<M> {
    /// The rows matching `term` by this admin's `search_fields`, in its order, page `page`
    /// (from 1): one query, of one row more than a page to know whether there are more.
    pub(crate) async fn autocomplete_page(
        &self,
        db: &Database,
        term: &str,
        page: u64,
    ) -> Result<Results, Error> {
        let mut qs = M::objects();
        if let Some(q) = search_condition(self, term) {
            qs = qs.filter(q);
        }
        let rows = qs
            .order_by(default_order(self))
            .offset((page - 1).saturating_mul(PAGE_SIZE))
            .limit(PAGE_SIZE + 1)
            .all(db)
            .await?;
        let more = rows.len() as u64 > PAGE_SIZE;
        Ok(Results {
            results: rows
                .iter()
                .take(PAGE_SIZE as usize)
                .map(|r| Row {
                    id: super::cells::cell(M::META.pk(), &r.pk()),
                    text: self.label_of(r),
                })
                .collect(),
            pagination: Pagination { more },
        })
    }

    /// How the pages call the row `pk`, or `None` when there is no such row: one query.
    pub(crate) async fn find_label(
        &self,
        db: &Database,
        pk: Value,
    ) -> Result<Option<String>, Error> {
        let key =
            FieldPath::<M>::parse(M::META.pk().name).map_err(|e| Error::Usage(e.to_string()))?;
        let row = M::objects().filter(key.eq(pk)).first(db).await?;
        Ok(row.map(|r| self.label_of(&r)))
    }
}

/// The JSON endpoint.
pub(crate) async fn autocomplete(
    State(site): State<AdminSite>,
    State(db): State<Database>,
    user: CurrentUser,
    uri: Uri,
) -> Result<Response, micro::Error> {
    let access = match Access::check(user, &uri).await {
        Ok(a) => a,
        Err(res) => return Ok(res),
    };
    let params = Params::parse(uri.query().unwrap_or(""));
    let Some(target) = site.completed_by(
        params.get("app_label").unwrap_or(""),
        params.get("model_name").unwrap_or(""),
        params.get("field_name").unwrap_or(""),
    ) else {
        return Ok(forbidden());
    };
    if !access.can_view(target.as_ref()) {
        return Ok(forbidden());
    }
    let page = match params.get("page").map(str::parse::<u64>) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => {
            return Err(micro::Error::new(
                StatusCode::NOT_FOUND,
                "That page number is not a page of these results.",
            ));
        }
    };
    let term = params.get("term").unwrap_or("").trim();
    let results = target
        .autocomplete(&db, term, page)
        .await
        .map_err(|e| e.http_error())?;
    Ok(Json(results).into_response())
}

/// The script that turns completed foreign keys' inputs into search boxes.
pub(crate) async fn script() -> Response {
    super::views::asset(SCRIPT, "text/javascript; charset=utf-8")
}
