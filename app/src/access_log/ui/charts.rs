//! Charts of the patient's log, drawn as SVG on the server (no script needed). Each chart
//! is hidden from screen readers, which read the same numbers from a table instead.

use leptos::prelude::*;

use super::{access_texts, department_name};
use crate::access_log::types::DepartmentView;
use crate::ui::chart::{number, share};
use crate::ui::locale::locale;

const WIDTH: f64 = 320.0;
const MONTH_HEIGHT: f64 = 160.0;
const MONTH_TOP: f64 = 16.0;
const MONTH_BOTTOM: f64 = 22.0;
/// Month labels shown under the bars at most (more would overlap on a phone).
const MONTH_LABELS: usize = 6;
const ROW_HEIGHT: f64 = 38.0;
/// Departments drawn at most; the table lists all.
const DEPARTMENT_ROWS: usize = 10;

/// Accesses per month, oldest first, as columns.
#[component]
pub fn MonthChart(months: Vec<(String, u64)>) -> impl IntoView {
    let t = access_texts();
    if months.is_empty() {
        return ().into_any();
    }
    let max = months.iter().map(|(_, count)| *count).max().unwrap_or(1);
    #[allow(clippy::cast_precision_loss)] // A handful of months.
    let slot = WIDTH / months.len() as f64;
    let every = months.len().div_ceil(MONTH_LABELS);
    let few = months.len() <= 12;
    let plot = MONTH_HEIGHT - MONTH_TOP - MONTH_BOTTOM;
    let columns = months
        .iter()
        .enumerate()
        .map(|(index, (month, count))| {
            #[allow(clippy::cast_precision_loss)]
            let x = index as f64 * slot + slot * 0.15;
            let width = slot * 0.7;
            let height = plot * share(*count, max);
            let y = MONTH_HEIGHT - MONTH_BOTTOM - height;
            let middle = number(x + width / 2.0);
            view! {
                <rect class="chart__bar" x=number(x) y=number(y) width=number(width) height=number(height) />
                {few
                    .then(|| {
                        view! {
                            <text class="chart__value" x=middle.clone() y=number(y - 3.0) text-anchor="middle">
                                {*count}
                            </text>
                        }
                    })}
                {(index % every == 0)
                    .then(|| {
                        view! {
                            <text class="chart__label" x=middle.clone() y=number(MONTH_HEIGHT - 6.0) text-anchor="middle">
                                {month.clone()}
                            </text>
                        }
                    })}
            }
        })
        .collect_view();
    let rows = months
        .into_iter()
        .map(|(month, count)| view! { <tr><th scope="row">{month}</th><td>{count}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{t.chart_by_month}</figcaption>
            <svg
                class="chart__svg"
                viewBox=format!("0 0 {WIDTH} {MONTH_HEIGHT}")
                aria-hidden="true"
                focusable="false"
            >
                <line class="chart__axis" x1="0" x2=number(WIDTH) y1=number(MONTH_HEIGHT - MONTH_BOTTOM) y2=number(MONTH_HEIGHT - MONTH_BOTTOM) />
                {columns}
            </svg>
            <table class="visually-hidden">
                <caption>{t.chart_by_month}</caption>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
    .into_any()
}

/// Accesses per department, largest first, as bars with the name above each.
#[component]
pub fn DepartmentChart(departments: Vec<(Option<DepartmentView>, u64)>) -> impl IntoView {
    let locale = locale();
    let t = access_texts();
    if departments.is_empty() {
        return ().into_any();
    }
    let max = departments
        .iter()
        .map(|(_, count)| *count)
        .max()
        .unwrap_or(1);
    let shown = departments.len().min(DEPARTMENT_ROWS);
    #[allow(clippy::cast_precision_loss)]
    let height = ROW_HEIGHT * shown as f64;
    let name = move |department: &Option<DepartmentView>| {
        department.as_ref().map_or_else(
            || t.unknown_department.to_owned(),
            |d| department_name(locale, d).to_owned(),
        )
    };
    let bars = departments
        .iter()
        .take(shown)
        .enumerate()
        .map(|(index, (department, count))| {
            #[allow(clippy::cast_precision_loss)]
            let top = index as f64 * ROW_HEIGHT;
            let width = (WIDTH - 48.0) * share(*count, max);
            view! {
                <text class="chart__label" x="0" y=number(top + 13.0)>
                    {name(department)}
                </text>
                <rect class="chart__bar" x="0" y=number(top + 18.0) width=number(width.max(1.0)) height="12" />
                <text class="chart__value" x=number(width + 4.0) y=number(top + 28.0)>
                    {*count}
                </text>
            }
        })
        .collect_view();
    let rows = departments
        .into_iter()
        .map(|(department, count)| {
            view! {
                <tr>
                    <th scope="row">{name(&department)}</th>
                    <td>{count}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{t.chart_by_department}</figcaption>
            <svg
                class="chart__svg"
                viewBox=format!("0 0 {WIDTH} {height}")
                aria-hidden="true"
                focusable="false"
            >
                {bars}
            </svg>
            <table class="visually-hidden">
                <caption>{t.chart_by_department}</caption>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
    .into_any()
}
