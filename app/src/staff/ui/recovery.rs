//! `/staff/recovery`: administrators issue a recovery enrollment link for someone who lost
//! every device. Two steps, both plain forms: name the person (by the kind of reference
//! typed), then confirm whose account it is. The link is shown once, on the page that
//! answers the form (never in an address, where it would stay in the browser's history).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::i18n::Texts;
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::staff::api::IssueRecoveryLink;
use crate::staff::types::{RecoveryAnswer, ReferenceKind, REASON_CHARS};
use crate::ui::error_notice::{ErrorNotice, REFUSED_ID};
use crate::ui::form::{action_of, FormEcho, PostForm};
use crate::ui::locale::texts;

#[component]
pub fn RecoveryPage() -> impl IntoView {
    guarded(Some(Role::Admin), |_who| async move { recovery() })
}

fn kind_label(kind: ReferenceKind, t: &'static Texts) -> &'static str {
    match kind {
        ReferenceKind::RecordNumber => t.recovery_kind_record_number,
        ReferenceKind::StaffNumber => t.recovery_kind_staff_number,
        ReferenceKind::Email => t.recovery_kind_email,
    }
}

fn recovery() -> AnyView {
    let t = texts();
    let echo = FormEcho::of::<IssueRecoveryLink>();
    let answer: Option<RecoveryAnswer> = echo.as_ref().and_then(FormEcho::answer);
    let refused = echo.as_ref().and_then(|echo| echo.refusal().cloned());
    let body = match answer {
        Some(RecoveryAnswer::Confirm {
            display_name,
            kind,
            reference,
        }) => {
            let reason = echo
                .as_ref()
                .and_then(|echo| echo.value("reason"))
                .unwrap_or_default()
                .to_owned();
            confirm_step(t, &display_name, kind, &reference, &reason)
        }
        Some(RecoveryAnswer::Issued {
            display_name,
            link,
            emailed,
        }) => issued(t, &display_name, &link, emailed),
        None => first_step(t, echo.as_ref(), refused),
    };
    view! {
        <Title text=t.recovery_title />
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title">{t.recovery_title}</h1>
            <p>{t.recovery_lead}</p>
            {body}
        </section>
    }
    .into_any()
}

/// Name the person and give the reason; a refusal keeps what was typed.
fn first_step(t: &'static Texts, echo: Option<&FormEcho>, refused: Option<AppError>) -> AnyView {
    let typed = |name: &str| {
        echo.filter(|_| refused.is_some())
            .and_then(|echo| echo.value(name))
            .unwrap_or_default()
            .to_owned()
    };
    let (person, reason) = (typed("person"), typed("reason"));
    let chosen = ReferenceKind::from_code(&typed("kind")).unwrap_or(ReferenceKind::RecordNumber);
    let field_refused =
        |name: &str| matches!(&refused, Some(AppError::InvalidInput { field }) if field == name);
    let (person_invalid, reason_invalid) = (field_refused("person"), field_refused("reason"));
    let notice = refused.map(|error| match &error {
        AppError::InvalidInput { field } if field == "person" || field == "reason" => {
            let text = if field == "person" {
                t.recovery_person_unknown
            } else {
                t.recovery_reason_invalid
            };
            view! {
                <div class="notice notice--error" role="alert" tabindex="-1" id=REFUSED_ID>
                    <p>{text}</p>
                </div>
            }
            .into_any()
        }
        _ => view! {
            <div id=REFUSED_ID>
                <ErrorNotice error />
            </div>
        }
        .into_any(),
    });
    let kinds = ReferenceKind::ALL
        .iter()
        .map(|kind| {
            view! {
                <label class="check">
                    <input
                        type="radio"
                        name="kind"
                        value=kind.code()
                        checked=*kind == chosen
                        required
                    />
                    <span>{kind_label(*kind, t)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        {notice}
        <PostForm action={action_of::<IssueRecoveryLink>()}>
            <fieldset class="choices">
                <legend class="field__label">{t.recovery_kind_label}</legend>
                {kinds}
            </fieldset>
            <label class="field">
                <span class="field__label">{t.recovery_person_label}</span>
                <input
                    class="field__input"
                    type="text"
                    name="person"
                    required
                    maxlength="200"
                    autocomplete="off"
                    value=person
                    aria-invalid=person_invalid.then_some("true")
                />
            </label>
            <label class="field">
                <span class="field__label">{t.recovery_reason_label}</span>
                <textarea
                    class="field__input"
                    name="reason"
                    required
                    minlength=REASON_CHARS.start().to_string()
                    maxlength=REASON_CHARS.end().to_string()
                    rows="3"
                    aria-invalid=reason_invalid.then_some("true")
                >
                    {reason}
                </textarea>
            </label>
            <button type="submit" class="button button--primary">
                {t.recovery_submit}
            </button>
        </PostForm>
    }
    .into_any()
}

/// Whose account the link would be for; issuing needs a second, explicit yes.
fn confirm_step(
    t: &'static Texts,
    display_name: &str,
    kind: ReferenceKind,
    reference: &str,
    reason: &str,
) -> AnyView {
    let (display_name, reference, reason) = (
        display_name.to_owned(),
        reference.to_owned(),
        reason.to_owned(),
    );
    view! {
        <div class="notice" role="status" tabindex="-1" id="confirm">
            <p>{t.recovery_confirm_lead}</p>
            <p>
                <strong>{display_name}</strong>
                " — "
                {kind_label(kind, t)}
                ": "
                <code>{reference.clone()}</code>
            </p>
        </div>
        <PostForm action={action_of::<IssueRecoveryLink>()}>
            <input type="hidden" name="kind" value=kind.code() />
            <input type="hidden" name="person" value=reference />
            <input type="hidden" name="reason" value=reason />
            <input type="hidden" name="confirmed" value="yes" />
            <button type="submit" class="button button--primary">
                {t.recovery_confirm_submit}
            </button>
        </PostForm>
        <p>
            <a href="/staff/recovery">{t.recovery_someone_else}</a>
        </p>
    }
    .into_any()
}

fn issued(t: &'static Texts, display_name: &str, link: &str, emailed: bool) -> AnyView {
    let (display_name, link) = (display_name.to_owned(), link.to_owned());
    view! {
        <div class="notice notice--success" role="status" tabindex="-1">
            <p>
                <strong>{display_name}</strong>
            </p>
            <p>{if emailed { t.recovery_told } else { t.recovery_not_emailed }}</p>
            <p>{t.recovery_issued}</p>
            <p>
                <code class="link-out">{link}</code>
            </p>
        </div>
        <p>
            <a href="/staff/recovery">{t.recovery_someone_else}</a>
        </p>
    }
    .into_any()
}
