//! `/record/requests`: the patient's correction requests, newest first.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{correction_texts, subject_line};
use crate::corrections::api::my_corrections;
use crate::corrections::texts::state_label;
use crate::corrections::types::CorrectionSummaryView;
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::error_notice::ErrorNotice;
use crate::ui::locale::locale;

#[component]
pub fn RequestsPage() -> impl IntoView {
    guarded(Some(Role::Patient), |_who| async move {
        let t = correction_texts();
        let body = match my_corrections().await {
            Ok(list) if list.is_empty() => view! { <p>{t.list_empty}</p> }.into_any(),
            Ok(list) => requests(list).into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        };
        view! {
            <Title text=t.list_title />
            <section class="page narrow" aria-labelledby="page-title">
                <h1 id="page-title">{t.list_title}</h1>
                <p>{t.list_lead}</p>
                {body}
                <p>
                    <a href="/record">{t.back_to_record}</a>
                </p>
            </section>
        }
        .into_any()
    })
}

fn requests(list: Vec<CorrectionSummaryView>) -> impl IntoView {
    let locale = locale();
    let t = correction_texts();
    let items = list
        .into_iter()
        .map(|request| {
            let href = format!("/record/requests/{}", request.reference);
            view! {
                <li class="card">
                    <p>
                        <a href=href>
                            <strong>{request.reference.clone()}</strong>
                        </a>
                        " · "
                        {subject_line(locale, request.section, request.field)}
                    </p>
                    <dl class="facts facts--meta">
                        <dt>{t.state}</dt>
                        <dd>{state_label(locale, request.state)}</dd>
                        <dt>{t.filed}</dt>
                        <dd>{request.filed}</dd>
                        <dt>{t.due_on}</dt>
                        <dd>{request.due_on}</dd>
                    </dl>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="cards">{items}</ul> }
}
