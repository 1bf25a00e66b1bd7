//! `/consent/receipts/:id`: a receipt to read, print (the browser's own print) or download
//! (signed JSON).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::consent_texts;
use super::history::change_line;
use crate::consent::api::consent_receipt;
use crate::consent::texts::purpose_name;
use crate::consent::types::ReceiptView;
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::error_notice::PageError;
use crate::ui::locale::locale;
use crate::widgets::PrintButton;

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    guarded(Some(Role::Patient), |_who| async move {
        let t = consent_texts();
        let body = match consent_receipt(id).await {
            Ok(receipt) => receipt_body(receipt).into_any(),
            Err(error) => view! { <PageError error /> }.into_any(),
        };
        view! {
            <Title text=t.receipt_title />
            <section class="page narrow receipt" aria-labelledby="page-title">
                <h1 id="page-title">{t.receipt_title}</h1>
                <p>{t.receipt_lead}</p>
                {body}
                <p class="no-print">
                    <a href="/consent">{t.receipt_back}</a>
                </p>
            </section>
        }
        .into_any()
    })
}

fn receipt_body(receipt: ReceiptView) -> impl IntoView {
    let locale = locale();
    let t = consent_texts();
    let download = format!("/consent/receipt.json?id={}", receipt.change.receipt_id);
    view! {
        <dl class="facts receipt__facts">
            <dt>{t.receipt_id}</dt>
            <dd class="receipt__id">{receipt.change.receipt_id.clone()}</dd>
            <dt>{t.receipt_time}</dt>
            <dd>{receipt.change.when_local.clone()}</dd>
            <dt>{t.receipt_purpose}</dt>
            <dd>{purpose_name(locale, &receipt.change.purpose).to_owned()}</dd>
            <dt>{t.receipt_choice}</dt>
            <dd>{change_line(&receipt.change, locale)}</dd>
            <dt>{t.receipt_policy}</dt>
            <dd>
                <a href=receipt.policy_url.clone()>{receipt.policy_url.clone()}</a>
            </dd>
            <dt>{t.receipt_controller}</dt>
            <dd>{receipt.controller}</dd>
            <dt>{t.receipt_contact}</dt>
            <dd>{receipt.controller_contact}</dd>
            <dt>{t.receipt_jurisdiction}</dt>
            <dd>{receipt.jurisdiction}</dd>
            <dt>{t.receipt_method}</dt>
            <dd>{receipt.collection_method}</dd>
            <dt>{t.receipt_signature}</dt>
            <dd class="receipt__signature">{receipt.signature}</dd>
        </dl>
        <p class="no-print receipt__actions">
            <a class="button button--primary" href=download download="consent-receipt.json">
                {t.receipt_download}
            </a>
            <PrintButton label=t.receipt_print.to_owned() />
        </p>
    }
}
