//! One access as a patient or privacy officer reads it: a one-line summary that opens to
//! the full account in plain words, the reasons it was flagged, and the patient's question.

use leptos::prelude::*;

use super::{access_texts, department_name, Refusal};
use crate::access_log::api::AskAboutAccess;
use crate::access_log::texts::check_outcome_label;
use crate::access_log::texts::{
    action_label, agent_kind_label, category_label, explanation_sentence, purpose_label,
    review_state_label, rule_reason,
};
use crate::access_log::types::{AccessEntryView, AgentKind, QUESTION_MAX_CHARS};
use crate::ui::form::{action_of, query_value, Done, FormEcho, PostForm};
use crate::ui::locale::locale;

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

/// An entry of the log. `ask` is true for the patient (the privacy officer cannot ask);
/// `opened` shows it unfolded (the entry just asked about).
#[component]
pub fn AccessEntry(
    entry: AccessEntryView,
    #[prop(optional)] ask: bool,
    #[prop(optional)] opened: bool,
) -> impl IntoView {
    let locale = locale();
    let t = access_texts();
    let unusual = !entry.rules.is_empty();
    let id = entry.id;
    let echo = ask
        .then(|| FormEcho::of_item::<AskAboutAccess>("event_id", &id.to_string()))
        .flatten();
    let open = opened || echo.is_some();
    let who = who_line(&entry, locale);
    let what = format!(
        "{} · {}",
        action_label(locale, entry.action),
        category_label(locale, entry.category)
    );
    let system = entry.system.clone().map(|system| {
        view! {
            <dt>{t.system}</dt>
            <dd>{system}</dd>
        }
    });
    let workstation = entry.workstation.clone().map(|workstation| {
        view! {
            <dt>{t.workstation}</dt>
            <dd>{workstation}</dd>
        }
    });
    let outcome = entry.consent_check.map(|outcome| {
        view! { <p class="access-entry__outcome">{check_outcome_label(locale, outcome)}</p> }
    });
    let reasons = unusual.then(|| {
        let items = entry
            .rules
            .iter()
            .map(|rule| view! { <li>{rule_reason(locale, *rule)}</li> })
            .collect_view();
        view! {
            <div class="reasons">
                <h3>{t.why_unusual}</h3>
                <ul>{items}</ul>
            </div>
        }
    });
    let normal = why_normal(&entry);
    let question = question(&entry, ask, opened, echo);
    view! {
        <li
            class=if unusual { "access-entry access-entry--unusual" } else { "access-entry" }
            id=format!("entry-{id}")
        >
            <details open=open>
                <summary>
                    <span class="access-entry__when">{entry.when_local.clone()}</span>
                    {unusual.then(|| view! { <span class="badge badge--warn">{t.unusual_badge}</span> })}
                    <span class="access-entry__who">{who.clone()}</span>
                    <span class="access-entry__what">{what}</span>
                </summary>
                <div class="access-entry__body">
                    <dl class="facts">
                        <dt>{t.who}</dt>
                        <dd>
                            {who} <br />
                            <span class="muted">{agent_kind_label(locale, entry.agent_kind)}</span>
                        </dd>
                        <dt>{t.what}</dt>
                        <dd>{category_label(locale, entry.category)}</dd>
                        <dt>{t.action}</dt>
                        <dd>{action_label(locale, entry.action)}</dd>
                        <dt>{t.purpose}</dt>
                        <dd>{purpose_label(locale, entry.purpose)}</dd>
                        <dt>{t.when}</dt>
                        <dd>{entry.when_local.clone()}</dd>
                        {system}
                        {workstation}
                    </dl>
                    {outcome}
                    {normal}
                    {reasons}
                    {question}
                </div>
            </details>
        </li>
    }
}

/// Why the access was normal, when the patient's care said so.
fn why_normal(entry: &AccessEntryView) -> Option<impl IntoView> {
    let locale = locale();
    let t = access_texts();
    let explanation = entry.explanation.as_ref()?;
    let sentence = explanation_sentence(
        locale,
        explanation.reason,
        &entry.agent_name,
        (
            explanation.kind,
            explanation
                .department
                .as_ref()
                .map(|department| department_name(locale, department)),
            explanation.since_local.as_deref(),
        ),
    );
    Some(view! {
        <div class="reasons reasons--normal">
            <h3>{t.why_normal}</h3>
            <p>{sentence}</p>
        </div>
    })
}

/// The patient's question about the entry, or the form to ask one: what was typed stays
/// when the question is refused.
fn question(
    entry: &AccessEntryView,
    ask: bool,
    opened: bool,
    echo: Option<FormEcho>,
) -> Option<AnyView> {
    let locale = locale();
    let t = access_texts();
    if let Some(question) = entry.question.clone() {
        // Just asked: say it was sent, where the question now shows.
        let sent = (ask && opened && query_value("done").as_deref() == Some("asked"))
            .then(|| view! { <Done text=t.question_sent /> });
        return Some(
            view! {
                <div class="question">
                    {sent}
                    <h3>{t.question_yours}</h3>
                    <blockquote>{question.text}</blockquote>
                    <p class="muted">
                        {question.asked_local} " · "
                        <strong>{review_state_label(locale, question.state)}</strong>
                    </p>
                    {ask
                        .then(|| {
                            view! {
                                <p>
                                    <a href=format!(
                                        "/complaints/new?entry={}",
                                        entry.id,
                                    )>{t.question_complain}</a>
                                </p>
                            }
                        })}
                </div>
            }
            .into_any(),
        );
    }
    if !ask {
        return None;
    }
    let id = entry.id;
    let field_id = format!("question-{id}");
    let hint_id = format!("question-hint-{id}");
    let typed = echo
        .as_ref()
        .and_then(|echo| echo.value("question"))
        .unwrap_or_default()
        .to_owned();
    let refused = echo.as_ref().and_then(|echo| echo.refusal().cloned());
    let invalid = refused.is_some().then_some("true");
    let open = refused.is_some();
    let refused = refused.map(|error| view! { <Refusal error /> });
    Some(
        view! {
            <details class="question-form" open=open>
                <summary class="button">{t.question_button}</summary>
                {refused}
                <PostForm action={action_of::<AskAboutAccess>()}>
                    <input type="hidden" name="event_id" value=id.to_string() />
                    <label class="field" for=field_id.clone()>
                        <span class="field__label">{t.question_label}</span>
                    </label>
                    <p class="muted" id=hint_id.clone()>{t.question_hint}</p>
                    <textarea
                        id=field_id
                        class="field__input"
                        name="question"
                        required
                        maxlength=QUESTION_MAX_CHARS
                        rows="4"
                        aria-describedby=hint_id
                        aria-invalid=invalid
                    >
                        {typed}
                    </textarea>
                    <button type="submit" class="button button--primary">{t.question_submit}</button>
                </PostForm>
            </details>
        }
        .into_any(),
    )
}
