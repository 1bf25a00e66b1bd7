//! Pages of anonymous reports: the public form and receipt (`/report`), the reporter's
//! follow-up (`/report/follow-up`), and the privacy officers' queue and report page.

pub mod case;
pub mod follow_up;
pub mod form;
pub mod queue;

use leptos::prelude::*;

use super::texts::{message_label, ReportTexts};
use super::types::MessageView;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ui::error_notice::FormRefusal;
use crate::ui::locale::locale;

/// The words in the page's language.
#[must_use]
pub fn report_texts() -> &'static ReportTexts {
    ReportTexts::of(locale())
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

/// The messages, oldest first: as the reporter reads them, or (`staff`) with who wrote
/// each and the staff's notes.
pub(super) fn message_list(
    list: Vec<MessageView>,
    t: &'static ReportTexts,
    staff: bool,
) -> AnyView {
    let locale = locale();
    if list.is_empty() {
        return view! { <p class="muted">{t.no_messages}</p> }.into_any();
    }
    let items = list
        .into_iter()
        .map(|m| {
            let author = match (m.from_staff, staff, m.by) {
                (true, true, Some(by)) => by,
                (true, _, _) => t.office.to_owned(),
                (false, true, _) => t.reporter.to_owned(),
                (false, false, _) => t.you.to_owned(),
            };
            view! {
                <li class="card">
                    <p class="muted">
                        {author} " · " {message_label(locale, m.kind)} " · " {m.at}
                    </p>
                    <p class="message__body">{m.text}</p>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="cards">{items}</ul> }.into_any()
}

/// The media types a report's file picker offers.
pub(crate) const REPORT_FILE_TYPES: &str = "application/pdf,image/jpeg,image/png,text/plain";
