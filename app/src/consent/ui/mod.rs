//! Pages of consent: the patient's choices and history, a printable receipt, the public
//! policy texts, and the privacy officer's counts.

pub mod card;
pub mod history;
pub mod page;
pub mod policy;
pub mod receipt;
pub mod stats;

use leptos::prelude::*;

use super::texts::ConsentTexts;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ui::error_notice::FormRefusal;

/// Consent's words in the page's language.
#[must_use]
pub fn consent_texts() -> &'static ConsentTexts {
    ConsentTexts::of(crate::ui::locale::locale())
}

/// Consent's own words for a refused field.
fn field_text(locale: Locale, field: &str) -> Option<&'static str> {
    let texts = ConsentTexts::of(locale);
    match field {
        "expires_on" => Some(texts.bad_date),
        "version" => Some(texts.stale_version),
        "revoke" => Some(texts.nothing_to_revoke),
        _ => None,
    }
}

/// A refused consent form, in words.
#[component]
pub fn Refusal(error: AppError) -> impl IntoView {
    view! { <FormRefusal error field_text /> }
}

/// Plain text as paragraphs (blank lines separate them).
pub fn paragraphs(text: &str) -> impl IntoView {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| view! { <p>{p.to_owned()}</p> })
        .collect_view()
}
