//! Administrators issue a recovery enrollment link for someone who lost every device.

use leptos::prelude::*;
use leptos_meta::Title;

use super::guard::Guarded;
use crate::error::AppError;
use crate::i18n::ui::use_i18n;
use crate::identity::api::IssueRecoveryLink;
use crate::identity::types::{Role, SessionView};

#[component]
pub fn RecoveryPage() -> impl IntoView {
    // Outside the guard's closure, so a re-render keeps the answer on screen.
    let issue = ServerAction::<IssueRecoveryLink>::new();
    view! {
        <Guarded role=Some(Role::Admin) render=move |_who: SessionView| view! { <Recovery issue /> } />
    }
}

#[component]
fn Recovery(issue: ServerAction<IssueRecoveryLink>) -> impl IntoView {
    let i18n = use_i18n();
    // Keep what was typed when the server refuses it.
    let person = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    view! {
        <Title text=move || i18n.t().recovery_title />
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title">{move || i18n.t().recovery_title}</h1>
            <p>{move || i18n.t().recovery_lead}</p>
            <ActionForm action=issue>
                <label class="field">
                    <span class="field__label">{move || i18n.t().recovery_person_label}</span>
                    <input
                        class="field__input"
                        type="text"
                        name="person"
                        required
                        autocomplete="off"
                        prop:value=person
                        on:input=move |ev| person.set(event_target_value(&ev))
                    />
                </label>
                <label class="field">
                    <span class="field__label">{move || i18n.t().recovery_reason_label}</span>
                    <textarea
                        class="field__input"
                        name="reason"
                        required
                        minlength="5"
                        maxlength="500"
                        rows="3"
                        prop:value=reason
                        on:input=move |ev| reason.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <button type="submit" class="button button--primary">
                    {move || i18n.t().recovery_submit}
                </button>
            </ActionForm>
            <div aria-live="polite">
                {move || {
                    let t = i18n.t();
                    issue.value().get().map(|outcome| match outcome {
                        Ok(link) => {
                            view! {
                                <div class="notice notice--success" role="status">
                                    <p>{t.recovery_issued}</p>
                                    <p><code class="link-out">{link}</code></p>
                                </div>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            let text = match &error {
                                AppError::InvalidInput { field } if field == "person" => t.recovery_person_unknown,
                                AppError::InvalidInput { field } if field == "reason" => t.recovery_reason_invalid,
                                other => other.message(t),
                            };
                            view! {
                                <div class="notice notice--error" role="alert">
                                    <p>{text}</p>
                                </div>
                            }
                                .into_any()
                        }
                    })
                }}
            </div>
        </section>
    }
}
