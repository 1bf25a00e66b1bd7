//! `/record/requests/:reference`: one of the patient's requests — what it asks, its state
//! and due date, an extension and its reason, the decision, every message, the evidence
//! files — with forms to send a message and to add files (plain multipart, no script).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{correction_texts, subject_line, Refusal, TextArea};
use crate::corrections::api::{my_correction, DisagreeCorrection, SendCorrectionMessage};
use crate::corrections::texts::{state_label, CorrectionTexts};
use crate::corrections::types::{CorrectionView, FileView, MessageView, TEXT_LIMIT};
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::record::texts::field_value;
use crate::ui::error_notice::PageError;
use crate::ui::files::{case_files, FileWords, ListedFile, CASE_FILE_TYPES};
use crate::ui::form::{action_of, notice, query_value, FormEcho, PostForm};
use crate::ui::locale::locale;

#[component]
pub fn RequestPage() -> impl IntoView {
    let reference = use_params_map().with_untracked(|p| p.get("reference").unwrap_or_default());
    guarded(Some(Role::Patient), |_who| async move {
        let t = correction_texts();
        let heading = format!("{} {reference}", t.reference);
        let body = match my_correction(reference).await {
            Ok(request) => request_body(request, t).into_any(),
            Err(error) => view! { <PageError error /> }.into_any(),
        };
        view! {
            <Title text=heading.clone() />
            <section class="page narrow" aria-labelledby="page-title">
                <h1 id="page-title">{heading}</h1>
                {body}
                <p>
                    <a href="/record/requests">{t.back_to_list}</a>
                    " · "
                    <a href="/record">{t.back_to_record}</a>
                </p>
            </section>
        }
        .into_any()
    })
}

fn request_body(request: CorrectionView, t: &'static CorrectionTexts) -> impl IntoView {
    let locale = locale();
    let filed =
        (query_value("filed").as_deref() == Some("1")).then(|| notice(t.filed_notice, false));
    let current = match (&request.current, request.field) {
        (Some(value), Some(field)) => field_value(locale, field, value),
        _ => t.current_none.to_owned(),
    };
    let extension = request.extension.as_ref().map(|e| {
        let text = t
            .extension_notice
            .replace("{days}", &e.days.to_string())
            .replace("{reason}", &e.reason);
        view! {
            <div class="notice notice--info">
                <p>{text}</p>
            </div>
        }
    });
    let decision = request.state.is_decided().then(|| {
        let amended = request.amended.clone().map(|value| {
            view! {
                <dt>{t.amended_label}</dt>
                <dd>{value}</dd>
            }
        });
        let applied = request.applied.clone().map(|at| {
            view! {
                <dt>{t.applied_label}</dt>
                <dd>{at}</dd>
            }
        });
        view! {
            <h2>{t.decision_heading}</h2>
            <dl class="facts">
                <dt>{t.state}</dt>
                <dd>{state_label(locale, request.state)}</dd>
                <dt>{t.decided_label}</dt>
                <dd>{request.decided.clone().unwrap_or_default()}</dd>
                {amended}
                {applied}
            </dl>
            {request.decision_note.clone().map(|note| view! { <p>{note}</p> })}
        }
    });
    let undecided = !request.state.is_decided();
    let reference = request.reference.clone();
    let statements = statements(&request, t);
    view! {
        {filed}
        <dl class="facts">
            <dt>{t.what}</dt>
            <dd>{subject_line(locale, request.section, request.field)}</dd>
            <dt>{t.current_label}</dt>
            <dd>{current}</dd>
            <dt>{t.proposed_label}</dt>
            <dd>{request.proposed.clone()}</dd>
            <dt>{t.reason_label}</dt>
            <dd>{request.reason.clone()}</dd>
            <dt>{t.state}</dt>
            <dd>{state_label(locale, request.state)}</dd>
            <dt>{t.filed}</dt>
            <dd>{request.filed.clone()}</dd>
            <dt>{t.due_on}</dt>
            <dd>{request.due_on.clone()}</dd>
        </dl>
        {extension}
        {decision}
        {statements}
        {messages(&reference, request.messages, request.open, t)}
        {files(&reference, request.files, request.files_left, undecided, t)}
    }
}

/// The patient's statement of disagreement and the hospital's answer, or the form to
/// write the statement after a denial.
fn statements(request: &CorrectionView, t: &'static CorrectionTexts) -> AnyView {
    let sent = (query_value("disagreed").as_deref() == Some("1"))
        .then(|| notice(t.disagreement_sent, false));
    let statement = request.disagreement.clone().map(|text| {
        view! {
            <h2>{t.disagreement_heading}</h2>
            <p class="message__body">{text}</p>
        }
    });
    let rebuttal = request.rebuttal.clone().map(|text| {
        view! {
            <h2>{t.rebuttal_heading}</h2>
            <p class="message__body">{text}</p>
        }
    });
    let reference = request.reference.clone();
    let form = request.may_disagree.then(move || {
        let echo = FormEcho::of::<DisagreeCorrection>();
        let refused = echo.as_ref().and_then(|e| e.refusal().cloned());
        let area = TextArea {
            id: "statement",
            name: "statement",
            label: t.disagree_label,
            hint: t.disagree_hint,
            typed: echo
                .as_ref()
                .and_then(|e| e.value("statement"))
                .unwrap_or_default()
                .to_owned(),
            invalid: refused.is_some(),
            rows: "4",
            required: true,
            limit: crate::corrections::types::TEXT_LIMIT,
        };
        view! {
            <h2>{t.disagree_heading}</h2>
            <p>{t.disagree_lead}</p>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<DisagreeCorrection>()}>
                <input type="hidden" name="reference" value=reference />
                {area.view()}
                <button type="submit" class="button">{t.disagree_button}</button>
            </PostForm>
        }
    });
    view! {
        {sent}
        {statement}
        {rebuttal}
        {form}
    }
    .into_any()
}

fn messages(
    reference: &str,
    list: Vec<MessageView>,
    open: bool,
    t: &'static CorrectionTexts,
) -> impl IntoView {
    let sent = (query_value("sent").as_deref() == Some("1")).then(|| notice(t.message_sent, false));
    let items = if list.is_empty() {
        view! { <p class="muted">{t.messages_empty}</p> }.into_any()
    } else {
        let items = list
            .into_iter()
            .map(|m| {
                let author = if m.from_staff {
                    m.author
                } else {
                    t.from_you.to_owned()
                };
                view! {
                    <li class="card">
                        <p class="muted">{author} " · " {m.sent}</p>
                        <p class="message__body">{m.body}</p>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="cards">{items}</ul> }.into_any()
    };
    let echo = FormEcho::of::<SendCorrectionMessage>();
    let refused = echo.as_ref().and_then(|e| e.refusal().cloned());
    let typed = echo
        .as_ref()
        .and_then(|e| e.value("body"))
        .unwrap_or_default()
        .to_owned();
    let invalid = refused.is_some().then_some("true");
    let reference = reference.to_owned();
    let form = open.then(move || {
        view! {
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<SendCorrectionMessage>()}>
                <input type="hidden" name="reference" value=reference />
                <div class="field">
                    <label class="field__label" for="message-body">{t.message_label}</label>
                    <textarea
                        id="message-body"
                        class="field__input"
                        name="body"
                        required
                        maxlength=TEXT_LIMIT
                        rows="3"
                        aria-invalid=invalid
                    >
                        {typed}
                    </textarea>
                </div>
                <button type="submit" class="button">{t.message_send}</button>
            </PostForm>
        }
    });
    view! {
        <section id="messages" aria-labelledby="messages-heading">
            <h2 id="messages-heading">{t.messages_heading}</h2>
            {sent}
            {items}
            {form}
        </section>
    }
}

fn files(
    reference: &str,
    list: Vec<FileView>,
    left: usize,
    open: bool,
    t: &'static CorrectionTexts,
) -> AnyView {
    let words = FileWords {
        heading: t.files_heading,
        empty: t.files_empty,
        rules: t.files_rules,
        label: t.files_label,
        add: t.files_add,
        added: t.files_added,
        full: t.files_full,
        refusal: query_value("file_error").and_then(|code| t.file_refusal(&code)),
        accept: CASE_FILE_TYPES,
    };
    let list = list
        .into_iter()
        .map(|f| ListedFile {
            id: f.id,
            name: f.name,
            size: f.size,
        })
        .collect();
    case_files(
        &format!("/record/requests/{reference}"),
        list,
        left,
        open,
        &words,
    )
}
