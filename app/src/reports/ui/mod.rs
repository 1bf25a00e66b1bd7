//! Pages of anonymous reports: the public form and receipt (`/report`), the reporter's
//! follow-up (`/report/follow-up`), and the privacy officers' queue and report page.

pub mod case;
pub mod follow_up;
pub mod form;
pub mod queue;

use leptos::prelude::*;

use super::texts::ReportTexts;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ui::error_notice::FormRefusal;

/// The words in the page's language.
#[must_use]
pub fn report_texts() -> &'static ReportTexts {
    ReportTexts::of(crate::ui::locale::locale())
}

fn field_text(locale: Locale, field: &str) -> Option<&'static str> {
    ReportTexts::of(locale).refusal(field)
}

/// A refused form, in words.
#[component]
pub fn Refusal(error: AppError) -> impl IntoView {
    view! { <FormRefusal error field_text /> }
}

/// The media types a report's file picker offers.
pub(crate) const REPORT_FILE_TYPES: &str = "application/pdf,image/jpeg,image/png,text/plain";
