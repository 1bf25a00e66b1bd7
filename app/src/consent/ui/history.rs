//! Every change the patient made, newest first, each with its receipt.

use leptos::prelude::*;

use super::use_consent_texts;
use crate::consent::texts::{action_label, category_list, purpose_name};
use crate::consent::types::ChangeView;
use crate::i18n::ui::use_i18n;
use crate::i18n::Locale;

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

#[component]
pub fn History(history: Vec<ChangeView>) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_consent_texts();
    let empty = history.is_empty();
    view! {
        <section aria-labelledby="history-heading">
            <h2 id="history-heading">{move || t().history_heading}</h2>
            {empty.then(|| view! { <p class="muted">{move || t().history_empty}</p> })}
            <ol class="consent-history">
                {history
                    .into_iter()
                    .map(|change| {
                        let link = format!("/consent/receipts/{}", change.receipt_id);
                        let when = change.when_local.clone();
                        let change = StoredValue::new(change);
                        view! {
                            <li class="consent-history__item">
                                <span class="consent-history__when">{when}</span>
                                <span>{move || change.with_value(|c| change_line(c, i18n.locale()))}</span>
                                <a href=link>{move || t().view_receipt}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}
