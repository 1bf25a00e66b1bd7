//! `/staff/complaints/insights`: what the last twelve months of complaints teach — filed
//! and closed per month, by kind, department, root cause and link in the chain, time to
//! close, deadlines missed, the improvement actions still open — as charts drawn on the
//! server, each with its table for screen readers, and as CSV. Counts only: no patient is
//! named here.

use leptos::prelude::*;
use leptos_meta::Title;

use super::case::action_item;
use super::complaint_texts;
use crate::complaints::api::complaint_insights;
use crate::complaints::texts::ComplaintTexts;
use crate::complaints::types::{InsightsView, SeriesView};
use crate::i18n::Locale;
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::chart::{number, share};
use crate::ui::error_notice::ErrorNotice;
use crate::ui::form::{query_value, Done};
use crate::ui::locale::locale;

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 170.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 22.0;
/// Month labels under the columns at most (more would overlap on a phone).
const LABELS: usize = 4;
/// Room either side for the first and last month's label.
const MARGIN: f64 = 14.0;
/// Series colours (`chart__seg--s0` …), repeated past the last.
const COLOURS: usize = 8;

#[component]
pub fn InsightsPage() -> impl IntoView {
    guarded(Some(Role::PrivacyOfficer), |_who| async move {
        let t = complaint_texts();
        let body = match complaint_insights().await {
            Ok(view) => insights_body(view, t).into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        };
        view! {
            <Title text=t.insights_title />
            <section class="page" aria-labelledby="page-title">
                <h1 id="page-title">{t.insights_title}</h1>
                <p>{t.insights_lead}</p>
                <p>
                    <a href="/staff/complaints">{t.queue_title}</a>
                    " · "
                    <a href="/staff/complaints/insights.csv" download>{t.csv_link}</a>
                </p>
                {body}
            </section>
        }
        .into_any()
    })
}

fn label(locale: Locale, series: &SeriesView) -> String {
    match locale {
        Locale::ZhHans => series.label_zh_hans.clone(),
        Locale::En => series.label_en.clone(),
    }
}

fn insights_body(view: InsightsView, t: &'static ComplaintTexts) -> impl IntoView {
    let locale = locale();
    let done = (query_value("done").as_deref() == Some("action_done"))
        .then(|| view! { <Done text=t.done_action_done /> });
    let days =
        |value: Option<u64>| value.map_or_else(|| "—".to_owned(), |d| format!("{d} {}", t.days));
    let overview = vec![
        SeriesView {
            code: "filed".into(),
            label_zh_hans: t.filed_series.into(),
            label_en: t.filed_series.into(),
            counts: view.filed.clone(),
        },
        SeriesView {
            code: "closed".into(),
            label_zh_hans: t.closed_series.into(),
            label_en: t.closed_series.into(),
            counts: view.closed.clone(),
        },
    ];
    let missed = view
        .missed
        .iter()
        .map(|m| {
            view! {
                <tr>
                    <th scope="row">{t.stage_name(&m.stage)}</th>
                    <td>{m.missed}</td>
                    <td>{m.of}</td>
                </tr>
            }
        })
        .collect_view();
    let actions = if view.open_actions.is_empty() {
        view! { <p class="muted">{t.actions_empty}</p> }.into_any()
    } else {
        let items = view
            .open_actions
            .iter()
            .cloned()
            .map(|a| action_item(a, true, Some("insights"), t))
            .collect_view();
        view! { <ul class="cards">{items}</ul> }.into_any()
    };
    view! {
        {done}
        <dl class="facts">
            <dt>{t.closed_count}</dt>
            <dd>{view.closed_count}</dd>
            <dt>{t.median_close}</dt>
            <dd>{days(view.median_days)}</dd>
            <dt>{t.p90_close}</dt>
            <dd>{days(view.p90_days)}</dd>
        </dl>
        {chart("overview", t.overview_heading, &view.months, &overview, false, t, locale)}
        {chart("by-kind", t.by_kind_heading, &view.months, &view.by_kind, true, t, locale)}
        {chart("by-department", t.by_department_heading, &view.months, &view.by_department, true, t, locale)}
        {chart("by-cause", t.by_cause_heading, &view.months, &view.by_cause, true, t, locale)}
        {chart("by-link", t.by_link_heading, &view.months, &view.by_link, true, t, locale)}
        <section class="card" aria-labelledby="missed-heading">
            <h2 id="missed-heading">{t.missed_heading}</h2>
            <div class="table-scroll" role="region" tabindex="0" aria-labelledby="missed-heading">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t.stage_column}</th>
                            <th scope="col">{t.missed_column}</th>
                            <th scope="col">{t.of_column}</th>
                        </tr>
                    </thead>
                    <tbody>{missed}</tbody>
                </table>
            </div>
        </section>
        <section id="actions" aria-labelledby="open-actions-heading">
            <h2 id="open-actions-heading">{t.open_actions_heading}</h2>
            {actions}
        </section>
    }
}

/// A chart of counts per month, one colour per series (stacked, or side by side), with
/// its legend and, for screen readers and for reading exact figures, its table.
fn chart(
    id: &'static str,
    heading: &'static str,
    months: &[String],
    series: &[SeriesView],
    stacked: bool,
    t: &'static ComplaintTexts,
    locale: Locale,
) -> AnyView {
    let heading_id = format!("{id}-heading");
    if series.iter().all(|s| s.counts.iter().all(|c| *c == 0)) {
        let labelled_by = heading_id.clone();
        return view! {
            <section class="card" aria-labelledby=labelled_by>
                <h2 id=heading_id>{heading}</h2>
                <p class="muted">{t.no_cases}</p>
            </section>
        }
        .into_any();
    }
    let legend = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            view! {
                <li>
                    <svg class="legend__swatch" viewBox="0 0 10 10" aria-hidden="true">
                        <rect class=colour(i) width="10" height="10" />
                    </svg>
                    {label(locale, s)}
                </li>
            }
        })
        .collect_view();
    let header = series
        .iter()
        .map(|s| view! { <th scope="col">{label(locale, s)}</th> })
        .collect_view();
    let rows = months
        .iter()
        .enumerate()
        .map(|(m, month)| {
            let cells = series
                .iter()
                .map(|s| view! { <td>{s.counts.get(m).copied().unwrap_or(0)}</td> })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{month.clone()}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let (section_label, table_label) = (heading_id.clone(), heading_id.clone());
    view! {
        <section class="card" aria-labelledby=section_label>
            <h2 id=heading_id>{heading}</h2>
            <figure class="chart">
                {columns(months, series, stacked)}
                <ul class="legend">{legend}</ul>
            </figure>
            <div class="table-scroll" role="region" tabindex="0" aria-labelledby=table_label>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t.month_column}</th>
                            {header}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

fn colour(index: usize) -> String {
    format!("chart__seg chart__seg--s{}", index % COLOURS)
}

/// The columns; hidden from screen readers (the table says it).
fn columns(months: &[String], series: &[SeriesView], stacked: bool) -> impl IntoView {
    let total = |m: usize| -> u64 {
        series
            .iter()
            .map(|s| s.counts.get(m).copied().unwrap_or(0))
            .sum()
    };
    let max = (0..months.len())
        .map(|m| {
            if stacked {
                total(m)
            } else {
                series
                    .iter()
                    .map(|s| s.counts.get(m).copied().unwrap_or(0))
                    .max()
                    .unwrap_or(0)
            }
        })
        .max()
        .unwrap_or(0)
        .max(1);
    #[allow(clippy::cast_precision_loss)] // Twelve months, a few series: far below 2^52.
    let (slot, lanes) = (
        WIDTH / months.len().max(1) as f64,
        if stacked {
            1.0
        } else {
            series.len().max(1) as f64
        },
    );
    let every = months.len().div_ceil(LABELS).max(1);
    let plot = HEIGHT - TOP - BOTTOM;
    let bars = months
        .iter()
        .enumerate()
        .map(|(m, month)| {
            #[allow(clippy::cast_precision_loss)]
            let left = m as f64 * slot + slot * 0.15;
            let width = slot * 0.7 / lanes;
            let mut bottom = HEIGHT - BOTTOM;
            let segments = series
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let count = s.counts.get(m).copied().unwrap_or(0);
                    let height = plot * share(count, max);
                    #[allow(clippy::cast_precision_loss)]
                    let (x, y) = if stacked {
                        bottom -= height;
                        (left, bottom)
                    } else {
                        (left + width * i as f64, HEIGHT - BOTTOM - height)
                    };
                    (count > 0).then(|| {
                        view! {
                            <rect class=colour(i) x=number(x) y=number(y) width=number(width) height=number(height) />
                        }
                    })
                })
                .collect_view();
            let label = (m % every == 0).then(|| {
                view! {
                    <text class="chart__label" x=number(left + slot * 0.35) y=number(HEIGHT - 6.0) text-anchor="middle">
                        {month.clone()}
                    </text>
                }
            });
            view! { {segments} {label} }
        })
        .collect_view();
    view! {
        <svg class="chart__svg" viewBox=format!("{} 0 {} {HEIGHT}", -MARGIN, WIDTH + 2.0 * MARGIN) aria-hidden="true" focusable="false">
            <line class="chart__axis" x1="0" x2=number(WIDTH) y1=number(HEIGHT - BOTTOM) y2=number(HEIGHT - BOTTOM) />
            {bars}
        </svg>
    }
}
