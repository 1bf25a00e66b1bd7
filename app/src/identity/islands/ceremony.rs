//! What a passkey ceremony island says about its last attempt, and where the browser
//! goes when it succeeds.

use leptos::prelude::*;

use super::webauthn::BrowserFailure;
use crate::error::AppError;
use crate::identity::types::CeremonyTexts;

/// The state of a ceremony on the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Ready,
    Working,
    Browser(BrowserFailure),
    Server(AppError),
}

/// The message for `status`, and whether it reports a failure (announced at once).
fn message(status: &Status, t: &CeremonyTexts) -> Option<(bool, String, Option<String>)> {
    let failure = |text: &str| Some((true, text.to_owned(), None));
    match status {
        Status::Ready => None,
        Status::Working => Some((false, t.working.clone(), None)),
        Status::Browser(BrowserFailure::Unsupported) => failure(&t.unsupported),
        Status::Browser(BrowserFailure::AlreadyRegistered) => failure(&t.already_registered),
        Status::Browser(BrowserFailure::Cancelled | BrowserFailure::Failed) => {
            failure(&t.cancelled)
        }
        Status::Server(AppError::Unauthenticated) => failure(&t.refused),
        Status::Server(AppError::NotFound) => failure(&t.link_unusable),
        Status::Server(AppError::RateLimited) => failure(&t.rate_limited),
        Status::Server(AppError::Connection) => failure(&t.connection),
        Status::Server(AppError::InvalidInput { field }) if field == "already_registered" => {
            failure(&t.already_registered)
        }
        Status::Server(AppError::InvalidInput { .. }) => failure(&t.cancelled),
        Status::Server(error) => Some((
            true,
            t.error.clone(),
            error
                .operation_id()
                .map(|id| format!("{} {id}", t.error_reference)),
        )),
    }
}

/// The button that runs a ceremony (`run`), and the live region that says how it goes;
/// when it succeeds the browser loads `done`.
pub fn ceremony_button<Fut>(
    texts: CeremonyTexts,
    status: RwSignal<Status>,
    run: impl Fn() -> Fut + Copy + 'static,
    done: &'static str,
) -> impl IntoView
where
    Fut: std::future::Future<Output = Status> + 'static,
{
    let label = texts.button.clone();
    let texts = StoredValue::new(texts);
    let on_click = move |_| {
        status.set(Status::Working);
        let ceremony = run();
        leptos::task::spawn_local(async move {
            match ceremony.await {
                Status::Ready => go_to(done),
                failed => status.set(failed),
            }
        });
    };
    view! {
        <button
            type="button"
            class="button button--primary"
            on:click=on_click
            disabled=move || status.get() == Status::Working
        >
            {label}
        </button>
        {status_notice(status, texts)}
    }
}

/// The live region under a ceremony's button.
fn status_notice(status: RwSignal<Status>, texts: StoredValue<CeremonyTexts>) -> impl IntoView {
    view! {
        <div aria-live="polite" class="ceremony-status">
            {move || {
                texts
                    .with_value(|t| message(&status.get(), t))
                    .map(|(failed, text, reference)| {
                        let class = if failed { "notice notice--error" } else { "muted" };
                        let role = if failed { "alert" } else { "status" };
                        view! {
                            <div class=class role=role>
                                <p>{text}</p>
                                {reference.map(|reference| view! { <p class="notice__reference">{reference}</p> })}
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// Loads `path` as a new page (after a sign-in, so that everything on it — the header
/// included — is rendered for the new session).
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        // Should the browser refuse, the person is still signed in and can follow a link.
        let _ = window.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
