//! `/consent`: the patient's choice for each purpose, and every change they made.

use leptos::prelude::*;
use leptos_meta::Title;

use super::card::{CardActions, ConsentCard};
use super::history::History;
use super::use_consent_texts;
use crate::consent::api::{consent_overview, RecordGrant, RevokeConsent};
use crate::i18n::ui::use_i18n;
use crate::identity::types::{Role, SessionView};
use crate::identity::ui::guard::Guarded;
use crate::ui::error_notice::ErrorNotice;
use crate::ui::reload_key;

#[component]
pub fn ConsentPage() -> impl IntoView {
    let actions = CardActions {
        grant: ServerAction::<RecordGrant>::new(),
        revoke: ServerAction::<RevokeConsent>::new(),
        last_sent: RwSignal::new(None),
    };
    let changed = reload_key(move || {
        [actions.grant.value().get(), actions.revoke.value().get()]
            .iter()
            .any(|value| matches!(value, Some(Ok(_))))
    });
    let overview = Resource::new(move || changed.get(), |_| consent_overview());
    view! {
        <Guarded
            role=Some(Role::Patient)
            render=move |_who: SessionView| view! { <Consent actions overview /> }
        />
    }
}

#[component]
fn Consent(
    actions: CardActions,
    overview: Resource<Result<crate::consent::types::ConsentOverviewView, crate::error::AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_consent_texts();
    view! {
        <Title text=move || t().title />
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title">{move || t().title}</h1>
            <p>{move || t().lead}</p>
            <p class="muted">{move || t().default_note}</p>
            <Transition fallback=move || view! { <p class="muted">{move || i18n.t().loading}</p> }>
                {move || {
                    overview
                        .get()
                        .map(|result| match result {
                            Ok(overview) => {
                                view! {
                                    <div class="consent-cards">
                                        {overview
                                            .cards
                                            .into_iter()
                                            .map(|card| view! { <ConsentCard card actions /> })
                                            .collect_view()}
                                    </div>
                                    <History history=overview.history />
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        })
                }}
            </Transition>
        </section>
    }
}
