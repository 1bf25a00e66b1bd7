//! Identity's services for a signed-in person's own account: each takes who is calling
//! (checked by `access`) and writes its change and the email telling the holder in one
//! transaction.

use sea_orm::TransactionTrait;

use super::access::SignedIn;
use super::ceremony::Kind;
use super::{notify, passkeys};
use crate::error::AppError;
use crate::ssr::email::EmailTemplate;
use crate::ssr::request::{internal_error, OrInternal};
use crate::state::AppState;

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
            notify::tell_holder(
                &txn,
                state.access.ingest.mail.as_ref(),
                who.account_id,
                &EmailTemplate::PasskeyAdded,
                now,
            )
            .await
            .or_internal()?;
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
    let now = state.clock.now();
    let txn = state.db.begin().await.or_internal()?;
    match passkeys::remove(&txn, who.account_id, id)
        .await
        .or_internal()?
    {
        passkeys::Removal::Removed => {
            notify::tell_holder(
                &txn,
                state.access.ingest.mail.as_ref(),
                who.account_id,
                &EmailTemplate::PasskeyRemoved,
                now,
            )
            .await
            .or_internal()?;
            txn.commit().await.or_internal()
        }
        passkeys::Removal::NotFound => Err(AppError::NotFound),
        passkeys::Removal::LastOne => Err(AppError::invalid("last_passkey")),
    }
}
