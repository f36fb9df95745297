//! The change list of one model: what the query string asks (search, filters, ordering, page),
//! turned into one queryset, run as at most three queries whatever the table's size (the
//! filtered count, the full count when a filter or search applies, and the page with the
//! related columns joined), and laid out for the template.
//!
//! Everything the query string carries is checked here: a filter on a field that is not in
//! `list_filter`, an ordering index out of range or a value of the wrong type is ignored, as
//! Django ignores what it does not know; a page that is not one is a 404.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::ModelAdmin;
use super::cells::cell;
use super::site::AdminSite;
use crate::db::{ColumnType, Value};
use crate::model::{FieldMeta, Model};
use crate::pagination::{PageLink, Paginator};
use crate::query::{FieldPath, ModelExt, Order, Q, QuerySet};
use crate::{Database, Error};

/// The query string's search parameter (Django's `SEARCH_VAR`).
pub(crate) const SEARCH: &str = "q";
/// The ordering parameter: `o=2.-1`, list_display columns counted from 1, `-` descending.
pub(crate) const ORDER: &str = "o";
/// The page parameter, counted from 1.
pub(crate) const PAGE: &str = "p";
/// Show every row on one page (up to `list_max_show_all`).
pub(crate) const ALL: &str = "all";
/// The most words of a search that are looked for; a longer search is cut, so a pasted book
/// cannot build a statement over the backends' parameter limits.
const MAX_SEARCH_TERMS: usize = 16;

/// What the change list page shows.
#[derive(Debug, Serialize)]
pub(crate) struct ChangeList {
    pub(crate) columns: Vec<ColumnHeader>,
    pub(crate) rows: Vec<RowView>,
    /// Rows matching the search and filters.
    pub(crate) result_count: u64,
    /// Rows in the table, when a search or filter narrowed the list (else the same).
    pub(crate) full_count: u64,
    pub(crate) narrowed: bool,
    pub(crate) page: u64,
    pub(crate) num_pages: u64,
    pub(crate) pages: Vec<PageView>,
    /// The "Show all" link, when the whole list fits the limit and is not shown already.
    pub(crate) show_all_url: Option<String>,
    pub(crate) showing_all: bool,
    pub(crate) search: String,
    pub(crate) has_search: bool,
    /// The query string's other parameters, kept as hidden inputs of the search form.
    pub(crate) kept: Vec<(String, String)>,
    pub(crate) filters: Vec<FilterView>,
    /// The drill-down by date, with `date_hierarchy`.
    pub(crate) date_hierarchy: Option<super::date_hierarchy::DateHierarchy>,
    /// The page's rows as a formset of the editable columns, with `list_editable`.
    pub(crate) editable: Option<crate::forms::BoundFormSet>,
    /// The link that drops every search and filter.
    pub(crate) clear_url: String,
}

/// A column of the change list.
#[derive(Debug, Serialize)]
pub(crate) struct ColumnHeader {
    pub(crate) label: String,
    /// `"ascending"`, `"descending"`, or `""` when the list is not ordered on it.
    pub(crate) sorted: &'static str,
    /// The link that orders on this column first (or flips its direction); empty for a
    /// computed column, which cannot be ordered on.
    pub(crate) sort_url: String,
    /// The field edited in this column's cells (`list_editable`).
    pub(crate) editable: Option<&'static str>,
}

/// A row: its primary key (for the link) and its cells as text.
#[derive(Debug, Serialize)]
pub(crate) struct RowView {
    pub(crate) pk: String,
    pub(crate) cells: Vec<String>,
}

/// A link to a page of the list; `number` is `None` for the `…` of pages left out.
#[derive(Debug, Serialize)]
pub(crate) struct PageView {
    pub(crate) number: Option<u64>,
    pub(crate) url: String,
    pub(crate) current: bool,
}

/// One filter of the side bar, with its choices.
#[derive(Debug, Serialize)]
pub(crate) struct FilterView {
    pub(crate) title: String,
    pub(crate) choices: Vec<FilterChoice>,
}

/// A choice of a filter: its label, the link that selects it, whether it is the one in use.
#[derive(Debug, Serialize)]
pub(crate) struct FilterChoice {
    pub(crate) label: String,
    pub(crate) url: String,
    pub(crate) selected: bool,
}

/// Why there is no change list to show.
#[derive(Debug)]
pub(crate) enum ChangeListError {
    /// `p` is not a page of the list.
    NoSuchPage,
    Db(Error),
}

impl From<Error> for ChangeListError {
    fn from(e: Error) -> Self {
        ChangeListError::Db(e)
    }
}

/// The query string's parameters, in order; repeated keys keep their first value.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn parse(query: &str) -> Params {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            if !pairs.iter().any(|(seen, _)| *seen == k) {
                pairs.push((k.into_owned(), v.into_owned()));
            }
        }
        Params(pairs)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// This query string with `set` replacing (or adding) parameters and `drop` removed, as a
    /// `?...` link; dropping the page too unless it is set, since the rows change.
    pub(crate) fn with(&self, set: &[(&str, &str)], drop: &[&str]) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            let replaced = set.iter().any(|(s, _)| s == k);
            if replaced || drop.contains(&k.as_str()) || k == PAGE {
                continue;
            }
            out.append_pair(k, v);
        }
        for (k, v) in set {
            out.append_pair(k, v);
        }
        let query = out.finish();
        format!("?{query}")
    }
}

/// The filter parameters of one list_filter field: `name__exact`, `name__isnull`, and for
/// dates `name__gte` / `name__lt`.
fn exact_key(path: &str) -> String {
    format!("{path}__exact")
}
fn isnull_key(path: &str) -> String {
    format!("{path}__isnull")
}
fn gte_key(path: &str) -> String {
    format!("{path}__gte")
}
fn lt_key(path: &str) -> String {
    format!("{path}__lt")
}

fn is_date(ty: ColumnType) -> bool {
    matches!(
        ty,
        ColumnType::Date | ColumnType::DateTime | ColumnType::NaiveDateTime
    )
}

/// The conditions the query string's filters ask for, on `list_filter` fields only.
fn filter_conditions<M: Model>(admin: &ModelAdmin<M>, params: &Params) -> Vec<Q<M>> {
    let mut out = Vec::new();
    for path in &admin.list_filter {
        let name = path.name();
        if let Some(v) = params.get(&exact_key(name))
            && let Ok(value) = path.value_from_str(v)
        {
            out.push(path.eq(value));
        }
        if let Some(v) = params.get(&isnull_key(name)) {
            match v {
                "True" | "true" | "1" => out.push(path.is_null(true)),
                "False" | "false" | "0" => out.push(path.is_null(false)),
                _ => {}
            }
        }
        if is_date(path.field().ty) {
            for (key, lower) in [(gte_key(name), true), (lt_key(name), false)] {
                if let Some(v) = params.get(&key)
                    && let Ok(value) = path.value_from_str(v)
                {
                    out.push(if lower {
                        path.gte(value)
                    } else {
                        path.lt(value)
                    });
                }
            }
        }
    }
    out
}

/// Each word must be in one of the search fields (Django's `search_fields`).
pub(crate) fn search_condition<M: Model>(admin: &ModelAdmin<M>, search: &str) -> Option<Q<M>> {
    if admin.search_fields.is_empty() {
        return None;
    }
    search
        .split_whitespace()
        .take(MAX_SEARCH_TERMS)
        .map(|word| {
            admin
                .search_fields
                .iter()
                .map(|f| f.icontains(word))
                .reduce(|a, b| a | b)
                .expect("search_fields is not empty")
        })
        .reduce(|a, b| a & b)
}

/// The order of rows when no column was clicked: the admin's `ordering`, else the model's,
/// then the primary key, newest first, so that rows equal on every other key keep one order
/// across pages.
pub(crate) fn default_order<M: Model>(admin: &ModelAdmin<M>) -> Vec<Order<M>> {
    let fallback: Vec<&str> = if admin.ordering.is_empty() {
        M::META.ordering.to_vec()
    } else {
        admin.ordering.iter().map(String::as_str).collect()
    };
    let mut order: Vec<Order<M>> = fallback
        .iter()
        .filter_map(|o| FieldPath::<M>::order(o).ok())
        .collect();
    order.push(
        FieldPath::<M>::parse(M::META.pk().name)
            .expect("the primary key is a field of its model")
            .desc(),
    );
    order
}

/// The clicked columns, as (list_display index, descending), each at most once.
fn clicked_order(params: &Params, columns: usize) -> Vec<(usize, bool)> {
    let mut out: Vec<(usize, bool)> = Vec::new();
    for part in params.get(ORDER).unwrap_or("").split('.') {
        let (desc, digits) = match part.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, part),
        };
        let Ok(n) = digits.parse::<usize>() else {
            continue;
        };
        if (1..=columns).contains(&n) && !out.iter().any(|(i, _)| *i == n - 1) {
            out.push((n - 1, desc));
        }
    }
    out
}

fn order_param(order: &[(usize, bool)]) -> String {
    order
        .iter()
        .map(|(i, desc)| format!("{}{}", if *desc { "-" } else { "" }, i + 1))
        .collect::<Vec<_>>()
        .join(".")
}

fn column_label(field: &FieldMeta) -> String {
    capfirst(&field.verbose_name())
}

/// Django's `capfirst`.
pub(crate) fn capfirst(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn headers<M: Model>(
    admin: &ModelAdmin<M>,
    params: &Params,
    order: &[(usize, bool)],
) -> Vec<ColumnHeader> {
    admin
        .list_display
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let current = order.iter().position(|(c, _)| *c == i);
            let sorted = match current.map(|at| order[at].1) {
                Some(true) => "descending",
                Some(false) => "ascending",
                None => "",
            };
            // Clicking makes the column the first key; on the first key it flips direction.
            let mut next: Vec<(usize, bool)> = vec![(i, current == Some(0) && !order[0].1)];
            next.extend(order.iter().filter(|(c, _)| *c != i).copied());
            ColumnHeader {
                label: column_label(path.field()),
                sorted,
                sort_url: params.with(&[(ORDER, &order_param(&next))], &[]),
                editable: admin
                    .list_editable
                    .iter()
                    .find(|n| path.depth() == 0 && **n == path.name())
                    .copied(),
            }
        })
        .chain(admin.computed.iter().map(|(label, _)| ColumnHeader {
            label: label.clone(),
            sorted: "",
            sort_url: String::new(),
            editable: None,
        }))
        .collect()
}

/// The most rows a foreign key's filter lists; past it the filter offers none (a select of a
/// big table's every row is what makes Django's admin slow) and the key is given in the query
/// string.
const MAX_RELATED_CHOICES: usize = 200;

async fn filters<M: Model>(
    admin: &ModelAdmin<M>,
    site: &AdminSite,
    db: &Database,
    params: &Params,
) -> Result<Vec<FilterView>, Error> {
    let mut out = Vec::with_capacity(admin.list_filter.len());
    for path in &admin.list_filter {
        let related = match path.field().relation {
            Some(relation) => related_choices((relation.to)(), site, db).await?,
            None => Vec::new(),
        };
        out.push(filter_view(path, params, related));
    }
    Ok(out)
}

/// The rows a foreign key's filter offers, `(key, label)`, labelled by the related model's
/// admin: none when that model is not registered or has more than [`MAX_RELATED_CHOICES`]
/// rows. One query.
async fn related_choices(
    to: &'static crate::model::ModelMeta,
    site: &AdminSite,
    db: &Database,
) -> Result<Vec<(String, String)>, Error> {
    let Some(admin) = site.models.iter().find(|m| m.meta().table == to.table) else {
        return Ok(Vec::new());
    };
    Ok(admin
        .options(db, Some(MAX_RELATED_CHOICES))
        .await?
        .unwrap_or_default())
}

fn filter_view<M: Model>(
    path: &FieldPath<M>,
    params: &Params,
    related: Vec<(String, String)>,
) -> FilterView {
    let name = path.name();
    let field = path.field();
    let (exact, isnull, gte, lt) = (
        exact_key(name),
        isnull_key(name),
        gte_key(name),
        lt_key(name),
    );
    let keys = [exact.as_str(), isnull.as_str(), gte.as_str(), lt.as_str()];
    let mut choices = vec![FilterChoice {
        label: if is_date(field.ty) { "Any date" } else { "All" }.to_owned(),
        url: params.with(&[], &keys),
        selected: keys.iter().all(|k| params.get(k).is_none()),
    }];
    let exact_choice = |label: &str, value: &str| FilterChoice {
        label: label.to_owned(),
        url: params.with(&[(exact.as_str(), value)], &keys),
        selected: params.get(&exact) == Some(value),
    };
    if field.ty == ColumnType::Bool {
        choices.push(exact_choice("Yes", "1"));
        choices.push(exact_choice("No", "0"));
    } else if !field.choices.is_empty() {
        for (value, label) in field.choices {
            choices.push(exact_choice(label, value));
        }
    } else if is_date(field.ty) {
        let today = Utc::now().date_naive();
        let tomorrow = today + Duration::days(1);
        let month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
        let next_month = month
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(tomorrow);
        let year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        let next_year = NaiveDate::from_ymd_opt(today.year() + 1, 1, 1).unwrap_or(tomorrow);
        for (label, from, to) in [
            ("Today", today, tomorrow),
            ("Past 7 days", today - Duration::days(7), tomorrow),
            ("This month", month, next_month),
            ("This year", year, next_year),
        ] {
            let (from, to) = (from.to_string(), to.to_string());
            choices.push(FilterChoice {
                label: label.to_owned(),
                url: params.with(&[(gte.as_str(), &from), (lt.as_str(), &to)], &keys),
                selected: params.get(&gte) == Some(from.as_str())
                    && params.get(&lt) == Some(to.as_str()),
            });
        }
    } else {
        // A foreign key: its rows (none for a big table, whose key is typed in the query
        // string, `?question__exact=3`).
        for (value, label) in &related {
            choices.push(exact_choice(label, value));
        }
    }
    if field.null {
        choices.push(FilterChoice {
            label: if is_date(field.ty) {
                "No date"
            } else {
                "Unknown"
            }
            .to_owned(),
            url: params.with(&[(isnull.as_str(), "True")], &keys),
            selected: params.get(&isnull) == Some("True"),
        });
    }
    FilterView {
        title: field.verbose_name().into_owned(),
        choices,
    }
}

/// Builds the change list of `admin`'s model for the query string `params`.
pub(crate) async fn change_list<M: Model>(
    admin: &ModelAdmin<M>,
    site: &AdminSite,
    db: &Database,
    params: &Params,
) -> Result<ChangeList, ChangeListError> {
    let search = params.get(SEARCH).unwrap_or("").trim().to_owned();
    let mut qs: QuerySet<M> = M::objects();
    let mut narrowed = false;
    for q in filter_conditions(admin, params) {
        qs = qs.filter(q);
        narrowed = true;
    }
    if let Some(q) = search_condition(admin, &search) {
        qs = qs.filter(q);
        narrowed = true;
    }
    if let Some(path) = &admin.date_hierarchy {
        for q in super::date_hierarchy::conditions(path, params) {
            qs = qs.filter(q);
            narrowed = true;
        }
    }
    let date_hierarchy = match &admin.date_hierarchy {
        Some(path) => Some(super::date_hierarchy::view(path, &qs, params, db).await?),
        None => None,
    };

    let result_count = qs.count(db).await?;
    let full_count = if narrowed {
        M::objects().count(db).await?
    } else {
        result_count
    };

    let clicked = clicked_order(params, admin.list_display.len());
    let mut order: Vec<Order<M>> = clicked
        .iter()
        .map(|(i, desc)| {
            let path = &admin.list_display[*i];
            if *desc { path.desc() } else { path.asc() }
        })
        .collect();
    order.extend(default_order(admin));

    let can_show_all = result_count <= admin.list_max_show_all;
    let showing_all = can_show_all && params.get(ALL).is_some();
    let per_page = if showing_all {
        result_count.max(1)
    } else {
        admin.list_per_page
    };
    let paginator = Paginator::new(result_count, per_page);
    let num_pages = paginator.num_pages();
    let page = paginator
        .parse_number(params.get(PAGE))
        .map_err(|_| ChangeListError::NoSuchPage)?;
    let rows_range = paginator
        .rows(page)
        .map_err(|_| ChangeListError::NoSuchPage)?;
    let page_qs = qs.order_by(order).slice(rows_range);
    let related: Vec<FieldPath<M>> = admin
        .list_display
        .iter()
        .filter(|p| p.depth() > 0)
        .cloned()
        .collect();
    let fetched = page_qs.all_with(db, &related).await?;
    let editable = {
        let shown: Vec<&M> = fetched.iter().map(|(row, _)| row).collect();
        admin.editable_shown(db, &shown).await?
    };
    let rows = fetched
        .into_iter()
        .map(|(row, joined)| {
            let own = row.values();
            let mut joined = joined.into_iter();
            let mut cells: Vec<String> = admin
                .list_display
                .iter()
                .map(|path| {
                    let value = if path.depth() > 0 {
                        joined.next().unwrap_or(Value::Null(path.field().ty))
                    } else {
                        M::META
                            .field_index(path.field().name)
                            .and_then(|i| own.get(i).cloned())
                            .unwrap_or(Value::Null(path.field().ty))
                    };
                    cell(path.field(), &value)
                })
                .collect();
            cells.extend(admin.computed.iter().map(|(_, value)| value(&row)));
            RowView {
                pk: cell(M::META.pk(), &row.pk()),
                cells,
            }
        })
        .collect();

    // Django's admin: three pages either side of this one, two at each end.
    let pages = paginator
        .elided_page_range(page, 3, 2)
        .map_err(|_| ChangeListError::NoSuchPage)?
        .into_iter()
        .map(|link| match link {
            PageLink::Number(number) => PageView {
                number: Some(number),
                url: params.with(&[(PAGE, &number.to_string())], &[]),
                current: number == page,
            },
            PageLink::Ellipsis => PageView {
                number: None,
                url: String::new(),
                current: false,
            },
        })
        .collect();
    let kept = params
        .0
        .iter()
        .filter(|(k, _)| k != SEARCH && k != PAGE)
        .cloned()
        .collect();
    Ok(ChangeList {
        columns: headers(admin, params, &clicked),
        rows,
        result_count,
        full_count,
        narrowed,
        page,
        num_pages,
        pages,
        show_all_url: (can_show_all && !showing_all && num_pages > 1)
            .then(|| params.with(&[(ALL, "")], &[])),
        showing_all,
        has_search: !admin.search_fields.is_empty(),
        search,
        kept,
        filters: filters(admin, site, db, params).await?,
        date_hierarchy,
        editable,
        clear_url: "?".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_indexes_out_of_range_or_not_numbers_are_ignored() {
        let p = Params::parse("o=2.-1.9.x.-0.2.;DROP");
        assert_eq!(clicked_order(&p, 3), [(1, false), (0, true)]);
        assert_eq!(order_param(&[(1, false), (0, true)]), "2.-1");
    }

    #[test]
    fn links_keep_the_other_parameters_and_drop_the_page() {
        let p = Params::parse("q=a%26b&p=3&is_open__exact=1");
        assert_eq!(
            p.with(&[(ORDER, "1")], &[]),
            "?q=a%26b&is_open__exact=1&o=1"
        );
        assert_eq!(p.with(&[], &["is_open__exact"]), "?q=a%26b");
        assert_eq!(p.with(&[(PAGE, "2")], &[]), "?q=a%26b&is_open__exact=1&p=2");
    }

    #[test]
    fn repeated_keys_keep_the_first_value() {
        let p = Params::parse("q=one&q=two");
        assert_eq!(p.get(SEARCH), Some("one"));
    }

    #[test]
    fn capfirst_as_django() {
        assert_eq!(capfirst("question text"), "Question text");
        assert_eq!(capfirst(""), "");
        assert_eq!(capfirst("élan"), "Élan");
    }
}
