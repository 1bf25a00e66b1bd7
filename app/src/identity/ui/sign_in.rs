//! Sign in: one button, and passkeys offered in autofill where the browser supports it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::webauthn::{get_passkey, BrowserFailure};
use crate::i18n::ui::use_i18n;
use crate::identity::api::{finish_sign_in, start_sign_in};
use crate::ui::error_notice::ErrorNotice;

/// Where a signed-in person lands.
pub const HOME_PATH: &str = "/home";

/// Loads the signed-in home as a new page, so that everything on it (header included) is
/// rendered for the new session rather than patched from the signed-out one.
pub fn go_home() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(HOME_PATH);
    }
}

/// What the page says about the last attempt.
#[derive(Clone, Debug, PartialEq)]
enum Status {
    Idle,
    Working,
    Browser(BrowserFailure),
    Server(crate::error::AppError),
}

/// Runs one sign-in with the browser's modal passkey prompt.
async fn sign_in_with_prompt() -> Status {
    let start = match start_sign_in().await {
        Ok(start) => start,
        Err(error) => return Status::Server(error),
    };
    let credential = match get_passkey(&start.options_json).await {
        Ok(credential) => credential,
        Err(failure) => return Status::Browser(failure),
    };
    match finish_sign_in(start.ceremony_id, credential).await {
        Ok(_) => Status::Idle,
        Err(error) => Status::Server(error),
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let status = RwSignal::new(Status::Idle);
    let query = use_query_map();
    let idle = move || query.with(|q| q.get("reason").as_deref() == Some("idle"));
    let done = go_home;

    #[cfg(feature = "hydrate")]
    let abort_autofill = autofill(done, status);
    #[cfg(not(feature = "hydrate"))]
    let abort_autofill = || {};

    let on_click = move |_| {
        abort_autofill();
        status.set(Status::Working);
        leptos::task::spawn_local(async move {
            let outcome = sign_in_with_prompt().await;
            if outcome == Status::Idle {
                done();
            } else {
                status.set(outcome);
            }
        });
    };

    view! {
        <Title text=move || i18n.t().sign_in_title />
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title">{move || i18n.t().sign_in_title}</h1>
            <Show when=idle>
                <div class="notice notice--info" role="status">
                    <p>{move || i18n.t().sign_in_idle}</p>
                </div>
            </Show>
            <p>{move || i18n.t().sign_in_lead}</p>
            <noscript>
                <div class="notice notice--error">
                    <p>{move || i18n.t().needs_javascript}</p>
                </div>
            </noscript>
            <label class="field">
                <span class="field__label">{move || i18n.t().sign_in_autofill_label}</span>
                <input
                    class="field__input"
                    type="text"
                    name="username"
                    autocomplete="username webauthn"
                    readonly
                />
            </label>
            <button
                type="button"
                class="button button--primary"
                on:click=on_click
                disabled=move || status.get() == Status::Working
            >
                {move || i18n.t().sign_in_button}
            </button>
            <div aria-live="polite">
                {move || match status.get() {
                    Status::Idle => ().into_any(),
                    Status::Working => {
                        view! { <p class="muted">{move || i18n.t().sign_in_working}</p> }.into_any()
                    }
                    Status::Browser(failure) => {
                        view! { <BrowserFailureNotice failure /> }.into_any()
                    }
                    Status::Server(crate::error::AppError::Unauthenticated) => {
                        view! {
                            <div class="notice notice--error" role="alert">
                                <p>{move || i18n.t().sign_in_failed}</p>
                            </div>
                        }
                            .into_any()
                    }
                    Status::Server(error) => view! { <ErrorNotice error /> }.into_any(),
                }}
            </div>
            <p class="muted">{move || i18n.t().sign_in_no_account}</p>
        </section>
    }
}

/// A browser-side WebAuthn failure in words.
#[component]
pub fn BrowserFailureNotice(failure: BrowserFailure) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        let t = i18n.t();
        match failure {
            BrowserFailure::Unsupported => t.webauthn_unsupported,
            BrowserFailure::Cancelled | BrowserFailure::Failed => t.webauthn_cancelled,
            BrowserFailure::AlreadyRegistered => t.webauthn_already_registered,
        }
    };
    view! {
        <div class="notice notice--error" role="alert">
            <p>{text}</p>
        </div>
    }
}

/// Starts a conditional (autofill) request when the browser supports it; returns a
/// function that cancels it, so the button can take over.
#[cfg(feature = "hydrate")]
fn autofill(done: fn(), status: RwSignal<Status>) -> impl Fn() + Clone + 'static {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(web_sys::AbortController::signal);
    leptos::task::spawn_local(async move {
        let Some(signal) = signal else { return };
        if !super::webauthn::conditional_available().await {
            return;
        }
        let Ok(start) = start_sign_in().await else {
            return;
        };
        let Ok(credential) =
            super::webauthn::get_passkey_conditional(&start.options_json, &signal).await
        else {
            return;
        };
        match finish_sign_in(start.ceremony_id, credential).await {
            Ok(_) => done(),
            Err(error) => status.set(Status::Server(error)),
        }
    });
    move || {
        if let Some(controller) = controller.as_ref() {
            controller.abort();
        }
    }
}
