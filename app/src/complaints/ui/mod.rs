//! Pages of complaints: the patient's list, the new-complaint form and one complaint; the
//! staff's queue and case page.

pub mod case;
pub mod complaint;
pub mod insights;
pub mod list;
pub mod new;
pub mod queue;

use leptos::prelude::*;

use super::texts::{step_label, ComplaintTexts};
use super::types::TimelineLine;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ui::error_notice::FormRefusal;
pub(crate) use crate::ui::form::{option, radios, refusal_of, refused_field, typed};

/// The words in the page's language.
#[must_use]
pub fn complaint_texts() -> &'static ComplaintTexts {
    ComplaintTexts::of(crate::ui::locale::locale())
}

fn field_text(locale: Locale, field: &str) -> Option<&'static str> {
    ComplaintTexts::of(locale).refusal(field)
}

/// A refused form, in words.
#[component]
pub fn Refusal(error: AppError) -> impl IntoView {
    view! { <FormRefusal error field_text /> }
}

/// The steps of a case, oldest first: when, what, by whom (staff see names) and its text.
pub(crate) fn timeline(lines: &[TimelineLine]) -> AnyView {
    let locale = crate::ui::locale::locale();
    let items = lines
        .iter()
        .map(|line| {
            view! {
                <li>
                    <span class="muted">{line.at.clone()}</span>
                    " · "
                    {step_label(locale, line.step)}
                    {line.by.clone().map(|by| format!(" · {by}"))}
                    {line.note.clone().map(|note| view! { <p class="message__body">{note}</p> })}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="timeline">{items}</ol> }.into_any()
}
