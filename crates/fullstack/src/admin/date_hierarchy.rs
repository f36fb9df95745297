//! `date_hierarchy`: links above the change list that drill down by a date field, year then
//! month then day (Django's `?pub_date__year=2021&pub_date__month=9`), each level showing only
//! the dates the listed rows have (one `SELECT DISTINCT` of the date part).

use serde::Serialize;

use super::changelist::Params;
use crate::model::Model;
use crate::query::{FieldPath, Q, QuerySet};
use crate::{Database, Error};

/// The query string's keys for `path`: `<name>__year`, `__month`, `__day`.
fn keys(path: &str) -> [String; 3] {
    ["year", "month", "day"].map(|part| format!("{path}__{part}"))
}

/// The year, month and day the query string selects, each only when the one above it is
/// selected and all are in range (anything else is ignored, as an unknown filter is).
fn selected(name: &str, params: &Params) -> (Option<i32>, Option<u32>, Option<u32>) {
    let [y, m, d] = keys(name);
    let year = params
        .get(&y)
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|y| (1..=9999).contains(y));
    let month = year
        .and(params.get(&m))
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|m| (1..=12).contains(m));
    let day = month
        .and(params.get(&d))
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|d| (1..=31).contains(d));
    (year, month, day)
}

/// The conditions the selected year, month and day put on the list.
pub(crate) fn conditions<M: Model>(path: &FieldPath<M>, params: &Params) -> Vec<Q<M>> {
    let (year, month, day) = selected(path.name(), params);
    let mut out = Vec::new();
    out.extend(year.and_then(|y| path.year_eq(y).ok()));
    out.extend(month.and_then(|m| path.month_eq(m as i32).ok()));
    out.extend(day.and_then(|d| path.day_eq(d as i32).ok()));
    out
}

/// The links: back up one level, then the choices of this level.
#[derive(Debug, Serialize)]
pub(crate) struct DateHierarchy {
    back: Option<Link>,
    choices: Vec<Link>,
}

#[derive(Debug, Serialize)]
struct Link {
    label: String,
    url: String,
    current: bool,
}

fn month_name(month: u32) -> String {
    u8::try_from(month)
        .ok()
        .and_then(|m| chrono::Month::try_from(m).ok())
        .map_or_else(|| month.to_string(), |m| m.name().to_owned())
}

/// The hierarchy over `qs` (the list as filtered, the selected dates included): one query for
/// the distinct years, months or days of the rows, none once a day is selected.
pub(crate) async fn view<M: Model>(
    path: &FieldPath<M>,
    qs: &QuerySet<M>,
    params: &Params,
    db: &Database,
) -> Result<DateHierarchy, Error> {
    let name = path.name();
    let [y, m, d] = keys(name);
    let all = [y.as_str(), m.as_str(), d.as_str()];
    let (year, month, day) = selected(name, params);
    let link = |label: String, set: &[(&str, &str)], current: bool| Link {
        label,
        url: params.with(set, &all),
        current,
    };
    let distinct = |part: Result<crate::query::Selected<M>, _>| async move {
        let part = part.map_err(|e: crate::query::LookupError| Error::Usage(e.to_string()))?;
        let rows = qs.clone().values([part]).all(db).await?;
        let mut found: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.get::<Option<i32>>(0).ok().flatten())
            .map(i64::from)
            .collect();
        found.sort_unstable();
        found.dedup();
        Ok::<_, Error>(found)
    };
    Ok(match (year, month, day) {
        (None, _, _) => DateHierarchy {
            back: None,
            choices: distinct(path.year())
                .await?
                .into_iter()
                .map(|y| {
                    let year = y.to_string();
                    link(year.clone(), &[(all[0], &year)], false)
                })
                .collect(),
        },
        (Some(year), None, _) => {
            let ys = year.to_string();
            DateHierarchy {
                back: Some(link("‹ All dates".to_owned(), &[], false)),
                choices: distinct(path.month())
                    .await?
                    .into_iter()
                    .map(|mo| {
                        let mos = mo.to_string();
                        let label = format!("{} {year}", month_name(mo as u32));
                        link(label, &[(all[0], &ys), (all[1], &mos)], false)
                    })
                    .collect(),
            }
        }
        (Some(year), Some(month), day) => {
            let (ys, ms) = (year.to_string(), month.to_string());
            let days = match day {
                Some(day) => vec![i64::from(day)],
                None => distinct(path.day()).await?,
            };
            DateHierarchy {
                back: Some(link(format!("‹ {year}"), &[(all[0], &ys)], false)),
                choices: days
                    .into_iter()
                    .map(|dd| {
                        let ds = dd.to_string();
                        let label = format!("{} {dd}", month_name(month));
                        let set = [(all[0], ys.as_str()), (all[1], ms.as_str()), (all[2], &ds)];
                        link(label, &set, day.is_some())
                    })
                    .collect(),
            }
        }
    })
}
