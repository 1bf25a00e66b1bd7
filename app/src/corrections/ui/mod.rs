//! Pages of correction requests: the patient's list, the new-request form, and one
//! request with its messages and files.

pub mod list;
pub mod new;
pub mod queue;
pub mod request;
pub mod staff_request;

use leptos::prelude::*;

use super::texts::CorrectionTexts;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::record::texts::{field_label, section_label};
use crate::record::types::{Field, Section};
use crate::ui::error_notice::FormRefusal;
pub use crate::ui::form::TextArea;

/// The words in the page's language.
#[must_use]
pub fn correction_texts() -> &'static CorrectionTexts {
    CorrectionTexts::of(crate::ui::locale::locale())
}

/// The words for a refused field.
fn field_text(locale: Locale, field: &str) -> Option<&'static str> {
    let t = CorrectionTexts::of(locale);
    Some(match field {
        "field" => t.bad_field,
        "proposed" => t.bad_proposed,
        "reason" => t.bad_reason,
        "body" => t.bad_body,
        "closed" => t.closed,
        "officer" => t.bad_officer,
        "days" => t.bad_days,
        "extended" => t.already_extended,
        "decision" => t.bad_decision,
        "amended" => t.bad_amended,
        "note" => t.bad_note,
        "statement" => t.bad_statement,
        _ => return None,
    })
}

/// A refused form, in words.
#[component]
pub fn Refusal(error: AppError) -> impl IntoView {
    view! { <FormRefusal error field_text /> }
}

/// "Allergies · Allergic to", or "Allergies · Something is missing".
#[must_use]
pub fn subject_line(locale: Locale, section: Section, field: Option<Field>) -> String {
    let t = CorrectionTexts::of(locale);
    let what = field.map_or(t.missing_choice, |field| field_label(locale, field));
    format!("{} · {what}", section_label(locale, section))
}
