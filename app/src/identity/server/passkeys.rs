//! Registering and managing passkeys.

use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use time::OffsetDateTime;
use webauthn_rs::prelude::{
    CredentialID, Passkey, PasskeyRegistration, RegisterPublicKeyCredential, Uuid,
};
use webauthn_rs::Webauthn;

use super::ceremony::{self, Kind};
use super::entity::passkey::{self, Column, Entity};
use crate::accounts::server::query::Account;
use crate::accounts::server::service::set_webauthn_handle;
use crate::identity::types::{CeremonyStart, PasskeyView};
use crate::ssr::tokens;

/// Why a registration did not complete.
#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("ceremony unknown, used or expired")]
    NoCeremony,
    #[error("the browser's answer is malformed: {0}")]
    Malformed(String),
    #[error("the authenticator's answer was refused: {0}")]
    Refused(String),
    #[error("this authenticator is already registered")]
    AlreadyRegistered,
    #[error("the ceremony belongs to another account")]
    NotYours,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The account's WebAuthn user handle, created on first use.
pub async fn user_handle<C: ConnectionTrait>(conn: &C, owner: &Account) -> Result<Uuid, DbErr> {
    if let Some(handle) = owner
        .webauthn_user_id
        .as_deref()
        .and_then(|h| Uuid::parse_str(h).ok())
    {
        return Ok(handle);
    }
    let handle = Uuid::new_v4();
    set_webauthn_handle(conn, owner.id, &handle.to_string()).await?;
    Ok(handle)
}

/// The account's passkeys with their stored rows.
pub(super) async fn of_account<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
) -> Result<Vec<(passkey::Model, Passkey)>, DbErr> {
    let rows = Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .order_by_asc(Column::Id)
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|row| {
            let key: Passkey = serde_json::from_str(&row.passkey_json)
                .map_err(|e| DbErr::Custom(format!("stored passkey {}: {e}", row.id)))?;
            Ok((row, key))
        })
        .collect()
}

/// Options for the browser: webauthn-rs asks for a non-discoverable credential by default,
/// but username-less sign-in needs the credential stored on the authenticator, with user
/// verification.
fn registration_options(
    challenge: &webauthn_rs::prelude::CreationChallengeResponse,
) -> Result<String, DbErr> {
    let mut options = serde_json::to_value(challenge).map_err(|e| DbErr::Custom(e.to_string()))?;
    if let Some(public_key) = options.get_mut("publicKey") {
        public_key["authenticatorSelection"]["residentKey"] = "required".into();
        public_key["authenticatorSelection"]["requireResidentKey"] = true.into();
        public_key["authenticatorSelection"]["userVerification"] = "required".into();
        return serde_json::to_string(public_key).map_err(|e| DbErr::Custom(e.to_string()));
    }
    Err(DbErr::Custom(
        "registration options without publicKey".into(),
    ))
}

/// Begins registering a passkey for `owner` (first passkey from an enrollment link, or
/// another one from a signed-in session).
pub async fn start_registration<C: ConnectionTrait>(
    conn: &C,
    webauthn: &Webauthn,
    owner: &Account,
    kind: Kind,
    enrollment_link_id: Option<i64>,
    now: OffsetDateTime,
) -> Result<CeremonyStart, RegistrationError> {
    let handle = user_handle(conn, owner).await?;
    let existing: Vec<CredentialID> = of_account(conn, owner.id)
        .await?
        .iter()
        .map(|(_, key)| key.cred_id().clone())
        .collect();
    // The authenticator shows this name; it is the person's own name only.
    let (challenge, state) = webauthn
        .start_passkey_registration(
            handle,
            &owner.display_name,
            &owner.display_name,
            Some(existing),
        )
        .map_err(|e| RegistrationError::Refused(e.to_string()))?;
    let options_json = registration_options(&challenge)?;
    let ceremony_id =
        ceremony::store(conn, kind, Some(owner.id), enrollment_link_id, &state, now).await?;
    Ok(CeremonyStart {
        ceremony_id,
        options_json,
    })
}

/// Completes a registration: checks the authenticator's answer against the stored state
/// and stores the passkey. Returns the ceremony row (whose account the passkey joined).
/// With `expected_account`, a ceremony begun by anyone else is refused before anything
/// is stored.
#[allow(clippy::too_many_arguments)] // Each argument is a distinct input of the ceremony.
pub async fn finish_registration<C: ConnectionTrait>(
    conn: &C,
    webauthn: &Webauthn,
    ceremony_id: &str,
    kind: Kind,
    expected_account: Option<i64>,
    credential_json: &str,
    default_name: &str,
    now: OffsetDateTime,
) -> Result<super::entity::webauthn_ceremony::Model, RegistrationError> {
    let credential: RegisterPublicKeyCredential = serde_json::from_str(credential_json)
        .map_err(|e| RegistrationError::Malformed(e.to_string()))?;
    let Some(taken) =
        ceremony::take::<_, PasskeyRegistration>(conn, ceremony_id, kind, now).await?
    else {
        return Err(RegistrationError::NoCeremony);
    };
    let account_id = taken.row.account_id.ok_or(RegistrationError::NoCeremony)?;
    if expected_account.is_some_and(|expected| expected != account_id) {
        return Err(RegistrationError::NotYours);
    }
    let key = webauthn
        .finish_passkey_registration(&credential, &taken.state)
        .map_err(|e| RegistrationError::Refused(e.to_string()))?;
    let credential_id = tokens::b64(key.cred_id().as_ref());
    if Entity::find()
        .filter(Column::CredentialId.eq(credential_id.as_str()))
        .count(conn)
        .await?
        > 0
    {
        return Err(RegistrationError::AlreadyRegistered);
    }
    let passkey_json = serde_json::to_string(&key).map_err(|e| DbErr::Custom(e.to_string()))?;
    passkey::ActiveModel {
        id: NotSet,
        account_id: Set(account_id),
        credential_id: Set(credential_id),
        passkey_json: Set(passkey_json),
        name: Set(default_name.to_owned()),
        created_at: Set(now),
        last_used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(taken.row)
}

/// The account's passkeys as its owner sees them, times in the hospital's time zone.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    time_zone: &str,
) -> Result<Vec<PasskeyView>, DbErr> {
    let local = |at| crate::ssr::time::local_minute(at, time_zone);
    let rows = Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .order_by_asc(Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| PasskeyView {
            id: row.id,
            name: row.name,
            created_at: local(row.created_at),
            last_used_at: row.last_used_at.map(local),
        })
        .collect())
}

/// Renames one of the account's passkeys; `false` if it has no such passkey.
pub async fn rename<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    passkey_id: i64,
    name: &str,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(
            Column::Name,
            sea_orm::sea_query::Expr::value(name.to_owned()),
        )
        .filter(Column::Id.eq(passkey_id))
        .filter(Column::AccountId.eq(account_id))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Outcome of removing a passkey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    Removed,
    NotFound,
    /// Refused: it is the account's last passkey, and without it nobody could sign in.
    LastOne,
}

/// Removes one of the account's passkeys, never the last one.
pub async fn remove<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    passkey_id: i64,
) -> Result<Removal, DbErr> {
    let owned = Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .count(conn)
        .await?;
    let exists = Entity::find()
        .filter(Column::Id.eq(passkey_id))
        .filter(Column::AccountId.eq(account_id))
        .count(conn)
        .await?
        == 1;
    if !exists {
        return Ok(Removal::NotFound);
    }
    if owned <= 1 {
        return Ok(Removal::LastOne);
    }
    Entity::delete_many()
        .filter(Column::Id.eq(passkey_id))
        .filter(Column::AccountId.eq(account_id))
        .exec(conn)
        .await?;
    Ok(Removal::Removed)
}

/// Removes every passkey of the account but the newest (the one just made with a recovery
/// link); returns how many were removed.
pub async fn keep_only_newest<C: ConnectionTrait>(conn: &C, account_id: i64) -> Result<u64, DbErr> {
    let Some(newest) = Entity::find()
        .filter(Column::AccountId.eq(account_id))
        .order_by_desc(Column::Id)
        .one(conn)
        .await?
    else {
        return Ok(0);
    };
    let removed = Entity::delete_many()
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::Id.ne(newest.id))
        .exec(conn)
        .await?;
    Ok(removed.rows_affected)
}

/// A default name for a new passkey, from the browser and system that made it
/// (e.g. "Chrome · Android"); authenticator models are not known without attestation.
#[must_use]
pub fn default_name(user_agent: Option<&str>, fallback: &str) -> String {
    let Some(agent) = user_agent else {
        return fallback.to_owned();
    };
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find_map(|(marker, name)| agent.contains(marker).then_some(name));
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find_map(|(marker, name)| agent.contains(marker).then_some(name));
    match (browser, system) {
        (Some(browser), Some(system)) => format!("{browser} · {system}"),
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        (None, None) => fallback.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_from_user_agents() {
        let android =
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/156.0 Mobile Safari/537.36";
        assert_eq!(default_name(Some(android), "Passkey"), "Chrome · Android");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(default_name(Some(iphone), "Passkey"), "Safari · iPhone");
        assert_eq!(default_name(None, "Passkey"), "Passkey");
    }
}
