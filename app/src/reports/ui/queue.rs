//! `/staff/reports`: the privacy officers' queue of anonymous reports, overdue first, then
//! by due date; `?closed=1` lists the closed ones awaiting destruction and what the
//! retention job destroyed.

use leptos::prelude::*;
use leptos_meta::Title;

use super::report_texts;
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::reports::api::{report_destructions, report_queue};
use crate::reports::texts::{kind_label, state_label, ReportTexts};
use crate::reports::types::{DestructionView, QueueRow};
use crate::ui::error_notice::PageError;
use crate::ui::form::query_value;
use crate::ui::locale::locale;

#[component]
pub fn ReportQueuePage() -> impl IntoView {
    let closed = query_value("closed").filter(|c| !c.is_empty());
    guarded(Some(Role::PrivacyOfficer), move |_who| async move {
        let t = report_texts();
        let showing_closed = closed.is_some();
        let body = match report_queue(closed).await {
            Ok(rows) if rows.is_empty() => {
                view! { <p class="muted">{t.queue_empty}</p> }.into_any()
            }
            Ok(rows) => {
                let items = rows.into_iter().map(|row| queue_row(row, t)).collect_view();
                view! { <ul class="cards">{items}</ul> }.into_any()
            }
            Err(error) => view! { <PageError error /> }.into_any(),
        };
        let (other, other_href, heading) = if showing_closed {
            (t.queue_open, "/staff/reports", t.queue_closed)
        } else {
            (t.queue_closed, "/staff/reports?closed=1", t.queue_open)
        };
        let destroyed = if showing_closed {
            Some(destructions(t).await)
        } else {
            None
        };
        view! {
            <Title text=t.queue_title />
            <section class="page" aria-labelledby="page-title">
                <h1 id="page-title">{t.queue_title}</h1>
                <p>{t.queue_lead}</p>
                <p>
                    <a href=other_href>{other}</a>
                </p>
                <h2>{heading}</h2>
                {body}
                {destroyed}
            </section>
        }
        .into_any()
    })
}

fn queue_row(row: QueueRow, t: &'static ReportTexts) -> impl IntoView {
    let locale = locale();
    let href = format!("/staff/reports/{}", row.reference);
    let overdue = row
        .overdue
        .then(|| view! { <span class="badge badge--warn">{t.overdue}</span> });
    let waiting = row
        .reporter_waiting
        .then(|| view! { <span class="badge">{t.reporter_waiting}</span> });
    view! {
        <li class="card">
            <p>
                <a href=href>
                    <strong>{row.reference.clone()}</strong>
                </a>
                " · "
                {kind_label(locale, row.kind)}
                " "
                {overdue}
                " "
                {waiting}
            </p>
            <dl class="facts facts--meta">
                <dt>{t.stage}</dt>
                <dd>{state_label(locale, row.state)}</dd>
                <dt>{t.due}</dt>
                <dd>{row.due_on.unwrap_or_else(|| t.none.to_owned())}</dd>
                <dt>{t.received_on}</dt>
                <dd>{row.received_on}</dd>
            </dl>
        </li>
    }
}

async fn destructions(t: &'static ReportTexts) -> AnyView {
    let list = match report_destructions().await {
        Ok(list) => list,
        Err(error) => return view! { <PageError error /> }.into_any(),
    };
    let body = if list.is_empty() {
        view! { <p class="muted">{t.destructions_none}</p> }.into_any()
    } else {
        let items = list
            .into_iter()
            .map(|d: DestructionView| {
                view! {
                    <li>
                        {format!(
                            "{} · {} · {} · {} · {}",
                            d.at,
                            d.rule,
                            d.reports,
                            d.files,
                            d.messages,
                        )}
                    </li>
                }
            })
            .collect_view();
        view! {
            <p class="muted">{t.destroyed}</p>
            <ul>{items}</ul>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="destructions-heading">
            <h2 id="destructions-heading">{t.destructions_heading}</h2>
            {body}
        </section>
    }
    .into_any()
}
