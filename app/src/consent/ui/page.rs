//! `/consent`: the patient's choice for each purpose, and every change they made.

use leptos::prelude::*;
use leptos_meta::Title;

use super::card::consent_card;
use super::consent_texts;
use super::history::history;
use crate::consent::api::consent_overview;
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::error_notice::ErrorNotice;
use crate::ui::form::query_value;

/// Where the page lives; changes land back here.
pub const CONSENT_PATH: &str = "/consent";

#[component]
pub fn ConsentPage() -> impl IntoView {
    // The receipt of the change just made, if the page answers one.
    let recorded = query_value("recorded");
    guarded(Some(Role::Patient), |_who| async move {
        let t = consent_texts();
        let body = match consent_overview().await {
            Ok(overview) => {
                // The purpose the change was about, whose card says it was recorded.
                let recorded = recorded.and_then(|receipt| {
                    overview
                        .history
                        .iter()
                        .find(|change| change.receipt_id == receipt)
                        .map(|change| (change.purpose.code.clone(), receipt))
                });
                let cards = overview
                    .cards
                    .into_iter()
                    .map(|card| {
                        let receipt = recorded
                            .as_ref()
                            .filter(|(purpose, _)| *purpose == card.policy.purpose.code)
                            .map(|(_, receipt)| receipt.clone());
                        consent_card(card, receipt)
                    })
                    .collect_view();
                view! {
                    <div class="consent-cards">{cards}</div>
                    {history(overview.history)}
                }
                .into_any()
            }
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        };
        view! {
            <Title text=t.title />
            <section class="page narrow" aria-labelledby="page-title">
                <h1 id="page-title">{t.title}</h1>
                <p>{t.lead}</p>
                <p class="muted">{t.default_note}</p>
                {body}
            </section>
        }
        .into_any()
    })
}
