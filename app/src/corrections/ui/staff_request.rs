//! `/staff/corrections/:reference`: one request for a records officer — the entry, the
//! patient's words and files, the history and the messages — with assignment, the one
//! extension, the decision, messages and the rebuttal. Opening it is written into the
//! patient's access log.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{correction_texts, subject_line, Refusal, TextArea};
use crate::corrections::api::{
    staff_correction, AssignCorrection, DecideCorrection, ExtendCorrection, MessagePatient,
    RebutCorrection,
};
use crate::corrections::texts::{history_label, state_label, CorrectionTexts};
use crate::corrections::types::{Decision, StaffCorrectionView};
use crate::error::AppError;
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::record::texts::field_value;
use crate::ui::error_notice::PageError;
use crate::ui::form::{action_of, query_value, Done, FormEcho, PostForm};
use crate::ui::locale::locale;

#[component]
pub fn StaffRequestPage() -> impl IntoView {
    let reference = use_params_map().with_untracked(|p| p.get("reference").unwrap_or_default());
    guarded(Some(Role::RecordsOfficer), |_who| async move {
        let t = correction_texts();
        let heading = format!("{} {reference}", t.reference);
        let body = match staff_correction(reference).await {
            Ok(view) => staff_body(view, t).into_any(),
            Err(error) => view! { <PageError error /> }.into_any(),
        };
        view! {
            <Title text=heading.clone() />
            <section class="page narrow" aria-labelledby="page-title">
                <h1 id="page-title">{heading}</h1>
                <p>
                    <a href="/staff/corrections">{t.queue_title}</a>
                </p>
                {body}
            </section>
        }
        .into_any()
    })
}

/// The refusal of a post to `S` on this page, if this render answers one.
fn refusal_of<S: leptos::server_fn::ServerFn>() -> (Option<AppError>, Option<FormEcho>) {
    let echo = FormEcho::of::<S>();
    (echo.as_ref().and_then(|e| e.refusal().cloned()), echo)
}

fn staff_body(view: StaffCorrectionView, t: &'static CorrectionTexts) -> impl IntoView {
    let locale = locale();
    let request = &view.request;
    let reference = request.reference.clone();
    let done = query_value("done")
        .and_then(|code| t.staff_done(&code))
        .map(|text| view! { <Done text /> });
    let current = match (&request.current, request.field) {
        (Some(value), Some(field)) => field_value(locale, field, value),
        _ => t.current_none.to_owned(),
    };
    let overdue = view
        .overdue
        .then(|| view! { <span class="badge badge--warn">{t.overdue}</span> });
    let files = request
        .files
        .iter()
        .map(|f| {
            let href = format!("/staff/corrections/{reference}/files/{}", f.id);
            view! {
                <li>
                    <a href=href download>{f.name.clone()}</a>
                </li>
            }
        })
        .collect_view();
    let history = view
        .history
        .iter()
        .map(|line| {
            view! {
                <li>
                    {line.at.clone()} " · " {history_label(locale, line.what)}
                    {line.by.clone().map(|by| format!(" · {by}"))}
                </li>
            }
        })
        .collect_view();
    let messages = request
        .messages
        .iter()
        .map(|m| {
            let who = if m.from_staff {
                m.author.clone()
            } else {
                format!("{} ({})", m.author, t.patient)
            };
            view! {
                <li class="card">
                    <p class="muted">{who} " · " {m.sent.clone()}</p>
                    <p class="message__body">{m.body.clone()}</p>
                </li>
            }
        })
        .collect_view();
    let open = !request.state.is_decided();
    view! {
        {done}
        <dl class="facts">
            <dt>{t.patient}</dt>
            <dd>{view.patient.clone()} " · " {view.mrn.clone()}</dd>
            <dt>{t.what}</dt>
            <dd>{subject_line(locale, request.section, request.field)}</dd>
            <dt>{t.current_label}</dt>
            <dd>{current}</dd>
            <dt>{t.proposed_label}</dt>
            <dd>{request.proposed.clone()}</dd>
            <dt>{t.reason_label}</dt>
            <dd>{request.reason.clone()}</dd>
            <dt>{t.state}</dt>
            <dd>{state_label(locale, request.state)} " " {overdue}</dd>
            <dt>{t.due_on}</dt>
            <dd>{request.due_on.clone()}</dd>
            <dt>{t.department}</dt>
            <dd>{view.department.clone().unwrap_or_else(|| "—".to_owned())}</dd>
        </dl>
        {statements(request.disagreement.clone(), request.rebuttal.clone(), t)}
        <h2>{t.files_heading}</h2>
        <ul>{files}</ul>
        <h2>{t.history_heading}</h2>
        <ol>{history}</ol>
        <h2 id="messages-heading">{t.messages_heading}</h2>
        <ul class="cards">{messages}</ul>
        {(!view.request.messages.is_empty() || open).then(|| message_form(&reference, t))}
        {open.then(|| assign_form(&view, t))}
        {(open && view.extension_days_left > 0).then(|| extend_form(&reference, view.extension_days_left, t))}
        {open.then(|| decide_form(&view, t))}
        {(view.request.disagreement.is_some() && view.request.rebuttal.is_none()).then(|| rebut_form(&reference, t))}
    }
}

/// The patient's statement of disagreement and the hospital's rebuttal, if any.
fn statements(
    disagreement: Option<String>,
    rebuttal: Option<String>,
    t: &'static CorrectionTexts,
) -> impl IntoView {
    view! {
        {disagreement.map(|text| view! {
            <h2>{t.disagreement_heading}</h2>
            <p class="message__body">{text}</p>
        })}
        {rebuttal.map(|text| view! {
            <h2>{t.rebuttal_heading}</h2>
            <p class="message__body">{text}</p>
        })}
    }
}

fn message_form(reference: &str, t: &'static CorrectionTexts) -> AnyView {
    let reference = reference.to_owned();
    let (refused, echo) = refusal_of::<MessagePatient>();
    let area = TextArea {
        id: "staff-message",
        name: "body",
        label: t.staff_message_label,
        hint: t.staff_message_hint,
        typed: echo
            .as_ref()
            .and_then(|e| e.value("body"))
            .unwrap_or_default()
            .to_owned(),
        invalid: refused.is_some(),
        rows: "3",
        required: true,
        limit: crate::corrections::types::TEXT_LIMIT,
    };
    view! {
        {refused.map(|error| view! { <Refusal error /> })}
        <PostForm action={action_of::<MessagePatient>()}>
            <input type="hidden" name="reference" value=reference />
            {area.view()}
            <button type="submit" class="button">{t.message_send}</button>
        </PostForm>
    }
    .into_any()
}

fn assign_form(view: &StaffCorrectionView, t: &'static CorrectionTexts) -> AnyView {
    let reference = view.request.reference.clone();
    let current = view.assignee.as_ref().map(|a| a.id);
    let options = view
        .officers
        .iter()
        .map(|o| {
            view! {
                <option value=o.id.to_string() selected=current == Some(o.id)>
                    {o.name.clone()}
                </option>
            }
        })
        .collect_view();
    let (refused, _) = refusal_of::<AssignCorrection>();
    view! {
        <h2>{t.assign_heading}</h2>
        {refused.map(|error| view! { <Refusal error /> })}
        <PostForm action={action_of::<AssignCorrection>()}>
            <input type="hidden" name="reference" value=reference />
            <div class="field">
                <label class="field__label" for="officer">{t.assignee}</label>
                <select id="officer" class="field__input" name="officer">
                    <option value="" selected=current.is_none()>
                        {t.filter_unassigned}
                    </option>
                    {options}
                </select>
            </div>
            <button type="submit" class="button">{t.assign_button}</button>
        </PostForm>
    }
    .into_any()
}

fn extend_form(reference: &str, max_days: u16, t: &'static CorrectionTexts) -> AnyView {
    let reference = reference.to_owned();
    let (refused, echo) = refusal_of::<ExtendCorrection>();
    let typed = |name: &str| {
        echo.as_ref()
            .and_then(|e| e.value(name))
            .unwrap_or_default()
            .to_owned()
    };
    let refused_field = match &refused {
        Some(AppError::InvalidInput { field }) => field.clone(),
        _ => String::new(),
    };
    let days = typed("extend[days]");
    let days_hint = t.extend_days_hint.replace("{max}", &max_days.to_string());
    let reason = TextArea {
        id: "extend-reason",
        name: "extend[reason]",
        label: t.extend_reason_label,
        hint: t.extend_reason_hint,
        typed: typed("extend[reason]"),
        invalid: refused_field == "reason",
        rows: "3",
        required: true,
        limit: crate::corrections::types::TEXT_LIMIT,
    };
    view! {
        <h2>{t.extend_heading}</h2>
        {refused.map(|error| view! { <Refusal error /> })}
        <PostForm action={action_of::<ExtendCorrection>()}>
            <input type="hidden" name="extend[reference]" value=reference />
            <div class="field">
                <label class="field__label" for="extend-days">{t.extend_days_label}</label>
                <p class="muted" id="extend-days-hint">{days_hint}</p>
                <input
                    id="extend-days"
                    class="field__input"
                    type="number"
                    inputmode="numeric"
                    name="extend[days]"
                    min="1"
                    max=max_days.to_string()
                    required
                    value=days
                    aria-describedby="extend-days-hint"
                    aria-invalid=(refused_field == "days").then_some("true")
                />
            </div>
            {reason.view()}
            <button type="submit" class="button">{t.extend_button}</button>
        </PostForm>
    }
    .into_any()
}

fn decide_form(view: &StaffCorrectionView, t: &'static CorrectionTexts) -> AnyView {
    let reference = view.request.reference.clone();
    let locale = locale();
    let (refused, echo) = refusal_of::<DecideCorrection>();
    let refused_field = match &refused {
        Some(AppError::InvalidInput { field }) => field.clone(),
        _ => String::new(),
    };
    let chosen = echo
        .as_ref()
        .and_then(|e| e.value("decide[decision]").map(str::to_owned))
        .unwrap_or_default();
    let choices = Decision::ALL
        .into_iter()
        .map(|d| {
            let id = format!("decision-{}", d.code());
            let label_for = id.clone();
            view! {
                <label class="check" for=label_for>
                    <input
                        type="radio"
                        id=id
                        name="decide[decision]"
                        value=d.code()
                        required
                        checked=chosen == d.code()
                    />
                    <span>{state_label(locale, d.state())}</span>
                </label>
            }
        })
        .collect_view();
    let amended = TextArea {
        id: "decide-amended",
        name: "decide[amended]",
        label: t.amended_label,
        hint: t.decide_amended_hint,
        typed: echo
            .as_ref()
            .and_then(|e| e.value("decide[amended]").map(str::to_owned))
            .unwrap_or_else(|| view.request.proposed.clone()),
        invalid: refused_field == "amended",
        rows: "3",
        required: false,
        limit: crate::corrections::types::TEXT_LIMIT,
    };
    let note = TextArea {
        id: "decide-note",
        name: "decide[note]",
        label: t.decide_note_label,
        hint: t.decide_note_hint,
        typed: echo
            .as_ref()
            .and_then(|e| e.value("decide[note]"))
            .unwrap_or_default()
            .to_owned(),
        invalid: refused_field == "note",
        rows: "4",
        required: false,
        limit: crate::corrections::types::TEXT_LIMIT,
    };
    view! {
        <h2>{t.decide_heading}</h2>
        {refused.map(|error| view! { <Refusal error /> })}
        <PostForm action={action_of::<DecideCorrection>()}>
            <input type="hidden" name="decide[reference]" value=reference />
            <fieldset class="choices" aria-invalid=(refused_field == "decision").then_some("true")>
                <legend>{t.decide_legend}</legend>
                {choices}
            </fieldset>
            {amended.view()}
            {note.view()}
            <button type="submit" class="button button--primary">{t.decide_button}</button>
        </PostForm>
    }
    .into_any()
}

fn rebut_form(reference: &str, t: &'static CorrectionTexts) -> AnyView {
    let reference = reference.to_owned();
    let (refused, echo) = refusal_of::<RebutCorrection>();
    let area = TextArea {
        id: "rebuttal",
        name: "text",
        label: t.rebuttal_label,
        hint: t.rebuttal_hint,
        typed: echo
            .as_ref()
            .and_then(|e| e.value("text"))
            .unwrap_or_default()
            .to_owned(),
        invalid: refused.is_some(),
        rows: "4",
        required: true,
        limit: crate::corrections::types::TEXT_LIMIT,
    };
    view! {
        <h2>{t.rebuttal_heading}</h2>
        {refused.map(|error| view! { <Refusal error /> })}
        <PostForm action={action_of::<RebutCorrection>()}>
            <input type="hidden" name="reference" value=reference />
            {area.view()}
            <button type="submit" class="button">{t.rebuttal_button}</button>
        </PostForm>
    }
    .into_any()
}
