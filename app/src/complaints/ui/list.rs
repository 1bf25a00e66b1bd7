//! `/complaints`: the patient's complaints, newest first, and the way to file one.

use leptos::prelude::*;
use leptos_meta::Title;

use super::complaint_texts;
use crate::complaints::api::my_complaints;
use crate::complaints::texts::{kind_label, state_label};
use crate::complaints::types::ComplaintSummaryView;
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::error_notice::ErrorNotice;
use crate::ui::locale::locale;

#[component]
pub fn ComplaintsPage() -> impl IntoView {
    guarded(Some(Role::Patient), |_who| async move {
        let t = complaint_texts();
        let body = match my_complaints().await {
            Ok(list) if list.is_empty() => view! { <p>{t.list_empty}</p> }.into_any(),
            Ok(list) => complaints(list).into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        };
        view! {
            <Title text=t.list_title />
            <section class="page narrow" aria-labelledby="page-title">
                <h1 id="page-title">{t.list_title}</h1>
                <p>{t.list_lead}</p>
                <p>
                    <a class="button button--primary" href="/complaints/new">{t.new_link}</a>
                </p>
                {body}
            </section>
        }
        .into_any()
    })
}

fn complaints(list: Vec<ComplaintSummaryView>) -> impl IntoView {
    let locale = locale();
    let t = complaint_texts();
    let items = list
        .into_iter()
        .map(|c| {
            let href = format!("/complaints/{}", c.reference);
            view! {
                <li class="card">
                    <p>
                        <a href=href>
                            <strong>{c.reference.clone()}</strong>
                        </a>
                        " · "
                        {kind_label(locale, c.kind)}
                    </p>
                    <dl class="facts facts--meta">
                        <dt>{t.state}</dt>
                        <dd>{state_label(locale, c.state)}</dd>
                        <dt>{t.filed}</dt>
                        <dd>{c.filed}</dd>
                        <dt>{t.next_due}</dt>
                        <dd>{c.next_due.unwrap_or_else(|| t.next_due_none.to_owned())}</dd>
                    </dl>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="cards">{items}</ul> }
}
