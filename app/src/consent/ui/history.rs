//! Every change the patient made, newest first, each with its receipt.

use leptos::prelude::*;

use super::use_consent_texts;
use crate::access_log::texts::category_label;
use crate::consent::texts::{action_label, purpose_name};
use crate::consent::types::{ChangeView, ChangedBy};
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
        let separator = if locale == Locale::ZhHans {
            "、"
        } else {
            ", "
        };
        let names: Vec<&str> = change
            .excluded
            .iter()
            .map(|c| category_label(locale, *c))
            .collect();
        parts.push(format!("{}: {}", t.excluded_label, names.join(separator)));
    }
    if let Some(day) = &change.expires_on {
        parts.push(format!("{} {day}", t.until));
    }
    parts.push(match &change.by {
        ChangedBy::Patient => t.by_you.to_owned(),
        ChangedBy::Staff(name) => format!("{} {name}", t.by_staff),
    });
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
