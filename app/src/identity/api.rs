//! Server functions for identity. Each starts by saying who may call it.

use leptos::prelude::*;

use super::types::{CeremonyStart, EnrollmentView, PasskeyView, SessionView};
use crate::error::AppError;

/// Who is signed in on this browser, if anyone. Public: pages use it to adapt.
#[server(endpoint = "identity/me")]
pub async fn me() -> Result<Option<SessionView>, AppError> {
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    access::public();
    respond(access::caller().await.map(|who| who.map(|who| who.view())))
}

/// Who an enrollment link is for. Public: the token is the credential.
#[server(endpoint = "identity/enrollment")]
pub async fn enrollment_info(token: String) -> Result<EnrollmentView, AppError> {
    use crate::identity::server::{access, service};
    use crate::ssr::request;
    use crate::state::AppState;
    access::public();
    request::respond(
        async {
            let state = AppState::current()?;
            service::enrollment_info(&state, &token, request::current_locale()).await
        }
        .await,
    )
}

/// Begins registering the first passkey from an enrollment link. Public: the token is
/// the credential; rate-limited.
#[server(endpoint = "identity/enroll/start")]
pub async fn start_enrollment(token: String) -> Result<CeremonyStart, AppError> {
    use crate::identity::server::{access, rate_limit::Action, service};
    use crate::ssr::request;
    use crate::state::AppState;
    access::public();
    request::respond(
        async {
            let state = AppState::current()?;
            service::limit(&state, Action::Enroll)?;
            service::start_enrollment(&state, &token).await
        }
        .await,
    )
}

/// Completes enrollment: stores the passkey, uses up the link, and signs the person in.
/// Public: only a ceremony begun from a valid link can finish; rate-limited.
#[server(endpoint = "identity/enroll/finish")]
pub async fn finish_enrollment(
    ceremony_id: String,
    credential: String,
) -> Result<SessionView, AppError> {
    use crate::identity::server::{access, rate_limit::Action, service};
    use crate::ssr::request;
    use crate::state::AppState;
    access::public();
    request::respond(
        async {
            let state = AppState::current()?;
            service::limit(&state, Action::Enroll)?;
            let user_agent = request::user_agent();
            service::enroll(&state, &ceremony_id, &credential, user_agent.as_deref())
                .await
                .map(|who| who.view())
        }
        .await,
    )
}

/// Begins a username-less sign-in. Public; rate-limited.
#[server(endpoint = "identity/sign-in/start")]
pub async fn start_sign_in() -> Result<CeremonyStart, AppError> {
    use crate::identity::server::{access, rate_limit::Action, service, sign_in};
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    access::public();
    request::respond(
        async {
            let state = AppState::current()?;
            service::limit(&state, Action::CeremonyStart)?;
            sign_in::start(&state.db, &state.identity.webauthn, state.clock.now())
                .await
                .or_internal()
        }
        .await,
    )
}

/// Completes a sign-in and starts a session. Public: the passkey is the credential;
/// rate-limited per address and per account; every attempt is recorded.
#[server(endpoint = "identity/sign-in/finish")]
pub async fn finish_sign_in(
    ceremony_id: String,
    credential: String,
) -> Result<SessionView, AppError> {
    use crate::identity::server::{access, rate_limit::Action, service};
    use crate::ssr::request;
    use crate::state::AppState;
    access::public();
    request::respond(
        async {
            let state = AppState::current()?;
            service::limit(&state, Action::SignIn)?;
            service::sign_in(&state, &ceremony_id, &credential)
                .await
                .map(|who| who.view())
        }
        .await,
    )
}

/// Signs this browser out.
#[server(endpoint = "identity/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::identity::server::{access, session};
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    request::respond(
        async {
            let who = access::signed_in().await?;
            let state = AppState::current()?;
            session::end(&state.db, who.session_id, "sign_out", state.clock.now())
                .await
                .or_internal()?;
            request::set_cookie(&session::clear_session_cookie());
            crate::ssr::forms::land_on("/");
            Ok(())
        }
        .await,
    )
}

/// Signs the person out on every device.
#[server(endpoint = "identity/sign-out-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use crate::identity::server::{access, session};
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    request::respond(
        async {
            let who = access::signed_in().await?;
            let state = AppState::current()?;
            session::end_all(
                &state.db,
                who.account_id,
                "sign_out_everywhere",
                state.clock.now(),
            )
            .await
            .or_internal()?;
            request::set_cookie(&session::clear_session_cookie());
            crate::ssr::forms::land_on("/");
            Ok(())
        }
        .await,
    )
}

/// The signed-in person's own passkeys.
#[server(endpoint = "identity/passkeys")]
pub async fn my_passkeys() -> Result<Vec<PasskeyView>, AppError> {
    use crate::identity::server::{access, passkeys};
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    request::respond(
        async {
            let who = access::signed_in().await?;
            let state = AppState::current()?;
            passkeys::list(&state.db, who.account_id, &state.settings.time_zone)
                .await
                .or_internal()
        }
        .await,
    )
}

/// Renames one of the signed-in person's passkeys.
#[server(endpoint = "identity/passkeys/rename")]
pub async fn rename_passkey(id: i64, name: String) -> Result<(), AppError> {
    use crate::identity::server::{access, passkeys};
    use crate::identity::types::parse_passkey_name;
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    request::respond(
        async {
            let who = access::signed_in().await?;
            let name = parse_passkey_name(&name)?;
            let state = AppState::current()?;
            let renamed = passkeys::rename(&state.db, who.account_id, id, &name)
                .await
                .or_internal()?;
            if renamed {
                crate::ssr::forms::land_on("/account/passkeys?done=renamed");
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

/// Removes one of the signed-in person's passkeys (never the last), and tells them by email.
#[server(endpoint = "identity/passkeys/remove")]
pub async fn remove_passkey(id: i64) -> Result<(), AppError> {
    use crate::identity::server::{access, service};
    use crate::ssr::request;
    use crate::state::AppState;
    request::respond(
        async {
            let who = access::signed_in().await?;
            let state = AppState::current()?;
            service::remove_passkey(&state, &who, id).await?;
            crate::ssr::forms::land_on("/account/passkeys?done=removed");
            Ok(())
        }
        .await,
    )
}

/// After a recovery: keeps only the newest of the signed-in person's passkeys (the one
/// just made), so the lost devices can no longer sign in; tells them by email.
#[server(endpoint = "identity/passkeys/keep-newest")]
pub async fn keep_newest_passkey() -> Result<(), AppError> {
    use crate::identity::server::{access, service};
    use crate::ssr::request;
    use crate::state::AppState;
    request::respond(
        async {
            let who = access::signed_in().await?;
            let state = AppState::current()?;
            service::keep_only_newest_passkey(&state, &who).await?;
            crate::ssr::forms::land_on("/account/passkeys?done=removed");
            Ok(())
        }
        .await,
    )
}

/// Begins registering another passkey for the signed-in person.
#[server(endpoint = "identity/passkeys/add/start")]
pub async fn start_add_passkey() -> Result<CeremonyStart, AppError> {
    use crate::identity::server::{access, service};
    use crate::ssr::request;
    use crate::state::AppState;
    request::respond(
        async {
            let who = access::signed_in().await?;
            let state = AppState::current()?;
            service::start_add_passkey(&state, &who).await
        }
        .await,
    )
}

/// Completes registering another passkey for the signed-in person, and tells them by email.
#[server(endpoint = "identity/passkeys/add/finish")]
pub async fn finish_add_passkey(ceremony_id: String, credential: String) -> Result<(), AppError> {
    use crate::identity::server::{access, service};
    use crate::ssr::request;
    use crate::state::AppState;
    request::respond(
        async {
            let who = access::signed_in().await?;
            let state = AppState::current()?;
            let name = request::user_agent();
            service::add_passkey(&state, &who, &ceremony_id, &credential, name.as_deref()).await
        }
        .await,
    )
}
