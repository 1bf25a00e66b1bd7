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
use crate::ui::error_notice::ErrorNotice;

/// Consent's words in the page's current language (reactive).
pub fn use_consent_texts() -> impl Fn() -> &'static ConsentTexts + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || ConsentTexts::of(i18n.locale())
}

/// What to tell the person when a consent form was refused.
#[must_use]
pub fn refusal_text(
    error: &AppError,
    texts: &ConsentTexts,
    general: &'static crate::i18n::Texts,
) -> &'static str {
    match error {
        AppError::InvalidInput { field } => match field.as_str() {
            "expires_on" => texts.bad_date,
            "version" => texts.stale_version,
            "revoke" => texts.nothing_to_revoke,
            _ => error.message(general),
        },
        _ => error.message(general),
    }
}

/// A refused consent form, in words, announced to screen readers.
#[component]
pub fn Refusal(error: AppError) -> impl IntoView {
    if !matches!(error, AppError::InvalidInput { .. }) {
        return view! { <ErrorNotice error /> }.into_any();
    }
    let i18n = use_i18n();
    let t = use_consent_texts();
    view! {
        <div class="notice notice--error" role="alert">
            <p>{move || refusal_text(&error, t(), i18n.t())}</p>
        </div>
    }
    .into_any()
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
