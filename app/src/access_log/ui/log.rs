//! "Who opened my record": the patient's log, newest first, with filters (a plain GET
//! form, so it works before the page is interactive and the address can be bookmarked),
//! charts, downloads and a link to alerts.

use std::fmt::Write as _;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use super::charts::{DepartmentChart, MonthChart};
use super::entry::{AccessEntry, AskContext};
use super::{department_name, reload_key, use_access_texts, Refusal};
use crate::access_log::api::{access_departments, access_page, access_summary};
use crate::access_log::texts::category_label;
use crate::access_log::types::{
    AccessFilter, AccessPageView, AccessSummaryView, Category, DepartmentView,
};
use crate::error::AppError;
use crate::i18n::ui::use_i18n;
use crate::identity::types::{Role, SessionView};
use crate::identity::ui::guard::Guarded;

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

/// The page's data, created outside the guard's closure so server and browser create
/// them in the same order.
#[derive(Clone, Copy)]
struct LogState {
    filter: Memo<AccessFilter>,
    after: Memo<Option<String>>,
    ask: AskContext,
    page: Resource<Result<AccessPageView, AppError>>,
    summary: Resource<Result<AccessSummaryView, AppError>>,
    departments: Resource<Result<Vec<DepartmentView>, AppError>>,
}

#[component]
pub fn AccessLogPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(filter_from_query));
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let ask = AskContext::new();
    // A question changes its entry.
    let asked = reload_key(move || matches!(ask.action.value().get(), Some(Ok(()))));
    let state = LogState {
        filter,
        after,
        ask,
        page: Resource::new(
            move || (filter.get(), after.get(), asked.get()),
            |(filter, after, _)| access_page(filter, after),
        ),
        summary: Resource::new(move || filter.get(), access_summary),
        departments: Resource::new(|| (), |()| access_departments()),
    };
    view! {
        <Guarded
            role=Some(Role::Patient)
            render=move |_who: SessionView| view! { <AccessLog state /> }
        />
    }
}

#[component]
fn AccessLog(state: LogState) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_access_texts();
    view! {
        <Title text=move || t().title />
        <section class="page access-log" aria-labelledby="page-title">
            <h1 id="page-title">{move || t().title}</h1>
            <p>{move || t().lead}</p>
            <p>
                <a href="/access-log/settings">{move || t().settings_link}</a>
            </p>
            <Transition fallback=|| ()>
                {move || {
                    state
                        .departments
                        .get()
                        .map(|departments| {
                            view! {
                                <FilterForm
                                    filter=state.filter
                                    departments=departments.unwrap_or_default()
                                />
                            }
                        })
                }}
            </Transition>
            <Transition fallback=move || view! { <p class="muted">{move || i18n.t().loading}</p> }>
                {move || state.page.get().map(|page| view! { <Entries page state /> })}
            </Transition>
            <Transition fallback=|| ()>
                {move || {
                    state
                        .summary
                        .get()
                        .and_then(Result::ok)
                        .map(|summary| view! { <Charts summary /> })
                }}
            </Transition>
            <section class="downloads" aria-labelledby="downloads-heading">
                <h2 id="downloads-heading">{move || t().download_heading}</h2>
                <ul class="links">
                    <li>
                        <a href="/access-log/download.csv" download>{move || t().download_csv}</a>
                    </li>
                    <li>
                        <a href="/access-log/download.json" download>{move || t().download_fhir}</a>
                    </li>
                </ul>
                <p class="muted">{move || t().download_note}</p>
            </section>
        </section>
    }
}

/// The filters: a GET form whose fields show the current address, so nothing typed is
/// lost when the server refuses a value.
#[component]
fn FilterForm(filter: Memo<AccessFilter>, departments: Vec<DepartmentView>) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_access_texts();
    let current = filter.get_untracked();
    let category = current.category.clone().unwrap_or_default();
    let department = current.department;
    view! {
        <form class="filters" method="get" action=LOG_PATH aria-labelledby="filter-heading">
            <h2 id="filter-heading">{move || t().filter_heading}</h2>
            <div class="filters__fields">
                <label class="field">
                    <span class="field__label">{move || t().filter_from}</span>
                    <input
                        class="field__input"
                        type="date"
                        name="from"
                        value=current.from.clone().unwrap_or_default()
                    />
                </label>
                <label class="field">
                    <span class="field__label">{move || t().filter_to}</span>
                    <input
                        class="field__input"
                        type="date"
                        name="to"
                        value=current.to.clone().unwrap_or_default()
                    />
                </label>
                <label class="field">
                    <span class="field__label">{move || t().filter_category}</span>
                    <select class="field__input" name="category">
                        <option value="" selected=category.is_empty()>{move || t().filter_any}</option>
                        {Category::ALL
                            .iter()
                            .map(|option| {
                                let option = *option;
                                view! {
                                    <option value=option.code() selected=category == option.code()>
                                        {move || category_label(i18n.locale(), option)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">{move || t().filter_department}</span>
                    <select class="field__input" name="department">
                        <option value="" selected=department.is_none()>{move || t().filter_any}</option>
                        {departments
                            .into_iter()
                            .map(|option| {
                                let selected = department == Some(option.id);
                                let id = option.id.to_string();
                                view! {
                                    <option value=id selected=selected>
                                        {move || department_name(i18n.locale(), &option).to_owned()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
            <label class="check">
                <input type="checkbox" name="unusual" value="1" checked=current.unusual_only />
                <span>{move || t().filter_unusual_only}</span>
            </label>
            <button type="submit" class="button button--primary">{move || t().filter_apply}</button>
        </form>
    }
}

/// The entries of one page, with the paging links, or why there are none.
#[component]
fn Entries(page: Result<AccessPageView, AppError>, state: LogState) -> impl IntoView {
    let t = use_access_texts();
    let page = match page {
        Ok(page) => page,
        Err(error) => return view! { <Refusal error /> }.into_any(),
    };
    let filter = state.filter.get_untracked();
    let older = page
        .next
        .as_deref()
        .map(|next| log_address(&filter, Some(next)));
    let newest = state
        .after
        .get_untracked()
        .map(|_| log_address(&filter, None));
    let empty = page.entries.is_empty();
    view! {
        <h2 class="visually-hidden">{move || t().title}</h2>
        {empty.then(|| view! { <p class="muted">{move || t().empty}</p> })}
        <ol class="access-entries">
            {page
                .entries
                .into_iter()
                .map(|entry| view! { <AccessEntry entry ask=state.ask /> })
                .collect_view()}
        </ol>
        <nav class="pager" aria-label=move || t().older>
            {newest.map(|href| view! { <a href=href>{move || t().newest}</a> })}
            {older.map(|href| view! { <a href=href rel="next">{move || t().older}</a> })}
        </nav>
    }
    .into_any()
}

/// The counts and the two charts.
#[component]
fn Charts(summary: AccessSummaryView) -> impl IntoView {
    let t = use_access_texts();
    let total = summary.total;
    let unusual = summary.unusual;
    view! {
        <section class="charts" aria-labelledby="charts-heading">
            <h2 id="charts-heading">{move || t().chart_heading}</h2>
            <p>
                <strong>{total}</strong> " " {move || t().chart_total} " " <strong>{unusual}</strong>
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
