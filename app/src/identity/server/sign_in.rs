//! Username-less sign-in with a discoverable passkey, and the record of every attempt.

use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, ConnectionTrait, DbErr, Set};
use time::OffsetDateTime;
use webauthn_rs::prelude::{DiscoverableAuthentication, DiscoverableKey, PublicKeyCredential};
use webauthn_rs::Webauthn;

use super::ceremony::{self, Kind};
use super::entity::{passkey, sign_in_attempt};
use super::passkeys;
use crate::accounts::server::query::{self, Account};
use crate::identity::types::CeremonyStart;
use crate::ssr::tokens;

/// Why a sign-in failed (recorded as the attempt's outcome; people see one message).
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("ceremony unknown, used or expired")]
    NoCeremony,
    #[error("malformed answer")]
    Malformed,
    #[error("unknown passkey")]
    UnknownPasskey,
    #[error("account deactivated")]
    Inactive,
    #[error("refused: {0}")]
    Refused(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl SignInError {
    /// The outcome stored in `sign_in_attempt`.
    #[must_use]
    pub const fn outcome(&self) -> &'static str {
        match self {
            SignInError::NoCeremony => "no_ceremony",
            SignInError::Malformed => "malformed",
            SignInError::UnknownPasskey => "unknown_passkey",
            SignInError::Inactive => "inactive",
            SignInError::Refused(_) => "refused",
            SignInError::Database(_) => "error",
        }
    }
}

/// Records an attempt: when, which account if known, how, and how it ended.
pub async fn record_attempt<C: ConnectionTrait>(
    conn: &C,
    account_id: Option<i64>,
    method: &str,
    outcome: &str,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    sign_in_attempt::ActiveModel {
        id: NotSet,
        at: Set(now),
        account_id: Set(account_id),
        method: Set(method.to_owned()),
        outcome: Set(outcome.to_owned()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Begins a sign-in: a challenge any of the person's passkeys can answer.
pub async fn start<C: ConnectionTrait>(
    conn: &C,
    webauthn: &Webauthn,
    now: OffsetDateTime,
) -> Result<CeremonyStart, SignInError> {
    let (challenge, state) = webauthn
        .start_discoverable_authentication()
        .map_err(|e| SignInError::Refused(e.to_string()))?;
    let options_json = serde_json::to_string(&challenge).map_err(|_| SignInError::Malformed)?;
    let ceremony_id = ceremony::store(conn, Kind::SignIn, None, None, &state, now).await?;
    Ok(CeremonyStart {
        ceremony_id,
        options_json,
    })
}

/// Completes a sign-in; returns the account. The passkey's signature counter and last use
/// are updated, as webauthn-rs requires.
pub async fn finish<C: ConnectionTrait>(
    conn: &C,
    webauthn: &Webauthn,
    ceremony_id: &str,
    credential_json: &str,
    now: OffsetDateTime,
) -> Result<Account, (Option<i64>, SignInError)> {
    let credential: PublicKeyCredential =
        serde_json::from_str(credential_json).map_err(|_| (None, SignInError::Malformed))?;
    let taken =
        ceremony::take::<_, DiscoverableAuthentication>(conn, ceremony_id, Kind::SignIn, now)
            .await
            .map_err(|e| (None, e.into()))?
            .ok_or((None, SignInError::NoCeremony))?;
    let (handle, credential_id) = webauthn
        .identify_discoverable_authentication(&credential)
        .map_err(|_| (None, SignInError::UnknownPasskey))?;
    let owner = query::by_webauthn_handle(conn, &handle.to_string())
        .await
        .map_err(|e| (None, e.into()))?
        .ok_or((None, SignInError::UnknownPasskey))?;
    let known = passkeys::of_account(conn, owner.id)
        .await
        .map_err(|e| (Some(owner.id), e.into()))?;
    let used_id = tokens::b64(credential_id);
    let Some((row, mut key)) = known
        .iter()
        .find(|(row, _)| row.credential_id == used_id)
        .cloned()
    else {
        return Err((Some(owner.id), SignInError::UnknownPasskey));
    };
    let keys: Vec<DiscoverableKey> = known.iter().map(|(_, key)| key.into()).collect();
    let result = webauthn
        .finish_discoverable_authentication(&credential, taken.state, &keys)
        .map_err(|e| (Some(owner.id), SignInError::Refused(e.to_string())))?;
    if !owner.active {
        return Err((Some(owner.id), SignInError::Inactive));
    }
    let mut update: passkey::ActiveModel = row.into();
    if key.update_credential(&result) == Some(true) {
        let json =
            serde_json::to_string(&key).map_err(|_| (Some(owner.id), SignInError::Malformed))?;
        update.passkey_json = Set(json);
    }
    update.last_used_at = Set(Some(now));
    update
        .update(conn)
        .await
        .map_err(|e| (Some(owner.id), SignInError::Database(e)))?;
    Ok(owner)
}
