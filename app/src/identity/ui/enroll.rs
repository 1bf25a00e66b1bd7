//! Enrollment: opening a one-time link registers the person's first passkey.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::sign_in::{go_home, BrowserFailureNotice};
use super::webauthn::{create_passkey, BrowserFailure};
use crate::error::AppError;
use crate::i18n::ui::use_i18n;
use crate::identity::api::{enrollment_info, finish_enrollment, start_enrollment};
use crate::ui::error_notice::ErrorNotice;

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Ready,
    Working,
    Browser(BrowserFailure),
    Server(AppError),
}

async fn enroll(token: String) -> Status {
    let start = match start_enrollment(token).await {
        Ok(start) => start,
        Err(error) => return Status::Server(error),
    };
    let credential = match create_passkey(&start.options_json).await {
        Ok(credential) => credential,
        Err(failure) => return Status::Browser(failure),
    };
    match finish_enrollment(start.ceremony_id, credential).await {
        Ok(_) => Status::Ready,
        Err(error) => Status::Server(error),
    }
}

#[component]
pub fn EnrollPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let info = Resource::new_blocking(token, enrollment_info);
    let status = RwSignal::new(Status::Ready);
    let on_click = move |_| {
        status.set(Status::Working);
        let token = token();
        leptos::task::spawn_local(async move {
            let outcome = enroll(token).await;
            if outcome == Status::Ready {
                go_home();
            } else {
                status.set(outcome);
            }
        });
    };

    view! {
        <Title text=move || i18n.t().enroll_title />
        <section class="page narrow" aria-labelledby="page-title">
            <Suspense fallback=move || view! { <p class="muted">{move || i18n.t().loading}</p> }>
                {move || {
                    let on_click = on_click;
                    info.get()
                        .map(|info| match info {
                            Ok(info) => {
                                view! {
                                    <h1 id="page-title">{move || i18n.t().enroll_title}</h1>
                                    <p>
                                        {move || i18n.t().enroll_for} " "
                                        <strong>{info.display_name.clone()}</strong> " · "
                                        {move || i18n.t().enroll_at} " "
                                        <strong>{info.hospital_name.clone()}</strong>
                                    </p>
                                    <Show when=move || info.recovery>
                                        <div class="notice notice--info">
                                            <p>{move || i18n.t().enroll_recovery_note}</p>
                                        </div>
                                    </Show>
                                    <p>{move || i18n.t().enroll_explain}</p>
                                    <noscript>
                                        <div class="notice notice--error">
                                            <p>{move || i18n.t().needs_javascript}</p>
                                        </div>
                                    </noscript>
                                    <button
                                        type="button"
                                        class="button button--primary"
                                        on:click=on_click
                                        disabled=move || status.get() == Status::Working
                                    >
                                        {move || i18n.t().enroll_button}
                                    </button>
                                    <div aria-live="polite">
                                        {move || match status.get() {
                                            Status::Ready => ().into_any(),
                                            Status::Working => {
                                                view! {
                                                    <p class="muted">{move || i18n.t().sign_in_working}</p>
                                                }
                                                    .into_any()
                                            }
                                            Status::Browser(failure) => {
                                                view! { <BrowserFailureNotice failure /> }.into_any()
                                            }
                                            Status::Server(AppError::NotFound) => {
                                                view! { <LinkUnusable /> }.into_any()
                                            }
                                            Status::Server(error) => {
                                                view! { <ErrorNotice error /> }.into_any()
                                            }
                                        }}
                                    </div>
                                }
                                    .into_any()
                            }
                            Err(AppError::NotFound) => {
                                view! {
                                    <h1 id="page-title">{move || i18n.t().enroll_invalid_title}</h1>
                                    <LinkUnusable />
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

/// The clear message for a used, expired or broken link.
#[component]
fn LinkUnusable() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::ssr::request::set_status(http::StatusCode::GONE);
    let i18n = use_i18n();
    view! {
        <div class="notice notice--error" role="alert">
            <p>{move || i18n.t().enroll_invalid_body}</p>
        </div>
    }
}
