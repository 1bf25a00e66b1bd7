//! `/staff/reports/{reference}`: a report as a privacy officer reads it (opening it is
//! kept as a staff action): the account, files, the conversation with internal notes,
//! every step, the clocks, and the forms of the steps that fit where it stands.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{message_list, report_texts, Refusal};
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::reports::api::{staff_report, ReportStep as ReportStepFn};
use crate::reports::texts::{kind_label, message_label, state_label, step_label, ReportTexts};
use crate::reports::types::{MessageKind, ReportState, StaffReportView, StepView, TEXT_LIMIT};
use crate::ui::error_notice::PageError;
use crate::ui::form::{
    action_of, notice, query_value, radios, typed, FormEcho, PostForm, TextArea,
};
use crate::ui::locale::locale;

#[component]
pub fn StaffReportPage() -> impl IntoView {
    let reference = use_params_map().with_untracked(|p| p.get("reference").unwrap_or_default());
    guarded(Some(Role::PrivacyOfficer), move |_who| async move {
        let t = report_texts();
        let title = format!("{} · {}", t.queue_title, reference);
        let body = match staff_report(reference.clone()).await {
            Ok(report) => report_view(report, t),
            Err(error) => view! { <PageError error /> }.into_any(),
        };
        view! {
            <Title text=title />
            <section class="page" aria-labelledby="page-title">
                <h1 id="page-title">{reference}</h1>
                {body}
                <p>
                    <a href="/staff/reports">{t.queue_title}</a>
                </p>
            </section>
        }
        .into_any()
    })
}

fn report_view(report: StaffReportView, t: &'static ReportTexts) -> AnyView {
    let locale = locale();
    let done = query_value("done").map(|_| notice(t.done, false));
    let account = report.account.clone();
    let fact = |label: &'static str, value: Option<String>| {
        value.map(|value| view! { <dt>{label}</dt> <dd>{value}</dd> })
    };
    let non_empty = |text: String| (!text.is_empty()).then_some(text);
    let facts = view! {
        <dl class="facts facts--meta">
            <dt>{t.stage}</dt>
            <dd>{state_label(locale, report.state)}</dd>
            <dt>{t.kind}</dt>
            <dd>{kind_label(locale, report.kind)}</dd>
            <dt>{t.received_on}</dt>
            <dd>{report.received_on.clone()}</dd>
            {fact(t.acknowledge_by, report.acknowledge_by.clone())}
            {fact(t.feedback_by, report.feedback_by.clone())}
            {fact(t.handler, report.handler.clone())}
            {fact(t.complaint, report.complaint.clone())}
        </dl>
    };
    let overdue = report
        .overdue
        .then(|| view! { <p class="badge badge--warn">{t.overdue}</p> });
    let files = file_list(&report, t);
    let steps = steps(&report.steps);
    let forms = forms(&report, t);
    let messages = message_list(report.messages, t, true);
    view! {
        {done}
        {overdue}
        {facts}
        <section aria-labelledby="account-heading">
            <h2 id="account-heading">{t.report_heading}</h2>
            <p class="message__body">{account.what}</p>
            <dl class="facts">
                {fact(t.place, non_empty(account.place))}
                {fact(t.when, non_empty(account.when))}
                {fact(t.who, non_empty(account.who))}
            </dl>
        </section>
        {files}
        <section aria-labelledby="conversation-heading">
            <h2 id="conversation-heading">{t.conversation}</h2>
            {messages}
        </section>
        {forms}
        <section aria-labelledby="steps-heading">
            <h2 id="steps-heading">{t.steps_heading}</h2>
            {steps}
        </section>
    }
    .into_any()
}

fn file_list(report: &StaffReportView, t: &'static ReportTexts) -> AnyView {
    let items = if report.files.is_empty() {
        view! { <p class="muted">{t.no_files}</p> }.into_any()
    } else {
        let items = report
            .files
            .iter()
            .map(|f| {
                let href = format!("/staff/reports/{}/files/{}", report.reference, f.id);
                let size = format!("{} KB", (f.size + 1023) / 1024);
                let from = if f.from_staff { t.office } else { t.reporter };
                view! {
                    <li>
                        <a href=href download>{f.name.clone()}</a>
                        " (" {size} ") · " {from} " · " {f.at.clone()}
                    </li>
                }
            })
            .collect_view();
        view! { <ul>{items}</ul> }.into_any()
    };
    view! {
        <section aria-labelledby="files-heading">
            <h2 id="files-heading">{t.files_heading}</h2>
            {items}
        </section>
    }
    .into_any()
}

fn steps(list: &[StepView]) -> AnyView {
    let locale = locale();
    let items = list
        .iter()
        .map(|s| {
            view! {
                <li>
                    <span class="muted">{s.at.clone()}</span>
                    " · "
                    {step_label(locale, s.step)}
                    {s.by.clone().map(|by| format!(" · {by}"))}
                    {s.detail.clone().map(|detail| format!(" · {detail}"))}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="timeline">{items}</ol> }.into_any()
}

/// One step's form: its heading, hint, fields and button; a refusal of this step keeps
/// what was typed.
struct StepForm {
    step: &'static str,
    heading: &'static str,
    hint: Option<&'static str>,
    /// The text area's label, when the step takes a text; whether it must be filled.
    text: Option<(&'static str, bool)>,
    /// Extra fields (the kind of message).
    extra: Option<AnyView>,
    button: &'static str,
}

fn step_form(reference: &str, form: StepForm) -> AnyView {
    let echo = FormEcho::of_item::<ReportStepFn>("step", form.step);
    let refused = echo.as_ref().and_then(|e| e.refusal().cloned());
    let heading_id = format!("step-{}", form.step);
    let text = form.text.map(|(label, required)| {
        TextArea {
            id: match form.step {
                "acknowledge" => "text-acknowledge",
                "write" => "text-write",
                "feedback" => "text-feedback",
                "close" => "text-close",
                _ => "text-link",
            },
            name: "text",
            label,
            hint: "",
            typed: typed(echo.as_ref(), "text"),
            invalid: refused.is_some(),
            rows: if form.step == "link" { "1" } else { "4" },
            required,
            limit: TEXT_LIMIT,
        }
        .view()
        .into_any()
    });
    let labelled = heading_id.clone();
    let reference = reference.to_owned();
    view! {
        <section class="card" aria-labelledby=labelled>
            <h2 id=heading_id>{form.heading}</h2>
            {form.hint.map(|hint| view! { <p class="muted">{hint}</p> })}
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<ReportStepFn>()}>
                <input type="hidden" name="reference" value=reference />
                <input type="hidden" name="step" value=form.step />
                {form.extra}
                {text}
                <button type="submit" class="button">{form.button}</button>
            </PostForm>
        </section>
    }
    .into_any()
}

fn forms(report: &StaffReportView, t: &'static ReportTexts) -> Vec<AnyView> {
    let r = report.reference.as_str();
    let mut out = Vec::new();
    let state = report.state;
    if state == ReportState::Received {
        out.push(step_form(
            r,
            StepForm {
                step: "acknowledge",
                heading: t.acknowledge,
                hint: None,
                text: Some((t.acknowledge_message, false)),
                extra: None,
                button: t.acknowledge,
            },
        ));
        return out;
    }
    if state == ReportState::Closed {
        return out;
    }
    if state == ReportState::Acknowledged {
        out.push(step_form(
            r,
            StepForm {
                step: "investigate",
                heading: t.investigate,
                hint: None,
                text: None,
                extra: None,
                button: t.investigate,
            },
        ));
    }
    out.push(write_form(r, t));
    if matches!(
        state,
        ReportState::Acknowledged | ReportState::Investigating
    ) {
        out.push(step_form(
            r,
            StepForm {
                step: "feedback",
                heading: t.feedback_heading,
                hint: Some(t.feedback_hint),
                text: Some((t.text_label, true)),
                extra: None,
                button: t.save,
            },
        ));
    }
    out.push(step_form(
        r,
        StepForm {
            step: "link",
            heading: t.link_heading,
            hint: Some(t.link_hint),
            text: Some((t.complaint, true)),
            extra: None,
            button: t.save,
        },
    ));
    out.push(step_form(
        r,
        StepForm {
            step: "close",
            heading: t.close_heading,
            hint: Some(t.close_hint),
            text: Some((t.text_label, true)),
            extra: None,
            button: t.close_heading,
        },
    ));
    out
}

/// The form to write to the reporter (a question or a message) or a note among staff.
fn write_form(reference: &str, t: &'static ReportTexts) -> AnyView {
    let echo = FormEcho::of_item::<ReportStepFn>("step", "write");
    let chosen = echo
        .as_ref()
        .map_or_else(|| "question".to_owned(), |e| typed(Some(e), "kind"));
    let locale = locale();
    let kinds = radios(
        "kind",
        "write-kind",
        &[
            ("question", message_label(locale, MessageKind::Question)),
            ("message", message_label(locale, MessageKind::Message)),
            ("note", message_label(locale, MessageKind::Note)),
        ],
        &chosen,
    );
    let extra = view! {
        <fieldset class="choices">
            <legend>{t.write_kind}</legend>
            {kinds}
        </fieldset>
    }
    .into_any();
    step_form(
        reference,
        StepForm {
            step: "write",
            heading: t.write_heading,
            hint: None,
            text: Some((t.text_label, true)),
            extra: Some(extra),
            button: t.send,
        },
    )
}
