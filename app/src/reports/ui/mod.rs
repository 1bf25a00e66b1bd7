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

/// `path` with the language the reporter chose on the report pages (`?lang=`, which they
/// use instead of a cookie), read from this page's address or from the page a form was
/// posted from; `path` as it is when they chose none.
#[must_use]
pub fn keep_language(path: &str) -> String {
    let from_page = crate::ui::form::query_value("lang");
    let from_form = || {
        let origin = crate::ssr::forms::origin_or("");
        let query = origin.split_once('?')?.1.split('#').next()?.to_owned();
        form_urlencoded::parse(query.as_bytes())
            .find_map(|(key, value)| (key == "lang").then(|| value.into_owned()))
    };
    match from_page
        .or_else(from_form)
        .and_then(|tag| Locale::from_tag(&tag))
    {
        Some(locale) => crate::ssr::forms::with_query(path, "lang", locale.tag()),
        None => path.to_owned(),
    }
}

/// The media types a report's file picker offers.
pub(crate) const REPORT_FILE_TYPES: &str = "application/pdf,image/jpeg,image/png,text/plain";
