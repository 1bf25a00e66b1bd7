//! Server functions for identity. Each starts by saying who may call it.

use leptos::prelude::*;

use super::types::{CeremonyStart, EnrollmentView, PasskeyView, SessionView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod edge {
    //! Shared steps of the identity server functions.
    use crate::error::AppError;
    use crate::identity::server::access::SignedIn;
    use crate::identity::server::rate_limit::Action;
    use crate::identity::server::session;
    use crate::ssr::request::{self, internal_error, OrInternal};
    use crate::state::AppState;

    /// Refuses with 429 when this address made too many attempts.
    pub fn limit(state: &AppState, action: Action) -> Result<(), AppError> {
        if state
            .identity
            .limiter
            .allow(request::client_address(), action, state.clock.now())
        {
            Ok(())
        } else {
            Err(AppError::RateLimited)
        }
    }

    /// Starts a session for a person who just proved who they are: a new token (any
    /// token the browser had before is not carried over), and their language.
    pub async fn begin_session(
        state: &AppState,
        owner: &crate::accounts::server::entity::Model,
    ) -> Result<SignedIn, AppError> {
        let now = state.clock.now();
        if let Some(previous) = leptos::prelude::use_context::<http::request::Parts>()
            .as_ref()
            .and_then(crate::identity::server::access::session_token)
        {
            session::end_by_token(&state.db, &previous, "superseded", now)
                .await
                .or_internal()?;
        }
        let token = session::create(&state.db, owner, &state.identity.sessions, now)
            .await
            .or_internal()?;
        request::set_cookie(&session::session_cookie(&token));
        let locale = crate::i18n::Locale::from_tag(&owner.locale).unwrap_or_default();
        request::set_cookie(&request::locale_cookie(
            locale,
            state.settings.secure_cookies(),
        ));
        crate::identity::server::access::load(state, &token)
            .await
            .or_internal()?
            .ok_or_else(|| internal_error(&"new session did not load"))
    }
}

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
    use crate::hospital::server::service::name as hospital_name;
    use crate::identity::server::{access, enrollment};
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    access::public();
    request::respond(
        async {
            let state = AppState::current()?;
            let now = state.clock.now();
            let (link, owner) = enrollment::usable(&state.db, &token, now)
                .await
                .or_internal()?
                .map_err(|_| AppError::NotFound)?;
            let locale = request::current_locale();
            let hospital_name = hospital_name(&state.db, locale).await.or_internal()?;
            Ok(EnrollmentView {
                display_name: owner.display_name,
                hospital_name,
                recovery: link.purpose == "recovery",
            })
        }
        .await,
    )
}

/// Begins registering the first passkey from an enrollment link. Public: the token is
/// the credential; rate-limited.
#[server(endpoint = "identity/enroll/start")]
pub async fn start_enrollment(token: String) -> Result<CeremonyStart, AppError> {
    use crate::identity::server::{
        access, ceremony::Kind, enrollment, passkeys, rate_limit::Action,
    };
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    access::public();
    request::respond(
        async {
            let state = AppState::current()?;
            edge::limit(&state, Action::Enroll)?;
            let now = state.clock.now();
            let (link, owner) = enrollment::usable(&state.db, &token, now)
                .await
                .or_internal()?
                .map_err(|_| AppError::NotFound)?;
            passkeys::start_registration(
                &state.db,
                &state.identity.webauthn,
                &owner,
                Kind::Enroll,
                Some(link.id),
                now,
            )
            .await
            .or_internal()
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
    use crate::identity::server::{
        access, ceremony::Kind, enrollment, passkeys, rate_limit::Action, sign_in,
    };
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    use sea_orm::{EntityTrait, TransactionTrait};
    access::public();
    request::respond(
        async {
            let state = AppState::current()?;
            edge::limit(&state, Action::Enroll)?;
            let now = state.clock.now();
            let name = passkeys::default_name(request::user_agent().as_deref(), "Passkey");
            let txn = state.db.begin().await.or_internal()?;
            let outcome = passkeys::finish_registration(
                &txn,
                &state.identity.webauthn,
                &ceremony_id,
                Kind::Enroll,
                None,
                &credential,
                &name,
                now,
            )
            .await;
            let ceremony = match outcome {
                Ok(ceremony) => ceremony,
                Err(passkeys::RegistrationError::Database(e)) => {
                    return Err(request::internal_error(&e));
                }
                Err(error) => {
                    drop(txn);
                    tracing::info!("enrollment refused: {error}");
                    let _ = sign_in::record_attempt(&state.db, None, "enrollment", "refused", now)
                        .await;
                    return Err(AppError::invalid("passkey"));
                }
            };
            let link_still_unused = match ceremony.enrollment_link_id {
                Some(link_id) => enrollment::mark_used(&txn, link_id, now)
                    .await
                    .or_internal()?,
                None => false,
            };
            if !link_still_unused {
                // The link was used in another tab meanwhile: keep that enrollment only.
                return Err(AppError::NotFound);
            }
            let owner = crate::accounts::server::entity::Entity::find_by_id(
                ceremony.account_id.unwrap_or_default(),
            )
            .one(&txn)
            .await
            .or_internal()?
            .filter(|owner| owner.active)
            .ok_or(AppError::NotFound)?;
            sign_in::record_attempt(&txn, Some(owner.id), "enrollment", "success", now)
                .await
                .or_internal()?;
            txn.commit().await.or_internal()?;
            edge::begin_session(&state, &owner)
                .await
                .map(|who| who.view())
        }
        .await,
    )
}

/// Begins a username-less sign-in. Public; rate-limited.
#[server(endpoint = "identity/sign-in/start")]
pub async fn start_sign_in() -> Result<CeremonyStart, AppError> {
    use crate::identity::server::{access, rate_limit::Action, sign_in};
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    access::public();
    request::respond(
        async {
            let state = AppState::current()?;
            edge::limit(&state, Action::CeremonyStart)?;
            sign_in::start(&state.db, &state.identity.webauthn, state.clock.now())
                .await
                .or_internal()
        }
        .await,
    )
}

/// Completes a sign-in and starts a session. Public: the passkey is the credential;
/// rate-limited; every attempt is recorded.
#[server(endpoint = "identity/sign-in/finish")]
pub async fn finish_sign_in(
    ceremony_id: String,
    credential: String,
) -> Result<SessionView, AppError> {
    use crate::identity::server::{access, rate_limit::Action, sign_in};
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    access::public();
    request::respond(
        async {
            let state = AppState::current()?;
            edge::limit(&state, Action::SignIn)?;
            let now = state.clock.now();
            match sign_in::finish(
                &state.db,
                &state.identity.webauthn,
                &ceremony_id,
                &credential,
                now,
            )
            .await
            {
                Ok(owner) if !state.identity.limiter.account_allowed(owner.id, now) => {
                    // Too many failed answers for this account lately, from anywhere.
                    let _ = sign_in::record_attempt(
                        &state.db,
                        Some(owner.id),
                        "passkey",
                        "locked",
                        now,
                    )
                    .await;
                    Err(AppError::RateLimited)
                }
                Ok(owner) => {
                    sign_in::record_attempt(&state.db, Some(owner.id), "passkey", "success", now)
                        .await
                        .or_internal()?;
                    edge::begin_session(&state, &owner)
                        .await
                        .map(|who| who.view())
                }
                Err((account_id, error)) => {
                    if let Some(account) = account_id {
                        state.identity.limiter.account_failed(account, now);
                    }
                    let _ = sign_in::record_attempt(
                        &state.db,
                        account_id,
                        "passkey",
                        error.outcome(),
                        now,
                    )
                    .await;
                    match error {
                        sign_in::SignInError::Database(e) => Err(request::internal_error(&e)),
                        other => {
                            tracing::info!("sign-in refused: {other}");
                            Err(AppError::Unauthenticated)
                        }
                    }
                }
            }
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

/// Begins registering another passkey for the signed-in person.
#[server(endpoint = "identity/passkeys/add/start")]
pub async fn start_add_passkey() -> Result<CeremonyStart, AppError> {
    use crate::accounts::server::entity::Entity as Accounts;
    use crate::identity::server::{access, ceremony::Kind, passkeys};
    use crate::ssr::request;
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;
    use sea_orm::EntityTrait;
    request::respond(
        async {
            let who = access::signed_in().await?;
            let state = AppState::current()?;
            let owner = Accounts::find_by_id(who.account_id)
                .one(&state.db)
                .await
                .or_internal()?
                .ok_or(AppError::Unauthenticated)?;
            passkeys::start_registration(
                &state.db,
                &state.identity.webauthn,
                &owner,
                Kind::AddPasskey,
                None,
                state.clock.now(),
            )
            .await
            .or_internal()
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
