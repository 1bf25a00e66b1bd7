//! `/staff/consent`: the privacy officer's counts per purpose and state, month by month.
//! Only numbers: no page here names a patient, so reading it reveals no one's choice.

use leptos::prelude::*;
use leptos_meta::Title;

use super::consent_texts;
use crate::consent::api::consent_stats;
use crate::consent::texts::{purpose_name, state_label, state_short};
use crate::consent::types::{ConsentState, PurposeStatsView};
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::chart::{number, share};
use crate::ui::error_notice::ErrorNotice;
use crate::ui::locale::locale;

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 170.0;
const TOP: f64 = 8.0;
const BOTTOM: f64 = 22.0;
/// Month labels under the columns at most (more would overlap on a phone).
const LABELS: usize = 6;
/// Room either side for the first and last month's label, centred under its column.
const MARGIN: f64 = 12.0;

fn state_class(state: ConsentState) -> &'static str {
    match state {
        ConsentState::Granted => "chart__seg chart__seg--granted",
        ConsentState::AwaitingConfirmation => "chart__seg chart__seg--awaiting",
        ConsentState::Suspended => "chart__seg chart__seg--suspended",
        ConsentState::Expired => "chart__seg chart__seg--expired",
        ConsentState::Revoked | ConsentState::NotGranted => "chart__seg chart__seg--revoked",
    }
}

#[component]
pub fn ConsentStatsPage() -> impl IntoView {
    guarded(Some(Role::PrivacyOfficer), |_who| async move {
        let t = consent_texts();
        let body = match consent_stats().await {
            Ok(purposes) => purposes
                .into_iter()
                .map(purpose_stats)
                .collect_view()
                .into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        };
        view! {
            <Title text=t.stats_title />
            <section class="page" aria-labelledby="page-title">
                <h1 id="page-title">{t.stats_title}</h1>
                <p>{t.stats_lead}</p>
                {body}
            </section>
        }
        .into_any()
    })
}

fn purpose_stats(purpose: PurposeStatsView) -> impl IntoView {
    let locale = locale();
    let t = consent_texts();
    let heading_id = format!("stats-{}", purpose.purpose.code);
    let name = purpose_name(locale, &purpose.purpose).to_owned();
    let recent = t
        .stats_recent
        .replace("{g}", &purpose.recent_grants.to_string())
        .replace("{r}", &purpose.recent_revocations.to_string());
    let version = purpose.current_version;
    let states: Vec<ConsentState> = purpose
        .months
        .first()
        .map(|m| m.counts.iter().map(|(s, _)| *s).collect())
        .unwrap_or_default();
    let legend = states
        .iter()
        .map(|state| {
            view! {
                <li>
                    <svg class="legend__swatch" viewBox="0 0 10 10" aria-hidden="true">
                        <rect class=state_class(*state) width="10" height="10" />
                    </svg>
                    {state_label(locale, *state)}
                </li>
            }
        })
        .collect_view();
    let header = states
        .iter()
        .map(|state| view! { <th scope="col">{state_short(locale, *state)}</th> })
        .collect_view();
    let rows = purpose
        .months
        .iter()
        .map(|month| {
            let cells = month
                .counts
                .iter()
                .map(|(_, count)| view! { <td>{*count}</td> })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{month.month.clone()}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card consent-stats" aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{name}</h2>
            <p class="muted">{t.stats_version} ": " {version} " · " {recent}</p>
            <figure class="chart">
                <figcaption>{t.stats_chart_label}</figcaption>
                {stacked_columns(&purpose)}
                <ul class="legend">{legend}</ul>
            </figure>
            <div class="table-scroll" role="region" tabindex="0" aria-label=t.stats_chart_label>
                <table class="table">
                    <caption class="visually-hidden">{t.stats_chart_label}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t.stats_month}</th>
                            {header}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// Columns per month, stacked by state; hidden from screen readers (the table says it).
fn stacked_columns(purpose: &PurposeStatsView) -> impl IntoView {
    let totals: Vec<u64> = purpose
        .months
        .iter()
        .map(|m| m.counts.iter().map(|(_, c)| c).sum())
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    #[allow(clippy::cast_precision_loss)] // At most twelve months; counts far below 2^52.
    let slot = WIDTH / purpose.months.len().max(1) as f64;
    let every = purpose.months.len().div_ceil(LABELS).max(1);
    let plot = HEIGHT - TOP - BOTTOM;
    let columns = purpose
        .months
        .iter()
        .enumerate()
        .map(|(index, month)| {
            #[allow(clippy::cast_precision_loss)]
            let x = index as f64 * slot + slot * 0.15;
            let width = slot * 0.7;
            let mut bottom = HEIGHT - BOTTOM;
            let segments = month
                .counts
                .iter()
                .filter(|(_, count)| *count > 0)
                .map(|(state, count)| {
                    let height = plot * share(*count, max);
                    bottom -= height;
                    view! {
                        <rect class=state_class(*state) x=number(x) y=number(bottom) width=number(width) height=number(height) />
                    }
                })
                .collect_view();
            let label = (index % every == 0).then(|| {
                view! {
                    <text class="chart__label" x=number(x + width / 2.0) y=number(HEIGHT - 6.0) text-anchor="middle">
                        {month.month.clone()}
                    </text>
                }
            });
            view! { {segments} {label} }
        })
        .collect_view();
    view! {
        <svg class="chart__svg" viewBox=format!("{} 0 {} {HEIGHT}", -MARGIN, WIDTH + 2.0 * MARGIN) aria-hidden="true" focusable="false">
            <line class="chart__axis" x1="0" x2=number(WIDTH) y1=number(HEIGHT - BOTTOM) y2=number(HEIGHT - BOTTOM) />
            {columns}
        </svg>
    }
}
