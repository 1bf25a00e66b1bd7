//! `/report`: the public report form, and the receipt shown once after it was sent. The
//! form is a plain multipart form (`POST /report`) that works with JavaScript off; with
//! JavaScript the page's proof-of-work island fills in its `work` field first. A refused
//! form comes back with what was typed (files must be chosen again: browsers never keep
//! them). The page sets no cookie and loads nothing from elsewhere.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{keep_language, report_texts, Refusal, REPORT_FILE_TYPES};
use crate::reports::api::report_ticket;
use crate::reports::islands::SendWithWork;
use crate::reports::texts::{kind_label, ReportTexts};
use crate::reports::types::{FormTicket, Receipt, ReportKind, SHORT_LIMIT, TEXT_LIMIT};
use crate::ui::error_notice::PageError;
use crate::ui::form::{current_page, radios, refused_field, typed, FormEcho, TextArea, PAGE_FIELD};
use crate::ui::locale::locale;

/// Where the form posts (a route of the server crate, not a server function).
pub const REPORT_ACTION: &str = "/report";

#[component]
pub fn ReportPage() -> impl IntoView {
    let echo = FormEcho::current().filter(|echo| echo.action == REPORT_ACTION);
    let receipt = echo.as_ref().and_then(FormEcho::answer::<Receipt>);
    let body = Suspend::new(async move {
        if let Some(receipt) = receipt {
            return receipt_view(&receipt);
        }
        match report_ticket().await {
            Ok(ticket) => form_view(ticket, echo.as_ref()),
            Err(error) => view! { <PageError error /> }.into_any(),
        }
    });
    let t = report_texts();
    view! {
        <Title text=t.title />
        <section class="page narrow" aria-labelledby="page-title">
            <Suspense>{body}</Suspense>
        </section>
    }
}

/// What the portal keeps and does not keep, said plainly.
fn promise(t: &'static ReportTexts, retention_days: i64) -> impl IntoView {
    let kept = t
        .promise_kept
        .replace("{days}", &retention_days.to_string());
    view! {
        <section class="card" aria-labelledby="promise-heading">
            <h2 id="promise-heading">{t.promise_heading}</h2>
            <ul>
                <li>{t.promise_not_kept}</li>
                <li>{kept}</li>
                <li>{t.promise_careful}</li>
            </ul>
        </section>
    }
}

fn form_view(ticket: FormTicket, echo: Option<&FormEcho>) -> AnyView {
    let t = report_texts();
    let refused = echo.and_then(|e| e.refusal().cloned());
    let field = refused_field(refused.as_ref()).to_owned();
    // A refused form keeps its token unless the token itself was the problem.
    let token = match (echo, field.as_str()) {
        (Some(echo), field) if field != "token" => echo
            .value("token")
            .map_or(ticket.token.clone(), str::to_owned),
        _ => ticket.token.clone(),
    };
    let choices: Vec<(&'static str, &'static str)> = ReportKind::ALL
        .iter()
        .map(|kind| (kind.code(), kind_label(locale(), *kind)))
        .collect();
    let kinds = radios("kind", "kind", &choices, &typed(echo, "kind"));
    let what = TextArea {
        id: "what",
        name: "what",
        label: t.what_label,
        hint: t.what_hint,
        typed: typed(echo, "what"),
        invalid: field == "what",
        rows: "8",
        required: true,
        limit: TEXT_LIMIT,
    }
    .view()
    .into_any();
    let place = short(echo, &field, ("place", t.place_label, None));
    let when = short(echo, &field, ("when", t.when_label, Some(t.when_hint)));
    let who = short(echo, &field, ("who", t.who_label, None));
    let files_again = echo.map(|_| view! { <p class="muted">{t.files_again}</p> });
    let files_invalid = field.starts_with("file").then_some("true");
    view! {
        <h1 id="page-title">{t.title}</h1>
        <p>{t.lead}</p>
        {promise(t, ticket.retention_days)}
        {refused.map(|error| view! { <Refusal error /> })}
        <form
            method="post"
            action=REPORT_ACTION
            enctype="multipart/form-data"
            class="report-form"
        >
            <input type="hidden" name=PAGE_FIELD value=current_page() />
            <input type="hidden" name="token" value=token.clone() />
            <input type="hidden" name="work" value="" />
            <fieldset class="choices">
                <legend>{t.kind_legend}</legend>
                {kinds}
            </fieldset>
            {what}
            {place}
            {when}
            {who}
            <div class="field">
                <label class="field__label" for="report-files">{t.files_label}</label>
                <p class="muted" id="report-files-hint">{t.files_hint}</p>
                {files_again}
                <input
                    id="report-files"
                    class="field__input"
                    type="file"
                    name="file"
                    multiple
                    accept=REPORT_FILE_TYPES
                    aria-describedby="report-files-hint"
                    aria-invalid=files_invalid
                />
            </div>
            <SendWithWork token=token bits=ticket.difficulty label=t.submit.to_owned() />
        </form>
        <p>
            <a href=keep_language("/report/follow-up")>{t.receipt_follow}</a>
        </p>
    }
    .into_any()
}

/// A short optional field (`id`, its label and hint), keeping what was typed.
fn short(
    echo: Option<&FormEcho>,
    refused: &str,
    (id, label, hint): (&'static str, &'static str, Option<&'static str>),
) -> AnyView {
    let value = typed(echo, id);
    let invalid = (refused == id).then_some("true");
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label class="field__label" for=id>{label}</label>
            {hint.map(|hint| view! { <p class="muted" id=hint_id>{hint}</p> })}
            <input
                id=id
                class="field__input"
                type="text"
                name=id
                maxlength=SHORT_LIMIT
                value=value
                aria-invalid=invalid
                aria-describedby=described
            />
        </div>
    }
    .into_any()
}

fn receipt_view(receipt: &Receipt) -> AnyView {
    let t = report_texts();
    let code = receipt.code.clone();
    let files = receipt.files.to_string();
    view! {
        <h1 id="page-title">{t.receipt_title}</h1>
        <div class="notice notice--success" role="status" tabindex="-1">
            <p>{t.receipt_lead}</p>
        </div>
        <dl class="facts">
            <dt>{t.receipt_code}</dt>
            <dd>
                <strong class="receipt-code" id="receipt-code">{code}</strong>
            </dd>
            <dt>{t.receipt_files}</dt>
            <dd>{files}</dd>
        </dl>
        <p>{t.receipt_next}</p>
        <p>
            <a href=keep_language("/report/follow-up") class="button">
                {t.receipt_follow}
            </a>
        </p>
    }
    .into_any()
}
