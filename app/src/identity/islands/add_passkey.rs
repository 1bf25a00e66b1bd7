//! Adding another passkey for the signed-in person (another phone, a security key).

use leptos::prelude::*;

use super::ceremony::{ceremony_button, Status};
use super::webauthn::create_passkey;
use crate::identity::api::{finish_add_passkey, start_add_passkey};
use crate::identity::types::CeremonyTexts;

/// Where the browser goes once the passkey is added: the list, saying so.
pub const ADDED_PATH: &str = "/account/passkeys?done=added";

async fn add_passkey() -> Status {
    let start = match start_add_passkey().await {
        Ok(start) => start,
        Err(error) => return Status::Server(error),
    };
    let credential = match create_passkey(&start.options_json).await {
        Ok(credential) => credential,
        Err(failure) => return Status::Browser(failure),
    };
    match finish_add_passkey(start.ceremony_id, credential).await {
        Ok(()) => Status::Ready,
        Err(error) => Status::Server(error),
    }
}

/// The button that adds a passkey on this device.
#[island]
pub fn AddPasskeyButton(texts: CeremonyTexts) -> impl IntoView {
    ceremony_button(texts, RwSignal::new(Status::Ready), add_passkey, ADDED_PATH)
}
