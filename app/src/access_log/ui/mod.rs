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
use crate::i18n::ui::use_i18n;
use crate::i18n::{Locale, Texts};
use crate::ui::error_notice::ErrorNotice;
pub use crate::ui::reload_key;

/// The access log's words in the page's current language (reactive).
pub fn use_access_texts() -> impl Fn() -> &'static AccessTexts + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || AccessTexts::of(i18n.locale())
}

/// A department's name in `locale`.
#[must_use]
pub fn department_name(locale: Locale, department: &DepartmentView) -> &str {
    match locale {
        Locale::ZhHans => &department.name_zh_hans,
        Locale::En => &department.name_en,
    }
}

/// A refused form or filter, in words, announced to screen readers (other failures as
/// the general notice, with their reference).
#[component]
pub fn Refusal(error: AppError) -> impl IntoView {
    if !matches!(error, AppError::InvalidInput { .. }) {
        return view! { <ErrorNotice error /> }.into_any();
    }
    let i18n = use_i18n();
    let t = use_access_texts();
    view! {
        <div class="notice notice--error" role="alert">
            <p>{move || refusal_text(&error, t(), i18n.t())}</p>
        </div>
    }
    .into_any()
}

/// What to tell the person when the server refused one of the access log's forms: the
/// field's own message when it names one, else the general message.
#[must_use]
pub fn refusal_text(
    error: &AppError,
    access: &AccessTexts,
    general: &'static Texts,
) -> &'static str {
    match error {
        AppError::InvalidInput { field } => match field.as_str() {
            "question" => access.question_invalid,
            "person_name" | "department" => access.watch_invalid,
            "note" | "decision" => access.reviews_note_invalid,
            "from" | "to" => access.filter_bad_date,
            _ => error.message(general),
        },
        _ => error.message(general),
    }
}
