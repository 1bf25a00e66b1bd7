//! One-time enrollment links: how a person the hospital registered gets their first
//! passkey (or a new one after losing every device).

use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, Set,
};
use time::{Duration, OffsetDateTime};

use super::entity::enrollment_link::{self, Column, Entity};
use crate::accounts::server::query::{self, Account};
use crate::audit::staff_action::{self, StaffAction};
use crate::ssr::tokens;

/// Why a link was issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The account's first passkey.
    Invite,
    /// A new passkey after the person lost all their devices; issued after identity checks.
    Recovery,
}

impl Purpose {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Purpose::Invite => "invite",
            Purpose::Recovery => "recovery",
        }
    }
}

/// Why a link cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkProblem {
    /// Unknown token (mistyped, or never issued).
    Unknown,
    Used,
    Expired,
    /// The account was deactivated after the link was issued.
    AccountInactive,
}

/// The path of an enrollment link (the token is its last segment).
#[must_use]
pub fn link_path(token: &str) -> String {
    format!("/enroll/{token}")
}

/// Issues a link for the account; returns its token. Earlier unused links of the account
/// stop working, so only the newest link a person was given is valid.
pub async fn issue<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    purpose: Purpose,
    issued_by: Option<i64>,
    reason: Option<&str>,
    ttl: Duration,
    now: OffsetDateTime,
) -> Result<String, DbErr> {
    Entity::update_many()
        .col_expr(Column::ExpiresAt, sea_orm::sea_query::Expr::value(now))
        .filter(Column::AccountId.eq(account_id))
        .filter(Column::UsedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?;
    let token = tokens::new_token();
    enrollment_link::ActiveModel {
        id: NotSet,
        account_id: Set(account_id),
        token_hash: Set(tokens::hash(&token)),
        purpose: Set(purpose.as_str().to_owned()),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        issued_by: Set(issued_by),
        reason: Set(reason.map(str::to_owned)),
    }
    .insert(conn)
    .await?;
    if purpose == Purpose::Recovery {
        staff_action::record(
            conn,
            issued_by,
            StaffAction::IssueRecoveryLink,
            Some(account_id),
            reason,
            now,
        )
        .await?;
    }
    Ok(token)
}

/// The link for `token` and its account, if the link can still be used.
pub(super) async fn usable<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    now: OffsetDateTime,
) -> Result<Result<(enrollment_link::Model, Account), LinkProblem>, DbErr> {
    let Some(link) = Entity::find()
        .filter(Column::TokenHash.eq(tokens::hash(token)))
        .one(conn)
        .await?
    else {
        return Ok(Err(LinkProblem::Unknown));
    };
    if link.used_at.is_some() {
        return Ok(Err(LinkProblem::Used));
    }
    if link.expires_at <= now {
        return Ok(Err(LinkProblem::Expired));
    }
    match query::by_id(conn, link.account_id).await? {
        Some(owner) if owner.active => Ok(Ok((link, owner))),
        _ => Ok(Err(LinkProblem::AccountInactive)),
    }
}

/// Marks the link used; `false` if it was used meanwhile (the other use wins).
pub async fn mark_used<C: ConnectionTrait>(
    conn: &C,
    link_id: i64,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let result = Entity::update_many()
        .col_expr(Column::UsedAt, sea_orm::sea_query::Expr::value(Some(now)))
        .filter(Column::Id.eq(link_id))
        .filter(Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}
