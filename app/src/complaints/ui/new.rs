//! `/complaints/new` (or `?entry=…` from an access in the log): the patient says what
//! happened, what kind of problem it is, when and where if they know, and ticks the
//! accesses it is about. A refusal shows the form again with what was typed and ticked.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{complaint_texts, option, radios, refusal_of, refused_field, typed, Refusal};
use crate::access_log::ui::department_name;
use crate::access_log::ui::entry::AccessEntry;
use crate::complaints::api::{complaint_form, FileComplaint};
use crate::complaints::texts::kind_label;
use crate::complaints::types::{ComplaintFormView, ComplaintKind, NewComplaint, TEXT_LIMIT};
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::ui::error_notice::PageError;
use crate::ui::form::{action_of, query_value, FormEcho, PostForm, TextArea};
use crate::ui::locale::locale;

#[component]
pub fn NewComplaintPage() -> impl IntoView {
    let entry = query_value("entry").and_then(|e| e.parse::<i64>().ok());
    guarded(Some(Role::Patient), move |_who| async move {
        let t = complaint_texts();
        let body = match complaint_form(entry).await {
            Ok(form) => complaint_form_view(form).into_any(),
            Err(error) => view! { <PageError error /> }.into_any(),
        };
        view! {
            <Title text=t.new_title />
            <section class="page narrow" aria-labelledby="page-title">
                <h1 id="page-title">{t.new_title}</h1>
                <p>{t.new_lead}</p>
                {body}
                <p>
                    <a href="/complaints">{t.back_to_list}</a>
                </p>
            </section>
        }
        .into_any()
    })
}

fn complaint_form_view(form: ComplaintFormView) -> impl IntoView {
    let t = complaint_texts();
    let (refused, echo) = refusal_of::<FileComplaint>();
    let field = refused_field(refused.as_ref()).to_owned();
    let echo = echo.as_ref();
    let kinds = kind_choices(echo);
    // From a question about an access: the question starts the account.
    let account_typed = match echo {
        Some(echo) => typed(Some(echo), "complaint[account]"),
        None => form.question.clone().unwrap_or_default(),
    };
    let account = TextArea {
        id: "account",
        name: "complaint[account]",
        label: t.account_label,
        hint: t.account_hint,
        typed: account_typed,
        invalid: field == "account",
        rows: "6",
        required: true,
        limit: TEXT_LIMIT,
    }
    .view()
    .into_any();
    let departments = department_options(&form, echo);
    let started = form
        .from_entry
        .map(|_| view! { <p class="notice notice--info">{t.from_question}</p> });
    let entries = entries(&form, echo);
    let happened_on = typed(echo, "complaint[happened_on]");
    let place = typed(echo, "complaint[place]");
    let invalid = |name: &str| (field == name).then_some("true");
    let (day_invalid, department_invalid, place_invalid) = (
        invalid("happened_on"),
        invalid("department"),
        invalid("place"),
    );
    view! {
        {started}
        {refused.map(|error| view! { <Refusal error /> })}
        <PostForm action={action_of::<FileComplaint>()}>
            <fieldset class="choices">
                <legend>{t.kind_legend}</legend>
                {kinds}
            </fieldset>
            {account}
            <div class="field">
                <label class="field__label" for="happened-on">{t.happened_on_label}</label>
                <input
                    id="happened-on"
                    class="field__input"
                    type="date"
                    name="complaint[happened_on]"
                    value=happened_on
                    aria-invalid=day_invalid
                />
            </div>
            <div class="field">
                <label class="field__label" for="department">{t.department_label}</label>
                <select
                    id="department"
                    class="field__input"
                    name="complaint[department]"
                    aria-invalid=department_invalid
                >
                    {departments}
                </select>
            </div>
            <div class="field">
                <label class="field__label" for="place">{t.place_label}</label>
                <input
                    id="place"
                    class="field__input"
                    type="text"
                    name="complaint[place]"
                    maxlength="200"
                    value=place
                    aria-invalid=place_invalid
                />
            </div>
            {entries}
            <p class="muted">{t.files_after}</p>
            <button type="submit" class="button button--primary">{t.submit}</button>
        </PostForm>
    }
}

/// The kinds of complaint, as radio buttons; the refused post's choice stays.
fn kind_choices(echo: Option<&FormEcho>) -> Vec<AnyView> {
    let locale = locale();
    let choices: Vec<(&'static str, &'static str)> = ComplaintKind::ALL
        .iter()
        .map(|kind| (kind.code(), kind_label(locale, *kind)))
        .collect();
    radios(
        "complaint[kind]",
        "kind",
        &choices,
        &typed(echo, "complaint[kind]"),
    )
}

/// "I don't know" and the hospital's departments.
fn department_options(form: &ComplaintFormView, echo: Option<&FormEcho>) -> Vec<AnyView> {
    let locale = locale();
    let t = complaint_texts();
    let chosen = typed(echo, "complaint[department]");
    let mut options =
        vec![option(String::new(), t.department_unknown.to_owned(), &chosen).into_any()];
    for d in &form.departments {
        options.push(
            option(
                d.id.to_string(),
                department_name(locale, d).to_owned(),
                &chosen,
            )
            .into_any(),
        );
    }
    options
}

/// The accesses to tick: each with its full account (folded), ticked when the complaint
/// started from it or when the refused post had it ticked.
fn entries(form: &ComplaintFormView, echo: Option<&FormEcho>) -> AnyView {
    let t = complaint_texts();
    if form.entries.is_empty() {
        return view! {
            <fieldset class="choices">
                <legend>{t.entries_legend}</legend>
                <p class="muted">{t.entries_none}</p>
            </fieldset>
        }
        .into_any();
    }
    let items = form
        .entries
        .iter()
        .map(|entry| {
            let key = NewComplaint::entry_key(entry.id);
            let name = format!("complaint[entries][{key}]");
            let ticked = match echo {
                Some(echo) => echo.ticked(&name),
                None => form.from_entry == Some(entry.id),
            };
            let id = format!("link-{}", entry.id);
            let label_for = id.clone();
            let label = format!("{} · {}", entry.when_local, entry.agent_name);
            let entry = entry.clone();
            view! {
                <div class="linked-entry">
                    <label class="check" for=label_for>
                        <input type="checkbox" id=id name=name value="on" checked=ticked />
                        <span>{label}</span>
                    </label>
                    <ul class="access-entries">
                        <AccessEntry entry />
                    </ul>
                </div>
            }
            .into_any()
        })
        .collect::<Vec<_>>();
    view! {
        <fieldset class="choices">
            <legend>{t.entries_legend}</legend>
            <p class="muted">{t.entries_hint}</p>
            {items}
        </fieldset>
    }
    .into_any()
}
