//! `/staff/recovery`: administrators issue a recovery enrollment link for someone who lost
//! every device. The link is shown once, on the page that answers the form (never in an
//! address, where it would stay in the browser's history).

use leptos::prelude::*;
use leptos_meta::Title;

use super::guard::guarded;
use crate::error::AppError;
use crate::i18n::ui::texts;
use crate::identity::api::IssueRecoveryLink;
use crate::identity::types::Role;
use crate::ui::error_notice::{ErrorNotice, REFUSED_ID};
use crate::ui::form::{action_of, FormEcho, PostForm};

#[component]
pub fn RecoveryPage() -> impl IntoView {
    guarded(Some(Role::Admin), |_who| async move { recovery() })
}

fn recovery() -> AnyView {
    let t = texts();
    let echo = FormEcho::of::<IssueRecoveryLink>();
    let issued: Option<String> = echo.as_ref().and_then(FormEcho::answer);
    let refused = echo.as_ref().and_then(|echo| echo.refusal().cloned());
    // A refusal keeps what was typed; an issued link clears the form for the next person.
    let typed = |name: &str| {
        echo.as_ref()
            .filter(|_| refused.is_some())
            .and_then(|echo| echo.value(name))
            .unwrap_or_default()
            .to_owned()
    };
    let (person, reason) = (typed("person"), typed("reason"));
    let person_invalid =
        matches!(&refused, Some(AppError::InvalidInput { field }) if field == "person");
    let reason_invalid =
        matches!(&refused, Some(AppError::InvalidInput { field }) if field == "reason");
    let outcome = match (issued, refused) {
        (Some(link), _) => Some(
            view! {
                <div class="notice notice--success" role="status" tabindex="-1">
                    <p>{t.recovery_issued}</p>
                    <p>
                        <code class="link-out">{link}</code>
                    </p>
                </div>
            }
            .into_any(),
        ),
        (None, Some(error)) => Some(match &error {
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
        }),
        (None, None) => None,
    };
    view! {
        <Title text=t.recovery_title />
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title">{t.recovery_title}</h1>
            <p>{t.recovery_lead}</p>
            {outcome}
            <PostForm action={action_of::<IssueRecoveryLink>()}>
                <label class="field">
                    <span class="field__label">{t.recovery_person_label}</span>
                    <input
                        class="field__input"
                        type="text"
                        name="person"
                        required
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
                        minlength="5"
                        maxlength="500"
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
        </section>
    }
    .into_any()
}
