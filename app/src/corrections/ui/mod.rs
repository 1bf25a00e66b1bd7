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

/// A labelled text area with its hint, keeping what was typed.
pub struct TextArea {
    pub id: &'static str,
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub typed: String,
    pub invalid: bool,
    pub rows: &'static str,
    /// Whether the browser refuses to send the form with it empty.
    pub required: bool,
}

impl TextArea {
    pub fn view(self) -> impl IntoView {
        let hint_id = format!("{}-hint", self.id);
        let described_by = hint_id.clone();
        view! {
            <div class="field">
                <label class="field__label" for=self.id>{self.label}</label>
                <p class="muted" id=hint_id>{self.hint}</p>
                <textarea
                    id=self.id
                    class="field__input"
                    name=self.name
                    required=self.required
                    maxlength=crate::corrections::types::TEXT_LIMIT
                    rows=self.rows
                    aria-describedby=described_by
                    aria-invalid=self.invalid.then_some("true")
                >
                    {self.typed}
                </textarea>
            </div>
        }
    }
}

/// "Allergies · Allergic to", or "Allergies · Something is missing".
#[must_use]
pub fn subject_line(locale: Locale, section: Section, field: Option<Field>) -> String {
    let t = CorrectionTexts::of(locale);
    let what = field.map_or(t.missing_choice, |field| field_label(locale, field));
    format!("{} · {what}", section_label(locale, section))
}
