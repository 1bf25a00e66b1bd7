//! `/report/follow-up`: the reporter enters the receipt code (or uses a passkey) and reads
//! the report, the privacy office's acknowledgement, questions and feedback; answers, adds
//! information and files; leaves. A session ends after 15 minutes idle.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{message_list, report_texts, Refusal, REPORT_FILE_TYPES};
use crate::reports::api::{report_follow_up, AddToReport, LeaveReport, OpenReport};
use crate::reports::islands::{PasskeyWords, ReportPasskey};
use crate::reports::texts::{kind_label, state_label, ReportTexts};
use crate::reports::types::{FileView, FollowUpView, MessageView, ReportState, TEXT_LIMIT};
use crate::ui::error_notice::PageError;
use crate::ui::files::{case_files, FileWords, ListedFile};
use crate::ui::form::{action_of, notice, query_value, refusal_of, typed, PostForm, TextArea};
use crate::ui::locale::locale;

/// The follow-up's path: its files live under it.
const PAGE: &str = "/report/follow-up";

#[component]
pub fn FollowUpPage() -> impl IntoView {
    let t = report_texts();
    let body = Suspend::new(async move {
        match report_follow_up().await {
            Ok(Some(report)) => report_view(report),
            Ok(None) => code_form(),
            Err(error) => view! { <PageError error /> }.into_any(),
        }
    });
    view! {
        <Title text=t.follow_title />
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title">{t.follow_title}</h1>
            <Suspense>{body}</Suspense>
        </section>
    }
}

fn code_form() -> AnyView {
    let t = report_texts();
    let (refused, echo) = refusal_of::<OpenReport>();
    let invalid = refused.is_some().then_some("true");
    let left = (query_value("left").as_deref() == Some("1")).then(|| notice(t.left, false));
    view! {
        {left}
        {refused.map(|error| view! { <Refusal error /> })}
        <PostForm action={action_of::<OpenReport>()}>
            <div class="field">
                <label class="field__label" for="code">{t.code_label}</label>
                <p class="muted" id="code-hint">{t.code_hint}</p>
                <input
                    id="code"
                    class="field__input receipt-input"
                    type="text"
                    name="code"
                    inputmode="numeric"
                    autocomplete="off"
                    required
                    maxlength="40"
                    value=typed(echo.as_ref(), "code")
                    aria-describedby="code-hint"
                    aria-invalid=invalid
                />
            </div>
            <button type="submit" class="button button--primary">{t.open}</button>
        </PostForm>
        <ReportPasskey create=false words=passkey_words(t, ("", "", t.passkey_open)) />
    }
    .into_any()
}

/// The passkey island's words: its heading and lead (or none), and its button.
fn passkey_words(
    t: &'static ReportTexts,
    (heading, lead, button): (&str, &str, &str),
) -> PasskeyWords {
    PasskeyWords {
        heading: heading.to_owned(),
        lead: lead.to_owned(),
        button: button.to_owned(),
        unsupported: t.passkey_unsupported.to_owned(),
        failed: t.passkey_failed.to_owned(),
        done: t.passkey_done.to_owned(),
    }
}

/// Offers a passkey in place of the code (shown only where scripts run).
fn passkey_section(has_passkey: bool, t: &'static ReportTexts) -> AnyView {
    if has_passkey {
        return view! { <p class="muted">{t.passkey_exists}</p> }.into_any();
    }
    let words = passkey_words(t, (t.passkey_heading, t.passkey_lead, t.passkey_create));
    view! { <ReportPasskey create=true words /> }.into_any()
}

fn report_view(report: FollowUpView) -> AnyView {
    let t = report_texts();
    let locale = locale();
    let open = report.state != ReportState::Closed;
    let facts = facts(&report, t);
    let conversation = conversation(report.messages, open, t);
    let files = files(report.files, open, t);
    let passkey = open.then(|| passkey_section(report.has_passkey, t));
    let account = report.account;
    let optional = |label: &'static str, value: String| {
        (!value.is_empty()).then(|| view! { <dt>{label}</dt> <dd>{value}</dd> })
    };
    let (place, when, who) = (
        optional(t.place, account.place),
        optional(t.when, account.when),
        optional(t.who, account.who),
    );
    view! {
        <p class="muted">{t.idle_note}</p>
        {facts}
        <section aria-labelledby="account-heading">
            <h2 id="account-heading">{t.your_report}</h2>
            <p class="muted">{kind_label(locale, report.kind)}</p>
            <p class="message__body">{account.what}</p>
            <dl class="facts">{place} {when} {who}</dl>
        </section>
        {conversation}
        {files}
        {passkey}
        <PostForm action={action_of::<LeaveReport>()}>
            <button type="submit" class="button">{t.leave}</button>
        </PostForm>
    }
    .into_any()
}

fn facts(report: &FollowUpView, t: &'static ReportTexts) -> impl IntoView {
    let locale = locale();
    let acknowledge = report
        .acknowledge_by
        .clone()
        .map(|day| view! { <dt>{t.acknowledge_by}</dt> <dd>{day}</dd> });
    let feedback = report
        .feedback_by
        .clone()
        .map(|day| view! { <dt>{t.feedback_by}</dt> <dd>{day}</dd> });
    view! {
        <dl class="facts facts--meta">
            <dt>{t.stage}</dt>
            <dd>{state_label(locale, report.state)}</dd>
            <dt>{t.received_on}</dt>
            <dd>{report.received_on.clone()}</dd>
            {acknowledge}
            {feedback}
        </dl>
    }
}

fn conversation(list: Vec<MessageView>, open: bool, t: &'static ReportTexts) -> impl IntoView {
    let sent = (query_value("sent").as_deref() == Some("1")).then(|| notice(t.sent, false));
    let items = message_list(list, t, false);
    let (refused, echo) = refusal_of::<AddToReport>();
    let area = TextArea {
        id: "reply",
        name: "text",
        label: t.write_label,
        hint: t.write_hint,
        typed: typed(echo.as_ref(), "text"),
        invalid: refused.is_some(),
        rows: "4",
        required: true,
        limit: TEXT_LIMIT,
    }
    .view()
    .into_any();
    let form = if open {
        view! {
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<AddToReport>()}>
                {area}
                <button type="submit" class="button button--primary">{t.send}</button>
            </PostForm>
        }
        .into_any()
    } else {
        view! { <p class="muted">{t.closed_note}</p> }.into_any()
    };
    view! {
        <section id="conversation" aria-labelledby="conversation-heading">
            <h2 id="conversation-heading">{t.conversation}</h2>
            {sent}
            {items}
            {form}
        </section>
    }
}

fn files(list: Vec<FileView>, open: bool, t: &'static ReportTexts) -> AnyView {
    let words = FileWords {
        heading: t.files_heading,
        empty: t.no_files,
        rules: t.files_hint,
        label: t.files_label,
        add: t.add_files,
        added: t.files_added,
        full: t.bad_file_count,
        refusal: query_value("file_error").and_then(|code| t.refusal(&code)),
        accept: REPORT_FILE_TYPES,
    };
    let list = list
        .into_iter()
        .map(|f| ListedFile {
            id: f.id,
            name: f.name,
            size: f.size,
        })
        .collect();
    case_files(PAGE, list, usize::from(open), open, &words)
}
