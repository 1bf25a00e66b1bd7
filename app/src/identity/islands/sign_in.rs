//! Signing in: the button (the browser's passkey prompt) and passkeys offered in the
//! autofill of the page's sign-in field where the browser supports it.

use leptos::prelude::*;

use super::ceremony::{ceremony_button, Status};
use super::webauthn::get_passkey;
use crate::identity::api::{finish_sign_in, start_sign_in};
use crate::identity::types::CeremonyTexts;

/// Where a signed-in person lands.
pub const HOME_PATH: &str = "/home";

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
        Ok(_) => Status::Ready,
        Err(error) => Status::Server(error),
    }
}

/// The sign-in button and what it says; starts the autofill request when the page wakes.
#[island]
pub fn SignInButton(texts: CeremonyTexts) -> impl IntoView {
    let status = RwSignal::new(Status::Ready);
    #[cfg(feature = "hydrate")]
    let stop_autofill = autofill::start(status);
    #[cfg(not(feature = "hydrate"))]
    let stop_autofill = || {};
    let run = move || {
        // The button takes over from the autofill request.
        stop_autofill();
        sign_in_with_prompt()
    };
    ceremony_button(texts, status, run, HOME_PATH)
}

/// Passkeys in autofill (WebAuthn conditional mediation). One request per page at most:
/// the islands router can bring the sign-in page back without a reload, and a browser
/// refuses a second request while one is pending, so a new page first ends the old one.
#[cfg(feature = "hydrate")]
mod autofill {
    use std::cell::RefCell;

    use leptos::prelude::*;

    use super::{Status, HOME_PATH};
    use crate::identity::api::{finish_sign_in, start_sign_in};
    use crate::identity::islands::ceremony::go_to;
    use crate::identity::islands::webauthn::{conditional_available, get_passkey_conditional};

    thread_local! {
        static PENDING: RefCell<Option<web_sys::AbortController>> = const { RefCell::new(None) };
    }

    fn abort_pending() {
        PENDING.with(|pending| {
            if let Some(controller) = pending.borrow_mut().take() {
                controller.abort();
            }
        });
    }

    /// Starts the request; returns a function that cancels it, so the button can take over.
    pub fn start(status: RwSignal<Status>) -> impl Fn() + Copy + 'static {
        abort_pending();
        let Ok(controller) = web_sys::AbortController::new() else {
            return abort_pending;
        };
        let signal = controller.signal();
        PENDING.with(|pending| *pending.borrow_mut() = Some(controller));
        leptos::task::spawn_local(async move {
            if !conditional_available().await {
                return;
            }
            let Ok(start) = start_sign_in().await else {
                return;
            };
            let Ok(credential) = get_passkey_conditional(&start.options_json, &signal).await else {
                return;
            };
            match finish_sign_in(start.ceremony_id, credential).await {
                Ok(_) => go_to(HOME_PATH),
                Err(error) => status.set(Status::Server(error)),
            }
        });
        abort_pending
    }
}
