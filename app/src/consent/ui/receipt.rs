//! `/consent/receipts/:id`: a receipt to read, print or download (signed JSON).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::history::change_line;
use super::{use_consent_texts, PageError};
use crate::consent::api::consent_receipt;
use crate::consent::texts::purpose_name;
use crate::consent::types::ReceiptView;
use crate::i18n::ui::use_i18n;
use crate::identity::types::{Role, SessionView};
use crate::identity::ui::guard::Guarded;

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let receipt = Resource::new(id, consent_receipt);
    view! {
        <Guarded
            role=Some(Role::Patient)
            render=move |_who: SessionView| view! { <Receipt receipt /> }
        />
    }
}

#[component]
fn Receipt(receipt: Resource<Result<ReceiptView, crate::error::AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_consent_texts();
    view! {
        <Title text=move || t().receipt_title />
        <section class="page narrow receipt" aria-labelledby="page-title">
            <h1 id="page-title">{move || t().receipt_title}</h1>
            <p>{move || t().receipt_lead}</p>
            <Suspense fallback=move || view! { <p class="muted">{move || i18n.t().loading}</p> }>
                {move || {
                    receipt
                        .get()
                        .map(|result| match result {
                            Ok(view) => view! { <ReceiptBody receipt=view /> }.into_any(),
                            Err(error) => view! { <PageError error /> }.into_any(),
                        })
                }}
            </Suspense>
            <p class="no-print">
                <a href="/consent">{move || t().receipt_back}</a>
            </p>
        </section>
    }
}

#[component]
fn ReceiptBody(receipt: ReceiptView) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_consent_texts();
    let download = format!("/consent/receipt.json?id={}", receipt.change.receipt_id);
    let receipt = StoredValue::new(receipt);
    let field = move |f: fn(&ReceiptView) -> String| move || receipt.with_value(f);
    view! {
        <dl class="facts receipt__facts">
            <dt>{move || t().receipt_id}</dt>
            <dd class="receipt__id">{field(|r| r.change.receipt_id.clone())}</dd>
            <dt>{move || t().receipt_time}</dt>
            <dd>{field(|r| r.change.when_local.clone())}</dd>
            <dt>{move || t().receipt_purpose}</dt>
            <dd>{move || receipt.with_value(|r| purpose_name(i18n.locale(), &r.change.purpose).to_owned())}</dd>
            <dt>{move || t().receipt_choice}</dt>
            <dd>{move || receipt.with_value(|r| change_line(&r.change, i18n.locale()))}</dd>
            <dt>{move || t().receipt_policy}</dt>
            <dd>
                <a href=field(|r| r.policy_url.clone())>{field(|r| r.policy_url.clone())}</a>
            </dd>
            <dt>{move || t().receipt_controller}</dt>
            <dd>{field(|r| r.controller.clone())}</dd>
            <dt>{move || t().receipt_contact}</dt>
            <dd>{field(|r| r.controller_contact.clone())}</dd>
            <dt>{move || t().receipt_jurisdiction}</dt>
            <dd>{field(|r| r.jurisdiction.clone())}</dd>
            <dt>{move || t().receipt_method}</dt>
            <dd>{field(|r| r.collection_method.clone())}</dd>
            <dt>{move || t().receipt_signature}</dt>
            <dd class="receipt__signature">{field(|r| r.signature.clone())}</dd>
        </dl>
        <p class="no-print receipt__actions">
            <a class="button button--primary" href=download download="consent-receipt.json">
                {move || t().receipt_download}
            </a>
            <PrintButton />
        </p>
    }
}

/// Opens the browser's print dialog (shown once the page is interactive).
#[component]
fn PrintButton() -> impl IntoView {
    let t = use_consent_texts();
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    view! {
        <Show when=move || ready.get()>
            <button
                type="button"
                class="button"
                on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    if let Some(window) = web_sys::window() {
                        // Printing is a convenience; the browser's own menu does the same.
                        let _ = window.print();
                    }
                }
            >
                {move || t().receipt_print}
            </button>
        </Show>
    }
}
