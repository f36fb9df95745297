//! The `api` blueprint: the endpoints under `/api/v1`.

use micro::http::StatusCode;
use micro::http::header::LOCATION;
use micro::{Blueprint, Error, IntoResponse, Json, Path, Query, Request, Response, State};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::SqlitePool;

use crate::validate::{self, ListParams, ListQuery, Payload};
use crate::{API_PREFIX, Authenticated, Feed, db, timestamp};

pub(crate) fn api() -> Blueprint {
    let mut bp = Blueprint::new("api", API_PREFIX);
    bp.post("/readings", create_readings);
    bp.get("/readings", list_readings);
    // `stream` is not an `<int:id>`, so the rules do not overlap.
    bp.get("/readings/stream", crate::stream::stream);
    bp.get("/readings/<int:id>", get_reading);
    bp.delete("/readings/<int:id>", delete_reading);
    bp.get("/devices/<device>/stats", device_stats);
    bp.get("/health", health);
    bp
}

/// `POST /readings`: one reading (201 with `Location`) or an array of them (201 with `items`),
/// stored all or none, then published on the feed.
///
/// `Authenticated` comes first, so a request without a token is refused before its body is
/// read; `Json` checks the content type (415), the size (413) and the syntax (400); `validate`
/// the content (422).
async fn create_readings(
    _auth: Authenticated,
    State(db): State<SqlitePool>,
    State(feed): State<Feed>,
    Json(body): Json<Value>,
    req: Request,
) -> Result<Response, Error> {
    let now = timestamp::now_ms();
    let payload = validate::validate_payload(&body, now)?;
    let stored = db::insert_readings(&db, payload.readings(), now).await?;
    // After the commit: subscribers never see a reading that was rolled back.
    for reading in &stored {
        feed.publish(reading.clone());
    }
    let response = match (payload, stored.as_slice()) {
        (Payload::One(_), [reading]) => {
            let location = req.url_for(".get_reading", [("id", reading.id)])?;
            (StatusCode::CREATED, [(LOCATION, location)], Json(reading)).into_response()
        }
        _ => (
            StatusCode::CREATED,
            Json(Created {
                count: stored.len(),
                items: stored,
            }),
        )
            .into_response(),
    };
    Ok(response)
}

/// The answer to a batch.
#[derive(Serialize)]
struct Created {
    items: Vec<db::Reading>,
    count: usize,
}

/// One page of `GET /readings`.
#[derive(Serialize)]
struct Page {
    items: Vec<db::Reading>,
    page: u32,
    per_page: u32,
    total: i64,
    next: Option<String>,
    prev: Option<String>,
}

/// The query of a `next`/`prev` link: the same filters, another page.
#[derive(Serialize)]
struct PageLink<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    device: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    page: u32,
    per_page: u32,
}

/// `GET /readings?device=&kind=&since=&until=&page=&per_page=`: newest first, one page, with
/// the total and links to the neighbouring pages (`null` at the ends).
async fn list_readings(
    Query(query): Query<ListQuery>,
    State(db): State<SqlitePool>,
    req: Request,
) -> Result<Json<Page>, Error> {
    let params = validate::list_params(query)?;
    let (items, total) = db::list_readings(&db, &params).await?;
    let shown_so_far = params.offset() + i64::from(params.per_page);
    let next = (shown_so_far < total)
        .then(|| page_link(&req, &params, params.page + 1))
        .transpose()?;
    let prev = (params.page > 1)
        .then(|| page_link(&req, &params, params.page - 1))
        .transpose()?;
    Ok(Json(Page {
        items,
        page: params.page,
        per_page: params.per_page,
        total,
        next,
        prev,
    }))
}

fn page_link(req: &Request, params: &ListParams, page: u32) -> Result<String, Error> {
    let link = PageLink {
        device: params.device.as_deref(),
        kind: params.kind.as_deref(),
        since: params.since.and_then(timestamp::format_ms),
        until: params.until.and_then(timestamp::format_ms),
        page,
        per_page: params.per_page,
    };
    Ok(req.url_for(".list_readings", &link)?)
}

/// `GET /readings/<int:id>`.
async fn get_reading(
    Path(id): Path<i64>,
    State(db): State<SqlitePool>,
) -> Result<Json<db::Reading>, Error> {
    match db::get_reading(&db, id).await? {
        Some(reading) => Ok(Json(reading)),
        None => Err(no_reading(id)),
    }
}

/// `DELETE /readings/<int:id>`: 204, or 404 if there was none.
async fn delete_reading(
    _auth: Authenticated,
    Path(id): Path<i64>,
    State(db): State<SqlitePool>,
) -> Result<StatusCode, Error> {
    if db::delete_reading(&db, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_reading(id))
    }
}

fn no_reading(id: i64) -> Error {
    Error::new(StatusCode::NOT_FOUND, format!("There is no reading {id}."))
}

/// The answer of `GET /devices/<device>/stats`.
#[derive(Serialize)]
struct DeviceStats {
    device_id: String,
    #[serde(serialize_with = "timestamp::serialize")]
    first_seen: i64,
    #[serde(serialize_with = "timestamp::serialize")]
    last_seen: i64,
    count: i64,
    kinds: Vec<db::KindStats>,
}

/// `GET /devices/<device>/stats`: count, min, max and mean per kind and unit, computed by
/// SQLite; 404 for a device that never posted.
async fn device_stats(
    Path(device): Path<String>,
    State(db): State<SqlitePool>,
) -> Result<Json<DeviceStats>, Error> {
    let Some(found) = db::get_device(&db, &device).await? else {
        return Err(Error::new(
            StatusCode::NOT_FOUND,
            format!("No device `{device}` ever posted a reading."),
        ));
    };
    let kinds = db::device_stats(&db, &device).await?;
    let count: i64 = kinds.iter().map(|k| k.count).sum();
    Ok(Json(DeviceStats {
        device_id: found.id,
        first_seen: found.first_seen,
        last_seen: found.last_seen,
        count,
        kinds,
    }))
}

/// `GET /health`: 200 when the database answers, 503 otherwise (the cause is logged, not sent).
async fn health(State(db): State<SqlitePool>) -> (StatusCode, Json<Value>) {
    match db::ping(&db).await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ok"}))),
        Err(err) => {
            tracing::error!(error = %err, "health check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
        }
    }
}
