//! `/complaints/:reference`: one of the patient's complaints — what they said, where it
//! stands and the date of the next step, what has happened, the accesses it names, the
//! plan, measures and outcome once there are any, messages and files — with the
//! patient's forms: a message, files (plain multipart), feedback at follow-up, withdrawal.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{complaint_texts, radios, refusal_of, timeline, typed, Refusal};
use crate::access_log::ui::department_name;
use crate::access_log::ui::entry::AccessEntry;
use crate::complaints::api::{
    my_complaint, GiveComplaintFeedback, SendComplaintMessage, WithdrawComplaint,
};
use crate::complaints::texts::{kind_label, state_label, ComplaintTexts};
use crate::complaints::types::{ComplaintView, FileView, NoteView, TEXT_LIMIT};
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::error_notice::PageError;
use crate::ui::files::{case_files, FileWords, ListedFile, CASE_FILE_TYPES};
use crate::ui::form::{action_of, notice, query_value, PostForm, TextArea};
use crate::ui::locale::locale;

#[component]
pub fn ComplaintPage() -> impl IntoView {
    let reference = use_params_map().with_untracked(|p| p.get("reference").unwrap_or_default());
    guarded(Some(Role::Patient), |_who| async move {
        let t = complaint_texts();
        let heading = format!("{} {reference}", t.reference);
        let body = match my_complaint(reference).await {
            Ok(complaint) => complaint_body(complaint, t).into_any(),
            Err(error) => view! { <PageError error /> }.into_any(),
        };
        view! {
            <Title text=heading.clone() />
            <section class="page narrow" aria-labelledby="page-title">
                <h1 id="page-title">{heading}</h1>
                {body}
                <p>
                    <a href="/complaints">{t.back_to_list}</a>
                </p>
            </section>
        }
        .into_any()
    })
}

fn complaint_body(c: ComplaintView, t: &'static ComplaintTexts) -> impl IntoView {
    let locale = locale();
    let done = match query_value("done").as_deref() {
        _ if query_value("filed").as_deref() == Some("1") => Some(notice(t.filed_notice, false)),
        Some("withdrawn") => Some(notice(t.withdrawn_notice, false)),
        Some("feedback") => Some(notice(t.feedback_thanks, false)),
        _ => None,
    };
    let department = c.department.as_ref().map_or(t.unknown.to_owned(), |d| {
        department_name(locale, d).to_owned()
    });
    let entries = (!c.entries.is_empty()).then(|| {
        let items = c
            .entries
            .iter()
            .cloned()
            .map(|entry| view! { <AccessEntry entry /> })
            .collect_view();
        view! {
            <h2>{t.entries_heading}</h2>
            <ul class="access-entries">{items}</ul>
        }
    });
    let texts_for_patient = outcome(&c, t);
    let reference = c.reference.clone();
    let open = !c.state.is_ended();
    view! {
        {done}
        <dl class="facts">
            <dt>{t.state}</dt>
            <dd>
                <strong>{state_label(locale, c.state)}</strong>
            </dd>
            <dt>{t.next_due}</dt>
            <dd>{c.next_due.clone().unwrap_or_else(|| t.next_due_none.to_owned())}</dd>
            <dt>{t.kind}</dt>
            <dd>{kind_label(locale, c.kind)}</dd>
            <dt>{t.account_label}</dt>
            <dd class="message__body">{c.account.clone()}</dd>
            <dt>{t.when}</dt>
            <dd>{c.happened_on.clone().unwrap_or_else(|| t.unknown.to_owned())}</dd>
            <dt>{t.department}</dt>
            <dd>{department}</dd>
            <dt>{t.place}</dt>
            <dd>{c.place.clone().unwrap_or_else(|| t.unknown.to_owned())}</dd>
            <dt>{t.filed}</dt>
            <dd>{c.filed.clone()}</dd>
        </dl>
        {texts_for_patient}
        {feedback(&c, t)}
        <h2>{t.timeline_heading}</h2>
        {timeline(&c.timeline)}
        {entries}
        {messages(&reference, c.messages.clone(), open, t)}
        {files(&reference, c.files.clone(), c.files_left, open, t)}
        {withdraw(&c, t)}
    }
}

/// The texts written for the patient: the plan's measures for them, what was done, the
/// outcome, or why it was rejected.
fn outcome(c: &ComplaintView, t: &'static ComplaintTexts) -> impl IntoView {
    let block = |heading: &'static str, text: Option<String>| {
        text.map(|text| {
            view! {
                <h2>{heading}</h2>
                <p class="message__body">{text}</p>
            }
        })
    };
    let on_spot = c
        .resolved_on_spot
        .then(|| view! { <p class="notice notice--info">{t.resolved_on_spot}</p> });
    let rejected = c.rejection_reason.clone().map(|reason| {
        view! {
            <h2>{t.rejected_heading}</h2>
            <p class="message__body">{reason}</p>
            <p class="muted">{t.rejected_next}</p>
        }
    });
    view! {
        {on_spot}
        {block(t.plan_patient_heading, c.plan_patient.clone())}
        {block(t.measures_heading, c.measures_taken.clone())}
        {block(t.outcome_heading, c.outcome.clone())}
        {rejected}
    }
}

/// The patient's answer at follow-up, or the form to give it.
fn feedback(c: &ComplaintView, t: &'static ComplaintTexts) -> AnyView {
    if let Some(given) = &c.feedback {
        let answer = if given.satisfied {
            t.feedback_yes
        } else {
            t.feedback_no
        };
        return view! {
            <h2>{t.feedback_yours}</h2>
            <p>
                <strong>{answer}</strong>
            </p>
            {given.comment.clone().map(|comment| view! { <p class="message__body">{comment}</p> })}
        }
        .into_any();
    }
    if !c.may_give_feedback {
        return ().into_any();
    }
    let (refused, echo) = refusal_of::<GiveComplaintFeedback>();
    let echo = echo.as_ref();
    let answers = radios(
        "satisfied",
        "satisfied",
        &[("yes", t.feedback_yes), ("no", t.feedback_no)],
        &typed(echo, "satisfied"),
    );
    let comment = TextArea {
        id: "feedback-comment",
        name: "comment",
        label: t.feedback_comment,
        hint: "",
        typed: typed(echo, "comment"),
        invalid: refused.is_some(),
        rows: "3",
        required: false,
        limit: TEXT_LIMIT,
    }
    .view()
    .into_any();
    let reference = c.reference.clone();
    view! {
        <section aria-labelledby="feedback-heading" class="card">
            <h2 id="feedback-heading">{t.feedback_heading}</h2>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<GiveComplaintFeedback>()}>
                <input type="hidden" name="reference" value=reference />
                <fieldset class="choices">
                    <legend>{t.feedback_heading}</legend>
                    {answers}
                </fieldset>
                {comment}
                <button type="submit" class="button button--primary">{t.feedback_submit}</button>
            </PostForm>
        </section>
    }
    .into_any()
}

fn messages(
    reference: &str,
    list: Vec<NoteView>,
    open: bool,
    t: &'static ComplaintTexts,
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
    let (refused, echo) = refusal_of::<SendComplaintMessage>();
    let area = TextArea {
        id: "message-body",
        name: "body",
        label: t.message_label,
        hint: "",
        typed: typed(echo.as_ref(), "body"),
        invalid: refused.is_some(),
        rows: "3",
        required: true,
        limit: TEXT_LIMIT,
    }
    .view()
    .into_any();
    let reference = reference.to_owned();
    let form = open.then(move || {
        view! {
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<SendComplaintMessage>()}>
                <input type="hidden" name="reference" value=reference />
                {area}
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
    t: &'static ComplaintTexts,
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
        &format!("/complaints/{reference}"),
        list,
        left,
        open,
        &words,
    )
}

fn withdraw(c: &ComplaintView, t: &'static ComplaintTexts) -> Option<AnyView> {
    if !c.may_withdraw {
        return None;
    }
    let (refused, echo) = refusal_of::<WithdrawComplaint>();
    let area = TextArea {
        id: "withdraw-reason",
        name: "reason",
        label: t.withdraw_reason,
        hint: "",
        typed: typed(echo.as_ref(), "reason"),
        invalid: refused.is_some(),
        rows: "2",
        required: false,
        limit: TEXT_LIMIT,
    }
    .view()
    .into_any();
    let open = refused.is_some();
    let reference = c.reference.clone();
    Some(
        view! {
            <details class="withdraw" open=open>
                <summary>{t.withdraw_heading}</summary>
                <p>{t.withdraw_lead}</p>
                {refused.map(|error| view! { <Refusal error /> })}
                <PostForm action={action_of::<WithdrawComplaint>()}>
                    <input type="hidden" name="reference" value=reference />
                    {area}
                    <button type="submit" class="button button--danger">{t.withdraw_submit}</button>
                </PostForm>
            </details>
        }
        .into_any(),
    )
}
