//! WebAuthn ceremony state, kept in the database for a few minutes so that any server
//! instance can finish a ceremony another began. Each state can be taken once: a replayed
//! browser response finds nothing.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde::{de::DeserializeOwned, Serialize};
use time::{Duration, OffsetDateTime};

use super::entity::webauthn_ceremony::{ActiveModel, Column, Entity, Model};
use crate::ssr::tokens;

/// How long a person has to answer their authenticator.
pub const CEREMONY_TTL: Duration = Duration::minutes(5);

/// Which ceremony a state belongs to; a state is only accepted by the same kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Enroll,
    AddPasskey,
    SignIn,
}

impl Kind {
    const fn as_str(self) -> &'static str {
        match self {
            Kind::Enroll => "enroll",
            Kind::AddPasskey => "add_passkey",
            Kind::SignIn => "sign_in",
        }
    }
}

/// Stores a ceremony's server state; returns its id.
pub async fn store<C: ConnectionTrait, S: Serialize>(
    conn: &C,
    kind: Kind,
    account_id: Option<i64>,
    enrollment_link_id: Option<i64>,
    state: &S,
    now: OffsetDateTime,
) -> Result<String, DbErr> {
    // Finished or abandoned ceremonies are useless after their expiry; sweep them here.
    Entity::delete_many()
        .filter(Column::ExpiresAt.lt(now))
        .exec(conn)
        .await?;
    let id = tokens::new_token();
    let state_json = serde_json::to_string(state).map_err(|e| DbErr::Custom(e.to_string()))?;
    Entity::insert(ActiveModel {
        id: Set(id.clone()),
        kind: Set(kind.as_str().to_owned()),
        account_id: Set(account_id),
        enrollment_link_id: Set(enrollment_link_id),
        state_json: Set(state_json),
        created_at: Set(now),
        expires_at: Set(now + CEREMONY_TTL),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}

/// A ceremony taken out of the store.
pub struct Taken<S> {
    pub row: Model,
    pub state: S,
}

/// Removes and returns the ceremony `id` of `kind`, if it exists and has not expired.
/// Two concurrent calls cannot both get it.
pub async fn take<C: ConnectionTrait, S: DeserializeOwned>(
    conn: &C,
    id: &str,
    kind: Kind,
    now: OffsetDateTime,
) -> Result<Option<Taken<S>>, DbErr> {
    let Some(row) = Entity::find_by_id(id.to_owned()).one(conn).await? else {
        return Ok(None);
    };
    let deleted = Entity::delete_many()
        .filter(Column::Id.eq(id))
        .exec(conn)
        .await?
        .rows_affected;
    if deleted != 1 || row.kind != kind.as_str() || row.expires_at <= now {
        return Ok(None);
    }
    let state = serde_json::from_str(&row.state_json).map_err(|e| DbErr::Custom(e.to_string()))?;
    Ok(Some(Taken { row, state }))
}
