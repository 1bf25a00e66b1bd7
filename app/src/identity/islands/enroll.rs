//! Enrollment: registers the person's first passkey from a one-time link.

use leptos::prelude::*;

use super::ceremony::{ceremony_button, Status};
use super::sign_in::HOME_PATH;
use super::webauthn::create_passkey;
use crate::identity::api::{finish_enrollment, start_enrollment};
use crate::identity::types::CeremonyTexts;

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

/// The button that creates the passkey for the link's `token`; signed in, the person
/// lands on their home page, or (after a recovery) on their passkeys, where the new one
/// may replace the lost ones.
#[island]
pub fn EnrollButton(token: String, texts: CeremonyTexts, recovery: bool) -> impl IntoView {
    let token = StoredValue::new(token);
    let run = move || enroll(token.get_value());
    let landing = if recovery { RECOVERED_PATH } else { HOME_PATH };
    ceremony_button(texts, RwSignal::new(Status::Ready), run, landing)
}

/// Where a person lands after enrolling with a recovery link.
const RECOVERED_PATH: &str = "/account/passkeys?recovered=1";
