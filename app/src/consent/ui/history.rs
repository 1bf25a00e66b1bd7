//! Every change the patient made, newest first, each with its receipt.

use leptos::prelude::*;

use super::consent_texts;
use crate::consent::texts::{action_label, category_list, purpose_name};
use crate::consent::types::ChangeView;
use crate::i18n::Locale;
use crate::ui::locale::locale;

/// One change in one line: purpose, what, version, exclusions, end date, by whom.
#[must_use]
pub fn change_line(change: &ChangeView, locale: Locale) -> String {
    let t = crate::consent::texts::ConsentTexts::of(locale);
    let mut parts = vec![
        purpose_name(locale, &change.purpose).to_owned(),
        action_label(locale, change.action).to_owned(),
        t.policy_version.replace("{}", &change.version.to_string()),
    ];
    if !change.excluded.is_empty() {
        let names = category_list(locale, &change.excluded);
        parts.push(format!("{}: {names}", t.excluded_label));
    }
    if let Some(day) = &change.expires_on {
        parts.push(format!("{} {day}", t.until));
    }
    parts.push(t.by_you.to_owned());
    parts.join(" · ")
}

/// The list of changes.
pub fn history(history: Vec<ChangeView>) -> impl IntoView {
    let locale = locale();
    let t = consent_texts();
    let empty = history
        .is_empty()
        .then(|| view! { <p class="muted">{t.history_empty}</p> });
    let items = history
        .into_iter()
        .map(|change| {
            view! {
                <li class="consent-history__item">
                    <span class="consent-history__when">{change.when_local.clone()}</span>
                    <span>{change_line(&change, locale)}</span>
                    <a href=format!("/consent/receipts/{}", change.receipt_id)>{t.view_receipt}</a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="history-heading">
            <h2 id="history-heading">{t.history_heading}</h2>
            {empty}
            <ol class="consent-history">{items}</ol>
        </section>
    }
}
