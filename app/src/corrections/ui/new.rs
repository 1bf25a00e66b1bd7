//! `/record/requests/new?entry=…&field=…` (or `?section=…` for something missing): the
//! patient names what is wrong, sees what the record says, proposes the correction and
//! says why. A refusal shows the form again with what was typed.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{correction_texts, Refusal, TextArea};
use crate::corrections::api::{correction_form, FileCorrection};
use crate::corrections::types::{CorrectionFormView, MISSING};
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::record::texts::{field_label, field_value, section_label};
use crate::ui::error_notice::PageError;
use crate::ui::form::{action_of, query_value, FormEcho, PostForm};
use crate::ui::locale::locale;

#[component]
pub fn NewRequestPage() -> impl IntoView {
    // From the address, or from the form sent when the page answers a refused post.
    let echo = FormEcho::of::<FileCorrection>();
    let sent = |name: &str| echo.as_ref().and_then(|e| e.value(name).map(str::to_owned));
    let entry = sent("ask[entry]")
        .or_else(|| query_value("entry"))
        .and_then(|e| e.parse::<i64>().ok());
    let section = sent("ask[section]").or_else(|| query_value("section"));
    let field = sent("ask[field]").or_else(|| query_value("field"));
    guarded(Some(Role::Patient), move |_who| async move {
        let t = correction_texts();
        let body = match correction_form(entry, section, field).await {
            Ok(form) => request_form(form).into_any(),
            Err(error) => view! { <PageError error /> }.into_any(),
        };
        view! {
            <Title text=t.new_title />
            <section class="page narrow" aria-labelledby="page-title">
                <h1 id="page-title">{t.new_title}</h1>
                <p>{t.new_lead}</p>
                {body}
                <p>
                    <a href="/record">{t.back_to_record}</a>
                </p>
            </section>
        }
        .into_any()
    })
}

fn request_form(form: CorrectionFormView) -> impl IntoView {
    let locale = locale();
    let t = correction_texts();
    let echo = FormEcho::of::<FileCorrection>();
    let refused = echo.as_ref().and_then(|e| e.refusal().cloned());
    let typed = |name: &str| {
        echo.as_ref()
            .and_then(|e| e.value(name))
            .unwrap_or_default()
            .to_owned()
    };
    let refused_field = match &refused {
        Some(crate::error::AppError::InvalidInput { field }) => field.clone(),
        _ => String::new(),
    };
    let chosen = echo
        .as_ref()
        .and_then(|e| e.value("ask[field]").map(str::to_owned))
        .or_else(|| form.field.map(|f| f.code().to_owned()))
        .unwrap_or_else(|| MISSING.to_owned());
    let has_entry = form.entry.is_some();
    let entry_input = form
        .entry
        .map(|id| view! { <input type="hidden" name="ask[entry]" value=id.to_string() /> });
    let proposed = TextArea {
        id: "proposed",
        name: "ask[proposed]",
        label: if has_entry {
            t.proposed_label
        } else {
            t.missing_proposed_label
        },
        hint: t.proposed_hint,
        typed: typed("ask[proposed]"),
        invalid: refused_field == "proposed",
        rows: "3",
        required: true,
        limit: crate::corrections::types::TEXT_LIMIT,
    };
    let reason = TextArea {
        id: "reason",
        name: "ask[reason]",
        label: t.reason_label,
        hint: t.reason_hint,
        typed: typed("ask[reason]"),
        invalid: refused_field == "reason",
        rows: "4",
        required: true,
        limit: crate::corrections::types::TEXT_LIMIT,
    };
    view! {
        <h2>{t.entry_heading} ": " {section_label(locale, form.section)}</h2>
        {refused.map(|error| view! { <Refusal error /> })}
        <PostForm action={action_of::<FileCorrection>()}>
            {entry_input}
            {field_choice(&form, &chosen)}
            {proposed.view()}
            {reason.view()}
            <p class="muted">{t.files_after}</p>
            <button type="submit" class="button button--primary">{t.submit}</button>
        </PostForm>
    }
}

/// The entry's fields to choose from, each with what the record says now, and
/// "something is missing"; for a whole section, only that.
fn field_choice(form: &CorrectionFormView, chosen: &str) -> AnyView {
    let locale = locale();
    let t = correction_texts();
    if form.entry.is_none() {
        return view! {
            <input type="hidden" name="ask[field]" value=MISSING />
            <input type="hidden" name="ask[section]" value=form.section.code() />
        }
        .into_any();
    }
    let choices = form
        .fields
        .iter()
        .map(|f| {
            let id = format!("field-{}", f.field.code());
            let label_for = id.clone();
            view! {
                <label class="check" for=label_for>
                    <input
                        type="radio"
                        id=id
                        name="ask[field]"
                        value=f.field.code()
                        checked=chosen == f.field.code()
                    />
                    <span>
                        <strong>{field_label(locale, f.field)}</strong>
                        ": "
                        {field_value(locale, f.field, &f.value)}
                    </span>
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="choices">
            <legend>{t.field_label}</legend>
            {choices}
            <label class="check" for="field-missing">
                <input
                    type="radio"
                    id="field-missing"
                    name="ask[field]"
                    value=MISSING
                    checked=chosen == MISSING
                />
                <span>{t.missing_choice}</span>
            </label>
        </fieldset>
    }
    .into_any()
}
