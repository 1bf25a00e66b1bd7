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
use crate::ui::form::FormEcho;

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

/// The echo of a post to `S` on this page, with its refusal if it was refused.
pub(crate) fn refusal_of<S: leptos::server_fn::ServerFn>() -> (Option<AppError>, Option<FormEcho>) {
    let echo = FormEcho::of::<S>();
    (echo.as_ref().and_then(|e| e.refusal().cloned()), echo)
}

/// The field named by a refusal, if it names one.
pub(crate) fn refused_field(refused: Option<&AppError>) -> &str {
    match refused {
        Some(AppError::InvalidInput { field }) => field,
        _ => "",
    }
}

/// What was typed into `name`, from the echo of a refused post.
pub(crate) fn typed(echo: Option<&FormEcho>, name: &str) -> String {
    echo.and_then(|e| e.value(name))
        .unwrap_or_default()
        .to_owned()
}

/// One `<option>`, selected when it is the current value.
pub(crate) fn option(value: String, label: String, current: &str) -> impl IntoView {
    let selected = current == value;
    view! {
        <option value=value selected=selected>
            {label}
        </option>
    }
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

/// A required radio group's buttons: one per `(value, label)`, the one `chosen` ticked;
/// each input's id is `{prefix}-{value}`.
pub(crate) fn radios(
    name: &'static str,
    prefix: &str,
    choices: &[(&'static str, &'static str)],
    chosen: &str,
) -> Vec<AnyView> {
    choices
        .iter()
        .map(|(value, label)| {
            let id = format!("{prefix}-{value}");
            let label_for = id.clone();
            view! {
                <label class="check" for=label_for>
                    <input
                        type="radio"
                        id=id
                        name=name
                        value=*value
                        required
                        checked=chosen == *value
                    />
                    <span>{*label}</span>
                </label>
            }
            .into_any()
        })
        .collect()
}
