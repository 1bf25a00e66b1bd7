//! "Who opened my record": the patient's log, newest first, with filters (a plain GET
//! form: the address can be bookmarked), charts, downloads and a link to alerts.

use std::fmt::Write as _;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use super::charts::{DepartmentChart, MonthChart};
use super::entry::AccessEntry;
use super::{access_texts, department_name, Refusal};
use crate::access_log::api::{access_departments, access_log};
use crate::access_log::texts::{category_label, feed_notice};
use crate::access_log::types::{
    AccessFilter, AccessLogView, AccessPageView, AccessSummaryView, Category, DepartmentView,
    FeedNoticeView,
};
use crate::error::AppError;
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::locale::locale;

/// Where the page lives; the filter form and paging links point here.
pub const LOG_PATH: &str = "/access-log";

/// The filter as the address gives it. Empty fields mean "any".
fn filter_from_query(query: &ParamsMap) -> AccessFilter {
    let text = |key: &str| query.get(key).filter(|value| !value.trim().is_empty());
    AccessFilter {
        from: text("from"),
        to: text("to"),
        category: text("category"),
        department: text("department").and_then(|id| id.parse().ok()),
        unusual_only: query
            .get("unusual")
            .is_some_and(|value| matches!(value.as_str(), "1" | "on" | "true")),
    }
}

/// Query-string escaping of one value (the fields are codes, dates and numbers, but the
/// address bar can hold anything).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The address of the log with `filter`, starting after `after` when given.
fn log_address(filter: &AccessFilter, after: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(from) = &filter.from {
        pairs.push(("from", from.clone()));
    }
    if let Some(to) = &filter.to {
        pairs.push(("to", to.clone()));
    }
    if let Some(category) = &filter.category {
        pairs.push(("category", category.clone()));
    }
    if let Some(department) = filter.department {
        pairs.push(("department", department.to_string()));
    }
    if filter.unusual_only {
        pairs.push(("unusual", "1".into()));
    }
    if let Some(after) = after {
        pairs.push(("after", after.to_owned()));
    }
    if pairs.is_empty() {
        return LOG_PATH.to_owned();
    }
    let query: Vec<String> = pairs
        .into_iter()
        .map(|(key, value)| format!("{key}={}", escape(&value)))
        .collect();
    format!("{LOG_PATH}?{}", query.join("&"))
}

#[component]
pub fn AccessLogPage() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let filter = filter_from_query(&query);
    let after = query.get("after");
    // The entry to show opened (the one just asked about).
    let open = query.get("open").and_then(|id| id.parse::<i64>().ok());
    guarded(Some(Role::Patient), move |_who| async move {
        match access_log(filter.clone(), after.clone()).await {
            Ok(AccessLogView {
                page,
                summary,
                departments,
                feeds,
            }) => log_page(
                &filter,
                (after.as_deref(), open),
                Ok(page),
                Some(summary),
                departments,
                feeds,
            ),
            // A refused filter is said where the entries would be; the form keeps it.
            Err(refusal) => {
                let departments = access_departments().await.unwrap_or_default();
                log_page(
                    &filter,
                    (after.as_deref(), open),
                    Err(refusal),
                    None,
                    departments,
                    Vec::new(),
                )
            }
        }
    })
}

/// `at`: the cursor the page starts after, and the entry to show opened.
fn log_page(
    filter: &AccessFilter,
    (after, open): (Option<&str>, Option<i64>),
    page: Result<AccessPageView, AppError>,
    summary: Option<AccessSummaryView>,
    departments: Vec<DepartmentView>,
    feeds: Vec<FeedNoticeView>,
) -> AnyView {
    let t = access_texts();
    view! {
        <Title text=t.title />
        <section class="page access-log" aria-labelledby="page-title">
            <h1 id="page-title">{t.title}</h1>
            <p>{t.lead}</p>
            {feed_notices(feeds, false)}
            <p>
                <a href="/access-log/settings">{t.settings_link}</a>
            </p>
            {filter_form(filter, departments)}
            {entries(page, filter, after, open)}
            {summary.map(charts)}
            <section class="downloads" aria-labelledby="downloads-heading">
                <h2 id="downloads-heading">{t.download_heading}</h2>
                <ul class="links">
                    <li>
                        <a href="/access-log/download.csv" download>{t.download_csv}</a>
                    </li>
                    <li>
                        <a href="/access-log/download.json" download>{t.download_fhir}</a>
                    </li>
                </ul>
                <p class="muted">{t.download_note}</p>
            </section>
        </section>
    }
    .into_any()
}

/// Source systems not reporting as usual (nothing when all are).
pub(super) fn feed_notices(feeds: Vec<FeedNoticeView>, staff: bool) -> Option<impl IntoView> {
    if feeds.is_empty() {
        return None;
    }
    let locale = locale();
    let t = access_texts();
    let heading = if staff {
        t.feeds_staff_heading
    } else {
        t.feeds_heading
    };
    let items = feeds
        .iter()
        .map(|notice| view! { <li>{feed_notice(locale, notice, staff)}</li> })
        .collect_view();
    Some(view! {
        <section class="notice notice--info feed-notices" aria-labelledby="feeds-heading">
            <h2 id="feeds-heading">{heading}</h2>
            <ul>{items}</ul>
        </section>
    })
}

/// The filters: a GET form whose fields show the current address, so nothing typed is
/// lost when the server refuses a value.
fn filter_form(current: &AccessFilter, departments: Vec<DepartmentView>) -> impl IntoView {
    let locale = locale();
    let t = access_texts();
    let category = current.category.clone().unwrap_or_default();
    let department = current.department;
    let categories = Category::ALL
        .iter()
        .map(|option| {
            view! {
                <option value=option.code() selected=category == option.code()>
                    {category_label(locale, *option)}
                </option>
            }
        })
        .collect_view();
    let departments = departments
        .into_iter()
        .map(|option| {
            let selected = department == Some(option.id);
            view! {
                <option value=option.id.to_string() selected=selected>
                    {department_name(locale, &option).to_owned()}
                </option>
            }
        })
        .collect_view();
    view! {
        <form class="filters" method="get" action=LOG_PATH aria-labelledby="filter-heading">
            <h2 id="filter-heading">{t.filter_heading}</h2>
            <div class="filters__fields">
                <label class="field">
                    <span class="field__label">{t.filter_from}</span>
                    <input
                        class="field__input"
                        type="date"
                        name="from"
                        value=current.from.clone().unwrap_or_default()
                    />
                </label>
                <label class="field">
                    <span class="field__label">{t.filter_to}</span>
                    <input
                        class="field__input"
                        type="date"
                        name="to"
                        value=current.to.clone().unwrap_or_default()
                    />
                </label>
                <label class="field">
                    <span class="field__label">{t.filter_category}</span>
                    <select class="field__input" name="category">
                        <option value="" selected=category.is_empty()>{t.filter_any}</option>
                        {categories}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">{t.filter_department}</span>
                    <select class="field__input" name="department">
                        <option value="" selected=department.is_none()>{t.filter_any}</option>
                        {departments}
                    </select>
                </label>
            </div>
            <label class="check">
                <input type="checkbox" name="unusual" value="1" checked=current.unusual_only />
                <span>{t.filter_unusual_only}</span>
            </label>
            <button type="submit" class="button button--primary">{t.filter_apply}</button>
        </form>
    }
}

/// The entries of one page, with the paging links, or why there are none.
fn entries(
    page: Result<AccessPageView, AppError>,
    filter: &AccessFilter,
    after: Option<&str>,
    open: Option<i64>,
) -> AnyView {
    let t = access_texts();
    let page = match page {
        Ok(page) => page,
        Err(error) => return view! { <Refusal error /> }.into_any(),
    };
    let older = page
        .next
        .as_deref()
        .map(|next| view! { <a href=log_address(filter, Some(next)) rel="next">{t.older}</a> });
    let newest = after.map(|_| view! { <a href=log_address(filter, None)>{t.newest}</a> });
    let empty = page
        .entries
        .is_empty()
        .then(|| view! { <p class="muted">{t.empty}</p> });
    let items = page
        .entries
        .into_iter()
        .map(|entry| {
            let opened = open == Some(entry.id);
            view! { <AccessEntry entry ask=true opened /> }
        })
        .collect_view();
    view! {
        <h2 class="visually-hidden">{t.title}</h2>
        {empty}
        <ol class="access-entries">{items}</ol>
        <nav class="pager" aria-label=t.pages>
            {newest}
            {older}
        </nav>
    }
    .into_any()
}

/// The counts and the two charts.
fn charts(summary: AccessSummaryView) -> impl IntoView {
    let t = access_texts();
    view! {
        <section class="charts" aria-labelledby="charts-heading">
            <h2 id="charts-heading">{t.chart_heading}</h2>
            <p>
                <strong>{summary.total}</strong> " " {t.chart_total} " "
                <strong>{summary.unusual}</strong>
            </p>
            <MonthChart months=summary.by_month />
            <DepartmentChart departments=summary.by_department />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_carry_the_filter_and_the_cursor() {
        let filter = AccessFilter {
            from: Some("2026-10-01".into()),
            to: None,
            category: Some("lab".into()),
            department: Some(7),
            unusual_only: true,
        };
        assert_eq!(
            log_address(&filter, Some("1700000000000.42")),
            "/access-log?from=2026-10-01&category=lab&department=7&unusual=1&after=1700000000000.42"
        );
        assert_eq!(log_address(&AccessFilter::default(), None), "/access-log");
        assert_eq!(escape("a b&c=é"), "a%20b%26c%3D%C3%A9");
    }
}
