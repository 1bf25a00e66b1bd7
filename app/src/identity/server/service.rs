//! Identity's services: enrolling from a link, signing in, and a signed-in person's own
//! passkeys. Server functions check who is calling (`access`) and call these; each writes
//! its change, its record and the email telling the holder in one transaction.

use sea_orm::TransactionTrait;

use super::access::{self, SignedIn};
use super::ceremony::Kind;
use super::rate_limit::Action;
use super::{enrollment, notify, passkeys, session, sign_in};
use crate::accounts::server::query::{self, Account};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::identity::types::{CeremonyStart, EnrollmentView};
use crate::ssr::email::EmailTemplate;
use crate::ssr::request::{self, internal_error, OrInternal};
use crate::state::AppState;

/// Refuses with 429 when this client made too many attempts.
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

/// Starts a session for a person who just proved who they are: a new token (any token the
/// browser had before is ended, not carried over), and their language.
async fn begin_session(state: &AppState, owner: &Account) -> Result<SignedIn, AppError> {
    let now = state.clock.now();
    if let Some(previous) = leptos::prelude::use_context::<http::request::Parts>()
        .as_ref()
        .and_then(access::session_token)
    {
        session::end_by_token(&state.db, &previous, "superseded", now)
            .await
            .or_internal()?;
    }
    let token = session::create(&state.db, owner, &state.identity.sessions, now)
        .await
        .or_internal()?;
    request::set_cookie(&session::session_cookie(&token));
    request::set_cookie(&request::locale_cookie(
        owner.locale,
        state.settings.secure_cookies(),
    ));
    access::load(state, &token)
        .await
        .or_internal()?
        .ok_or_else(|| internal_error(&"new session did not load"))
}

/// Who an enrollment link is for, in the page's language; not found when the link cannot
/// be used (unknown, used, expired, or its account is off).
pub async fn enrollment_info(
    state: &AppState,
    token: &str,
    locale: Locale,
) -> Result<EnrollmentView, AppError> {
    let (link, owner) = enrollment::usable(&state.db, token, state.clock.now())
        .await
        .or_internal()?
        .map_err(|_| AppError::NotFound)?;
    let hospital_name = crate::hospital::server::service::name(&state.db, locale)
        .await
        .or_internal()?;
    Ok(EnrollmentView {
        display_name: owner.display_name,
        hospital_name,
        recovery: link.purpose == enrollment::Purpose::Recovery.as_str(),
    })
}

/// Begins registering the first passkey from an enrollment link.
pub async fn start_enrollment(state: &AppState, token: &str) -> Result<CeremonyStart, AppError> {
    let now = state.clock.now();
    let (link, owner) = enrollment::usable(&state.db, token, now)
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

/// Begins registering another passkey for the signed-in person.
pub async fn start_add_passkey(
    state: &AppState,
    who: &SignedIn,
) -> Result<CeremonyStart, AppError> {
    let owner = query::active_by_id(&state.db, who.account_id)
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

/// Completes enrollment from a link's ceremony: stores the passkey, uses up the link, and
/// signs the person in. A refused answer is recorded as an attempt.
pub async fn enroll(
    state: &AppState,
    ceremony_id: &str,
    credential: &str,
    user_agent: Option<&str>,
) -> Result<SignedIn, AppError> {
    let now = state.clock.now();
    let name = passkeys::default_name(user_agent, "Passkey");
    let txn = state.db.begin().await.or_internal()?;
    let outcome = passkeys::finish_registration(
        &txn,
        &state.identity.webauthn,
        ceremony_id,
        Kind::Enroll,
        None,
        credential,
        &name,
        now,
    )
    .await;
    let ceremony = match outcome {
        Ok(ceremony) => ceremony,
        Err(passkeys::RegistrationError::Database(e)) => return Err(internal_error(&e)),
        Err(error) => {
            drop(txn);
            tracing::info!("enrollment refused: {error}");
            let _ = sign_in::record_attempt(&state.db, None, "enrollment", "refused", now).await;
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
    let owner = query::active_by_id(&txn, ceremony.account_id.unwrap_or_default())
        .await
        .or_internal()?
        .ok_or(AppError::NotFound)?;
    sign_in::record_attempt(&txn, Some(owner.id), "enrollment", "success", now)
        .await
        .or_internal()?;
    txn.commit().await.or_internal()?;
    begin_session(state, &owner).await
}

/// Completes a sign-in and starts a session. Every attempt is recorded; failed answers
/// count against the account, and an account over its limit cannot sign in for a while.
pub async fn sign_in(
    state: &AppState,
    ceremony_id: &str,
    credential: &str,
) -> Result<SignedIn, AppError> {
    let now = state.clock.now();
    let limiter = &state.identity.limiter;
    match sign_in::finish(
        &state.db,
        &state.identity.webauthn,
        ceremony_id,
        credential,
        now,
    )
    .await
    {
        Ok(owner) if !limiter.account_allowed(owner.id, now) => {
            let _ =
                sign_in::record_attempt(&state.db, Some(owner.id), "passkey", "locked", now).await;
            Err(AppError::RateLimited)
        }
        Ok(owner) => {
            sign_in::record_attempt(&state.db, Some(owner.id), "passkey", "success", now)
                .await
                .or_internal()?;
            begin_session(state, &owner).await
        }
        Err((account_id, error)) => {
            if let Some(account) = account_id {
                limiter.account_failed(account, now);
            }
            let _ = sign_in::record_attempt(&state.db, account_id, "passkey", error.outcome(), now)
                .await;
            match error {
                sign_in::SignInError::Database(e) => Err(internal_error(&e)),
                other => {
                    tracing::info!("sign-in refused: {other}");
                    Err(AppError::Unauthenticated)
                }
            }
        }
    }
}

/// Tells the signed-in person what just happened to their account, on `txn`.
async fn tell<C: sea_orm::ConnectionTrait>(
    txn: &C,
    state: &AppState,
    who: &SignedIn,
    template: &EmailTemplate,
) -> Result<(), AppError> {
    let mail = state.access.ingest.mail.as_ref();
    notify::tell_holder(txn, mail, who.account_id, template, state.clock.now())
        .await
        .or_internal()
        .map(drop)
}

/// Stores another passkey from a ceremony the same person began; `user_agent` names it.
pub async fn add_passkey(
    state: &AppState,
    who: &SignedIn,
    ceremony_id: &str,
    credential: &str,
    user_agent: Option<&str>,
) -> Result<(), AppError> {
    let name = passkeys::default_name(user_agent, "Passkey");
    let now = state.clock.now();
    let txn = state.db.begin().await.or_internal()?;
    let outcome = passkeys::finish_registration(
        &txn,
        &state.identity.webauthn,
        ceremony_id,
        Kind::AddPasskey,
        Some(who.account_id),
        credential,
        &name,
        now,
    )
    .await;
    match outcome {
        Ok(_) => {
            tell(&txn, state, who, &EmailTemplate::PasskeyAdded).await?;
            txn.commit().await.or_internal()
        }
        // The ceremony must have been begun by this same person.
        Err(passkeys::RegistrationError::NotYours) => Err(AppError::Forbidden),
        Err(passkeys::RegistrationError::Database(e)) => Err(internal_error(&e)),
        Err(passkeys::RegistrationError::AlreadyRegistered) => {
            Err(AppError::invalid("already_registered"))
        }
        Err(error) => {
            tracing::info!("passkey registration refused: {error}");
            Err(AppError::invalid("passkey"))
        }
    }
}

/// Removes one of the person's own passkeys, never the last.
pub async fn remove_passkey(state: &AppState, who: &SignedIn, id: i64) -> Result<(), AppError> {
    let txn = state.db.begin().await.or_internal()?;
    match passkeys::remove(&txn, who.account_id, id)
        .await
        .or_internal()?
    {
        passkeys::Removal::Removed => {
            tell(&txn, state, who, &EmailTemplate::PasskeyRemoved).await?;
            txn.commit().await.or_internal()
        }
        passkeys::Removal::NotFound => Err(AppError::NotFound),
        passkeys::Removal::LastOne => Err(AppError::invalid("last_passkey")),
    }
}

/// After a recovery, the new passkey replaces the old ones (on the devices that were
/// lost): every passkey but the newest is removed, and the holder is told. `false` when
/// there was nothing to remove.
pub async fn keep_only_newest_passkey(state: &AppState, who: &SignedIn) -> Result<bool, AppError> {
    let txn = state.db.begin().await.or_internal()?;
    let removed = passkeys::keep_only_newest(&txn, who.account_id)
        .await
        .or_internal()?;
    if removed > 0 {
        tell(&txn, state, who, &EmailTemplate::PasskeyRemoved).await?;
    }
    txn.commit().await.or_internal()?;
    Ok(removed > 0)
}
