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
use crate::i18n::ui::use_i18n;
use crate::i18n::Locale;
use crate::ui::error_notice::{ErrorNotice, FormRefusal};

/// Consent's words in the page's current language (reactive).
pub fn use_consent_texts() -> impl Fn() -> &'static ConsentTexts + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || ConsentTexts::of(i18n.locale())
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

/// The failure a page shows, with the HTTP status that goes with it (a receipt or policy
/// version that does not exist answers 404, not 200).
#[component]
pub fn PageError(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::request::set_status(crate::ssr::request::status_of(&error));
    view! { <ErrorNotice error /> }
}

/// Plain text as paragraphs (blank lines separate them).
#[component]
pub fn Paragraphs(text: String) -> impl IntoView {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| view! { <p>{p.to_owned()}</p> })
        .collect_view()
}
