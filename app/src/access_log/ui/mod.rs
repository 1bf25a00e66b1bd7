//! Pages of the access log: the patient's log with filters, charts and downloads; their
//! alerts and watch list; the privacy officer's review queue.

pub mod charts;
pub mod entry;
pub mod log;
pub mod reviews;
pub mod settings;

use leptos::prelude::*;

use super::texts::AccessTexts;
use super::types::DepartmentView;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ui::error_notice::FormRefusal;

/// The access log's words in the page's language.
#[must_use]
pub fn access_texts() -> &'static AccessTexts {
    AccessTexts::of(crate::ui::locale::locale())
}

/// A department's name in `locale`.
#[must_use]
pub fn department_name(locale: Locale, department: &DepartmentView) -> &str {
    match locale {
        Locale::ZhHans => &department.name_zh_hans,
        Locale::En => &department.name_en,
    }
}

/// A refused form or filter of the access log, in words.
#[component]
pub fn Refusal(error: AppError) -> impl IntoView {
    view! { <FormRefusal error field_text /> }
}

/// The access log's own words for a refused field.
fn field_text(locale: Locale, field: &str) -> Option<&'static str> {
    let access = AccessTexts::of(locale);
    match field {
        "question" => Some(access.question_invalid),
        "person_name" | "department" => Some(access.watch_invalid),
        "watch_full" => Some(access.watch_full),
        "note" | "decision" => Some(access.reviews_note_invalid),
        "from" | "to" => Some(access.filter_bad_date),
        _ => None,
    }
}
