//! One access as a patient or privacy officer reads it: a one-line summary that opens to
//! the full account in plain words, the reasons it was flagged, and the patient's question.

use leptos::prelude::*;

use super::{department_name, use_access_texts, Refusal};
use crate::access_log::api::AskAboutAccess;
use crate::access_log::texts::{
    action_label, agent_kind_label, category_label, purpose_label, review_state_label, rule_reason,
};
use crate::access_log::types::{AccessEntryView, AgentKind, QUESTION_MAX_CHARS};
use crate::consent::texts::check_outcome_label;
use crate::i18n::ui::use_i18n;

/// "Who" in one line: name, role, and department or outside organisation.
fn who_line(entry: &AccessEntryView, locale: crate::i18n::Locale) -> String {
    let texts = crate::access_log::texts::AccessTexts::of(locale);
    let mut parts = vec![entry.agent_name.clone()];
    if let Some(role) = &entry.agent_role {
        parts.push(role.clone());
    }
    match (&entry.department, entry.agent_kind) {
        (Some(department), _) => parts.push(department_name(locale, department).to_owned()),
        (None, AgentKind::Organisation) => parts.push(texts.outside_organisation.to_owned()),
        (None, _) => {}
    }
    parts.join(" · ")
}

/// The patient's "I don't recognise this" action, and which entry it was last sent from
/// (so a refusal shows beside that entry only, and the entry stays open afterwards).
#[derive(Clone, Copy)]
pub struct AskContext {
    pub action: ServerAction<AskAboutAccess>,
    pub from_entry: RwSignal<Option<i64>>,
}

impl AskContext {
    #[must_use]
    pub fn new() -> AskContext {
        AskContext {
            action: ServerAction::new(),
            from_entry: RwSignal::new(None),
        }
    }
}

impl Default for AskContext {
    fn default() -> AskContext {
        AskContext::new()
    }
}

/// An entry of the log. `ask` is present for the patient (not for the privacy officer).
#[component]
pub fn AccessEntry(
    entry: AccessEntryView,
    #[prop(optional)] ask: Option<AskContext>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_access_texts();
    let unusual = !entry.rules.is_empty();
    let id = entry.id;
    let open = ask.is_some_and(|ask| ask.from_entry.get_untracked() == Some(id));
    let entry = StoredValue::new(entry);
    let with = move |f: fn(&AccessEntryView, crate::i18n::Locale) -> String| {
        move || entry.with_value(|e| f(e, i18n.locale()))
    };
    let heading_id = format!("entry-{id}");
    view! {
        <li class=if unusual { "access-entry access-entry--unusual" } else { "access-entry" }>
            <details open=open>
                <summary>
                    <span class="access-entry__when">{entry.with_value(|e| e.when_local.clone())}</span>
                    {unusual
                        .then(|| view! { <span class="badge badge--warn">{move || t().unusual_badge}</span> })}
                    <span class="access-entry__who" id=heading_id>
                        {with(who_line)}
                    </span>
                    <span class="access-entry__what">
                        {with(|e, l| {
                            format!("{} · {}", action_label(l, e.action), category_label(l, e.category))
                        })}
                    </span>
                </summary>
                <div class="access-entry__body">
                    <dl class="facts">
                        <dt>{move || t().who}</dt>
                        <dd>
                            {with(who_line)} <br />
                            <span class="muted">{with(|e, l| agent_kind_label(l, e.agent_kind).to_owned())}</span>
                        </dd>
                        <dt>{move || t().what}</dt>
                        <dd>{with(|e, l| category_label(l, e.category).to_owned())}</dd>
                        <dt>{move || t().action}</dt>
                        <dd>{with(|e, l| action_label(l, e.action).to_owned())}</dd>
                        <dt>{move || t().purpose}</dt>
                        <dd>{with(|e, l| purpose_label(l, e.purpose).to_owned())}</dd>
                        <dt>{move || t().when}</dt>
                        <dd>{entry.with_value(|e| e.when_local.clone())}</dd>
                        {entry
                            .with_value(|e| e.system.clone())
                            .map(|system| {
                                view! {
                                    <dt>{move || t().system}</dt>
                                    <dd>{system}</dd>
                                }
                            })}
                        {entry
                            .with_value(|e| e.workstation.clone())
                            .map(|workstation| {
                                view! {
                                    <dt>{move || t().workstation}</dt>
                                    <dd>{workstation}</dd>
                                }
                            })}
                    </dl>
                    {entry
                        .with_value(|e| e.consent_check)
                        .map(|outcome| {
                            view! {
                                <p class="access-entry__outcome">
                                    {move || check_outcome_label(i18n.locale(), outcome)}
                                </p>
                            }
                        })}
                    {unusual
                        .then(|| {
                            view! {
                                <div class="reasons">
                                    <h3>{move || t().why_unusual}</h3>
                                    <ul>
                                        {entry
                                            .with_value(|e| e.rules.clone())
                                            .into_iter()
                                            .map(|rule| view! { <li>{move || rule_reason(i18n.locale(), rule)}</li> })
                                            .collect_view()}
                                    </ul>
                                </div>
                            }
                        })}
                    <Question entry ask />
                </div>
            </details>
        </li>
    }
}

/// The patient's question about the entry, or the form to ask one.
#[component]
fn Question(entry: StoredValue<AccessEntryView>, ask: Option<AskContext>) -> impl IntoView {
    let i18n = use_i18n();
    let t = use_access_texts();
    if let Some(question) = entry.with_value(|e| e.question.clone()) {
        let state = question.state;
        return view! {
            <div class="question">
                <h3>{move || t().question_yours}</h3>
                <blockquote>{question.text}</blockquote>
                <p class="muted">
                    {question.asked_local} " · "
                    <strong>{move || review_state_label(i18n.locale(), state)}</strong>
                </p>
            </div>
        }
        .into_any();
    }
    let Some(AskContext {
        action: ask,
        from_entry,
    }) = ask
    else {
        return ().into_any();
    };
    let id = entry.with_value(|e| e.id);
    let field_id = format!("question-{id}");
    let hint_id = format!("question-hint-{id}");
    // Keep what was typed when the server refuses it.
    let typed = RwSignal::new(String::new());
    let refused = move || {
        ask.value()
            .get()
            .and_then(Result::err)
            .filter(|_| from_entry.get() == Some(id))
    };
    view! {
        <details class="question-form">
            <summary class="button">{move || t().question_button}</summary>
            <ActionForm action=ask>
                <input type="hidden" name="event_id" value=id.to_string() />
                <label class="field" for=field_id.clone()>
                    <span class="field__label">{move || t().question_label}</span>
                </label>
                <p class="muted" id=hint_id.clone()>{move || t().question_hint}</p>
                <textarea
                    id=field_id
                    class="field__input"
                    name="question"
                    required
                    maxlength=QUESTION_MAX_CHARS
                    rows="4"
                    aria-describedby=hint_id
                    prop:value=typed
                    on:input=move |ev| typed.set(event_target_value(&ev))
                ></textarea>
                <button
                    type="submit"
                    class="button button--primary"
                    on:click=move |_| from_entry.set(Some(id))
                >
                    {move || t().question_submit}
                </button>
            </ActionForm>
            <div aria-live="polite">
                {move || refused().map(|error| view! { <Refusal error /> })}
            </div>
        </details>
    }
    .into_any()
}
